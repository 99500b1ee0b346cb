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

- means and SDs in one pass (each block's own two-pass SD, merged exactly as
  Chan, Golub and LeVeque 1983; the block sums added with ``math.fsum``);
- EXACT sample quantiles and their exact-bootstrap SEs by streaming
  selection: the SE needs only the order statistics in a window of ranks
  around the quantile (``_WINDOW_SD`` SDs of the bootstrap index), so passes
  over the blocks narrow a value interval holding that window (a histogram
  whose edges are a sample of the values, so atoms become edges of their
  own, plus an even grid), and a last pass collects the window and sorts it:
  two passes in all, unless the first histogram was too coarse;
- expected shortfall: the VaR as above, the sum below it while the VaR's
  window is collected, and its batch means from 20 batches, each gathered on
  its own (N/20 draws) as the first pass goes by.

Each statistic is also a *task* (``describe_task`` etc.): :func:`stream`
runs many side by side, one pass over the blocks for all of them, so a
reader that keeps the current block serves every figure of a summary from
one read per variable and pass.

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
    "Stream",
    "count_codes",
    "describe",
    "describe_source",
    "describe_task",
    "expected_shortfall",
    "expected_shortfall_source",
    "expected_shortfall_task",
    "mean_sd",
    "mean_sd_task",
    "prob",
    "prob_source",
    "prob_task",
    "quantile_se",
    "quantile_se_window",
    "ratio_of_means",
    "ratio_of_means_task",
    "stream",
]

_Z95 = 1.959963984540054
_BATCHES = 20
#: half-width of the window of order statistics the exact bootstrap sums over,
#: in standard deviations of the bootstrap order statistic's index (mass
#: outside it is below 1e-20)
_WINDOW_SD = 10.0
#: draws per block when a summary streams a result (1 MB of float64)
BLOCK = 1 << 17
#: values sampled per refinement pass to place histogram edges (atoms among them)
_SAMPLE = 512
#: edges of the even grid added to the sampled edges, so every pass narrows the interval
_GRID = 256
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
#
# A statistic of a Source is a *task*: a generator that yields one consumer per
# pass over the draws, ``consume(a, b)``, which reads what it needs of draws
# a .. b-1 itself, and finally returns its result. :func:`stream` runs many
# tasks side by side, one pass for all of them at a time, so a reader that
# keeps the current block (as the contract's summary has) serves every task
# from one read per variable and pass.


def stream(tasks, n: int, block_size: int = BLOCK) -> list:
    """Run statistic tasks side by side over draws ``0 .. n-1``; their results, in order.

    Each pass visits the blocks ``[a, a + block_size)`` in order and calls the
    consumer every unfinished task yielded for that pass.
    """
    return Stream(tasks, n, block_size).run()


class Stream:
    """:func:`stream` one pass at a time, so that its first pass can be fed by a caller.

    A run's writer calls :meth:`feed` with each block ``[a, a + block_size)``
    of the first pass while the block is still in memory (in draw order,
    every block once), then :meth:`run` does the passes left (the quantile
    windows) reading the blocks back. The results are :func:`stream`'s, bit
    for bit: the same consumers see the same blocks in the same order.
    """

    def __init__(self, tasks, n: int, block_size: int = BLOCK):
        self.tasks = list(tasks)
        self.n, self.block_size = int(n), int(block_size)
        self.results: list = [None] * len(self.tasks)
        self.active: dict[int, Callable[[int, int], None]] = {}
        self.passes = 0
        for i in range(len(self.tasks)):
            self._advance(i)
        self._consumers = list(self.active.values())

    def _advance(self, i: int) -> None:
        try:
            self.active[i] = next(self.tasks[i])
        except StopIteration as stop:
            self.active.pop(i, None)
            self.results[i] = stop.value

    def feed(self, a: int, b: int) -> None:
        """The current pass's consumers on draws ``a .. b-1`` (the next block)."""
        for consume in self._consumers:
            consume(a, b)

    def end_pass(self) -> None:
        """Close the current pass: every task moves to its next pass or its result."""
        for i in list(self.active):
            self._advance(i)
        self._consumers = list(self.active.values())
        self.passes += 1

    def run(self) -> list:
        """Run every pass left over all blocks; the tasks' results, in order."""
        while self.active:
            if self.passes >= _MAX_PASSES:
                raise RuntimeError("summary: streaming selection did not converge")
            for a in range(0, self.n, self.block_size):
                self.feed(a, min(a + self.block_size, self.n))
            self.end_pass()
        return self.results


def _read(src: Source, a: int, b: int) -> np.ndarray:
    x = np.asarray(src.block(a, b))
    if x.shape != (b - a,):
        raise ValueError(f"Source: block({a}, {b}) has shape {x.shape}, not ({b - a},)")
    return x


def _finite(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x if np.isfinite(x).all() else x[np.isfinite(x)]


def _fsum(parts) -> float:
    # The blocks' (pairwise) sums added exactly, so the total does not lose
    # accuracy with many blocks; non-finite sums add as numpy would.
    parts = list(parts)
    return math.fsum(parts) if all(map(math.isfinite, parts)) else float(sum(parts))


class _Moments:
    """Count, exact sum of block sums, extremes, and the sum of squared deviations
    merged block by block (Chan, Golub and LeVeque 1983: each block's own
    two-pass M2, combined with the shift between the means)."""

    def __init__(self):
        self.n, self.sums, self.mean, self.m2 = 0, [], 0.0, 0.0
        self.min, self.max = math.inf, -math.inf

    def feed(self, f: np.ndarray) -> None:
        k = f.shape[0]
        if not k:
            return
        s = float(f.sum())
        mb = s / k
        m2b = float(np.sum((f - mb) ** 2))
        if self.n == 0:
            self.mean, self.m2 = mb, m2b
        else:
            d = mb - self.mean
            tot = self.n + k
            self.mean += d * k / tot
            self.m2 += m2b + d * d * self.n * k / tot
        self.n += k
        self.sums.append(s)
        self.min, self.max = min(self.min, float(f.min())), max(self.max, float(f.max()))

    def total(self) -> float:
        return _fsum(self.sums)

    def sd(self) -> float:
        return math.sqrt(max(self.m2, 0.0) / (self.n - 1)) if self.n > 1 else float("nan")


class _Target:
    """Ranks ``L .. H`` (1-based) among the finite values, and the closed value
    interval ``[lo, hi]`` known to hold them: ``below`` values lie under ``lo``
    (exact), ``inner`` strictly inside (an upper bound)."""

    __slots__ = (
        "H",
        "L",
        "below",
        "c_hi",
        "c_lo",
        "hi",
        "inner",
        "lo",
        "mid",
        "sample",
        "sum_below",
        "values",
    )

    def __init__(self, L: int, H: int, m: int):
        self.L, self.H = L, H
        self.lo, self.hi = -math.inf, math.inf
        self.below, self.inner = 0, m
        self.sample = np.empty(0)
        self.values = None
        self.sum_below = None  # a list of partial sums of the values under lo, when wanted


class _Hist:
    """Counts of the cells sorted edges ``E`` cut the line into:
    ``(-inf, E0), {E0}, (E0, E1), {E1}, ..., {E_m-1}, (E_m-1, inf)``: points are
    cells of their own, so an atom on an edge is isolated at once."""

    def __init__(self, edges: np.ndarray | None = None, probs=()):
        self.edges = edges
        self.probs = probs
        self.counts = None

    def feed(self, f: np.ndarray) -> None:
        if self.edges is None:
            if not f.shape[0]:
                return
            self.edges = _first_edges(f, self.probs)
        e = self.edges
        if self.counts is None:
            self.counts = np.zeros(2 * e.shape[0] + 1, dtype=np.int64)
        r = np.searchsorted(e, f, side="right")
        on = e[np.maximum(r - 1, 0)] == f
        on &= r > 0
        self.counts += np.bincount(2 * r - on, minlength=self.counts.shape[0])

    def narrow(self, t: _Target, lo: float, hi: float) -> None:
        """Shrink ``t``'s interval to the cells holding its ranks; ``lo``/``hi``
        bound every value counted (the min and max, or the interval fed)."""
        if self.counts is None:
            return
        e, counts = self.edges, self.counts
        cum = np.cumsum(counts)
        cL = int(np.searchsorted(cum, t.L - t.below, side="left"))
        cH = int(np.searchsorted(cum, t.H - t.below, side="left"))
        if cH >= counts.shape[0] or t.L <= t.below:
            raise RuntimeError(_CHANGED)
        if cL % 2:  # the point E_i
            new_lo, add = float(e[(cL - 1) // 2]), int(cum[cL - 1])
        elif cL == 0:
            new_lo, add = lo, 0
        else:  # the open cell (E_r-1, E_r): from E_r-1, ties included
            new_lo, add = float(e[cL // 2 - 1]), int(cum[cL - 2])
        if cH % 2:
            new_hi = float(e[(cH - 1) // 2])
        else:
            new_hi = float(e[cH // 2]) if cH // 2 < e.shape[0] else hi
        start, end = cL + cL % 2, cH + 1 - cH % 2  # cells strictly between lo and hi
        t.below += add
        t.lo, t.hi = new_lo, new_hi
        t.inner = int(counts[start:end].sum()) if end > start else 0


def _first_edges(f: np.ndarray, probs) -> np.ndarray:
    """Edges for the first pass, from the first block's sorted values: 32 cells of
    equal count over the block, and for each ``p`` in ``probs`` 32 cells within
    16 SDs of the block's p-quantile rank (its own sampling error with room for
    the SE's window), so the cells around each quantile hold about
    ``sqrt(p (1 - p) / n0)`` of the draws. Few edges keep searchsorted cheap;
    edges that miss cost a refining pass, never a wrong value."""
    s = np.sort(f)
    n0 = s.shape[0]
    idx = [np.linspace(0, n0 - 1, 33)]
    for p in probs:
        half = 16 * math.sqrt(p * (1 - p) * n0) + 2
        idx.append(np.linspace(p * (n0 - 1) - half, p * (n0 - 1) + half, 33))
    i = np.clip(np.round(np.concatenate(idx)), 0, n0 - 1).astype(np.intp)
    return np.unique(np.concatenate([s[i], _grid(float(s[0]), float(s[-1]), 32)]))


def _grid(lo: float, hi: float, cells: int = _GRID) -> np.ndarray:
    t = np.linspace(0.0, 1.0, cells + 1)
    g = lo * (1 - t) + hi * t  # no overflow for lo, hi near the float range
    return g[np.isfinite(g) & (g > lo) & (g < hi)]


def _select(src: Source, targets: list[_Target]):
    """Task: the finite values of ``src`` at ranks ``L .. H`` of each target.

    Each pass either refines a target's interval (a histogram whose edges
    are a sample of the values inside it and an even grid) or, once at most
    ``src.block_size`` values (or four times the window's width, if larger)
    lie strictly inside it, collects them; ties at the interval's ends are
    counted, not stored, so an atom of any size costs nothing. Sets each
    target's ``values`` (sorted) and returns them.
    """
    budget = src.block_size
    while True:
        todo = [t for t in targets if t.values is None]
        if not todo:
            return [t.values for t in targets]
        refine = [t for t in todo if t.inner > max(budget, 4 * (t.H - t.L + 1)) and t.lo < t.hi]
        collect = [t for t in todo if t not in refine]
        groups: dict[tuple[float, float], dict] = {}
        for t in refine:
            g = groups.setdefault((t.lo, t.hi), {"targets": [], "sample": [], "seen": 0})
            g["targets"].append(t)
        for (glo, ghi), g in groups.items():
            s = np.concatenate([t.sample for t in g["targets"]])
            s = s[(s > glo) & (s < ghi)]
            g["hist"] = _Hist(np.unique(np.concatenate([[glo], s, _grid(glo, ghi), [ghi]])))
            g["stride"] = max(1, max(t.inner for t in g["targets"]) // _SAMPLE)
        for t in collect:
            t.c_lo, t.c_hi, t.mid = 0, 0, []

        def consume(a, b, groups=groups, collect=collect):
            f = _finite(_read(src, a, b))
            for (glo, ghi), g in groups.items():
                sub = f[(f >= glo) & (f <= ghi)]
                g["hist"].feed(sub)
                # a copy: a strided view would keep the whole block alive
                g["sample"].append(sub[(-g["seen"]) % g["stride"] :: g["stride"]].copy())
                g["seen"] += sub.shape[0]
            for t in collect:
                t.c_lo += int(np.count_nonzero(f == t.lo))
                if t.lo < t.hi:
                    t.c_hi += int(np.count_nonzero(f == t.hi))
                    t.mid.append(f[(f > t.lo) & (f < t.hi)])
                if t.sum_below is not None:
                    t.sum_below.append(float(f[f < t.lo].sum()))

        yield consume
        for t in collect:
            mid = np.sort(np.concatenate(t.mid)) if t.mid else np.empty(0)
            t.mid = mid
            idx = np.arange(t.L, t.H + 1) - t.below - 1  # 0-based within [lo, hi]
            if t.below >= t.L or t.c_lo + mid.shape[0] + t.c_hi < t.H - t.below:
                raise RuntimeError(_CHANGED)
            inside = np.clip(idx - t.c_lo, 0, max(mid.shape[0] - 1, 0))
            vals = mid[inside] if mid.shape[0] else np.full(idx.shape, t.hi)
            t.values = np.where(
                idx < t.c_lo, t.lo, np.where(idx < t.c_lo + mid.shape[0], vals, t.hi)
            )
        for (glo, ghi), g in groups.items():
            sample = np.concatenate(g["sample"]) if g["sample"] else np.empty(0)
            for t in g["targets"]:
                g["hist"].narrow(t, glo, ghi)
                t.sample = sample[(sample > t.lo) & (sample < t.hi)]


def _first_pass(src: Source, hist: _Hist, moments: _Moments, sample: list, extra=None):
    # The consumer of a streaming statistic's first pass: moments and a
    # histogram of the finite values, and a sample of them every n // _SAMPLE
    # draws by position (so any blocking takes the same sample).
    stride = max(1, src.n // _SAMPLE)

    def consume(a, b):
        x = _read(src, a, b)
        if extra is not None:
            extra(a, b, x)
        sample.append(_finite(x[(-a) % stride :: stride]).copy())  # not a view of the block
        f = _finite(x)
        moments.feed(f)
        hist.feed(f)

    return consume


def _targets(ranks, m, hist, moments, sample) -> list[_Target]:
    out = []
    for L, H in ranks:
        t = _Target(L, H, m)
        t.lo, t.hi = moments.min, moments.max
        hist.narrow(t, moments.min, moments.max)
        t.sample = sample[(sample > t.lo) & (sample < t.hi)]
        out.append(t)
    return out


def _one_block(src: Source):
    # Task: the whole series, when it is one block.
    got = []
    yield lambda a, b: got.append(_read(src, a, b))
    return got[0] if got else np.empty(0)


# ------------------------------------------------------------------ statistics

_PS = (0.05, 0.5, 0.95)


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


def describe(x: np.ndarray) -> dict:
    """Mean, SD and P5/P50/P95 of the finite values of ``x``, each with its MC SE."""
    return describe_source(Source.of(x))


def describe_source(src: Source | np.ndarray) -> dict:
    """:func:`describe` of a series read a block at a time.

    A series of one block is copied and sorted, as :func:`describe` always
    did. A longer one is read in passes holding O(``block_size``) values:
    first the count, sum, SD (merged block by block), extremes and a
    histogram; then the quantile windows are collected (a further pass refines
    first if the histogram did not narrow them enough). Quantiles and their
    SEs are identical to the one-block result; the mean and SD agree to
    rounding (about 1e-15 relative).
    """
    src = _as_source(src)
    return stream([describe_task(src)], src.n, src.block_size)[0]


def describe_task(src: Source):
    """:func:`describe_source` as a task for :func:`stream`."""
    if src.n <= src.block_size:
        xs = np.array((yield from _one_block(src)), dtype=np.float64)  # sorted in place
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

    moments, hist, sample = _Moments(), _Hist(probs=_PS), []
    yield _first_pass(src, hist, moments, sample)
    m = moments.n
    if m == 0:
        return {"n": 0}
    sd = moments.sd() if m > 1 else 0.0
    out = {"n": int(m), "mean": moments.total() / m, "mean_se": sd / math.sqrt(m), "sd": sd}
    ranks = [_quantile_ranks(m, p) for p in _PS]
    targets = _targets(ranks, m, hist, moments, np.concatenate(sample))
    windows = yield from _select(src, targets)
    return _from_windows(out, m, [(L, w) for (L, _), w in zip(ranks, windows, strict=True)])


def prob(mask: np.ndarray) -> tuple[float, float]:
    """Share of true values and its binomial SE."""
    return prob_source(Source.of(mask))


def prob_source(src: Source | np.ndarray) -> tuple[float, float]:
    """:func:`prob` of a boolean series read a block at a time (a count: exact)."""
    src = _as_source(src)
    return stream([prob_task(src)], src.n, src.block_size)[0]


def prob_task(src: Source):
    """:func:`prob_source` as a task for :func:`stream`."""
    if src.n == 0:
        return float("nan"), float("nan")
    hits = [0]

    def consume(a, b):
        hits[0] += int(np.count_nonzero(_read(src, a, b)))

    yield consume
    p = hits[0] / src.n
    return p, math.sqrt(p * (1 - p) / src.n)


def mean_sd(src: Source | np.ndarray) -> tuple[float, float]:
    """Mean and SD (``ddof=1``; NaN below two draws) of every value."""
    src = _as_source(src)
    return stream([mean_sd_task(src)], src.n, src.block_size)[0]


def mean_sd_task(src: Source):
    """:func:`mean_sd` as a task for :func:`stream`: one pass (block-wise merge)."""
    if src.n == 0:
        return float("nan"), float("nan")
    mom = _Moments()
    yield lambda a, b: mom.feed(np.asarray(_read(src, a, b), dtype=np.float64))
    return mom.total() / src.n, mom.sd()


def ratio_of_means(y: Source | np.ndarray, x: Source | np.ndarray) -> tuple[float, float]:
    """``mean(y) / mean(x)`` and its delta-method SE, ``sd(y - r x) / sqrt(n) / mean(x)``.

    NaN for both when ``mean(x) <= 0``.
    """
    y, x = _as_source(y), _as_source(x)
    return stream([ratio_of_means_task(y, x)], y.n, min(y.block_size, x.block_size))[0]


def ratio_of_means_task(y: Source, x: Source):
    """:func:`ratio_of_means` as a task for :func:`stream`: two passes."""
    if y.n != x.n:
        raise ValueError(f"ratio_of_means: {y.n} draws of y, {x.n} of x")
    if y.n == 0:
        return float("nan"), float("nan")
    sy, sx = [], []

    def sums(a, b):
        sy.append(float(np.sum(_read(y, a, b), dtype=np.float64)))
        sx.append(float(np.sum(_read(x, a, b), dtype=np.float64)))

    yield sums
    my, mx = _fsum(sy) / y.n, _fsum(sx) / x.n
    if not mx > 0:
        return float("nan"), float("nan")
    r = my / mx
    mom = _Moments()

    def spread(a, b):
        d = np.asarray(_read(y, a, b), np.float64) - r * np.asarray(_read(x, a, b), np.float64)
        mom.feed(d)

    yield spread
    return r, mom.sd() / math.sqrt(y.n) / mx


def count_codes(src: Source | np.ndarray) -> dict[int, int]:
    """How many draws carry each integer code, ascending by code."""
    src = _as_source(src)
    counts: dict[int, int] = {}
    for a, b in src.ranges():
        codes, k = np.unique(_read(src, a, b), return_counts=True)
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
    statistics; the shortfall adds the values under the VaR's interval while
    it is collected; each of the 20 batches (``np.array_split``'s) is
    gathered on its own for its batch mean, so the SE is computed as before.
    """
    src = _as_source(src)
    return stream([expected_shortfall_task(src, alpha)], src.n, src.block_size)[0]


def expected_shortfall_task(src: Source, alpha: float):
    """:func:`expected_shortfall_source` as a task for :func:`stream`."""
    n = src.n
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    bounds = _batches(n, min(_BATCHES, n))
    if n <= src.block_size:
        x = yield from _one_block(src)
        var, es = _es(x, alpha)
        vals = [_es(x[a:b], alpha)[1] for a, b in bounds]
    else:
        vals, buf, nan, neg = [], [], [0], [0]
        pending = list(bounds)

        def batches(a, b, x):
            # gather each batch's pieces; its shortfall once it is complete
            nan[0] += int(np.count_nonzero(np.isnan(x)))
            neg[0] += int(np.count_nonzero(x == -np.inf))
            while pending and pending[0][0] < b:
                s, e = pending[0]
                buf.append(x[max(s, a) - a : min(e, b) - a])
                if e > b:
                    break
                vals.append(_es(np.concatenate(buf), alpha)[1])
                buf.clear()
                pending.pop(0)

        moments, hist, sample = _Moments(), _Hist(probs=(alpha,)), []
        yield _first_pass(src, hist, moments, sample, extra=batches)
        var, es = yield from _es_streaming(
            src, alpha, moments, hist, np.concatenate(sample), nan[0], neg[0]
        )
    se = float(np.std(vals, ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else float("nan")
    return var, es, se


def _es_streaming(src, alpha, moments, hist, sample, nan, neg):
    # Task: VaR and shortfall from the first pass's histogram.
    if nan:
        return float("nan"), float("nan")  # as np.quantile: NaN in, NaN out
    m = moments.n
    r1, r2, gamma = _np_quantile_ranks(src.n, alpha)
    k1, k2 = r1 - neg, r2 - neg  # ranks among the finite values (-inf below them)
    lo_k, hi_k = max(k1, 1), min(k2, m)
    if lo_k <= hi_k:
        (t,) = _targets([(lo_k, hi_k)], m, hist, moments, sample)
        t.sum_below = []
        (w,) = yield from _select(src, [t])

        def value(k):
            return -math.inf if k < 1 else math.inf if k > m else float(w[k - lo_k])

        var = _numpy_lerp(value(k1), value(k2), gamma)
        # values <= VaR: all under [lo, hi], and those of [lo, hi] up to the VaR
        parts = [*t.sum_below, t.c_lo * t.lo, float(t.mid[t.mid <= var].sum())]
        count = t.below + t.c_lo + int(np.count_nonzero(t.mid <= var))
        if t.lo < t.hi and t.hi <= var:
            parts.append(t.c_hi * t.hi)
            count += t.c_hi
        if neg:
            return var, -math.inf
        return var, _fsum(parts) / count
    # every rank needed is an infinity: one more pass for the mean at or below it
    var = _numpy_lerp(-math.inf if k1 < 1 else math.inf, -math.inf if k2 < 1 else math.inf, gamma)
    acc = [0.0, 0]

    def below(a, b):
        x = np.asarray(_read(src, a, b), dtype=np.float64)
        x = x[x <= var]
        acc[0] += float(x.sum())
        acc[1] += x.shape[0]

    yield below
    return var, acc[0] / acc[1] if acc[1] else float("nan")
