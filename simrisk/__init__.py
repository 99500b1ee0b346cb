"""simrisk: Monte Carlo risk simulation for outcome-based social investments.

The flow is config -> scenario -> model -> results -> report:

- :mod:`simrisk.config` reads and validates scenario TOML files;
- :mod:`simrisk.contract` turns a scenario into arrays;
- :mod:`simrisk.ledger` computes the deterministic expected case;
- :mod:`simrisk.engine` simulates it (Numba kernel, NumPy reference, Dataset);
- :mod:`simrisk.summary` summarises a run with Monte Carlo errors;
- :mod:`simrisk.wellby` gives WELLBY bands for a small pilot;
- :mod:`simrisk.plot` and :mod:`simrisk.report` draw and write reports
  (matplotlib is imported only there);
- :mod:`simrisk.finance` holds XIRR, NPV and money multiple.
"""

from simrisk._version import __version__

# Configs and validation
from simrisk.config import Scenario, load_scenario, parse_scenario

# Simulation and results
from simrisk.engine import open_result, simulate, write_netcdf
from simrisk.errors import ConfigError, SimriskError

# Finance
from simrisk.finance import IrrResult, moic, npv, xirr

# Models
from simrisk.ledger import LedgerResult, run_ledger
from simrisk.summary import summarize

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
