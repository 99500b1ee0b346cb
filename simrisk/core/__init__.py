"""The shared core every model kind stands on.

- :mod:`simrisk.core.config`: field types, priors and correlations as config
  tables, TOML with ``extends``, one-line config errors;
- :mod:`simrisk.core.priors`: prior validation and central values, the
  Gaussian copula (:class:`~simrisk.core.priors.ParameterSpace`);
- :mod:`simrisk.core.rng`: SplitMix64 by position, so every random number is
  a pure function of (seed, draw, slot);
- :mod:`simrisk.core.finance`: XIRR, NPV, money multiple (plain Python that
  kernels call compiled);
- :mod:`simrisk.core.driver`: the chunked driver with checkpoints;
- :mod:`simrisk.core.dataset`: Dataset conventions and atomic NetCDF I/O;
- :mod:`simrisk.core.summary`: statistics with Monte Carlo standard errors;

Nothing in the core imports a model kind. Two helpers every kind uses are
exported here (their modules are the core's own): :func:`jit`,
:func:`jit_parallel`, :func:`jitable`, :func:`compile_notice` (Numba, imported
on first use) and :func:`lazy_exports` (a package's names imported on first use).
"""

from simrisk.core._lazy import lazy_exports
from simrisk.core._numba import (
    cache_fallback,
    cache_is_cold,
    compile_notice,
    compiled,
    jit,
    jit_parallel,
    jitable,
)

__all__ = [
    "cache_fallback",
    "cache_is_cold",
    "compile_notice",
    "compiled",
    "jit",
    "jit_parallel",
    "jitable",
    "lazy_exports",
]
