"""Summary statistics with Monte Carlo standard errors, shared by every model kind.

Standard errors (JCGM 101:2008 asks for them; docs/sources.md#evidence-mc-reporting):

- means: ``sd / sqrt(N)``;
- probabilities: binomial, ``sqrt(p (1 - p) / N)``;
- quantiles: the exact bootstrap standard error of the sample quantile
  (Hutson and Ernst 2000), see :func:`quantile_se`. It is right on atoms:
  outputs that move in steps (counts, or repayments of one payment per
  success) have quantiles that either stay on one atom or jump to the next,
  and an SE from the width of an order-statistic interval (the method used
  before) reports 0 or a fixed fraction of a step, whatever the real spread;
- expected shortfall: batch means over 20 contiguous batches of draws.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["describe", "expected_shortfall", "prob", "quantile_se"]

_Z95 = 1.959963984540054
_BATCHES = 20
#: half-width of the window of order statistics the exact bootstrap sums over,
#: in standard deviations of the bootstrap order statistic's index (mass
#: outside it is below 1e-20)
_WINDOW_SD = 10.0


def quantile_se(sorted_x: np.ndarray, p: float) -> float:
    """The exact bootstrap standard error of the ``p``-quantile of ``sorted_x``.

    Resampling the ``n`` draws with replacement, the ``k``-th order statistic
    of the resample is ``x_(j)`` with probability
    ``I_{j/n}(k, n-k+1) - I_{(j-1)/n}(k, n-k+1)`` (``I`` the regularised
    incomplete beta function), because it is ``x_(ceil(n U))`` for ``U`` the
    ``k``-th order statistic of ``n`` uniforms (Hutson and Ernst 2000,
    JRSS B 62:89-94). The SE is the standard deviation of that distribution,
    summed exactly (no resampling, so no randomness) over the order statistics
    within ten standard deviations of ``k``; ``k`` is the order statistic
    nearest to numpy's linear quantile position.

    On a continuous output this is the usual quantile SE. On a lattice
    (atoms) it is the step between atoms times ``sqrt(q (1 - q))``, where
    ``q`` is the chance that the quantile lands on another atom, estimated
    from how close the empirical distribution function is to ``p`` there:
    0 for a quantile deep inside an atom, up to half a step when it sits on
    the boundary. Tested against the spread over independent seeds
    (``tests/test_quantile_se.py``).
    """
    from scipy.special import betainc

    n = int(sorted_x.shape[0])
    if n < 2:
        return float("nan")
    k = min(max(int(round((n - 1) * p)) + 1, 1), n)  # 1-based order statistic
    half = int(math.ceil(_WINDOW_SD * math.sqrt(n * p * (1 - p)))) + 10
    lo, hi = max(k - half, 1), min(k + half, n)
    j = np.arange(lo - 1, hi + 1, dtype=np.float64)  # j / n at the window's edges
    cdf = betainc(k, n - k + 1, np.clip(j / n, 0.0, 1.0))
    w = np.diff(cdf)
    w /= w.sum()
    x = sorted_x[lo - 1 : hi].astype(np.float64)
    x = x - x[k - lo]  # centred on the estimate: no cancellation for large values
    mean = float(w @ x)
    var = float(w @ (x - mean) ** 2)
    return math.sqrt(max(var, 0.0))


def _sorted_quantile(xs: np.ndarray, p: float) -> float:
    # numpy's default (linear) quantile on an already sorted array, without a copy.
    h = (xs.shape[0] - 1) * p
    lo = int(math.floor(h))
    hi = min(lo + 1, xs.shape[0] - 1)
    return float(xs[lo] + (h - lo) * (xs[hi] - xs[lo]))


def describe(x: np.ndarray) -> dict:
    """Mean, SD and P5/P50/P95 of the finite values of ``x``, each with its MC SE."""
    xs = np.array(x, dtype=np.float64)  # one working copy, sorted in place
    if not np.isfinite(xs).all():
        xs = xs[np.isfinite(xs)]
    n = xs.shape[0]
    if n == 0:
        return {"n": 0}
    xs.sort()
    sd = float(xs.std(ddof=1)) if n > 1 else 0.0
    out = {"n": int(n), "mean": float(xs.mean()), "mean_se": sd / math.sqrt(n), "sd": sd}
    for p in (0.05, 0.5, 0.95):
        key = f"p{round(p * 100)}"
        out[key] = _sorted_quantile(xs, p)
        out[f"{key}_se"] = quantile_se(xs, p)
    return out


def prob(mask: np.ndarray) -> tuple[float, float]:
    n = mask.shape[0]
    p = float(mask.mean())
    return p, math.sqrt(p * (1 - p) / n)


def _es(x: np.ndarray, alpha: float) -> tuple[float, float]:
    # Value at risk as the alpha-quantile (as P5 elsewhere), expected shortfall
    # as the mean of the values at or below it.
    var = float(np.quantile(x, alpha))
    return var, float(x[x <= var].mean())


def expected_shortfall(x: np.ndarray, alpha: float) -> tuple[float, float, float]:
    if x.shape[0] == 0:
        return float("nan"), float("nan"), float("nan")
    var, es = _es(x, alpha)
    vals = [_es(b, alpha)[1] for b in np.array_split(x, min(_BATCHES, x.shape[0]))]
    se = float(np.std(vals, ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else float("nan")
    return var, es, se
