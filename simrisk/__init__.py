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
"""

from simrisk._version import __version__

# Results on disk
from simrisk.core.dataset import open_result, write_netcdf
from simrisk.core.errors import ConfigError, SimriskError

# Finance
from simrisk.core.finance import IrrResult, moic, npv, xirr

# The contract kind (DSI): config, expected case, simulation, summary
from simrisk.kinds.contract import (
    LedgerResult,
    Scenario,
    load_scenario,
    parse_scenario,
    run_ledger,
    simulate,
    summarize,
)

__all__ = [
    "ConfigError",
    "IrrResult",
    "LedgerResult",
    "Scenario",
    "SimriskError",
    "__version__",
    "load_scenario",
    "moic",
    "npv",
    "open_result",
    "parse_scenario",
    "run_ledger",
    "simulate",
    "summarize",
    "write_netcdf",
    "xirr",
]
