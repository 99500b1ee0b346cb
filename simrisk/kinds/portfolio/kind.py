"""The portfolio kind's uniform interface, which the CLI dispatches to.

Same functions as every kind (:mod:`simrisk.kinds`); options that belong to
the outcome-contract model (``--fixed-parameters``, ``--wellby``, the
ledger's rate overrides) are refused with one line.
"""

from __future__ import annotations

from simrisk.core.errors import SimriskError

__all__ = ["format_summary", "ledger", "load", "simulate", "summarize"]

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


def simulate(
    cfg,
    *,
    draws=None,
    seed=None,
    chunk_size=None,
    threads=None,
    config_text="",
    quiet=True,
    checkpoint_path=None,
    **unsupported,
):
    """Every budget option on common random numbers, as a Dataset.

    Unless ``quiet``, says on stderr when the kernel must first be compiled.
    """
    from simrisk.kinds.portfolio.driver import simulate as run

    _refuse(unsupported, "config")
    if not quiet:
        from simrisk.core._numba import compile_notice
        from simrisk.kinds.portfolio._kernel import simulate_chunk

        compile_notice(simulate_chunk, COMPILE_SECONDS)
    return run(
        cfg,
        draws=draws,
        seed=seed,
        chunk_size=chunk_size,
        threads=threads,
        config_text=config_text,
        quiet=quiet,
    )


def summarize(ds) -> dict:
    """Per-option answers with Monte Carlo standard errors."""
    from simrisk.kinds.portfolio.summary import summarize as summ

    return summ(ds)


def format_summary(summary: dict) -> str:
    """The summary as the terminal table."""
    from simrisk.kinds.portfolio.summary import format_summary as fmt

    return fmt(summary)
