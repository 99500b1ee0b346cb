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

Bounded memory (issue 15). Every statistic also takes a :class:`Source`: a
function ``block(a, b)`` returning draws ``a .. b-1`` of one series, and the
number of draws ``n``. The ``*_source`` functions read the series a block at
a time, so a summary of a result on disk holds O(block) values, never O(n):

- means and SDs in two passes (the SD about the finished mean, as numpy);
- EXACT sample quantiles and their exact-bootstrap SEs by streaming
  selection: the SE needs only the order statistics in a window of ranks
  around the quantile (``_WINDOW_SD`` SDs of the bootstrap index), so passes
  over the blocks narrow a value interval holding that window (a histogram
  whose edges are a sample of the values, so atoms become edges of their own,
  plus an even grid), and a last pass collects the window and sorts it;
- expected shortfall: the VaR as above, the mean below it in a pass, and its
  batch means from 20 batches, each small enough to load.

The in-memory functions (:func:`describe`, :func:`prob`,
:func:`expected_shortfall`, :func:`quantile_se`) are the same code on a
single-block source, which sorts its one block as before.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator

import numpy as np

__all__ = [
    "BLOCK",
    "Source",
    "count_codes",
    "describe",
    "describe_source",
    "expected_shortfall",
    "expected_shortfall_source",
    "mean_sd",
    "prob",
    "prob_source",
    "quantile_se",
    "quantile_se_window",
    "ratio_of_means",
]

_Z95 = 1.959963984540054
_BATCHES = 20
#: half-width of the window of order statistics the exact bootstrap sums over,
#: in standard deviations of the bootstrap order statistic's index (mass
#: outside it is below 1e-20)
_WINDOW_SD = 10.0
#: draws per block when a summary streams a result (2 MB of float64)
BLOCK = 1 << 18
#: values sampled per refinement pass to place histogram edges (atoms among them)
_SAMPLE = 4096
#: edges of the even grid added to the sampled edges, so every pass narrows the interval
_GRID = 1024
#: a refinement that has not isolated the window after this many passes is a bug
_MAX_PASSES = 200
_CHANGED = "summary: the series changed between passes over its blocks"


class Source:
    """One per-draw series, read a block at a time.

    Parameters
    ----------
    block : callable
        ``block(a, b)`` returns draws ``a .. b-1`` as a 1-D array. It must
        return the same values every time it is asked (the statistics read
        the series in several passes).
    n : int
        Number of draws.
    block_size : int
        Draws per block; the streaming statistics also hold at most about
        this many values of a quantile window at once.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> src = Source(lambda a, b: x[a:b], 10, block_size=4)
    >>> [b.tolist() for b in src.blocks()]
    [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0]]
    """

    __slots__ = ("block", "block_size", "n")

    def __init__(self, block: Callable[[int, int], np.ndarray], n: int, block_size: int = BLOCK):
        if int(n) < 0:
            raise ValueError(f"Source: n must be >= 0, got {n}")
        if int(block_size) < 1:
            raise ValueError(f"Source: block_size must be >= 1, got {block_size}")
        self.block = block
        self.n = int(n)
        self.block_size = int(block_size)

    @classmethod
    def of(cls, x: np.ndarray, block_size: int | None = None) -> Source:
        """An in-memory 1-D array as a source; by default a single block."""
        x = np.asarray(x)
        if x.ndim != 1:
            raise ValueError(f"Source.of: a 1-D array is needed, got shape {x.shape}")
        n = int(x.shape[0])
        return cls(lambda a, b: x[a:b], n, block_size or max(n, 1))

    def map(self, f: Callable[[np.ndarray], np.ndarray]) -> Source:
        """The series ``f(block)``, block by block (``f`` must work elementwise)."""
        block = self.block
        return Source(lambda a, b: f(block(a, b)), self.n, self.block_size)

    def ranges(self) -> Iterator[tuple[int, int]]:
        for a in range(0, self.n, self.block_size):
            yield a, min(a + self.block_size, self.n)

    def blocks(self) -> Iterator[np.ndarray]:
        for a, b in self.ranges():
            x = np.asarray(self.block(a, b))
            if x.shape != (b - a,):
                raise ValueError(f"Source: block({a}, {b}) has shape {x.shape}, not ({b - a},)")
            yield x


def _as_source(x) -> Source:
    return x if isinstance(x, Source) else Source.of(x)


# ----------------------------------------------------------------- quantile SE


def _se_ranks(n: int, p: float) -> tuple[int, int, int]:
    """1-based ``k`` (the order statistic nearest numpy's linear position) and the
    window ``lo .. hi`` of order statistics the exact bootstrap sums over."""
    k = min(max(int(round((n - 1) * p)) + 1, 1), n)
    half = int(math.ceil(_WINDOW_SD * math.sqrt(n * p * (1 - p)))) + 10
    return k, max(k - half, 1), min(k + half, n)


def quantile_se_window(window: np.ndarray, lo: int, n: int, p: float) -> float:
    """:func:`quantile_se` from the order statistics of ranks ``lo .. lo + len - 1``.

    ``window`` holds the sorted sample's values of 1-based ranks ``lo`` to at
    least the window's ``hi`` (``_se_ranks``); the result equals
    ``quantile_se(sorted_x, p)`` on the full sorted sample of size ``n``.
    """
    from scipy.special import betainc

    if n < 2:
        return float("nan")
    k, wlo, whi = _se_ranks(n, p)
    if wlo < lo or whi > lo + window.shape[0] - 1:
        raise ValueError(
            f"quantile_se_window: ranks {lo}..{lo + window.shape[0] - 1} do not cover {wlo}..{whi}"
        )
    j = np.arange(wlo - 1, whi + 1, dtype=np.float64)  # j / n at the window's edges
    cdf = betainc(k, n - k + 1, np.clip(j / n, 0.0, 1.0))
    w = np.diff(cdf)
    w /= w.sum()
    x = window[wlo - lo : whi - lo + 1].astype(np.float64)
    x = x - x[k - wlo]  # centred on the estimate: no cancellation for large values
    mean = float(w @ x)
    var = float(w @ (x - mean) ** 2)
    return math.sqrt(max(var, 0.0))


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
    nearest to numpy's linear quantile position. Only that window of order
    statistics is read (:func:`quantile_se_window`), which is what lets the
    streaming summary find it without holding the sample.

    On a continuous output this is the usual quantile SE. On a lattice
    (atoms) it is the step between atoms times ``sqrt(q (1 - q))``, where
    ``q`` is the chance that the quantile lands on another atom, estimated
    from how close the empirical distribution function is to ``p`` there:
    0 for a quantile deep inside an atom, up to half a step when it sits on
    the boundary. Tested against the spread over independent seeds
    (``tests/test_quantile_se.py``).
    """
    n = int(sorted_x.shape[0])
    if n < 2:
        return float("nan")
    _, lo, hi = _se_ranks(n, p)
    return quantile_se_window(sorted_x[lo - 1 : hi], lo, n, p)


# -------------------------------------------------------- quantile definitions


def _linear_index(n: int, p: float) -> tuple[int, int, float]:
    # numpy's default (linear) quantile: 0-based neighbours and the weight.
    h = (n - 1) * p
    lo = int(math.floor(h))
    return lo, min(lo + 1, n - 1), h - lo


def _sorted_quantile(xs: np.ndarray, p: float) -> float:
    # numpy's default (linear) quantile on an already sorted array, without a copy.
    lo, hi, t = _linear_index(xs.shape[0], p)
    return float(xs[lo] + t * (xs[hi] - xs[lo]))


def _numpy_lerp(a: float, b: float, t: float) -> float:
    # np.quantile's interpolation, to the last bit (numpy/lib/_function_base_impl.py::_lerp):
    # from b downwards when t >= 0.5.
    a, b, t = np.float64(a), np.float64(b), np.float64(t)
    d = b - a
    return float(b - d * (1 - t)) if t >= 0.5 else float(a + d * t)


def _np_quantile_ranks(n: int, p: float) -> tuple[int, int, float]:
    # np.quantile(x, p) on n non-NaN values: 1-based ranks of the neighbours and gamma.
    v = np.float64(n - 1) * np.float64(p)
    prev = int(np.floor(v))
    gamma = float(v - prev)
    if v >= n - 1:
        return n, n, gamma
    return prev + 1, prev + 2, gamma


# ------------------------------------------------------------ streaming passes


class _Target:
    """Ranks ``L .. H`` (1-based) among the m finite values, and the closed value
    interval ``[lo, hi]`` known to hold them: ``below`` values lie under ``lo``,
    ``inner`` strictly inside (an upper bound until a pass has counted)."""

    __slots__ = ("H", "L", "below", "c_hi", "c_lo", "hi", "inner", "lo", "mid", "sample", "values")

    def __init__(self, L, H, lo, hi, m, sample):
        self.L, self.H = L, H
        self.lo, self.hi = lo, hi
        self.below, self.inner = 0, m
        self.sample = sample
        self.values = None


def _grid(lo: float, hi: float) -> np.ndarray:
    t = np.linspace(0.0, 1.0, _GRID + 1)
    g = lo * (1 - t) + hi * t  # no overflow for lo, hi near the float range
    return g[np.isfinite(g) & (g > lo) & (g < hi)]


def _finite(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x if np.isfinite(x).all() else x[np.isfinite(x)]


def _select(src: Source, m: int, ranks, lo: float, hi: float, sample: np.ndarray, hook=None):
    """The finite values of ``src`` at 1-based ranks ``L .. H`` for each ``(L, H)``.

    ``m`` is the number of finite values, ``lo``/``hi`` their min and max and
    ``sample`` some of them. Each pass either refines a target's interval or,
    once at most ``src.block_size`` values (or four times the window's width,
    if larger) lie strictly inside it, collects them; ties at the interval's
    ends are counted, not stored, so an atom of any size costs nothing.
    ``hook(block)`` sees every block of the first pass. Returns one sorted
    array per target.
    """
    budget = src.block_size
    targets = [_Target(L, H, lo, hi, m, sample) for L, H in ranks]
    for _pass in range(_MAX_PASSES):
        todo = [t for t in targets if t.values is None]
        if not todo:
            break
        # a window of w ranks needs at least w values inside: allow a few times that
        refine = [t for t in todo if t.inner > max(budget, 4 * (t.H - t.L + 1)) and t.lo < t.hi]
        collect = [t for t in todo if t not in refine]
        groups: dict[tuple[float, float], dict] = {}
        for t in refine:
            g = groups.setdefault((t.lo, t.hi), {"targets": [], "sample": [], "seen": 0})
            g["targets"].append(t)
        for (glo, ghi), g in groups.items():
            s = np.concatenate([t.sample for t in g["targets"]])
            s = s[(s > glo) & (s < ghi)]
            g["edges"] = np.unique(np.concatenate([[glo], s, _grid(glo, ghi), [ghi]]))
            g["counts"] = np.zeros(2 * g["edges"].shape[0] - 1, dtype=np.int64)
            g["size"] = max(t.inner for t in g["targets"])
        for t in collect:
            t.c_lo = t.c_hi = 0
            t.mid = []
        for x in src.blocks():
            if hook is not None:
                hook(x)
            f = _finite(x)
            for (glo, ghi), g in groups.items():
                sub = f[(f >= glo) & (f <= ghi)]
                edges = g["edges"]
                r = np.searchsorted(edges, sub, side="right")
                on = edges[r - 1] == sub
                g["counts"] += np.bincount(2 * r - 1 - on, minlength=g["counts"].shape[0])
                stride = max(1, g["size"] // _SAMPLE)
                first = (-g["seen"]) % stride
                g["sample"].append(sub[first::stride])
                g["seen"] += sub.shape[0]
            for t in collect:
                t.c_lo += int(np.count_nonzero(f == t.lo))
                if t.lo < t.hi:
                    t.c_hi += int(np.count_nonzero(f == t.hi))
                    t.mid.append(f[(f > t.lo) & (f < t.hi)])
        hook = None
        for t in collect:
            mid = np.sort(np.concatenate(t.mid)) if t.mid else np.empty(0)
            t.mid = None
            idx = np.arange(t.L, t.H + 1) - t.below - 1  # 0-based within [lo, hi]
            if t.below >= t.L or t.c_lo + mid.shape[0] + t.c_hi < t.H - t.below:
                raise RuntimeError(_CHANGED)
            inside = np.clip(idx - t.c_lo, 0, max(mid.shape[0] - 1, 0))
            vals = mid[inside] if mid.shape[0] else np.full(idx.shape, t.hi)
            t.values = np.where(
                idx < t.c_lo, t.lo, np.where(idx < t.c_lo + mid.shape[0], vals, t.hi)
            )
        for g in groups.values():
            edges, counts = g["edges"], g["counts"]
            cum = np.cumsum(counts)
            sample = np.concatenate(g["sample"]) if g["sample"] else np.empty(0)
            for t in g["targets"]:
                cL = int(np.searchsorted(cum, t.L - t.below, side="left"))
                cH = int(np.searchsorted(cum, t.H - t.below, side="left"))
                if cH >= counts.shape[0]:
                    raise RuntimeError(
                        "summary: the series changed between passes over its blocks"
                    )
                i, j = cL // 2, (cH + 1) // 2  # edges bounding the cells of ranks L and H
                t.below += int(cum[2 * i - 1]) if i > 0 else 0
                t.lo, t.hi = float(edges[i]), float(edges[j])
                t.inner = int(counts[2 * i + 1 : 2 * j].sum())  # strictly between lo and hi
                t.sample = sample[(sample > t.lo) & (sample < t.hi)]
    else:
        raise RuntimeError("summary: streaming selection did not converge")
    return [t.values for t in targets]


# ------------------------------------------------------------------ statistics


def _quantile_ranks(m: int, p: float) -> tuple[int, int]:
    # 1-based ranks describe needs for the p-quantile and its SE among m values.
    _, lo_se, hi_se = _se_ranks(m, p)
    ql, qh, _ = _linear_index(m, p)
    return min(lo_se, ql + 1), max(hi_se, qh + 1)


def _from_windows(out: dict, m: int, windows) -> dict:
    # P5/P50/P95 and their SEs from each quantile's window of order statistics.
    for p, (L, vals) in zip(_PS, windows, strict=True):
        key = f"p{round(p * 100)}"
        ql, qh, t = _linear_index(m, p)
        a, b = vals[ql + 1 - L], vals[qh + 1 - L]
        out[key] = float(a + t * (b - a))
        out[f"{key}_se"] = quantile_se_window(vals, L, m, p) if m >= 2 else float("nan")
    return out


_PS = (0.05, 0.5, 0.95)


def describe(x: np.ndarray) -> dict:
    """Mean, SD and P5/P50/P95 of the finite values of ``x``, each with its MC SE."""
    return describe_source(Source.of(x))


def describe_source(src: Source | np.ndarray) -> dict:
    """:func:`describe` of a series read a block at a time.

    A series of one block is copied and sorted, as :func:`describe` always
    did. A longer one is read in passes holding O(``block_size``) values: its
    count, sum, extremes and a sample; then the SD about the mean while the
    quantile windows are located (:func:`_select`); then the windows are
    collected. Quantiles and their SEs are identical to the one-block result;
    the mean and SD agree to rounding (about 1e-15 relative).
    """
    src = _as_source(src)
    if src.n <= src.block_size:
        xs = np.array(src.block(0, src.n), dtype=np.float64)  # one working copy, sorted in place
        if not np.isfinite(xs).all():
            xs = xs[np.isfinite(xs)]
        m = xs.shape[0]
        if m == 0:
            return {"n": 0}
        xs.sort()
        sd = float(xs.std(ddof=1)) if m > 1 else 0.0
        out = {"n": int(m), "mean": float(xs.mean()), "mean_se": sd / math.sqrt(m), "sd": sd}
        ranks = [_quantile_ranks(m, p) for p in _PS]
        return _from_windows(out, m, [(L, xs[L - 1 : H]) for L, H in ranks])

    m, total, lo, hi, sample = _scan(src)
    if m == 0:
        return {"n": 0}
    mean = total / m
    ss: list[float] = []

    def squares(x):
        f = _finite(x)
        ss.append(float(np.sum((f - mean) ** 2)))

    ranks = [_quantile_ranks(m, p) for p in _PS]
    windows = _select(src, m, ranks, lo, hi, sample, hook=squares)
    sd = math.sqrt(_fsum(ss) / (m - 1)) if m > 1 else 0.0
    out = {"n": int(m), "mean": mean, "mean_se": sd / math.sqrt(m), "sd": sd}
    return _from_windows(out, m, [(L, w) for (L, _), w in zip(ranks, windows, strict=True)])


def _scan(src: Source) -> tuple[int, float, float, float, np.ndarray]:
    # One pass: count, sum, min and max of the finite values, and a sample of
    # them taken every n // _SAMPLE draws (by position, so any blocking gives it).
    m, total, lo, hi = 0, [], math.inf, -math.inf
    stride = max(1, src.n // _SAMPLE)
    sample = []
    for (a, _), x in zip(src.ranges(), src.blocks(), strict=True):
        sample.append(_finite(x[(-a) % stride :: stride]))
        f = _finite(x)
        if f.shape[0]:
            m += f.shape[0]
            total.append(float(f.sum()))
            lo, hi = min(lo, float(f.min())), max(hi, float(f.max()))
    return m, _fsum(total), lo, hi, np.concatenate(sample) if sample else np.empty(0)


def _fsum(parts) -> float:
    # The blocks' (pairwise) sums added exactly, so the total does not lose
    # accuracy with many blocks; non-finite sums add as numpy would.
    parts = list(parts)
    return math.fsum(parts) if all(map(math.isfinite, parts)) else float(sum(parts))


def prob(mask: np.ndarray) -> tuple[float, float]:
    """Share of true values and its binomial SE."""
    return prob_source(Source.of(mask))


def prob_source(src: Source | np.ndarray) -> tuple[float, float]:
    """:func:`prob` of a boolean series read a block at a time (a count: exact)."""
    src = _as_source(src)
    if src.n == 0:
        return float("nan"), float("nan")
    hits = sum(int(np.count_nonzero(x)) for x in src.blocks())
    p = hits / src.n
    return p, math.sqrt(p * (1 - p) / src.n)


def mean_sd(src: Source | np.ndarray) -> tuple[float, float]:
    """Mean and SD (``ddof=1``; NaN below two draws) of every value, in two passes."""
    src = _as_source(src)
    if src.n == 0:
        return float("nan"), float("nan")
    mean = _mean(src)
    if src.n < 2:
        return mean, float("nan")
    ss = _fsum(float(np.sum((np.asarray(x, np.float64) - mean) ** 2)) for x in src.blocks())
    return mean, math.sqrt(ss / (src.n - 1))


def ratio_of_means(y: Source | np.ndarray, x: Source | np.ndarray) -> tuple[float, float]:
    """``mean(y) / mean(x)`` and its delta-method SE, ``sd(y - r x) / sqrt(n) / mean(x)``.

    NaN for both when ``mean(x) <= 0``.
    """
    y, x = _as_source(y), _as_source(x)
    if y.n != x.n:
        raise ValueError(f"ratio_of_means: {y.n} draws of y, {x.n} of x")
    my, mx = _mean(y), _mean(x)
    if not mx > 0:
        return float("nan"), float("nan")
    r = my / mx
    yb, xb = y.block, x.block
    d = Source(
        lambda a, b: np.asarray(yb(a, b), np.float64) - r * np.asarray(xb(a, b), np.float64),
        y.n,
        min(y.block_size, x.block_size),
    )
    return r, mean_sd(d)[1] / math.sqrt(y.n) / mx


def _mean(src: Source) -> float:
    # the mean alone (one pass)
    return (
        _fsum(float(np.sum(x, dtype=np.float64)) for x in src.blocks()) / src.n
        if src.n
        else math.nan
    )


def count_codes(src: Source | np.ndarray) -> dict[int, int]:
    """How many draws carry each integer code, ascending by code."""
    counts: dict[int, int] = {}
    for x in _as_source(src).blocks():
        codes, k = np.unique(x, return_counts=True)
        for c, n in zip(codes.tolist(), k.tolist(), strict=True):
            counts[int(c)] = counts.get(int(c), 0) + int(n)
    return dict(sorted(counts.items()))


def _es(x: np.ndarray, alpha: float) -> tuple[float, float]:
    # Value at risk as the alpha-quantile (as P5 elsewhere), expected shortfall
    # as the mean of the values at or below it.
    var = float(np.quantile(x, alpha))
    return var, float(x[x <= var].mean())


def _batches(n: int, k: int) -> list[tuple[int, int]]:
    # np.array_split's boundaries: the first n % k batches one longer.
    size, extra = divmod(n, k)
    edges = np.cumsum([0] + [size + 1] * extra + [size] * (k - extra))
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges)]


def expected_shortfall(x: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """VaR (the ``alpha``-quantile), expected shortfall (mean at or below it) and
    the shortfall's batch-means SE over 20 contiguous batches."""
    return expected_shortfall_source(Source.of(x), alpha)


def expected_shortfall_source(
    src: Source | np.ndarray, alpha: float
) -> tuple[float, float, float]:
    """:func:`expected_shortfall` of a series read a block at a time.

    The VaR is np.quantile's (linear) quantile from the exact order
    statistics (:func:`_select`); the shortfall is a pass summing the values
    at or below it; each of the 20 batches (``np.array_split``'s) is loaded
    on its own for its batch mean, so the SE is computed as before.
    """
    src = _as_source(src)
    n = src.n
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    if n <= src.block_size:
        var, es = _es(np.asarray(src.block(0, n)), alpha)
    else:
        var, es = _es_streaming(src, alpha)
    vals = [_es(np.asarray(src.block(a, b)), alpha)[1] for a, b in _batches(n, min(_BATCHES, n))]
    se = float(np.std(vals, ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else float("nan")
    return var, es, se


def _es_streaming(src: Source, alpha: float) -> tuple[float, float]:
    nan = neg = 0

    def count(x):
        nonlocal nan, neg
        x = np.asarray(x, dtype=np.float64)
        nan += int(np.count_nonzero(np.isnan(x)))
        neg += int(np.count_nonzero(x == -np.inf))

    m, _, lo, hi, sample = _scan(src.map(lambda x: _tap(x, count)))
    if nan:
        return float("nan"), float("nan")  # as np.quantile: NaN in, NaN out
    r1, r2, gamma = _np_quantile_ranks(src.n, alpha)
    # ranks among all values; -inf below the m finite ones, +inf above
    fin = [r - neg for r in (r1, r2) if 1 <= r - neg <= m]
    got = dict(zip(fin, _select(src, m, [(r, r) for r in fin], lo, hi, sample), strict=True))

    def value(r):
        k = r - neg
        return -math.inf if k < 1 else math.inf if k > m else float(got[k][0])

    var = _numpy_lerp(value(r1), value(r2), gamma)
    total, count_below = [], 0
    for x in src.blocks():
        x = np.asarray(x, dtype=np.float64)
        below = x[x <= var]
        total.append(float(below.sum()))
        count_below += below.shape[0]
    return var, _fsum(total) / count_below if count_below else float("nan")


def _tap(x, f):
    f(x)
    return x
