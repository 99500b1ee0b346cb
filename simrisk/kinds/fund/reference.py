"""The fund kernels in plain Python and NumPy: the model of record the kernels are held to."""

from __future__ import annotations

import numpy as np

from simrisk.core.finance import irr_core
from simrisk.core.rng import draw_word, normal_from, u01_hi

__all__ = ["irr_by_draw", "latents"]


def latents(key, draw0, n, n_deals, n_sectors, df):
    """The same numbers as :func:`simrisk.kinds.fund._kernel.latents`, one at a time.

    The random-number primitives are :mod:`simrisk.core.rng`'s own (tested
    there against SplitMix64's definition); what this checks is the kernel's
    use of them: positions, slots and the order of streams.
    """
    u_rho, z, chi2 = np.empty(n), np.empty(n), np.zeros(n)
    s, eps = np.empty((n, n_sectors)), np.empty((n, n_deals))
    normal = normal_from
    _fill(key, draw0, n, n_sectors, n_deals, df, normal, u_rho, z, s, chi2, eps)
    return u_rho, z, s, chi2, eps


def _fill(key, draw0, n, n_sectors, n_deals, df, normal, u_rho, z, s, chi2, eps):
    for j in range(n):
        d = draw0 + j
        u_rho[j] = u01_hi(np.uint64(draw_word(key, d, 0)))
        z[j], slot = normal(key, d, 0, 0)
        for k in range(n_sectors):
            s[j, k], slot = normal(key, d, 0, slot)
        slot = 0
        for _ in range(df):
            x, slot = normal(key, d, 1, slot)
            chi2[j] += x * x
        for i in range(n_deals):
            eps[j, i] = normal(key, d, 2 + i, 0)[0]


def irr_by_draw(t, cf):
    """Each world's IRR and status, one world at a time with the plain-Python root finder."""
    out = [irr_core(t, row) for row in cf]
    return np.array([r for r, _ in out]), np.array([st for _, st in out], dtype=np.int8)
