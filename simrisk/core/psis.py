"""Pareto-smoothed importance sampling: when reweighting prior draws can be trusted.

Given log importance weights (for :mod:`simrisk.kinds.contract.monitor`: the
log-likelihood of observed counts at each prior draw), PSIS (Vehtari, Simpson,
Gelman, Yao & Gabry 2024, JMLR 25(72)) replaces the largest weights by the
expected order statistics of a generalised Pareto distribution fitted to the
tail, and its fitted shape ``k̂`` says whether the weighted estimates are
reliable: ``k̂ <= min(1 - 1/log10(S), 0.7)`` for ``S`` draws.

The smoothing and the tail fit are arviz-stats' (``array_stats.psislw``), the
implementation the paper's authors maintain; this module adds the threshold
and the effective sample size ``1 / sum(w^2)`` of the normalised weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["PsisResult", "khat_threshold", "psis", "weighted_mean_sd"]


def khat_threshold(n: int) -> float:
    """Vehtari et al. (2024)'s sample-size dependent threshold ``min(1 - 1/log10 n, 0.7)``."""
    return min(1.0 - 1.0 / math.log10(n), 0.7) if n > 10 else 0.0


@dataclass(frozen=True)
class PsisResult:
    """Normalised smoothed weights, the tail shape, the effective sample size."""

    weights: np.ndarray  # float64[n], sum 1
    khat: float
    ess: float
    threshold: float

    @property
    def reliable(self) -> bool:
        return bool(np.isfinite(self.khat) and self.khat <= self.threshold)


def psis(log_w: np.ndarray) -> PsisResult:
    """Pareto-smoothed normalised weights from log weights ``log_w`` (any offset).

    ``-inf`` entries (draws the observations rule out) keep weight 0 and are
    left out of the tail fit.
    """
    import warnings

    from arviz_stats.base import array_stats

    log_w = np.asarray(log_w, dtype=np.float64)
    n = log_w.shape[0]
    ok = np.isfinite(log_w)
    w = np.zeros(n)
    if ok.sum() < 5:
        return PsisResult(w, float("inf"), 0.0, khat_threshold(n))
    lw = log_w[ok] - log_w[ok].max()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # arviz-stats follows the LOO convention: its argument is the
        # log-likelihood, and the raw log weights are its negative.
        smoothed, khat = array_stats.psislw(-lw)
    smoothed = np.asarray(smoothed, dtype=np.float64)
    smoothed = np.exp(smoothed - smoothed.max())
    w[ok] = smoothed / smoothed.sum()
    ess = 1.0 / float((w**2).sum())
    return PsisResult(w, float(khat), ess, khat_threshold(n))


def weighted_mean_sd(x: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Weighted mean, SD and the self-normalised IS standard error of the mean.

    ``se = sqrt(sum w_i^2 (x_i - mean)^2)`` for normalised ``w``.
    """
    x = np.asarray(x, dtype=np.float64)
    m = float((w * x).sum())
    d = x - m
    sd = math.sqrt(max(float((w * d * d).sum()), 0.0))
    se = math.sqrt(float((w * w * d * d).sum()))
    return m, sd, se
