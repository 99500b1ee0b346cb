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
    options=frozenset({"scores", "chunk_size", "checkpoint"}),
    title="WELLBY",
    why_not={"ledger": _NO_LEDGER},
)

#: The fewest draws a band can use: the 95% band's ends are the 2.5% and
#: 97.5% quantiles, and each tail needs at least one draw (1 / 0.025).
MIN_DRAWS = 40
MIN_DRAWS_WHY = "a 95% band needs at least one draw in each 2.5% tail"


def bytes_per_draw(cfg) -> float:
    """About how many bytes of memory one draw takes at peak.

    The run's float64 series (12, four per projection size, goal 3's), twice
    over for the result Dataset and the summary's sorted copies.
    """
    sizes = sum(len(p.recruited) for p in cfg.projections)
    return 8.0 * (13 + 4 * sizes) * 2


def file_bytes_per_draw(cfg) -> None:
    """Not checked: a WELLBY run is held in memory and written whole (not streamed)."""
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
    """Run the WELLBY evaluation and return its Dataset (options it cannot honour refused).

    The draws run chunk by chunk through :mod:`simrisk.core.driver`; with
    ``options.checkpoint_path`` every completed chunk is saved and a matching
    checkpoint is resumed, with the same values as a run that ran through.
    """
    from simrisk.core.driver import Checkpoint, progress_bar
    from simrisk.kinds.wellby.dataset import wellby_dataset
    from simrisk.kinds.wellby.scores import read_scores
    from simrisk.kinds.wellby.simulate import run_identity, run_wellby

    given = [o for o in options.given() if not CAPABILITIES.honours(o)]
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise SimriskError(f"{flags}: not available for a WELLBY config")
    scores, config_path = options.scores, options.config_path
    if scores is not None:
        scores = read_scores(scores)
        _within_recruited(cfg, scores, options.scores)
    elif cfg.pilot.scores and config_path is not None:
        found = Path(config_path).resolve().parent / cfg.pilot.scores
        scores = read_scores(found)
        _within_recruited(cfg, scores, found)
    draws = cfg.simulation.draws if options.draws is None else options.draws
    seed = cfg.simulation.seed if options.seed is None else options.seed
    ckpt = None
    if options.checkpoint_path is not None:
        ident = run_identity(cfg, scores, draws, seed, options.config_text)
        ckpt = Checkpoint(options.checkpoint_path, identity=ident)
    bar, update = progress_bar(draws, options.quiet)
    try:
        res = run_wellby(
            cfg, scores=scores, draws=draws, seed=seed, chunk_size=options.chunk_size,
            progress=update, checkpoint=ckpt,
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.close()
    ds = wellby_dataset(res, config_text=options.config_text)
    if options.created_at is not None:
        ds.attrs["created_at"] = options.created_at
    return ds


def simulate_to_file(cfg, out, options: RunOptions) -> None:
    """The run written to ``out`` at once, atomically.

    A WELLBY result is not streamed: its bands are quantiles over every
    draw, so the summary holds all draws in memory whichever way the file is
    written. ``simrisk run --out`` keeps a checkpoint of completed chunks
    beside ``out`` instead (``options.checkpoint_path``) and resumes from it.
    """
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
