"""The portfolio kind's interface (:class:`simrisk.kinds.ModelKind`), which the library calls.

Options that belong to the outcome-contract model (``--fixed-parameters``,
``--wellby``, the ledger's rate overrides) are refused with one line.
"""

from __future__ import annotations

from simrisk.core.errors import SimriskError
from simrisk.core.results import Summary as _Summary
from simrisk.kinds._interface import Capabilities, RunOptions

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
    "report",
    "simulate",
    "simulate_to_file",
    "summarize",
]

NAME = "portfolio"
RESULT_KIND = "simrisk.portfolio"
EXAMPLE = "regionh_ai_pool.toml"
CAPABILITIES = Capabilities(
    commands=frozenset({"ledger", "run", "summary", "report", "voi"}),
    options=frozenset({"chunk_size", "threads"}),
    title="portfolio",
)
#: any draw count makes a summary (its figures' SEs say how good it is)
MIN_DRAWS = 1
MIN_DRAWS_WHY = "the summary needs them"

#: Compiling the kernel when Numba's cache is cold (first run after an install
#: or upgrade): measured 6 s of CPU time on this project's 2-core machine (the
#: cold run took 9.5 s of CPU, a warm one 3.1 s; 21 s of wall time at load 5).
COMPILE_SECONDS = 10


def _refuse(options: dict, what: str) -> None:
    given = sorted(k for k, v in options.items() if v not in (None, False, [], {}))
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise SimriskError(f"{flags}: does not apply to a portfolio {what}")


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


def bytes_per_draw(cfg) -> None:
    """Not checked: a portfolio run's draws are a few numbers per option and year."""
    return None


def file_bytes_per_draw(cfg) -> None:
    """Not checked (see :func:`bytes_per_draw`)."""
    return None


def check(cfg, options: RunOptions) -> None:
    """Nothing to read before a portfolio run (its config is the whole input)."""


def compile_notice(quiet: bool = False) -> None:
    """Unless ``quiet``, say on stderr when the kernel must first be compiled."""
    if not quiet:
        from simrisk.core import compile_notice as notice
        from simrisk.kinds.portfolio._kernel import simulate_chunk

        notice(simulate_chunk, COMPILE_SECONDS)


def simulate(cfg, options: RunOptions):
    """Every budget option on common random numbers, as a Dataset.

    Unless ``options.quiet``, says on stderr when the kernel must first be compiled.
    """
    from simrisk.kinds.portfolio.driver import simulate as run

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
    )


def simulate_to_file(cfg, out, options: RunOptions) -> None:
    """The run written to ``out`` (atomically)."""
    from simrisk.core.dataset import write_netcdf

    write_netcdf(simulate(cfg, options), out)


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


def report(ds, out, *, lang="en", figures=None, **unsupported) -> list[str]:
    """The portfolio report (PDF, en/da); returns the page names."""
    from simrisk.kinds.portfolio.report import write_report

    _refuse(unsupported, "result")
    return write_report(ds, out, lang=lang, figures=figures)
