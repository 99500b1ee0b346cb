"""WELLBY under small samples: honest bands for a pilot and its projections.

- :func:`load_wellby` reads ``configs/opi_aims_wellby.toml``-style configs;
- :func:`read_scores` reads paired 0-10 scores from CSV;
- :func:`run_wellby` propagates the uncertainty by simulation;
- :func:`format_wellby` prints the result.
"""

from simrisk.core import lazy_exports

_EXPORTS = {
    "WellbyConfig": "simrisk.kinds.wellby.config",
    "WellbyResult": "simrisk.kinds.wellby.simulate",
    "format_wellby": "simrisk.kinds.wellby.summary",
    "load_wellby": "simrisk.kinds.wellby.config",
    "read_scores": "simrisk.kinds.wellby.scores",
    "run_wellby": "simrisk.kinds.wellby.simulate",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
