"""The contract kind: an outcome-based loan (DSI's social prescribing in Norddjurs).

config -> scenario arrays -> ledger (the deterministic expected case) and
kernel (Numba, with a plain NumPy reference) -> Dataset -> summary.

- :func:`load_scenario` reads and validates a scenario;
- :func:`run_ledger` computes the source's expected case exactly;
- :func:`simulate` runs the Monte Carlo engine and returns an xarray Dataset;
- :func:`summarize` gives every figure with its Monte Carlo error.
"""

from simrisk.kinds.contract.config import Scenario
from simrisk.kinds.contract.dataset import RESULT_KIND
from simrisk.kinds.contract.engine import simulate
from simrisk.kinds.contract.ledger import LedgerResult, run_ledger
from simrisk.kinds.contract.loader import load_scenario, parse_scenario
from simrisk.kinds.contract.summary import format_summary, summarize

__all__ = [
    "RESULT_KIND",
    "LedgerResult",
    "Scenario",
    "format_summary",
    "load_scenario",
    "parse_scenario",
    "run_ledger",
    "simulate",
    "summarize",
]
