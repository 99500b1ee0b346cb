"""The fund kind's interface (:class:`simrisk.kinds.ModelKind`), which the library calls."""

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
]

NAME = "fund"
RESULT_KIND = "simrisk.fund"
EXAMPLE = "dsi_fund.toml"
# A fund run holds every world in memory and takes seconds (its deals' own
# simulations included): chunk size and threads change nothing, and there is
# no checkpoint to resume from.
CAPABILITIES = Capabilities(
    commands=frozenset({"ledger", "run", "summary", "report"}),
    options=frozenset({"chunk_size", "threads"}),
    title="fund",
)
#: a 99% expected shortfall needs worlds in its 1% tail: 2,000 draws give 20
MIN_DRAWS = 2_000
MIN_DRAWS_WHY = "the 99% expected shortfall needs at least 20 worlds in its 1% tail"
#: compiling the copula and IRR loops on a cold cache (measured about 4 s of CPU)
COMPILE_SECONDS = 5


def _refuse(options: dict, what: str) -> None:
    refuse_options(options, "fund", what)


def load(path):
    """The validated fund config and its text."""
    from simrisk.kinds.fund.config import load_fund

    return load_fund(path)


def ledger(cfg, **options) -> tuple[dict, str]:
    """Each deal's expected case and the fund's totals."""
    from simrisk.kinds.fund.ledger import format_ledger, run_ledger

    _refuse(options, "config")
    res = run_ledger(cfg)
    return res, format_ledger(res)


def bytes_per_draw(cfg) -> None:
    """Not checked: a fund's worlds are a few numbers per deal."""
    return None


def file_bytes_per_draw(cfg) -> None:
    """Not checked (see :func:`bytes_per_draw`)."""
    return None


def check(cfg, options: RunOptions) -> None:
    """Nothing to read before a fund run (its deals are read as it runs)."""


def compile_notice(quiet: bool = False) -> None:
    """Unless ``quiet``, say on stderr when the kernel must first be compiled."""
    if not quiet:
        from simrisk.core import compile_notice as notice
        from simrisk.kinds.fund._kernel import latents

        notice(latents, COMPILE_SECONDS)


def simulate(cfg, options: RunOptions):
    """The fund's Monte Carlo run as a Dataset."""
    from simrisk.kinds.fund.simulate import simulate as run

    _refuse({o: True for o in options.given() if not CAPABILITIES.honours(o)}, "config")
    compile_notice(options.quiet)
    return run(cfg, draws=options.draws, seed=options.seed, config_text=options.config_text)


def simulate_to_file(cfg, out, options: RunOptions) -> None:
    """The run written to ``out`` (atomically)."""
    from simrisk.core.dataset import write_netcdf

    write_netcdf(simulate(cfg, options), out)


def summarize(ds) -> dict:
    """The fund's figures with Monte Carlo standard errors."""
    from simrisk.kinds.fund.summary import summarize as summ

    return summ(ds)


class FundSummary(_Summary):
    """A fund run's summary: the fund's figures with Monte Carlo standard errors."""

    kind = NAME


#: the kind's typed summary (:class:`simrisk.kinds.ModelKind`)
Summary = FundSummary


def format_summary(summary: dict) -> str:
    """The summary as the terminal table."""
    from simrisk.kinds.fund.summary import format_summary as fmt

    return fmt(summary)
