"""Summary statistics with Monte Carlo standard errors, shared by every model kind.

Standard errors (JCGM 101:2008 asks for them):

- means: ``sd / sqrt(N)``;
- probabilities: binomial, ``sqrt(p (1 - p) / N)``;
- quantiles: from the order statistics that bound a 95% distribution-free
  interval for the quantile (``N p +- 1.96 sqrt(N p (1 - p))``), divided by
  ``2 * 1.96``;
- expected shortfall: batch means over 20 contiguous batches of draws.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["describe", "expected_shortfall", "prob", "quantile_se"]

_Z95 = 1.959963984540054
_BATCHES = 20


def quantile_se(sorted_x: np.ndarray, p: float) -> float:
    n = sorted_x.shape[0]
    half = _Z95 * math.sqrt(n * p * (1 - p))
    lo = max(int(math.floor(n * p - half)), 0)
    hi = min(int(math.ceil(n * p + half)), n - 1)
    return float(sorted_x[hi] - sorted_x[lo]) / (2 * _Z95)


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
