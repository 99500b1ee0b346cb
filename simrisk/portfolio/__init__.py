"""Case C: a pool that buys, screens and implements uncertain investments (portfolio kind).

The flow is config -> inputs (arrays) -> kernel (Numba; NumPy reference
beside it) -> Dataset -> summary, ledger and report pages:

- :func:`load_portfolio` reads and validates a ``kind = "portfolio"`` TOML;
- :func:`run_ledger` gives the deterministic expected case (budgets by year,
  algorithms funded) and :func:`format_ledger` prints it;
- :func:`simulate` runs every budget option on common random numbers;
- :func:`summarize` / :func:`format_summary` give the per-option answers
  with Monte Carlo standard errors;
- :func:`report_pages` draws the report's pages (matplotlib imported there only).
"""

from simrisk.portfolio.config import PortfolioConfig, load_portfolio
from simrisk.portfolio.driver import KIND, simulate

__all__ = ["KIND", "PortfolioConfig", "load_portfolio", "simulate"]
