"""The WELLBY kind's uniform interface, which the CLI dispatches to.

``simrisk run CONFIG`` on a WELLBY config is ``simrisk wellby CONFIG``; the
result Dataset keeps the bands, central values and main draws.
"""

from __future__ import annotations

import json
from pathlib import Path

from simrisk.core.errors import SimriskError
from simrisk.kinds.wellby.config import load_wellby as load
from simrisk.kinds.wellby.summary import format_wellby as format_summary

__all__ = [
    "MIN_DRAWS",
    "MIN_DRAWS_WHY",
    "bytes_per_draw",
    "format_summary",
    "ledger",
    "load",
    "report",
    "simulate",
    "summarize",
]

#: The fewest draws a band can use: the 95% band's ends are the 2.5% and
#: 97.5% quantiles, and each tail needs at least one draw (1 / 0.025).
MIN_DRAWS = 40
MIN_DRAWS_WHY = "a 95% band needs at least one draw in each 2.5% tail"


def bytes_per_draw(cfg) -> float:
    """About how many bytes of memory one draw takes at peak.

    Float64 draws of the main quantities (10), one per projection size and
    goal 3, three times over for temporaries (measured: about 1.9 at 1e6
    draws), plus the paired bootstrap's weights (two arrays of one float64
    per completer).
    """
    sizes = sum(len(p.recruited) for p in cfg.projections)
    return 8.0 * (11 + sizes) * 3 + 16.0 * max(cfg.pilot.completers, 2)


def ledger(cfg, **options) -> tuple[dict, str]:
    """A WELLBY evaluation has no deterministic ledger."""
    raise SimriskError(
        "a WELLBY config has no ledger: run 'simrisk run' (or 'simrisk wellby') on it"
    )


def simulate(
    cfg,
    *,
    draws=None,
    seed=None,
    scores=None,
    config_path=None,
    config_text="",
    **unsupported,
):
    """Run the WELLBY evaluation and return its Dataset (``unsupported`` options refused)."""
    from simrisk.kinds.wellby.dataset import wellby_dataset
    from simrisk.kinds.wellby.scores import read_scores
    from simrisk.kinds.wellby.simulate import run_wellby

    given = sorted(k for k, v in unsupported.items() if v not in (None, False))
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise SimriskError(f"{flags}: not available for a WELLBY config")
    if scores is not None:
        scores = read_scores(scores)
    elif cfg.pilot.scores and config_path is not None:
        scores = read_scores(Path(config_path).resolve().parent / cfg.pilot.scores)
    res = run_wellby(cfg, scores=scores, draws=draws, seed=seed)
    return wellby_dataset(res, config_text=config_text)


def summarize(ds) -> dict:
    """The evaluation's summary as ``run_wellby`` gave it."""
    return json.loads(ds.attrs["summary_json"])


def report(ds, out, **options) -> list[str]:
    """A WELLBY result is reported inside a contract's report."""
    raise SimriskError(
        "a WELLBY result has no report of its own: pass it to a DSI report with "
        "'simrisk report RUN.nc --wellby WELLBY.nc -o report.pdf'"
    )
