"""The compiled copula transform against its NumPy reference, bit for bit.

:meth:`simrisk.core.priors.ParameterSpace.transform` runs the correlated
scores and the fixed, normal and tabulated marginals in one compiled loop
(:mod:`simrisk.core._copula`); the reference below is the transform as it was
in NumPy (``einsum``, then one ``np.interp``/``exp``/``ndtr`` per marginal).
Parameter values feed every result, so they must be the same bits.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

from simrisk.core.config import Correlation, Prior
from simrisk.core.priors import _Z_GRID, build_space


def _reference(space, u):
    z = ndtri(u)
    if space.correlated:
        z = np.einsum("nk,jk->nj", z, space.chol)
    out = np.empty_like(z)
    for k, p in enumerate(space.priors):
        zk = z[:, k]
        if p.dist == "fixed":
            out[:, k] = p.value
        elif p.dist == "normal":
            out[:, k] = p.mean + p.sd * zk
        elif p.dist == "lognormal":
            out[:, k] = p.median * np.exp(p.sd_log * zk)
        elif p.dist == "uniform":
            out[:, k] = p.low + (p.high - p.low) * ndtr(zk)
        else:
            out[:, k] = np.interp(zk, _Z_GRID, space.tables[k])
    return out


PRIORS = [
    Prior(dist="fixed", value=0.3),
    Prior(dist="normal", mean=0.1, sd=0.05),
    Prior(dist="truncnormal", mean=0.2, sd=0.1, low=0.0, high=0.5),
    Prior(dist="lognormal", median=2.0, sd_log=0.4),
    Prior(dist="beta", mean=0.6, sd=0.1),
    Prior(dist="uniform", low=-1.0, high=2.0),
    Prior(dist="pert", min=0.1, mode=0.3, max=0.9),
]
NAMES = [f"p{k}" for k in range(len(PRIORS))]


@pytest.mark.parametrize("correlated", [False, True])
def test_compiled_transform_is_the_numpy_transform_bit_for_bit(correlated, rng):
    corr = (
        [
            Correlation(a="p1", b="p4", rho=0.6),
            Correlation(a="p2", b="p6", rho=-0.4),
            Correlation(a="p3", b="p5", rho=0.3),
        ]
        if correlated
        else []
    )
    space = build_space(NAMES, PRIORS, corr)
    u = rng.random((20_000, len(NAMES)))
    # the ends and the grid's own points, where interpolation takes its edge cases
    u[0], u[1] = 1e-300, 1 - 1e-16
    u[2 : 2 + 200, 4] = ndtr(_Z_GRID[::82][:200])
    np.testing.assert_array_equal(space.transform(u), _reference(space, u))


def test_compiled_transform_on_a_shipped_config(dsi_scenario, rng):
    from simrisk.kinds.contract._inputs import build_inputs

    space = build_inputs(dsi_scenario).space
    u = rng.random((20_000, len(space.names)))
    np.testing.assert_array_equal(space.transform(u), _reference(space, u))
