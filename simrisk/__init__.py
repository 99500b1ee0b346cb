"""simrisk: Monte Carlo risk simulation for outcome-based social investments.

The layers read top-down, config -> model kind -> kernel -> Dataset ->
decision layer -> report:

- :mod:`simrisk.core` is the shared machinery: config tables and errors,
  priors and their copula, the counter-based RNG, finance, the chunked
  driver, Dataset conventions and summaries with Monte Carlo errors;
- :mod:`simrisk.kinds` holds the model kinds over it: ``contract`` (DSI's
  outcome contract), ``wellby`` (a pilot's WELLBY bands), ``portfolio``;
- :mod:`simrisk.plot` and :mod:`simrisk.report` draw and write reports
  (matplotlib is imported only there).

The names below are imported on first use (PEP 562), so ``import simrisk``
and the command line start without loading numba, xarray or scipy until a
command needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simrisk._version import __version__
from simrisk.core import cache_fallback, lazy_exports

# before anything imports numba: a read-only install run without HOME gets a cache folder
cache_fallback()

if TYPE_CHECKING:  # what type checkers see; at run time each is imported on first use
    from simrisk.api import (
        Config,
        Ledger,
        acceptability,
        compare,
        decision,
        design,
        evsi,
        export,
        ledger,
        load,
        monitor,
        run,
        sensitivity,
        summary,
        variance,
        voi,
    )
    from simrisk.core.dataset import open_result, write_netcdf
    from simrisk.core.errors import ConfigError, SimriskError
    from simrisk.core.finance import IrrResult, moic, npv, xirr
    from simrisk.kinds.contract import (
        LedgerResult,
        Scenario,
        load_scenario,
        parse_scenario,
        run_ledger,
        summarize,
    )
    from simrisk.kinds.contract.simulate import simulate

#: public name -> the module that defines it
_EXPORTS = {
    # The front door (simrisk.api): any kind's config or result. ``report`` is
    # simrisk.api.report: the name simrisk.report is the report package.
    "Config": "simrisk.api",
    "Ledger": "simrisk.api",
    "acceptability": "simrisk.api",
    "compare": "simrisk.api",
    "decision": "simrisk.api",
    "design": "simrisk.api",
    "evsi": "simrisk.api",
    "export": "simrisk.api",
    "ledger": "simrisk.api",
    "load": "simrisk.api",
    "monitor": "simrisk.api",
    "run": "simrisk.api",
    "sensitivity": "simrisk.api",
    "summary": "simrisk.api",
    "variance": "simrisk.api",
    "voi": "simrisk.api",
    # Results on disk
    "open_result": "simrisk.core.dataset",
    "write_netcdf": "simrisk.core.dataset",
    # Errors
    "ConfigError": "simrisk.core.errors",
    "SimriskError": "simrisk.core.errors",
    # Finance
    "IrrResult": "simrisk.core.finance",
    "moic": "simrisk.core.finance",
    "npv": "simrisk.core.finance",
    "xirr": "simrisk.core.finance",
    # The contract kind (DSI): config, expected case, simulation, summary
    "LedgerResult": "simrisk.kinds.contract",
    "Scenario": "simrisk.kinds.contract",
    "load_scenario": "simrisk.kinds.contract",
    "parse_scenario": "simrisk.kinds.contract",
    "run_ledger": "simrisk.kinds.contract",
    "simulate": "simrisk.kinds.contract.simulate",
    "summarize": "simrisk.kinds.contract",
}

#: the names above, spelled out so that tools read them (a test keeps the two equal)
__all__ = [
    "Config",
    "ConfigError",
    "IrrResult",
    "Ledger",
    "LedgerResult",
    "Scenario",
    "SimriskError",
    "__version__",
    "acceptability",
    "compare",
    "decision",
    "design",
    "evsi",
    "export",
    "ledger",
    "load",
    "load_scenario",
    "moic",
    "monitor",
    "npv",
    "open_result",
    "parse_scenario",
    "run",
    "run_ledger",
    "sensitivity",
    "simulate",
    "summarize",
    "summary",
    "variance",
    "voi",
    "write_netcdf",
    "xirr",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
