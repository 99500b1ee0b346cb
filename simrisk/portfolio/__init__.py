"""Case C: a pool that buys, screens and implements uncertain investments (portfolio kind).

The flow is config -> inputs (arrays) -> kernel (Numba; NumPy reference
beside it) -> Dataset -> summary, ledger and report pages:

- :func:`load_portfolio` reads and validates a ``kind = "portfolio"`` TOML;
- :func:`run_ledger` gives the deterministic expected case (budgets by year,
  algorithms funded) and :func:`format_ledger` prints it;
- :func:`simulate` runs every budget option on common random numbers;
- :func:`summarize` / :func:`format_summary` give the per-option answers
  with Monte Carlo standard errors;
- :func:`report_pages` draws the report's pages (matplotlib is imported
  only when it is called).
"""

from simrisk.portfolio.config import PortfolioConfig, load_portfolio
from simrisk.portfolio.driver import KIND, simulate
from simrisk.portfolio.ledger import PortfolioLedger, format_ledger, run_ledger
from simrisk.portfolio.summary import format_summary, summarize

__all__ = [
    "KIND",
    "PortfolioConfig",
    "PortfolioLedger",
    "format_ledger",
    "format_summary",
    "load_portfolio",
    "report_pages",
    "run_ledger",
    "simulate",
    "summarize",
]


def report_pages(ds, lang: str = "en") -> list:
    """The report's pages as figures; see :func:`simrisk.portfolio.report.report_pages`."""
    from simrisk.portfolio.report import report_pages as _pages

    return _pages(ds, lang=lang)
