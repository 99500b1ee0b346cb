"""Case C: a pool that buys, screens and implements uncertain investments (portfolio kind).

The flow is config -> inputs (arrays) -> kernel (Numba; NumPy reference
beside it) -> Dataset -> summary and ledger:

- :func:`load_portfolio` reads and validates a ``kind = "portfolio"`` TOML;
- :func:`run_ledger` gives the deterministic expected case (budgets by year,
  algorithms funded) and :func:`format_ledger` prints it;
- :func:`simrisk.kinds.portfolio.simulate.simulate` runs every budget option on
  common random numbers (:func:`~simrisk.kinds.portfolio.simulate.simulate_to_file`
  streams it to a file a chunk at a time);
- :func:`summarize` / :func:`format_summary` give the per-option answers
  with Monte Carlo standard errors;
- the report's pages live in :mod:`simrisk.report.portfolio`.
"""

from simrisk.core import lazy_exports

# Names resolve on first use (PEP 562), so `simrisk --help` and the CLI's kind
# dispatch do not pay for numba, xarray and scipy unless a portfolio runs.
_EXPORTS = {
    name: f"simrisk.kinds.portfolio.{module}"
    for name, module in {
        "KIND": "config",
        "PortfolioConfig": "config",
        "PortfolioLedger": "ledger",
        "format_ledger": "ledger",
        "format_summary": "summary",
        "load_portfolio": "config",
        "run_ledger": "ledger",
        "summarize": "summary",
    }.items()
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
