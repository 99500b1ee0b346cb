"""The contract kind: an outcome-based loan (DSI's social prescribing in Norddjurs).

config -> scenario arrays -> ledger (the deterministic expected case) and
kernel (Numba, with a plain NumPy reference) -> Dataset -> summary.

- :func:`load_scenario` reads and validates a scenario;
- :func:`run_ledger` computes the source's expected case exactly;
- :func:`simrisk.kinds.contract.simulate.simulate` runs the Monte Carlo engine and
  returns an xarray Dataset;
- :func:`summarize` gives every figure with its Monte Carlo error.

The names are imported on first use, so loading a scenario does not load the engine.
"""

from simrisk.core import lazy_exports

_EXPORTS = {
    "RESULT_KIND": "simrisk.kinds.contract.dataset",
    "LedgerResult": "simrisk.kinds.contract.ledger",
    "Scenario": "simrisk.kinds.contract.config",
    # the kernel's static inputs, for the decision layer's runs (monitor, evsi, _engine)
    "EngineInputs": "simrisk.kinds.contract.inputs",
    "build_inputs": "simrisk.kinds.contract.inputs",
    "format_summary": "simrisk.kinds.contract.summary",
    "load_scenario": "simrisk.kinds.contract.loader",
    "parse_scenario": "simrisk.kinds.contract.loader",
    "run_ledger": "simrisk.kinds.contract.ledger",
    "summarize": "simrisk.kinds.contract.summary",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
