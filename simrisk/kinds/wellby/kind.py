"""The WELLBY kind's interface (:class:`simrisk.kinds.ModelKind`), which the library calls.

``simrisk run CONFIG`` on a WELLBY config is ``simrisk wellby CONFIG``; the
result Dataset keeps the bands, central values and main draws.
"""

from __future__ import annotations

import json
from pathlib import Path

from simrisk.core.errors import SimriskError
from simrisk.core.results import Summary as _Summary
from simrisk.kinds._interface import Capabilities, RunOptions
from simrisk.kinds.wellby.config import load_wellby as load
from simrisk.kinds.wellby.summary import format_wellby as format_summary

__all__ = [
    "CAPABILITIES",
    "EXAMPLE",
    "MIN_DRAWS",
    "MIN_DRAWS_WHY",
    "NAME",
    "RESULT_KIND",
    "Summary",
    "bytes_per_draw",
    "check",
    "compile_notice",
    "file_bytes_per_draw",
    "format_summary",
    "ledger",
    "load",
    "simulate",
    "simulate_to_file",
    "summarize",
]

NAME = "wellby"
RESULT_KIND = "simrisk.wellby"
EXAMPLE = "opi_aims_wellby.toml"
_NO_LEDGER = "a WELLBY config has no ledger: run 'simrisk run' (or 'simrisk wellby') on it"
CAPABILITIES = Capabilities(
    commands=frozenset({"run", "summary", "wellby", "report", "evsi"}),
    options=frozenset({"scores"}),
    title="WELLBY",
    why_not={"ledger": _NO_LEDGER},
)

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


def file_bytes_per_draw(cfg) -> None:
    """Not checked: a WELLBY run is held in memory and written whole."""
    return None


def compile_notice(quiet: bool = False) -> None:
    """Nothing to compile: the WELLBY model is plain NumPy."""


def ledger(cfg, **options) -> tuple[dict, str]:
    """A WELLBY evaluation has no deterministic ledger."""
    raise SimriskError(_NO_LEDGER)


def check(cfg, options: RunOptions) -> None:
    """Read a ``--scores`` file once before simulating, so a bad one stops the run at once."""
    from simrisk.kinds.wellby.scores import read_scores

    if options.scores is not None:
        _within_recruited(cfg, read_scores(options.scores), options.scores)


def _within_recruited(cfg, scores, source) -> None:
    """Refuse more paired scores than the pilot recruited: every row is a participant."""
    recruited = getattr(getattr(cfg, "pilot", None), "recruited", None)
    if recruited is not None and len(scores) > recruited:
        raise SimriskError(
            f"--scores {source}: {len(scores)} participants with paired scores, but "
            f"pilot.recruited = {recruited}; each row is one participant (fix the file or "
            "the config)"
        )


def simulate(cfg, options: RunOptions):
    """Run the WELLBY evaluation and return its Dataset (options it cannot honour refused)."""
    from simrisk.kinds.wellby.dataset import wellby_dataset
    from simrisk.kinds.wellby.scores import read_scores
    from simrisk.kinds.wellby.simulate import run_wellby

    given = [o for o in options.given() if not CAPABILITIES.honours(o)]
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise SimriskError(f"{flags}: not available for a WELLBY config")
    scores, config_path = options.scores, options.config_path
    draws, seed = options.draws, options.seed
    if scores is not None:
        scores = read_scores(scores)
        _within_recruited(cfg, scores, options.scores)
    elif cfg.pilot.scores and config_path is not None:
        found = Path(config_path).resolve().parent / cfg.pilot.scores
        scores = read_scores(found)
        _within_recruited(cfg, scores, found)
    res = run_wellby(cfg, scores=scores, draws=draws, seed=seed)
    return wellby_dataset(res, config_text=options.config_text)


def simulate_to_file(cfg, out, options: RunOptions) -> None:
    """The run written to ``out`` (atomically; a WELLBY run is seconds, so no checkpoint)."""
    from simrisk.core.dataset import write_netcdf

    write_netcdf(simulate(cfg, options), out)


def summarize(ds) -> dict:
    """The evaluation's summary as ``run_wellby`` gave it."""
    return json.loads(ds.attrs["summary_json"])


class WellbySummary(_Summary):
    """A WELLBY evaluation's summary: the pilot's bands, the projections, goal 3's chance."""

    kind = NAME

    @property
    def pilot(self) -> dict:
        """The pilot's WELLBY total and value, with their bands."""
        return self["pilot"]

    @property
    def goal3_success_probability(self) -> dict:
        """Goal 3's implied chance of success: central, median, mean and its 80/90/95% bands."""
        return self["goal3_success_probability"]


#: the kind's typed summary (:class:`simrisk.kinds.ModelKind`)
Summary = WellbySummary
