"""The fund kind's uniform interface, which the CLI dispatches to."""

from __future__ import annotations

from simrisk.core.errors import SimriskError

__all__ = [
    "MIN_DRAWS",
    "MIN_DRAWS_WHY",
    "format_summary",
    "ledger",
    "load",
    "simulate",
    "summarize",
]

#: a 99% expected shortfall needs worlds in its 1% tail: 2,000 draws give 20
MIN_DRAWS = 2_000
MIN_DRAWS_WHY = "the 99% expected shortfall needs at least 20 worlds in its 1% tail"
#: compiling the copula and IRR loops on a cold cache (measured about 4 s of CPU)
COMPILE_SECONDS = 5


def _refuse(options: dict, what: str) -> None:
    given = sorted(k for k, v in options.items() if v not in (None, False, [], {}))
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise SimriskError(f"{flags}: does not apply to a fund {what}")


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


def simulate(cfg, *, draws=None, seed=None, config_text="", quiet=True, **unsupported):
    """The fund's Monte Carlo run as a Dataset."""
    from simrisk.kinds.fund.simulate import simulate as run

    # A fund run holds every world in memory and takes seconds (its deals' own
    # simulations included): no chunking, no checkpoint to resume from.
    ignored = ("chunk_size", "threads", "checkpoint_path")
    unsupported = {k: v for k, v in unsupported.items() if k not in ignored}
    _refuse(unsupported, "config")
    if not quiet:
        from simrisk.core._numba import compile_notice
        from simrisk.kinds.fund._kernel import latents

        compile_notice(latents, COMPILE_SECONDS)
    return run(cfg, draws=draws, seed=seed, config_text=config_text)


def summarize(ds) -> dict:
    """The fund's figures with Monte Carlo standard errors."""
    from simrisk.kinds.fund.summary import summarize as summ

    return summ(ds)


def format_summary(summary: dict) -> str:
    """The summary as the terminal table."""
    from simrisk.kinds.fund.summary import format_summary as fmt

    return fmt(summary)
