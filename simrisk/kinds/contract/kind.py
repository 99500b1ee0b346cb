"""The contract kind's uniform interface, which the CLI dispatches to.

Every kind's ``kind`` module has the same functions: :func:`load`,
:func:`ledger`, :func:`simulate`, :func:`summarize`, :func:`format_summary`
and :func:`report`; a kind may add :func:`export` (the analyst's workbook).
Each imports what it needs when called, so ``simrisk ledger`` does not load
the engine.
"""

from __future__ import annotations

__all__ = ["export", "format_summary", "ledger", "load", "report", "simulate", "summarize"]


def load(path):
    """The validated scenario and the config's text."""
    from simrisk.kinds.contract.loader import load_scenario

    return load_scenario(path)


def ledger(cfg, *, success_rate=None, retention=None, goal_rates=None) -> tuple[dict, str]:
    """The expected case as a JSON-ready dict and as text."""
    from simrisk.kinds.contract._text import format_ledger
    from simrisk.kinds.contract.ledger import run_ledger

    res = run_ledger(cfg, success_rate=success_rate, retention=retention, goal_rates=goal_rates)
    return res.to_dict(), format_ledger(res)


def simulate(cfg, **options):
    """The Monte Carlo run as a Dataset (see :func:`simrisk.kinds.contract.engine.simulate`)."""
    from simrisk.kinds.contract.engine import simulate as run

    return run(cfg, **options)


def summarize(ds) -> dict:
    """Every figure of a run with its Monte Carlo error."""
    from simrisk.kinds.contract.summary import summarize as summ

    return summ(ds)


def format_summary(summary: dict) -> str:
    """The summary as the terminal table."""
    from simrisk.kinds.contract.summary import format_summary as fmt

    return fmt(summary)


def report(ds, out, *, lang="en", figures=None, wellby=None, design=None) -> list[str]:
    """The committee's PDF report of a run; returns the page names."""
    from simrisk.report import build_report

    return build_report(ds, out, lang=lang, figures=figures, wellby=wellby, design=design)


def export(ds, out, *, lang="en", extra=None, draws_limit=None) -> list[str]:
    """The analyst's Excel workbook of a run; returns the sheet names."""
    from simrisk.workbook import DRAWS_LIMIT, write_workbook

    limit = DRAWS_LIMIT if draws_limit is None else draws_limit
    return write_workbook(ds, out, lang=lang, extra=extra, draws_limit=limit)
