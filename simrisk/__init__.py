"""simrisk: Monte Carlo risk simulation for outcome-based social investments.

The flow is config -> scenario -> model -> results -> report:

- :mod:`simrisk.config` reads and validates scenario TOML files;
- :mod:`simrisk.contract` turns a scenario into arrays;
- :mod:`simrisk.ledger` computes the deterministic expected case;
- :mod:`simrisk.finance` holds XIRR, NPV and money multiple.
"""

from simrisk._version import __version__

# Configs and validation
from simrisk.config import Scenario, load_scenario, parse_scenario
from simrisk.errors import ConfigError, SimriskError

# Finance
from simrisk.finance import IrrResult, moic, npv, xirr

# Models
from simrisk.ledger import LedgerResult, run_ledger

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
    "parse_scenario",
    "run_ledger",
    "xirr",
]
