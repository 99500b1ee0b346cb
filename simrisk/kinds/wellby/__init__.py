"""WELLBY under small samples: honest bands for a pilot and its projections.

- :func:`load_wellby` reads ``configs/opi_aims_wellby.toml``-style configs;
- :func:`read_scores` reads paired 0-10 scores from CSV;
- :func:`run_wellby` propagates the uncertainty by simulation;
- :func:`format_wellby` prints the result.
"""

from simrisk.kinds.wellby._text import format_wellby
from simrisk.kinds.wellby.config import WellbyConfig, load_wellby
from simrisk.kinds.wellby.model import WellbyResult, run_wellby
from simrisk.kinds.wellby.scores import read_scores

__all__ = [
    "WellbyConfig",
    "WellbyResult",
    "format_wellby",
    "load_wellby",
    "read_scores",
    "run_wellby",
]
