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

Nothing in the core imports a model kind.
"""
