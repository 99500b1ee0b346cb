"""A plain NumPy/SciPy implementation of the aggregated path's counts, for tests.

The same model as :mod:`simrisk.kinds.contract._aggregate` (cell
probabilities, multinomial counts per cohort, the modelled saving per cell
from its exact mean and variance), with NumPy's ``Generator`` instead of the
kernel's counter-based words and SciPy's quadrature for the bivariate normal
rectangles, so the two agree in distribution, and the cell probabilities to
quadrature accuracy. No Numba.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate
from scipy.special import ndtr

__all__ = ["aggregate_counts_reference", "bvn_cdf_reference", "cells_reference"]


def bvn_cdf_reference(h: float, k: float, r: float) -> float:
    """P(X <= h, Y <= k), correlation ``r``, by quadrature of ``phi(x) Phi((k - r x) / s)``."""
    if h == -math.inf or k == -math.inf:
        return 0.0
    if h == math.inf:
        return float(ndtr(k))
    if k == math.inf:
        return float(ndtr(h))
    s = math.sqrt(max(1.0 - r * r, 0.0))
    if s == 0.0:
        return float(ndtr(min(h, k))) if r > 0 else max(float(ndtr(h) - ndtr(-k)), 0.0)

    def f(x):
        return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) * float(ndtr((k - r * x) / s))

    val, _ = integrate.quad(f, -40.0, h, epsabs=1e-14, epsrel=1e-13, limit=200)
    return val


def _mass(a: float, b: float) -> float:
    return float(ndtr(b) - ndtr(a)) if b > a else 0.0


def cells_reference(e1, e0, zero, rho):
    """The joint cells of the resource goals, ``(prob, state)``.

    As :func:`simrisk.kinds.contract._aggregate.cell_probabilities`.
    """
    n_res = len(e1)
    edges = [[-math.inf, min(a, b), max(a, b), math.inf] for a, b in zip(e1, e0, strict=True)]
    if n_res == 0:
        return np.array([1.0]), np.zeros((1, 2), np.int64)
    if n_res == 1:
        z = min(max(zero[0], 0.0), 1.0)
        prob = [z] + [(1 - z) * _mass(edges[0][j], edges[0][j + 1]) for j in range(3)]
        state = np.zeros((4, 2), np.int64)
        state[1:, 0] = [1, 2, 3]
        return np.array(prob), state
    z0, z1 = (min(max(z, 0.0), 1.0) for z in zero[:2])
    zlo, zhi = min(z0, z1), max(z0, z1)
    hi = 0 if z0 >= z1 else 1
    other = 1 - hi
    prob = [zlo]
    state = [[0, 0]]
    for j in range(3):
        prob.append((zhi - zlo) * _mass(edges[other][j], edges[other][j + 1]))
        st = [0, 0]
        st[other] = 1 + j
        state.append(st)
    F = np.array([[bvn_cdf_reference(x, y, rho) for y in edges[1]] for x in edges[0]])
    for i in range(3):
        for j in range(3):
            m = F[i + 1, j + 1] - F[i, j + 1] - F[i + 1, j] + F[i, j]
            prob.append((1 - zhi) * max(m, 0.0))
            state.append([1 + i, 1 + j])
    return np.array(prob), np.array(state, np.int64)


def _truncated_moments(lo: float, hi: float, sig: float) -> tuple[float, float]:
    mass = _mass(lo, hi)
    if mass <= 0:
        return 1.0, math.exp(sig * sig)
    return (
        _mass(lo - sig, hi - sig) / mass,
        math.exp(sig * sig) * _mass(lo - 2 * sig, hi - 2 * sig) / mass,
    )


def aggregate_counts_reference(inp, params: np.ndarray, rng: np.random.Generator) -> dict:
    """Per draw: ``measured[n, C]``, ``successes[n, C, G]``, ``deadweight[n, C, G]`` and
    the first-year modelled saving ``saving_cg[n, C, G]`` (before ``saving_factor``)."""
    n = params.shape[0]
    C = len(inp.contract.cohort_ids)
    G = inp.n_goals
    share = np.diff(np.concatenate([[0.0], inp.cohort_cdf]))
    wg = np.diff(np.concatenate([[0.0], inp.group_cdf]))
    out = {
        "measured": np.zeros((n, C)),
        "successes": np.zeros((n, C, G)),
        "deadweight": np.zeros((n, C, G)),
        "saving_cg": np.zeros((n, C, G)),
    }
    for j in range(n):
        pr = params[j]
        n_ref = max(int(math.floor(inp.contract.referred * pr[0] + 0.5)), 0)
        n_meas = rng.binomial(n_ref, min(max(pr[1], 0.0), 1.0))
        e1, e0, zero, sig, sav = [], [], [], [], []
        for g in inp.res_goals:
            ix = inp.pidx[g]
            drift, eff, sg = pr[ix[0]], pr[ix[1]], pr[ix[2]]
            e1.append((inp.log_keep[g] - drift - eff) / sg)
            e0.append((inp.log_keep[g] - drift) / sg)
            zero.append(pr[ix[3]])
            sig.append(sg)
            sav.append(math.exp(drift) * (1 - math.exp(eff)))
        prob, state = cells_reference(e1, e0, zero, pr[2])
        meas = rng.multinomial(n_meas, share)
        out["measured"][j] = meas
        for c in range(C):
            cells = rng.multinomial(meas[c], prob / prob.sum())
            for k, g in enumerate(inp.res_goals):
                st = state[:, k]
                zs = inp.zero_success[g]
                caused = 1 if e1[k] > e0[k] else 0
                out["successes"][j, c, g] = (
                    cells[st == 0].sum() * zs
                    + cells[st == 1].sum()
                    + caused * cells[st == 2].sum()
                )
                out["deadweight"][j, c, g] = cells[st == 0].sum() * zs + cells[st == 1].sum()
                col = inp.cost_col[g]
                if col < 0:
                    continue
                cost = inp.cost_table[:, col]
                c1, c2 = float(wg @ cost), float(wg @ cost**2)
                lo, hi = min(e1[k], e0[k]), max(e1[k], e0[k])
                acc = 0.0
                for t, (a, b) in enumerate(((-math.inf, lo), (lo, hi), (hi, math.inf))):
                    cnt = cells[st == t + 1].sum()
                    if cnt == 0:
                        continue
                    m1, m2 = _truncated_moments(a, b, sig[k])
                    mean = c1 * m1
                    var = max(c2 * m2 - mean * mean, 0.0)
                    acc += max(cnt * mean + math.sqrt(cnt * var) * rng.standard_normal(), 0.0)
                out["saving_cg"][j, c, g] = sav[k] * acc
            for g in inp.score_goals:
                ix = inp.pidx[g]
                eff, sg = pr[ix[1]], pr[ix[2]]
                top = inp.score_top[g]
                w = np.diff(np.concatenate([[0.0], inp.start_cdf[g, : top + 1]]))[:top]
                mu = np.where(np.arange(top) <= inp.low_max[g], pr[ix[4]], pr[ix[5]])
                p1 = ndtr((mu + eff - 0.5) / sg)
                p0 = ndtr((mu - 0.5) / sg)
                pdw = float(w @ np.minimum(p1, p0))
                pmid = float(w @ np.abs(p1 - p0))
                sc = rng.multinomial(meas[c], [pdw, pmid, max(1 - pdw - pmid, 0.0)])
                out["successes"][j, c, g] = sc[0] + (sc[1] if eff > 0 else 0)
                out["deadweight"][j, c, g] = sc[0]
    return out
