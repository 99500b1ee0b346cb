"""The fund's Numba kernels: the copula's random numbers and each world's IRR.

Pure functions, arrays in and arrays out; :mod:`simrisk.kinds.fund.reference`
runs the same model in plain Python and NumPy, and the tests hold the two
equal. Every random number sits at a position fixed by (draw, stream, slot)
(:mod:`simrisk.core.rng`), so a run does not depend on the thread count or
the chunk size:

- stream 0: the common factor (slot 0 on), then each sector factor;
- stream 1: the chi-square mixing variable of a Student-t copula (``df``
  normals squared);
- stream ``2 + j``: deal ``j``'s own normal (``j`` its place in the config,
  so leaving a deal out changes no other deal's numbers);
- per-draw word 0: the uniform that gives the factor's correlation ``rho``.
"""

from __future__ import annotations

from numba import prange

from simrisk.core import jit_parallel
from simrisk.core.finance import irr_core
from simrisk.core.rng import draw_word, normal_from, u01_hi

__all__ = ["irr_by_draw", "latents"]


@jit_parallel
def latents(key, draw0, n, n_deals, n_sectors, df, u_rho, z, s, chi2, eps):
    """Fill the copula's random numbers for draws ``draw0 .. draw0 + n - 1``.

    ``u_rho[n]`` (uniform for the correlation), ``z[n]`` (common factor),
    ``s[n, n_sectors]`` (sector factors), ``chi2[n]`` (a chi-square with ``df``
    degrees of freedom; 0 when ``df`` is 0) and ``eps[n, n_deals]``.
    """
    for j in prange(n):
        d = draw0 + j
        u_rho[j] = u01_hi(draw_word(key, d, 0))
        x, slot = normal_from(key, d, 0, 0)
        z[j] = x
        for k in range(n_sectors):
            x, slot = normal_from(key, d, 0, slot)
            s[j, k] = x
        acc = 0.0
        slot = 0
        for _ in range(df):
            x, slot = normal_from(key, d, 1, slot)
            acc += x * x
        chi2[j] = acc
        for i in range(n_deals):
            x, _ = normal_from(key, d, 2 + i, 0)
            eps[j, i] = x


@jit_parallel
def irr_by_draw(t, cf, irr, status):
    """Each world's IRR (``irr[n]``, ``status[n]``) of flows ``cf[n, Y]`` at times ``t[Y]``."""
    for j in prange(cf.shape[0]):
        r, st = irr_core(t, cf[j])
        irr[j] = r
        status[j] = st
