"""The Gaussian copula's transform as one compiled loop (:meth:`ParameterSpace.transform`).

Per draw: the correlated normal scores ``z @ chol.T`` (summed in the order
NumPy's ``einsum`` sums them, so the values are the same bit for bit), then
each marginal that needs no special function: fixed values, normals and the
tabulated inverse CDFs (linear interpolation on the evenly spaced grid of
normal scores: ``np.interp``'s values, found without its search). The
scores of the uniform and lognormal marginals are left in place for NumPy
(``ndtr`` and ``exp``), whose values they must keep.
One pass over the draws instead of one strided pass per marginal.
"""

from __future__ import annotations

import numpy as np

from simrisk.core._numba import jit

#: what :func:`copula_chunk` does with a column
KEEP_Z, FIXED, NORMAL, TABLE = range(4)


@jit(inline="always")
def _interp(x, xp, fp, h):
    """``np.interp(x, xp, fp)`` on an evenly spaced grid ``xp`` (step ``h``), bit for bit.

    The bracket is found from the step and corrected to NumPy's (xp[j] <= x <
    xp[j + 1]); the value is NumPy's arithmetic on it, NaN handling included.
    """
    last = xp.shape[0] - 1
    if x != x:
        return x
    if x < xp[0]:
        return fp[0]
    if x >= xp[last]:
        return fp[last]
    j = int((x - xp[0]) / h)
    if j > last - 1:
        j = last - 1
    while j > 0 and xp[j] > x:
        j -= 1
    while j < last - 1 and xp[j + 1] <= x:
        j += 1
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    v = slope * (x - xp[j]) + fp[j]
    if v != v:
        v = slope * (x - xp[j + 1]) + fp[j + 1]
        if v != v and fp[j] == fp[j + 1]:
            v = fp[j]
    return v


@jit
def copula_chunk(z, chol, correlated, kind, c0, c1, table_row, tables, grid, out):
    """Parameter values (or scores, for ``KEEP_Z`` columns) ``out[n, P]`` from scores ``z``."""
    n, P = z.shape
    zr = np.empty(P)
    h = (grid[grid.shape[0] - 1] - grid[0]) / (grid.shape[0] - 1)
    for i in range(n):
        if correlated:
            for j in range(P):
                s = 0.0
                for k in range(P):
                    s += z[i, k] * chol[j, k]
                zr[j] = s
        else:
            for j in range(P):
                zr[j] = z[i, j]
        for j in range(P):
            kj = kind[j]
            if kj == FIXED:
                out[i, j] = c0[j]
            elif kj == NORMAL:
                out[i, j] = c0[j] + c1[j] * zr[j]
            elif kj == TABLE:
                out[i, j] = _interp(zr[j], grid, tables[table_row[j]], h)
            else:
                out[i, j] = zr[j]
