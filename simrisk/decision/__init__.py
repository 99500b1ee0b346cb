"""Decision analysis on simrisk results: what drives the loss, what is worth knowing.

Every function takes a result Dataset (or arrays) and returns an
:class:`xarray.Dataset` with ``units`` and ``long_name`` on each variable,
savable to NetCDF; each has a ``format_*`` (terminal table) and a ``*_json``
(JSON-ready dict) companion.

- :func:`sensitivity`: tornado by prior decile, given-data indices
  (correlation ratio, PAWN) with bootstrap intervals, regional KS, ranking;
- :func:`voi`, :func:`evpi`, :func:`evppi`: value of information for any
  net benefit ``[draw, option]`` (DSI: lend or not);
- :func:`acceptability`: P(IRR >= r) and P(NPV at r >= 0) over rates;
- :func:`compare`: scenarios on common random numbers with paired SEs;
- :func:`variance_split`: parameter uncertainty vs chance among citizens.

Everything that runs the engine (nested runs, held parameters, stopping by
precision, several configs) is in :mod:`simrisk.decision._engine`; its public
functions are exported here: :func:`simulate_until`, :func:`simulate_scenarios`,
:func:`nested_variance`, :func:`nested_check`, :func:`default_step`.
"""

from simrisk.core import lazy_exports
from simrisk.decision.acceptability import acceptability, acceptability_json, format_acceptability
from simrisk.decision.compare import compare, compare_json, format_compare
from simrisk.decision.sensitivity import format_sensitivity, sensitivity, sensitivity_json
from simrisk.decision.variance import format_variance, variance_json, variance_split
from simrisk.decision.voi import evpi, evppi, evppi_nested, format_voi, voi, voi_json

#: the engine's public functions, imported on first use (they load the contract
#: kernel and Numba, which a summary or a regression EVPPI does not need)
_ENGINE = {
    name: "simrisk.decision._engine"
    for name in (
        "default_step",
        "nested_check",
        "nested_variance",
        "simulate_scenarios",
        "simulate_until",
        "store_for",
    )
}
__getattr__, __dir__ = lazy_exports(__name__, _ENGINE)

# One entry per public function of the modules above (each module's docstring says more).
__all__ = [
    "acceptability",
    "acceptability_json",
    "compare",
    "compare_json",
    "default_step",
    "evpi",
    "evppi",
    "evppi_nested",
    "format_acceptability",
    "format_compare",
    "format_sensitivity",
    "format_variance",
    "format_voi",
    "nested_check",
    "nested_variance",
    "sensitivity",
    "sensitivity_json",
    "simulate_scenarios",
    "simulate_until",
    "variance_json",
    "variance_split",
    "voi",
    "voi_json",
]
