"""The Monte Carlo engine: kernel (Numba) -> arrays -> Dataset.

- :func:`simulate` runs a scenario and returns an :class:`xarray.Dataset`;
- :mod:`simrisk.engine.reference` is the plain NumPy implementation of the
  same model, for tests and benchmarks;
- :mod:`simrisk.engine.analytic` gives closed-form success probabilities.
"""

from simrisk.engine.dataset import open_result, write_netcdf
from simrisk.engine.driver import RunSpec, simulate

__all__ = ["RunSpec", "open_result", "simulate", "write_netcdf"]
