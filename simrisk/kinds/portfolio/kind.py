"""The portfolio kind's interface (:class:`simrisk.kinds.ModelKind`), which the library calls.

Options that belong to the outcome-contract model (``--fixed-parameters``,
``--wellby``, the ledger's rate overrides) are refused with one line.
"""

from __future__ import annotations

from simrisk.core.results import Summary as _Summary
from simrisk.kinds._interface import Capabilities, RunOptions, refuse_options

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
    "summary_bytes_per_draw",
]

NAME = "portfolio"
RESULT_KIND = "simrisk.portfolio"
EXAMPLE = "regionh_ai_pool.toml"
CAPABILITIES = Capabilities(
    commands=frozenset({"ledger", "run", "summary", "report", "voi"}),
    options=frozenset({"chunk_size", "threads", "checkpoint", "stream"}),
    title="portfolio",
)
#: the summary's P5 and P95 and their standard errors (as the contract's tail figures)
MIN_DRAWS = 400
MIN_DRAWS_WHY = "P5 and P95 and their standard errors need 20 draws in each 5% tail"

#: Compiling the kernel when Numba's cache is cold (first run after an install
#: or upgrade): measured 6 s of CPU time on this project's 2-core machine (the
#: cold run took 9.5 s of CPU, a warm one 3.1 s; 21 s of wall time at load 5).
COMPILE_SECONDS = 10


def _refuse(options: dict, what: str) -> None:
    refuse_options(options, "portfolio", what)


def load(path):
    """The validated portfolio config and its text."""
    from simrisk.kinds.portfolio.config import load_portfolio

    return load_portfolio(path)


def ledger(cfg, **options) -> tuple[dict, str]:
    """Budgets by year and option, and the algorithms funded at central costs."""
    from simrisk.kinds.portfolio.ledger import format_ledger, run_ledger

    _refuse(options, "config")
    res = run_ledger(cfg)
    return res.to_json(), format_ledger(res)


#: Peak memory per draw over the stored per-draw arrays' size, for a run held
#: in memory: the Dataset's derived variables, the summary's copies and the
#: NetCDF write (measured: about 1.6 at 20,000-100,000 draws; 3 leaves room).
MEMORY_FACTOR = 3.0


def _outputs_bytes(cfg) -> float:
    from simrisk.kinds.portfolio.inputs import build_inputs
    from simrisk.kinds.portfolio.simulate import outputs

    return float(sum(v.nbytes for v in outputs(build_inputs(cfg), 1).values()))


def bytes_per_draw(cfg) -> float:
    """About how many bytes of memory one draw of a run held in memory takes at peak."""
    return MEMORY_FACTOR * _outputs_bytes(cfg)


def summary_bytes_per_draw(cfg) -> float:
    """Bytes per draw the summary of a streamed result holds at peak.

    The summary reads a few per-draw series whole: the options' net
    benefits (with and without screening, float64), one option's
    cumulative net benefit by year and the net benefit at each staff-hour
    value; twice that for copies and sorting.
    """
    n_opt, years = len(cfg.options), cfg.horizon.last_year - cfg.horizon.first_year + 1
    return 2.0 * 8.0 * (4 * n_opt + years + 8)


def file_bytes_per_draw(cfg) -> float:
    """Bytes per draw of a result file of ``cfg`` before compression (a bound on disk use)."""
    import numpy as np

    from simrisk.kinds.portfolio.dataset import per_draw_variables
    from simrisk.kinds.portfolio.inputs import build_inputs
    from simrisk.kinds.portfolio.simulate import outputs

    inp = build_inputs(cfg)
    zeros = {k: np.zeros_like(v) for k, v in outputs(inp, 1).items()}
    one = per_draw_variables(inp, zeros)
    return float(sum(v.values.nbytes for v in one.values()) + 8)  # and the draw coordinate


def check(cfg, options: RunOptions) -> None:
    """Nothing to read before a portfolio run (its config is the whole input)."""


def compile_notice(quiet: bool = False) -> None:
    """Unless ``quiet``, say on stderr when the kernel must first be compiled."""
    if not quiet:
        from simrisk.core import compile_notice as notice
        from simrisk.kinds.portfolio._kernel import simulate_chunk

        notice(simulate_chunk, COMPILE_SECONDS)


def simulate(cfg, options: RunOptions):
    """Every budget option on common random numbers, as a Dataset held in memory.

    Unless ``options.quiet``, says on stderr when the kernel must first be
    compiled. With ``options.checkpoint_path``, completed chunks are saved and
    a matching checkpoint resumed (:func:`simrisk.kinds.portfolio.simulate.simulate`).
    """
    from simrisk.kinds.portfolio.simulate import simulate as run

    _refuse({o: True for o in options.given() if not CAPABILITIES.honours(o)}, "config")
    compile_notice(options.quiet)
    return run(
        cfg,
        draws=options.draws,
        seed=options.seed,
        chunk_size=options.chunk_size,
        threads=options.threads,
        config_text=options.config_text,
        quiet=options.quiet,
        checkpoint_path=options.checkpoint_path,
        created_at=options.created_at,
    )


def simulate_to_file(cfg, out, options: RunOptions):
    """The run streamed to ``out`` a chunk at a time; the partial file is the checkpoint.

    See :func:`simrisk.kinds.portfolio.simulate.simulate_to_file`.
    """
    from simrisk.kinds.portfolio.simulate import simulate_to_file as run

    _refuse({o: True for o in options.given() if not CAPABILITIES.honours(o)}, "config")
    compile_notice(options.quiet)
    return run(
        cfg,
        out,
        draws=options.draws,
        seed=options.seed,
        chunk_size=options.chunk_size,
        threads=options.threads,
        config_text=options.config_text,
        quiet=options.quiet,
        created_at=options.created_at,
    )


def summarize(ds) -> dict:
    """Per-option answers with Monte Carlo standard errors."""
    from simrisk.kinds.portfolio.summary import summarize as summ

    return summ(ds)


class PortfolioSummary(_Summary):
    """A portfolio run's summary: per budget option, its answers with Monte Carlo SEs."""

    kind = NAME

    @property
    def options(self) -> dict:
        """Budget option name -> its figures."""
        return self["options"]


#: the kind's typed summary (:class:`simrisk.kinds.ModelKind`)
Summary = PortfolioSummary


def format_summary(summary: dict) -> str:
    """The summary as the terminal table."""
    from simrisk.kinds.portfolio.summary import format_summary as fmt

    return fmt(summary)
