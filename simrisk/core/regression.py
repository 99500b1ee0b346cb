"""Penalised regression splines fitted by least squares (no GAM library).

The value-of-information code (EVPPI by regression, Strong, Oakley & Brennan
2014) and anything else that needs a smooth ``E[y | x]`` from Monte Carlo
draws use this module. It is plain NumPy/SciPy and imports nothing else of
simrisk, so every layer may use it.

The model (P-splines, Eilers & Marx 1996; Wood 2017, ch. 5):

- one variable: a cubic B-spline basis of ``n_basis`` functions with interior
  knots at the variable's quantiles, and a second-order divided-difference
  penalty on the coefficients at their Greville abscissae (a discrete
  integrated squared second derivative whose null space is the straight
  lines);
- several variables: additive main effects (one such basis and penalty per
  variable) plus the tensor product of small cubic bases of the variables
  (all of them up to ``max_tensor``, else every pair) for their
  interactions, penalised by the sum of the Kronecker-expanded difference
  penalties. The main effects share one smoothing parameter and the
  interactions another.

Fitting: ``X'X``, ``X'y`` and ``y'y`` are accumulated over blocks of rows (the
design is never held whole), the problem is reparametrised on the range of
``X'X`` (the bases overlap, so ``X'X`` is singular), and the smoothing
parameters are chosen per response column by generalised cross-validation,
``GCV = n RSS / (n - edf)^2``, on a log grid refined once. Every step after
the accumulation works on ``p x p`` matrices, so the choice of the smoothing
parameter costs nothing next to one pass over the rows. The coefficients'
Bayesian posterior is ``N(beta, sigma^2 (X'X + S)^-1)`` (Wood 2017, 6.10).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "SplineDesign",
    "SplineFit",
    "accumulate_folds",
    "fit_design",
    "fit_moments",
    "fit_spline",
    "single_blas_thread",
    "smooth",
]

N_BASIS = 20  # cubic B-spline functions for one variable
GROUP_BASIS = 10  # per variable in the main effects of a group
TENSOR_BASIS = 4  # per variable in the interaction tensor product
MAX_TENSOR = 3  # larger groups get every pairwise tensor product
ROWS = 16_384  # rows per block when building the design

_LOG_GRID = np.arange(-8.0, 8.01, 2.0)  # log10 of lambda relative to tr(X'X)/tr(S)


def single_blas_thread():
    """A context in which BLAS runs on one thread.

    The products here are small (``p`` is 20 to a few hundred); on a busy
    machine OpenBLAS's worker threads spin waiting for them and cost 60 times
    the CPU of one thread (measured on 16,384 x 21 ``X'X``).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _basis(x: np.ndarray, lo: float, hi: float, inner: np.ndarray) -> np.ndarray:
    """Cubic B-spline design (dense ``[n, len(inner) + 4]``) on ``[lo, hi]``.

    Clamped knots ``lo`` x 4, ``inner``, ``hi`` x 4; values outside ``[lo, hi]``
    are clipped to it. The four non-zero functions at each point come from
    the Cox-de Boor recursion (Piegl & Tiller, The NURBS Book, A2.2),
    vectorised over the points; equal to ``scipy.interpolate.BSpline``'s
    design matrix (tested) at a fraction of its cost.
    """
    x = np.clip(np.asarray(x, dtype=np.float64), lo, hi)
    t = np.concatenate([[lo] * 4, inner, [hi] * 4])
    nb = len(inner) + 4
    span = np.clip(np.searchsorted(t, x, side="right") - 1, 3, nb - 1)
    left = np.empty((4, x.shape[0]))
    right = np.empty((4, x.shape[0]))
    vals = np.zeros((4, x.shape[0]))
    vals[0] = 1.0
    for j in range(1, 4):
        left[j] = x - t[span + 1 - j]
        right[j] = t[span + j] - x
        saved = np.zeros(x.shape[0])
        for r in range(j):
            temp = vals[r] / (right[r + 1] + left[j - r])
            vals[r] = saved + right[r + 1] * temp
            saved = left[j - r] * temp
        vals[j] = saved
    out = np.zeros((x.shape[0], nb))
    rows = np.arange(x.shape[0])
    for r in range(4):
        out[rows, span - 3 + r] = vals[r]
    return out


def _penalty(lo: float, hi: float, inner: np.ndarray) -> np.ndarray:
    """Second divided differences of the coefficients at their Greville abscissae.

    ``D' D`` with ``D c`` the second divided differences of ``c`` taken at the
    Greville points ``g_j`` (the mean of knots ``j + 1 .. j + 3``). A cubic
    B-spline with coefficients ``c_j = a + b g_j`` is the straight line
    ``a + b x``, so the penalty's null space is exactly the lines, whatever
    the knots' spacing (plain differences of the coefficients penalise a
    line near clamped ends and between quantile knots).
    """
    t = np.concatenate([[lo] * 4, inner, [hi] * 4])
    k = len(inner) + 4
    g = np.array([t[j + 1 : j + 4].mean() for j in range(k)])
    span = (hi - lo) or 1.0
    g = g / span
    d1 = np.diff(np.eye(k), axis=0) / np.diff(g)[:, None]
    d2 = np.diff(d1, axis=0) / ((g[2:] - g[:-2]) / 2)[:, None]
    return d2.T @ d2


class SplineDesign:
    """The design of a penalised regression spline on ``x`` (``[N, k]``).

    Knots are placed from ``x`` (the rows the design is built for); calling
    the design on any rows gives their basis ``[n, p]``. ``penalties`` is a
    list of ``(group, S)`` with ``S`` the ``p x p`` penalty and ``group`` the
    index of its smoothing parameter (0: main effects, 1: interactions).
    """

    def __init__(
        self,
        x: np.ndarray,
        n_basis: int | None = None,
        tensor_basis: int = TENSOR_BASIS,
        max_tensor: int = MAX_TENSOR,
        interactions: bool = True,
    ):
        x = _as_2d(x)
        self.k = x.shape[1]
        nb = (N_BASIS if self.k == 1 else GROUP_BASIS) if n_basis is None else int(n_basis)
        if nb < 4 or tensor_basis < 4:
            raise ValueError("a cubic B-spline basis needs at least 4 functions")
        self.n_basis = nb
        self.tensor_basis = tensor_basis
        self.lo = x.min(axis=0)
        self.hi = x.max(axis=0)
        q = np.linspace(0, 1, nb - 2)[1:-1]
        self.inner = [np.unique(np.quantile(x[:, j], q)) for j in range(self.k)]
        # Drop interior knots that coincide with the ends (a variable with an atom there).
        self.inner = [v[(v > self.lo[j]) & (v < self.hi[j])] for j, v in enumerate(self.inner)]
        qt = np.linspace(0, 1, tensor_basis - 2)[1:-1]
        self.inner_t = [np.quantile(x[:, j], qt) for j in range(self.k)]
        self.inner_t = [v[(v > self.lo[j]) & (v < self.hi[j])] for j, v in enumerate(self.inner_t)]
        if self.k == 1 or not interactions:
            self.sets: list[tuple[int, ...]] = []
        elif self.k <= max_tensor:
            self.sets = [tuple(range(self.k))]
        else:
            self.sets = [(i, j) for i in range(self.k) for j in range(i + 1, self.k)]
        sizes = [1] + [len(v) + 4 for v in self.inner]
        tsz = [len(v) + 4 for v in self.inner_t]
        sizes += [math.prod(tsz[j] for j in s) for s in self.sets]
        self.p = int(sum(sizes))
        self.penalties: list[tuple[int, np.ndarray]] = []
        start = 1
        for j, v in enumerate(self.inner):
            m = len(v) + 4
            S = np.zeros((self.p, self.p))
            S[start : start + m, start : start + m] = _penalty(self.lo[j], self.hi[j], v)
            self.penalties.append((0, S))
            start += m
        for s in self.sets:
            dims = [tsz[j] for j in s]
            pens = [_penalty(self.lo[j], self.hi[j], self.inner_t[j]) for j in s]
            m = math.prod(dims)
            block = np.zeros((m, m))
            for a in range(len(dims)):
                mats = [pens[b] if b == a else np.eye(d) for b, d in enumerate(dims)]
                kron = mats[0]
                for mm in mats[1:]:
                    kron = np.kron(kron, mm)
                block += kron
            S = np.zeros((self.p, self.p))
            S[start : start + m, start : start + m] = block
            self.penalties.append((1, S))
            start += m
        self.n_lambda = 2 if self.sets else 1

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = _as_2d(x)
        n = x.shape[0]
        out = np.empty((n, self.p))
        out[:, 0] = 1.0
        start = 1
        for j in range(self.k):
            b = _basis(x[:, j], self.lo[j], self.hi[j], self.inner[j])
            out[:, start : start + b.shape[1]] = b
            start += b.shape[1]
        small = {}
        for s in self.sets:
            for j in s:
                if j not in small:
                    small[j] = _basis(x[:, j], self.lo[j], self.hi[j], self.inner_t[j])
        for s in self.sets:
            t = small[s[0]]
            for j in s[1:]:
                t = (t[:, :, None] * small[j][:, None, :]).reshape(n, -1)
            out[:, start : start + t.shape[1]] = t
            start += t.shape[1]
        return out

    def describe(self) -> str:
        if self.k == 1:
            return f"penalised cubic regression spline ({self.n_basis} B-splines, GCV)"
        inter = (
            f" + {self.tensor_basis}^{len(self.sets[0])} tensor product"
            if len(self.sets) == 1
            else (" + pairwise tensor products" if self.sets else "")
        )
        return f"penalised regression spline: {self.n_basis} per parameter{inter} (GCV)"


def _as_2d(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x[:, None] if x.ndim == 1 else x


def blocks(n: int, size: int = ROWS) -> Iterator[slice]:
    for a in range(0, n, size):
        yield slice(a, min(a + size, n))


@dataclass
class SplineFit:
    """A fitted penalised spline, one column per response.

    ``beta`` ``[p, m]``; ``edf``, ``lam`` (per smoothing parameter), ``sigma2``
    and ``gcv`` per column; ``n`` rows fitted. ``predict(x)`` gives ``[n, m]``;
    ``coef_draws(n, rng)`` draws from the coefficients' posterior
    (``[n, p, m]``). ``fitted`` holds the fitted values when the fit was
    asked to keep them.
    """

    design: SplineDesign
    beta: np.ndarray
    edf: np.ndarray
    lam: np.ndarray
    sigma2: np.ndarray
    gcv: np.ndarray
    n: int
    _cov_chol: list = field(repr=False, default_factory=list)
    fitted: np.ndarray | None = None

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = _as_2d(x)
        if not x.shape[0]:
            return np.empty((0, self.beta.shape[1]))
        with single_blas_thread():
            return np.concatenate([self.design(x[b]) @ self.beta for b in blocks(x.shape[0])])

    def coef_draws(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws of the coefficients from their posterior, ``[n, p, m]``."""
        p, m = self.beta.shape
        out = np.empty((n, p, m))
        for c in range(m):
            z = rng.standard_normal((n, self._cov_chol[c].shape[1]))
            out[:, :, c] = self.beta[:, c][None, :] + z @ self._cov_chol[c].T
        return out


def _accumulate(
    design: SplineDesign, x: np.ndarray, y: np.ndarray, rows: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    p, m = design.p, y.shape[1]
    xtx = np.zeros((p, p))
    xty = np.zeros((p, m))
    yty = np.zeros(m)
    idx = np.arange(x.shape[0]) if rows is None else rows
    for b in blocks(len(idx)):
        r = idx[b]
        X = design(x[r])
        yb = y[r]
        xtx += X.T @ X
        xty += X.T @ yb
        yty += (yb * yb).sum(axis=0)
    return xtx, xty, yty, len(idx)


def _solve_penalised(
    design: SplineDesign, xtx: np.ndarray, xty: np.ndarray, yty: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list]:
    """GCV choice of the smoothing parameters per column, on the range of ``X'X``."""
    w, V = np.linalg.eigh((xtx + xtx.T) / 2)
    keep = w > w.max() * 1e-10
    U = V[:, keep]
    wr = w[keep]
    r = len(wr)
    ut = U.T @ xty  # [r, m]
    S_r = [np.zeros((r, r)) for _ in range(design.n_lambda)]
    for g, S in design.penalties:
        S_r[g] += U.T @ S @ U
    scale = [wr.sum() / max(np.trace(S), 1e-300) for S in S_r]
    R = np.diag(wr)
    m = xty.shape[1]
    beta = np.zeros((design.p, m))
    edf = np.zeros(m)
    gcv = np.zeros(m)
    sigma2 = np.zeros(m)
    lam = np.zeros((m, design.n_lambda))
    chol = []

    def evaluate(loglam: tuple[float, ...], c: int):
        A = R.copy()
        for g, ll in enumerate(loglam):
            A += (10.0**ll) * scale[g] * S_r[g]
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            return math.inf, None
        Linv = np.linalg.solve(L, np.eye(r))
        Ainv = Linv.T @ Linv
        g_ = Ainv @ ut[:, c]
        rss = yty[c] - 2 * g_ @ ut[:, c] + g_ @ (wr * g_)
        e = float(np.sum(Ainv * R))  # tr(A^-1 R), R diagonal
        rss = max(float(rss), 0.0)
        denom = n - e
        if denom <= 0:
            return math.inf, None
        return n * rss / denom**2, (g_, Ainv, e, rss)

    # One smoothing parameter: a grid in steps of 2 decades; two: steps of 4.
    grids = [_LOG_GRID if design.n_lambda == 1 else _LOG_GRID[::2]] * design.n_lambda
    for c in range(m):
        best = (math.inf, None, None)
        for ll in np.array(np.meshgrid(*grids, indexing="ij")).reshape(design.n_lambda, -1).T:
            val, res = evaluate(tuple(ll), c)
            if val < best[0]:
                best = (val, tuple(ll), res)
        # Two refinements around the best point: steps of 1, then of 0.5.
        for step in (1.0, 0.5) if design.n_lambda == 1 else (2.0, 1.0, 0.5):
            base = best[1]
            fine = [b + np.array([-step, 0.0, step]) for b in base]
            for ll in np.array(np.meshgrid(*fine, indexing="ij")).reshape(design.n_lambda, -1).T:
                val, res = evaluate(tuple(ll), c)
                if val < best[0]:
                    best = (val, tuple(ll), res)
        val, ll, (g_, Ainv, e, rss) = best
        beta[:, c] = U @ g_
        edf[c] = e
        gcv[c] = val
        sigma2[c] = rss / max(n - e, 1.0)
        lam[c] = [(10.0**x) * scale[g] for g, x in enumerate(ll)]
        # Posterior covariance sigma^2 U A^-1 U': a factor for drawing.
        wa, Va = np.linalg.eigh(Ainv)
        chol.append(U @ (Va * np.sqrt(np.clip(wa, 0, None) * sigma2[c])))
    return beta, edf, lam, sigma2, gcv, chol


def fit_moments(
    design: SplineDesign, xtx: np.ndarray, xty: np.ndarray, yty: np.ndarray, n: int
) -> SplineFit:
    """The fit from accumulated ``X'X``, ``X'y``, ``y'y`` over ``n`` rows (GCV per column)."""
    with single_blas_thread():
        beta, edf, lam, sigma2, gcv, chol = _solve_penalised(design, xtx, xty, yty, n)
    return SplineFit(design, beta, edf, lam, sigma2, gcv, n, chol)


def accumulate_folds(
    design: SplineDesign,
    x: np.ndarray,
    y: np.ndarray,
    fold: np.ndarray,
    n_folds: int,
    keep_bytes: float = 160e6,
):
    """``X'X``, ``X'y``, ``y'y`` and row count per fold in one pass over the rows.

    ``fold[i]`` is row ``i``'s fold. Each block's design is built once; the
    blocks are kept (returned as a list of ``(rows, X)``, else None) when
    they fit in ``keep_bytes``, so a later pass over the same rows need not
    rebuild them.
    """
    x = _as_2d(x)
    y = _as_2d(y)
    p, m = design.p, y.shape[1]
    mom = [[np.zeros((p, p)), np.zeros((p, m)), np.zeros(m), 0] for _ in range(n_folds)]
    keep = x.shape[0] * p * 8 <= keep_bytes
    kept = [] if keep else None
    with single_blas_thread():
        for f in range(n_folds):
            rows = np.flatnonzero(fold == f)
            for b in blocks(len(rows)):
                r = rows[b]
                X = design(x[r])
                yb = y[r]
                mom[f][0] += X.T @ X
                mom[f][1] += X.T @ yb
                mom[f][2] += (yb * yb).sum(axis=0)
                mom[f][3] += len(r)
                if keep:
                    kept.append((r, X))
    return [tuple(mm) for mm in mom], kept


def fit_design(
    design: SplineDesign,
    x: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray | None = None,
) -> SplineFit:
    """Fit ``design`` to ``y`` (``[N]`` or ``[N, m]``) on ``rows`` of ``x`` (default all)."""
    x = _as_2d(x)
    y = _as_2d(y)
    with single_blas_thread():
        xtx, xty, yty, n = _accumulate(design, x, y, rows)
        beta, edf, lam, sigma2, gcv, chol = _solve_penalised(design, xtx, xty, yty, n)
    return SplineFit(design, beta, edf, lam, sigma2, gcv, n, chol)


def fit_spline(
    x: np.ndarray,
    y: np.ndarray,
    *,
    n_basis: int | None = None,
    interactions: bool = True,
    rows: np.ndarray | None = None,
) -> SplineFit:
    """Penalised regression spline of ``y`` on ``x``; smoothing parameters by GCV.

    Parameters
    ----------
    x : ndarray, shape (N,) or (N, k)
        Regressors (parameters, or summary statistics of simulated data).
    y : ndarray, shape (N,) or (N, m)
        Responses; each column gets its own smoothing parameters.
    n_basis : int, optional
        Cubic B-splines per variable (default 20 for one variable, 10 per
        variable in a group).
    interactions : bool
        Several variables: add tensor-product interactions (default) or fit
        an additive model.
    rows : ndarray of int, optional
        Fit on these rows only (a subsample); the knots still come from all of ``x``.
    """
    design = SplineDesign(x, n_basis=n_basis, interactions=interactions)
    return fit_design(design, x, y, rows)


def smooth(
    x: np.ndarray,
    y: np.ndarray,
    *,
    n_basis: int | None = None,
    interactions: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Fitted values ``E[y | x]`` and the effective degrees of freedom per column.

    The short form of :func:`fit_spline` for a regression-based estimate of a
    conditional expectation (EVPPI, EVSI): returns ``fitted`` shaped like
    ``y`` and ``edf`` (a float for a 1-D ``y``, else ``[m]``).
    """
    y_arr = np.asarray(y, dtype=np.float64)
    f = fit_spline(x, y_arr, n_basis=n_basis, interactions=interactions)
    fitted = f.predict(x)
    if y_arr.ndim == 1:
        return fitted[:, 0], float(f.edf[0])
    return fitted, f.edf


Predictor = Callable[[np.ndarray], np.ndarray]
