"""The aggregated contract kernel: counts per cohort and cell instead of citizens.

Given one draw's parameters the measured citizens are exchangeable, and the
contract needs only, per cohort and goal, the successes, the deadweight
successes and the authorities' modelled saving. This kernel draws those
counts directly, exactly in distribution, at a cost that does not grow with
the population's size as the per-citizen kernel's does
(:mod:`simrisk.kinds.contract._kernel`, the model of record).

Per draw:

- referred and measured as the per-citizen kernel (the same uniform; the
  measured count by :func:`binomial_quantile`, the same quantile found
  faster), so ``referred`` and the total measured agree draw by draw with a
  per-citizen run of the same seed (but where the uniform falls within the
  per-citizen kernel's rounding, about 1e-10 at 1e5 citizens, of a step of
  the CDF);
- measured per cohort: a multinomial over the cohorts' shares;
- per cohort, the joint cells of the resource goals (at most two): the
  shared "no use at start" uniform puts a citizen in neither, one or both
  zero states; otherwise each goal's noise falls in one of three intervals
  cut by its treated and counterfactual thresholds (both succeed:
  deadweight; between: caused success, or the counterfactual-only success
  when the effect is harmful; above: neither), and the two goals' noises
  are bivariate normal with the draw's ``outcome_correlation``, so the 3 x 3
  cells are bivariate-normal rectangles (Genz 2004's algorithm). At most 13
  cells, counts multinomial;
- per cohort, the score goal's three cells (deadweight, caused, neither),
  mixed over the start score's distribution; independent of the resource
  goals given the parameters (the per-citizen model draws them from other
  uniforms);
- per cohort, resource goal and interval, the modelled saving of the
  citizens in it: the sum of ``n`` independent ``cost x exp(sigma eps -
  sigma^2 / 2)`` with ``eps`` truncated to the interval, whose mean and
  variance are exact (truncated-lognormal moments times the disease groups'
  cost moments); the sum is drawn as a normal with that mean and variance
  (clamped at 0), an approximation by the central limit theorem that keeps
  the within-draw spread, so ``--fixed-parameters`` does not understate it.

Every multinomial is a chain of binomials, each drawn by exact inversion of
one uniform at a fixed position (:func:`binomial_quantile`), so two
scenarios run with the same seed get quantile-coupled counts: common random
numbers work for ``compare`` and ``design`` as with the per-citizen kernel.
The contract arithmetic after the counts is the per-citizen kernel's,
calling the same ``*_core`` functions.

Supported: resource goals (at most two) and score goals (at most one), the
contract's caps, retention clause and floor. :func:`unsupported` names what
a config has beyond that.
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from simrisk.core import jit, jit_parallel
from simrisk.core.finance import irr_sorted_core, moic_core, npv_core
from simrisk.core.rng import draw_word, u01_hi, u01_lo
from simrisk.kinds.contract.contract import (
    apply_caps_core,
    dsi_cash_flow_core,
    floor_topup_core,
    retention_clause_core,
)

__all__ = [
    "MAX_CELLS",
    "aggregate_chunk",
    "binomial_quantile",
    "bvn_cdf",
    "cell_probabilities",
    "run_aggregate",
    "unsupported",
]

_SQRT2 = math.sqrt(2.0)
_TWO_PI = 2.0 * math.pi
#: joint cells of two resource goals: both zero, one zero (x 3 intervals of the
#: other), neither (3 x 3)
MAX_CELLS = 13
#: per-draw words after the measured count's: cohort splits first, then per cohort
#: a block of WORDS_PER_COHORT (cells, score cells, saving normals)
WORDS_PER_COHORT = 32
_SCORE_WORD = MAX_CELLS  # offset in a cohort's block
_NORMAL_WORD = MAX_CELLS + 3
#: from this many referred citizens on the aggregated path is on by default
#: (docs/model.md, "The aggregated path": 3.7x the per-citizen kernel at 1,500
#: referred, 6x at 3,000; every shipped config, 700, stays per-citizen)
DEFAULT_ABOVE = 2_000
#: draws per parallel task at most (scratch arrays are allocated once per task)
BLOCK = 32


def unsupported(inp) -> list[str]:
    """What of a config's model the aggregated path does not model (empty: all of it)."""
    out = []
    if inp.n_res > 2:
        out.append(f"{inp.n_res} resource_use_fall goals (at most 2)")
    if int(inp.score_goals.shape[0]) > 1:
        out.append(f"{int(inp.score_goals.shape[0])} score_increase goals (at most 1)")
    known = {0, 1}  # KIND_RESOURCE, KIND_SCORE
    other = sorted({int(k) for k in inp.goal_kind} - known)
    if other:
        out.append(f"goal outcome kinds {other} (only resource_use_fall and score_increase)")
    for name in ("gate",):
        if getattr(inp.scenario, name, None) is not None:
            out.append(f"the [{name}] clause")
    return out


# ----------------------------------------------------------------- numerics


@jit(inline="always")
def _phi(x):
    return 0.5 * math.erfc(-x / _SQRT2)


@jit
def _mass(a, b):
    """Phi(b) - Phi(a) for a <= b, from the tail it lies nearer (no cancellation)."""
    if b <= a:
        return 0.0
    if a > 0.0:
        return 0.5 * (math.erfc(a / _SQRT2) - math.erfc(b / _SQRT2))
    return 0.5 * (math.erfc(-b / _SQRT2) - math.erfc(-a / _SQRT2))


_GL_W6 = np.array([0.1713244923791705, 0.3607615730481384, 0.4679139345726904])
_GL_X6 = np.array([0.9324695142031522, 0.6612093864662647, 0.2386191860831970])
_GL_W12 = np.array(
    [
        0.04717533638651177,
        0.1069393259953183,
        0.1600783285433464,
        0.2031674267230659,
        0.2334925365383547,
        0.2491470458134029,
    ]
)
_GL_X12 = np.array(
    [
        0.9815606342467191,
        0.9041172563704750,
        0.7699026741943050,
        0.5873179542866171,
        0.3678314989981802,
        0.1252334085114692,
    ]
)
_GL_W20 = np.array(
    [
        0.01761400713915212,
        0.04060142980038694,
        0.06267204833410906,
        0.08327674157670475,
        0.1019301198172404,
        0.1181945319615184,
        0.1316886384491766,
        0.1420961093183821,
        0.1491729864726037,
        0.1527533871307259,
    ]
)
_GL_X20 = np.array(
    [
        0.9931285991850949,
        0.9639719272779138,
        0.9122344282513259,
        0.8391169718222188,
        0.7463319064601508,
        0.6360536807265150,
        0.5108670019508271,
        0.3737060887154196,
        0.2277858511416451,
        0.07652652113349733,
    ]
)


@jit
def _bvn_rule(r, sn, den):
    """The nodes of :func:`_bvnu_rule`'s sum for correlation ``r``; returns their number.

    They depend on ``r`` alone, so the cells of one draw (one ``r``, up to nine
    rectangles) compute the sines once. For |r| >= 0.925 returns 0 (that branch
    has no such nodes).
    """
    ar = abs(r)
    if ar >= 0.925:
        return 0
    if ar < 0.3:
        x = _GL_X6
    elif ar < 0.75:
        x = _GL_X12
    else:
        x = _GL_X20
    asr = math.asin(r) / 2.0
    m = x.shape[0]
    for i in range(m):
        for s in range(2):
            sgn = -1.0 if s == 0 else 1.0
            v = math.sin(asr * (1.0 + sgn * x[i]))
            sn[2 * i + s] = v
            den[2 * i + s] = 1.0 - v * v
    return 2 * m


@jit
def _bvnu(h, k, r):
    """P(X > h, Y > k) for standard bivariate normals with correlation ``r``.

    Genz (2004), "Numerical computation of rectangular bivariate and trivariate
    normal and t probabilities", Statistics and Computing 14:251-260 (his
    ``bvnu``: Drezner and Wesolowsky's method with Gauss-Legendre rules of 6,
    12 or 20 points); absolute error about 1e-15.
    """
    sn = np.empty(40)
    den = np.empty(40)
    _bvn_rule(r, sn, den)
    return _bvnu_rule(h, k, r, sn, den)


@jit
def _bvnu_rule(h, k, r, sn, den):
    """:func:`_bvnu` with the nodes of :func:`_bvn_rule` (the same arithmetic, bit for bit)."""
    if h == math.inf or k == math.inf:
        return 0.0
    if h == -math.inf:
        return 1.0 if k == -math.inf else _phi(-k)
    if k == -math.inf:
        return _phi(-h)
    if r == 0.0:
        return _phi(-h) * _phi(-k)
    ar = abs(r)
    if ar < 0.3:
        w, x = _GL_W6, _GL_X6
    elif ar < 0.75:
        w, x = _GL_W12, _GL_X12
    else:
        w, x = _GL_W20, _GL_X20
    m = w.shape[0]
    hk = h * k
    bvn = 0.0
    if ar < 0.925:
        hs = (h * h + k * k) / 2.0
        asr = math.asin(r) / 2.0
        for i in range(m):
            for s in range(2):
                bvn += w[i] * math.exp((sn[2 * i + s] * hk - hs) / den[2 * i + s])
        bvn = bvn * asr / _TWO_PI + _phi(-h) * _phi(-k)
    else:
        kk = k
        if r < 0.0:
            kk = -k
            hk = -hk
        if ar < 1.0:
            a_s = (1.0 - r) * (1.0 + r)
            a = math.sqrt(a_s)
            bs = (h - kk) ** 2
            c = (4.0 - hk) / 8.0
            d = (12.0 - hk) / 80.0
            asr = -(bs / a_s + hk) / 2.0
            if asr > -100.0:
                bvn = (
                    a
                    * math.exp(asr)
                    * (1.0 - c * (bs - a_s) * (1.0 - d * bs) / 3.0 + c * d * a_s * a_s)
                )
            if hk > -100.0:
                b = math.sqrt(bs)
                sp = math.sqrt(_TWO_PI) * _phi(-b / a)
                bvn -= math.exp(-hk / 2.0) * sp * b * (1.0 - c * bs * (1.0 - d * bs) / 3.0)
            a = a / 2.0
            acc = 0.0
            for i in range(m):
                for sgn in (-1.0, 1.0):
                    xs = (a * (1.0 + sgn * x[i])) ** 2
                    asr = -(bs / xs + hk) / 2.0
                    if asr > -100.0:
                        sp = 1.0 + c * xs * (1.0 + 5.0 * d * xs)
                        rs = math.sqrt(1.0 - xs)
                        ep = math.exp(-(hk / 2.0) * xs / (1.0 + rs) ** 2) / rs
                        acc += w[i] * math.exp(asr) * (sp - ep)
            bvn = (a * acc - bvn) / _TWO_PI
        if r > 0.0:
            bvn += _phi(-max(h, kk))
        elif h >= kk:
            bvn = -bvn
        else:
            if h < 0.0:
                lo = _phi(kk) - _phi(h)
            else:
                lo = _phi(-h) - _phi(-kk)
            bvn = lo - bvn
    return min(max(bvn, 0.0), 1.0)


@jit
def bvn_cdf(h, k, r):
    """P(X <= h, Y <= k) for standard bivariate normals with correlation ``r``."""
    if h == -math.inf or k == -math.inf:
        return 0.0
    if h == math.inf:
        return _phi(k)
    if k == math.inf:
        return _phi(h)
    return _bvnu(-h, -k, r)


@jit
def _bvn_cdf_rule(h, k, r, sn, den):
    """:func:`bvn_cdf` with the nodes of :func:`_bvn_rule` computed once for ``r``."""
    if h == -math.inf or k == -math.inf:
        return 0.0
    if h == math.inf:
        return _phi(k)
    if k == math.inf:
        return _phi(h)
    return _bvnu_rule(-h, -k, r, sn, den)


#: no table of log-gammas: :func:`_lgf` computes each
_NO_LG = np.empty(0)
#: the table of log-gammas :func:`run_aggregate` passes has at most this many entries
#: (8 bytes each); counts beyond it compute theirs
LG_TABLE_MAX = 1 << 21


@jit
def lgamma_table(out):
    """``out[i] = lgamma(i + 1)``, the very values :func:`_lgf` would compute."""
    for i in range(out.shape[0]):
        out[i] = math.lgamma(i + 1.0)


@jit
def reciprocal_table(out):
    """``out[i] = 1 / i`` (``out[0] = inf``): the pmf sums' ratios without a division."""
    if out.shape[0]:
        out[0] = math.inf
    for i in range(1, out.shape[0]):
        out[i] = 1.0 / i


#: from this many trials on the pmf sums take their ratios from the table of 1 / i
#: (below it the blocks with one division are as fast or faster: 0.8-0.9 times at 60)
_REC_FROM = 256


@jit(inline="always")
def _lgf(lg, i):
    """lgamma(i + 1) for an integer ``i >= 0``: from the table ``lg`` while it reaches."""
    if i < lg.shape[0]:
        return lg[i]
    return math.lgamma(i + 1.0)


@jit
def _bvn_cdf_pre(h, k, r, sn, den, asr, ph, pk):
    """:func:`_bvn_cdf_rule` given ``asr = asin(r) / 2``, ``ph = Phi(h)``, ``pk = Phi(k)``.

    The same arithmetic, bit for bit: :func:`_bvnu_rule`'s ``_phi(-h) * _phi(-k)``
    at ``(-h, -k)`` is ``Phi(h) * Phi(k)``; its branch for |r| >= 0.925 is called.
    """
    if h == -math.inf or k == -math.inf:
        return 0.0
    if h == math.inf:
        return pk
    if k == math.inf:
        return ph
    if r == 0.0:
        return ph * pk
    ar = abs(r)
    if not ar < 0.925:
        return _bvnu_rule(-h, -k, r, sn, den)
    if ar < 0.3:
        w = _GL_W6
    elif ar < 0.75:
        w = _GL_W12
    else:
        w = _GL_W20
    hh = -h
    kk = -k
    hk = hh * kk
    hs = (hh * hh + kk * kk) / 2.0
    bvn = 0.0
    for i in range(w.shape[0]):
        for s in range(2):
            bvn += w[i] * math.exp((sn[2 * i + s] * hk - hs) / den[2 * i + s])
    bvn = bvn * asr / _TWO_PI + ph * pk
    return min(max(bvn, 0.0), 1.0)


@jit
def _pmf(n, p, k, lg, lp, lq):
    """The Binomial(n, p) pmf at ``k`` from its exact log.

    ``lp = log(p)`` and ``lq = log1p(-p)`` (a chain of binomials computes them
    once per draw), ``lg`` a table of lgamma(i + 1) (see :func:`_lgf`): three
    log-gammas were most of a binomial's start.
    """
    if k == 0:
        return math.exp(n * lq)
    return math.exp(_lgf(lg, n) - _lgf(lg, k) - _lgf(lg, n - k) + k * lp + (n - k) * lq)


#: :func:`_up_block` and :func:`_down_block`: the block does not decide, go on
_GO_ON = -2


@jit(inline="always")
def _up_block(k, acc, s, tail, u, strict, w, w1, w2, w3):
    """Four pmf terms ``w .. w3`` (sum ``s``) from ``k`` up, in :func:`_binq_sum`'s sums.

    Returns ``(answer, acc)``: the smallest of ``k .. k + 3`` whose sum reaches
    ``u``, -1 if undecided, or :data:`_GO_ON` with ``acc`` past the block. The
    block's sum is tested once; only the block that reaches ``u`` is stepped
    through term by term.
    """
    if not (acc + s + tail >= u):
        return _GO_ON, acc + s
    for i in range(4):
        acc += w if i == 0 else (w1 if i == 1 else (w2 if i == 2 else w3))
        if acc > u or (acc == u and not strict):
            return k + i, acc
        if acc + tail >= u:
            return -1, acc
    return _GO_ON, acc


@jit(inline="always")
def _down_block(k, acc, tail, v, strict, w, w1, w2, w3):
    """:func:`_up_block` for :func:`_binq_down`: the terms at ``k .. k - 3``, summed downward.

    The checks at ``k, k - 1, k - 2, k - 3`` see ``acc``, ``+ w``, ``+ w1``,
    ``+ w2``; past the block ``acc`` holds all four.
    """
    top = acc + (w + w1) + w2
    if not (top + tail > v or (strict and top + tail >= v)):
        return _GO_ON, top + w3
    for i in range(4):
        if acc > v or (strict and acc >= v):
            return k - i + 1, acc
        if acc + tail > v or (strict and acc + tail >= v):
            return -1, acc
        acc += w if i == 0 else (w1 if i == 1 else (w2 if i == 2 else w3))
    return _GO_ON, acc


@jit
def _binq_sum(n, p, u, strict, lo, w, tail, rec):
    """Sum the pmf up from ``lo`` (``w`` the pmf there) until it reaches ``u``.

    ``tail`` bounds the mass below ``lo`` from above: a step is decided only
    when the sum alone reaches ``u`` (then so does the CDF) and the sum plus
    ``tail`` did not reach it one step earlier (nor does the CDF); otherwise
    returns -1 (undecided). With ``tail = 0`` every step is decided.

    ``rec``: a table of 1 / i (:func:`reciprocal_table`); when it reaches ``n``
    (and ``n >= _REC_FROM``) each ratio pmf(k + 1) / pmf(k) = (n - k) p / q
    / (k + 1) is a product, without the block's division: the same sum up to
    rounding (relative 1e-16 a term), 1.3-1.5 times faster from 10,000 trials.
    """
    # the step below lo must be decided too: F(lo - 1) <= tail must be below u
    if tail > u or (tail == u and not strict):
        return -1
    ratio = p / (1.0 - p)
    acc = 0.0
    k = lo
    nf = float(n)
    if n >= _REC_FROM and rec.shape[0] > n:
        while k + 4 <= n:
            a0 = (nf - float(k)) * ratio
            t0 = a0 * rec[k + 1]
            t1 = (a0 - ratio) * rec[k + 2]
            t2 = (a0 - 2.0 * ratio) * rec[k + 3]
            t3 = (a0 - 3.0 * ratio) * rec[k + 4]
            p01 = t0 * t1
            w1 = w * t0
            w2 = w * p01
            w3 = w2 * t2
            s = (w + w1) + (w2 + w3)
            got, acc = _up_block(k, acc, s, tail, u, strict, w, w1, w2, w3)
            if got != _GO_ON:
                return got
            w = w2 * (t2 * t3)
            k += 4
    # Four terms at a time: one division for the four pmf ratios, and the
    # running product w only once per block (its latency was the loop's limit);
    # the block's sum is tested once, and only the block that reaches u is
    # stepped through term by term.
    while k + 4 <= n:
        kf = float(k)
        b0 = kf + 1.0
        b1 = kf + 2.0
        b2 = kf + 3.0
        b3 = kf + 4.0
        a0 = nf - kf
        b01 = b0 * b1
        b23 = b2 * b3
        r = ratio / (b01 * b23)
        t0 = a0 * b1 * b23 * r
        t1 = (a0 - 1.0) * b0 * b23 * r
        t2 = (a0 - 2.0) * b01 * b3 * r
        t3 = (a0 - 3.0) * b01 * b2 * r
        p01 = t0 * t1
        p012 = p01 * t2
        w1 = w * t0
        w2 = w * p01
        w3 = w * p012
        s = (w + w1) + (w2 + w3)
        got, acc = _up_block(k, acc, s, tail, u, strict, w, w1, w2, w3)
        if got != _GO_ON:
            return got
        w = w * (p012 * t3)
        k += 4
    while k <= n:
        acc += w
        if acc > u or (acc == u and not strict):
            return k
        if acc + tail >= u:
            return -1
        w *= (n - k) / (k + 1.0) * ratio
        k += 1
    return n


@jit
def _binq_down(n, p, v, strict, hi, w, tail, rec):
    """Walk down from ``hi`` (``w`` the pmf there) summing the upper tail until it passes ``v``.

    Returns the smallest k with P(X > k) <= v (``strict``: < v), X ~ Binomial(n, p),
    that is the smallest k with F(k) >= 1 - v (``strict``: > 1 - v). ``tail``
    bounds the mass above ``hi`` from above; a step is decided only when the
    sum alone passes ``v`` (then so does the tail probability) and the sum plus
    ``tail`` did not one step earlier; otherwise returns -1 (undecided).
    ``rec`` as in :func:`_binq_sum`.
    """
    iq = (1.0 - p) / p
    acc = 0.0  # P(hi >= X > k) at the top of the loop
    k = hi
    nf = float(n)
    if n >= _REC_FROM and rec.shape[0] > n:
        # pmf(k - 1) / pmf(k) = k q / p / (n - k + 1), as products
        while k >= 4:
            kf = float(k)
            t0 = kf * iq * rec[n - k + 1]
            t1 = (kf - 1.0) * iq * rec[n - k + 2]
            t2 = (kf - 2.0) * iq * rec[n - k + 3]
            p01 = t0 * t1
            w1 = w * t0
            w2 = w * p01
            w3 = w2 * t2
            got, acc = _down_block(k, acc, tail, v, strict, w, w1, w2, w3)
            if got != _GO_ON:
                return got
            t3 = (kf - 3.0) * iq * rec[n - k + 4]
            w = w2 * (t2 * t3)
            k -= 4
    # As _binq_sum, four terms a block: pmf(k - 1) / pmf(k) = k / (n - k + 1) * q / p.
    while k >= 4:
        kf = float(k)
        b0 = nf - kf + 1.0
        b1 = b0 + 1.0
        b2 = b0 + 2.0
        b3 = b0 + 3.0
        b01 = b0 * b1
        b23 = b2 * b3
        r = iq / (b01 * b23)
        t0 = kf * b1 * b23 * r
        t1 = (kf - 1.0) * b0 * b23 * r
        t2 = (kf - 2.0) * b01 * b3 * r
        p01 = t0 * t1
        p012 = p01 * t2
        w1 = w * t0
        w2 = w * p01
        w3 = w * p012
        got, acc = _down_block(k, acc, tail, v, strict, w, w1, w2, w3)
        if got != _GO_ON:
            return got
        t3 = (kf - 3.0) * b01 * b2 * r
        w = w * (p012 * t3)
        k -= 4
    while k >= 0:
        if acc > v or (strict and acc >= v):
            return k + 1
        if acc + tail > v or (strict and acc + tail >= v):
            return -1
        acc += w
        w *= k / (n - k + 1.0) * iq
        k -= 1
    return 0


#: the fast searches start this many SDs from the mode (see _binq_lower)
_FAST_SD = 4.0


@jit
def _binq_lower(n, p, u, strict, lg, lp, lq, rec):
    """Smallest k with F(k) >= u (``strict``: F(k) > u), X ~ Binomial(n, p), p <= 1/2.

    Exact, from the tail the quantile lies in, so that the sum stays small
    and its rounding far below the 2.3e-10 resolution of the 32-bit uniform
    ``u`` (summed from the far end, F near 1 would carry the log-gamma pmf's
    relative error, about 1e-10 at n = 1e5, as an absolute one):

    - u <= 1/2: the pmf summed upward from ``lo = mode - 8 sd - 10``. For
      p <= 1/2 the binomial's lower tail is lighter than the normal's, so the
      mass below ``lo`` is under Phi(-8) ~ 6e-16;
    - u > 1/2: the upper tail summed downward from ``hi = mode + 10 sd + 10``
      until it passes 1 - u, with the mass above ``hi`` bounded by a geometric
      series (the pmf is log-concave, so going away from the mode it falls at
      least as fast as its ratio at ``hi``); the bound is far below the
      uniform's resolution.

    Faster, with the same result: each sum starts :data:`_FAST_SD` SDs from the
    mode, with the mass beyond that start bounded by the geometric series. A
    step is taken only when that bound cannot change it; otherwise (about
    2.6e-4 x sd of the time) the exact sum decides.
    """
    q = 1.0 - p
    mode = int(math.floor((n + 1) * p))
    if mode > n:
        mode = n
    sd = math.sqrt(n * p * q)
    fast = mode + int(_FAST_SD * sd)
    if u > 0.5 and fast < n and fast - mode > 16:
        v = 1.0 - u
        w = _pmf(n, p, fast, lg, lp, lq)
        up = (n - fast) / (fast + 1.0) * p / q  # pmf(fast + 1) / pmf(fast) < 1
        k = _binq_down(n, p, v, strict, fast, w, w * up / (1.0 - up), rec)
        if k >= 0:
            return k
        hi = min(n, mode + int(10.0 * sd) + 10)
        w = _pmf(n, p, hi, lg, lp, lq)
        tail = 0.0
        if hi < n:
            up = (n - hi) / (hi + 1.0) * p / q
            tail = w * up / (1.0 - up)
        k = _binq_down(n, p, v, strict, hi, w, tail, rec)
        if k >= 0:
            return k
    elif u <= 0.5:
        lo = max(0, mode - int(8.0 * sd) - 10)
        fast = mode - int(_FAST_SD * sd)
        if fast - lo > 16:
            w = _pmf(n, p, fast, lg, lp, lq)
            down = fast * q / ((n - fast + 1.0) * p)  # pmf(fast - 1) / pmf(fast) < 1
            k = _binq_sum(n, p, u, strict, fast, w, w * down / (1.0 - down), rec)
            if k >= 0:
                return k
    lo = max(0, mode - int(8.0 * sd) - 10)
    return _binq_sum(n, p, u, strict, lo, _pmf(n, p, lo, lg, lp, lq), 0.0, rec)


@jit
def binomial_quantile(n, p, u):
    """The ``u``-quantile of Binomial(n, p): exact inversion, increasing in ``u``.

    For p <= 1/2 the smallest k with F(k) >= u; for p > 1/2 the same quantile
    through the mirror ``n - X ~ Binomial(n, 1 - p)`` (summing over the
    lighter tail), which is the same function of ``u`` up to ties of
    probability zero. Cost about (4 - |z_u|) binomial SDs of pmf steps, and
    about (8 + |z_u|) in the rare case that the fast search cannot decide.
    """
    return _binomial_quantile_lg(n, p, u, _NO_LG, _NO_LG)


@jit(inline="always")
def _binomial_quantile_lg(n, p, u, lg, rec):
    """:func:`binomial_quantile` with the tables ``lg`` and ``rec`` (log-gammas, 1 / i)."""
    pm = p if p <= 0.5 else 1.0 - p
    return _binomial_quantile_pre(n, p, u, lg, math.log(pm), math.log1p(-pm), rec)


@jit(inline="always")
def _binomial_quantile_pre(n, p, u, lg, lp, lq, rec):
    """:func:`binomial_quantile` given the logs of ``pm = min(p, 1 - p)``.

    ``lp = log(pm)``, ``lq = log1p(-pm)``.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p <= 0.5:
        return _binq_lower(n, p, u, False, lg, lp, lq, rec)
    return n - _binq_lower(n, 1.0 - p, 1.0 - u, True, lg, lp, lq, rec)


@jit(inline="always")
def _uniform(key, d, word):
    return u01_hi(draw_word(key, d, word))


@jit(inline="always")
def _normal(key, d, word):
    """A standard normal from one per-draw word (Box and Muller, both halves)."""
    w = draw_word(key, d, word)
    return math.sqrt(-2.0 * math.log(u01_hi(w))) * math.cos(_TWO_PI * u01_lo(w))


# ------------------------------------------------------------------- cells


@jit
def cell_probabilities(e1, e0, zero, rho, n_res, prob, state):
    """The joint cells of the (at most two) resource goals for one draw.

    ``e1[k]``, ``e0[k]``: goal ``k``'s treated and counterfactual noise
    thresholds; ``zero[k]`` its share with no use at start. Fills
    ``prob[:K]`` and ``state[:K, k]`` (0: no use at start; 1, 2, 3: the noise
    below both thresholds, between them, above both) and returns ``K``.
    """
    edges = np.empty((2, 4))
    grid = np.empty((4, 4))
    ph = np.empty((2, 4))
    sn = np.empty(40)
    den = np.empty(40)
    return _cells(e1, e0, zero, rho, n_res, prob, state, edges, grid, ph, sn, den)


@jit
def _cells(e1, e0, zero, rho, n_res, prob, state, edges, grid, ph, sn, den):
    """:func:`cell_probabilities` with its scratch arrays given (the kernel's, per task)."""
    if n_res == 0:
        prob[0] = 1.0
        return 1
    # interval edges per goal
    for k in range(n_res):
        edges[k, 0] = -math.inf
        edges[k, 1] = min(e1[k], e0[k])
        edges[k, 2] = max(e1[k], e0[k])
        edges[k, 3] = math.inf
    if n_res == 1:
        z = min(max(zero[0], 0.0), 1.0)
        prob[0] = z
        state[0, 0] = 0
        for j in range(3):
            prob[1 + j] = (1.0 - z) * _mass(edges[0, j], edges[0, j + 1])
            state[1 + j, 0] = 1 + j
        return 4
    z0 = min(max(zero[0], 0.0), 1.0)
    z1 = min(max(zero[1], 0.0), 1.0)
    zlo = min(z0, z1)
    zhi = max(z0, z1)
    hi = 0 if z0 >= z1 else 1  # the goal with no use in the band zlo <= u < zhi
    other = 1 - hi
    prob[0] = zlo
    state[0, 0] = 0
    state[0, 1] = 0
    for j in range(3):
        prob[1 + j] = (zhi - zlo) * _mass(edges[other, j], edges[other, j + 1])
        state[1 + j, hi] = 0
        state[1 + j, other] = 1 + j
    # F on the 4 x 4 grid of edges, then rectangles; Phi of each edge and the
    # nodes once (bit for bit as bvn_cdf computes them for each point)
    _bvn_rule(rho, sn, den)
    asr = math.asin(rho) / 2.0 if abs(rho) < 0.925 else 0.0
    for k in range(2):
        for i in range(4):
            ph[k, i] = _phi(edges[k, i])
    for i in range(4):
        for j in range(4):
            grid[i, j] = _bvn_cdf_pre(
                edges[0, i], edges[1, j], rho, sn, den, asr, ph[0, i], ph[1, j]
            )
    K = 4
    for i in range(3):
        for j in range(3):
            m = grid[i + 1, j + 1] - grid[i, j + 1] - grid[i + 1, j] + grid[i, j]
            prob[K] = (1.0 - zhi) * max(m, 0.0)
            state[K, 0] = 1 + i
            state[K, 1] = 1 + j
            K += 1
    return K


@jit
def _chain(prob, K, cp, clp, clq):
    """The conditional probabilities of :func:`_multinomial`'s chain of binomials.

    They depend on the cells' probabilities alone, not on the count split, so
    a draw's cohorts share them (and the logs of :func:`_pmf`): ``cp[j]`` is
    cell ``j``'s probability given the cells before it, 1.0 where it takes the
    rest; ``clp[j]``, ``clq[j]`` are log(pm) and log1p(-pm), pm = min(cp[j], 1 - cp[j]).
    """
    tail = 0.0
    for j in range(K):
        tail += prob[j]
    for j in range(K):
        p = prob[j] / tail if tail > 0.0 else 1.0
        tail -= prob[j]
        if p >= 1.0 or tail <= 0.0:
            p = 1.0
        cp[j] = p
        pm = p if p <= 0.5 else 1.0 - p
        clp[j] = math.log(pm)
        clq[j] = math.log1p(-pm)


@jit
def _multinomial(n, K, cp, clp, clq, lg, rec, key, d, word0, out):
    """Counts of ``n`` over ``K`` cells by a chain of quantile binomials.

    ``cp``, ``clp``, ``clq`` from :func:`_chain`; ``lg``, ``rec`` the tables of
    :func:`lgamma_table` and :func:`reciprocal_table`.
    Cell ``j`` uses the per-draw word ``word0 + j``; the last cell takes the rest.
    """
    left = n
    for j in range(K):
        if j == K - 1 or left == 0 or cp[j] >= 1.0:
            out[j] = left
            left = 0
            continue
        u = _uniform(key, d, word0 + j)
        m = _binomial_quantile_pre(left, cp[j], u, lg, clp[j], clq[j], rec)
        out[j] = m
        left -= m


@jit
def _truncated_moments(lo, hi, sig):
    """E[L] and E[L^2] for L = exp(sig Z - sig^2 / 2), Z standard normal within (lo, hi)."""
    mass = _mass(lo, hi)
    if mass <= 0.0:
        return 1.0, math.exp(sig * sig)
    m1 = _mass(lo - sig, hi - sig) / mass
    m2 = math.exp(sig * sig) * _mass(lo - 2.0 * sig, hi - 2.0 * sig) / mass
    return m1, m2


@jit
def _masses(lo, hi, out, o):
    """``_mass(-inf, lo)``, ``_mass(lo, hi)``, ``_mass(hi, inf)`` into ``out[o:o + 3]``.

    Bit for bit as the three calls, each erfc computed once (the three
    intervals share their edges): ``erfc(inf) = 0`` and ``erfc(-inf) = 2``.
    """
    a_ = 0.0  # erfc(-lo / sqrt2)
    has_a = False
    if lo <= -math.inf:
        out[o] = 0.0
    else:
        a_ = math.erfc(-lo / _SQRT2)
        has_a = True
        out[o] = 0.5 * a_
    b_ = 0.0  # erfc(-hi / sqrt2)
    has_b = False
    d_ = 0.0  # erfc(hi / sqrt2)
    has_d = False
    if hi <= lo:
        out[o + 1] = 0.0
    elif lo > 0.0:
        d_ = math.erfc(hi / _SQRT2)
        has_d = True
        out[o + 1] = 0.5 * (math.erfc(lo / _SQRT2) - d_)
    else:
        if not has_a:
            a_ = math.erfc(-lo / _SQRT2)
        b_ = math.erfc(-hi / _SQRT2)
        has_b = True
        out[o + 1] = 0.5 * (b_ - a_)
    if hi >= math.inf:
        out[o + 2] = 0.0
    elif hi > 0.0:
        if not has_d:
            d_ = math.erfc(hi / _SQRT2)
        out[o + 2] = 0.5 * d_
    else:
        if not has_b:
            b_ = math.erfc(-hi / _SQRT2)
        out[o + 2] = 0.5 * (2.0 - b_)


@jit
def _interval_moments(lo, hi, sig, lm1, lm2, k, mass):
    """:func:`_truncated_moments` of the three intervals cut at ``lo <= hi`` into row ``k``.

    Bit for bit as three calls, with the masses of :func:`_masses` and one
    exp; ``mass`` is scratch of 9. A ``sig`` whose double is not finite takes
    the three calls (``-inf - sig`` is then not ``-inf``).
    """
    if not abs(2.0 * sig) < math.inf:
        a, b = _truncated_moments(-math.inf, lo, sig)
        lm1[k, 0], lm2[k, 0] = a, b
        a, b = _truncated_moments(lo, hi, sig)
        lm1[k, 1], lm2[k, 1] = a, b
        a, b = _truncated_moments(hi, math.inf, sig)
        lm1[k, 2], lm2[k, 2] = a, b
        return
    es = math.exp(sig * sig)
    _masses(lo, hi, mass, 0)
    _masses(lo - sig, hi - sig, mass, 3)
    _masses(lo - 2.0 * sig, hi - 2.0 * sig, mass, 6)
    for t in range(3):
        if mass[t] <= 0.0:
            lm1[k, t] = 1.0
            lm2[k, t] = es
        else:
            lm1[k, t] = mass[3 + t] / mass[t]
            lm2[k, t] = es * mass[6 + t] / mass[t]


@jit_parallel
def aggregate_chunk(
    draw0, key, first_word, params, referred0, goal_kind, log_keep, zero_success, res_goals,
    score_goals, cost_col, score_top, low_max, start_cdf, pidx, cost_table, group_cdf,
    auth_goal, cohort_cdf, payment, goal_payer, cap, repay_order, disb_amount, flow_order,
    flow_t, flow_year, n_years, rate, saving_factor, ret_mode, ret_min, ret_amount, ret_count,
    ret_void, ret_flow, floor_amount, floor_flow, n_threads, lg, rec,
    out_referred, out_measured, out_successes, out_deadweight, out_repaid, out_cash_year,
    out_irr, out_irr_status, out_npv, out_moic, out_saving, out_dw_share, out_clause,
):  # fmt: skip
    """Draws ``draw0 .. draw0 + n - 1`` by cell counts; outputs as the per-citizen kernel's.

    ``out_*`` are those of :func:`simrisk.kinds.contract._kernel.simulate_chunk`
    (first axis: draw within the chunk); values are cast on store. ``lg``: a
    table of lgamma(i + 1) (:func:`lgamma_table`; any length, empty computes each),
    ``rec`` one of 1 / i (:func:`reciprocal_table`; used where it reaches the count).
    """
    n = params.shape[0]
    n_goals = goal_kind.shape[0]
    n_cohort = cohort_cdf.shape[0]
    n_flow = flow_t.shape[0]
    n_auth = auth_goal.shape[0]
    n_res = res_goals.shape[0]
    n_score = score_goals.shape[0]
    t_sorted = flow_t[flow_order]
    share = np.empty(n_cohort)
    prev = 0.0
    for c in range(n_cohort):
        share[c] = cohort_cdf[c] - prev
        prev = cohort_cdf[c]
    # disease groups' cost moments per resource goal
    n_group = cost_table.shape[0]
    cost_m1 = np.zeros(max(n_res, 1))
    cost_m2 = np.zeros(max(n_res, 1))
    prev = 0.0
    for grp in range(n_group):
        wg = group_cdf[grp] - prev
        prev = group_cdf[grp]
        for k in range(n_res):
            col = cost_col[res_goals[k]]
            if col >= 0:
                cost_m1[k] += wg * cost_table[grp, col]
                cost_m2[k] += wg * cost_table[grp, col] ** 2
    block = min(BLOCK, max(1, n // (4 * max(n_threads, 1))))
    n_blocks = (n + block - 1) // block
    for bk in prange(n_blocks):
        e1 = np.zeros(2)
        e0 = np.zeros(2)
        zero = np.zeros(2)
        sig = np.zeros(2)
        sav = np.zeros(2)
        prob = np.zeros(MAX_CELLS)
        state = np.zeros((MAX_CELLS, 2), np.int64)
        lm1 = np.ones((2, 3))
        lm2 = np.ones((2, 3))
        sprob = np.zeros(3)
        meas_c = np.zeros(n_cohort, np.int64)
        succ = np.zeros((n_cohort, n_goals))
        dw = np.zeros((n_cohort, n_goals))
        saving_cg = np.zeros((n_cohort, n_goals))
        cells = np.zeros(MAX_CELLS, np.int64)
        scells = np.zeros(3, np.int64)
        in_int = np.zeros((2, 3), np.int64)
        meas = np.empty(n_cohort)
        uncapped = np.empty((n_cohort, n_goals))
        repaid = np.empty((n_cohort, n_goals))
        by_cohort = np.empty(n_cohort)
        flow = np.empty(n_flow)
        flow_s = np.empty(n_flow)
        work_t = np.empty(n_flow)
        work_c = np.empty(n_flow)
        # the chains' conditional probabilities: cohorts (fixed), cells and score cells
        # (per draw, shared by the draw's cohorts)
        cp_c = np.empty(n_cohort)
        lp_c = np.empty(n_cohort)
        lq_c = np.empty(n_cohort)
        _chain(share, n_cohort, cp_c, lp_c, lq_c)
        edges = np.empty((2, 4))
        grid = np.empty((4, 4))
        ph = np.empty((2, 4))
        sn = np.empty(40)
        den = np.empty(40)
        mass = np.empty(9)
        cp = np.empty(MAX_CELLS)
        lp = np.empty(MAX_CELLS)
        lq = np.empty(MAX_CELLS)
        cp_s = np.empty(3)
        lp_s = np.empty(3)
        lq_s = np.empty(3)
        for j in range(bk * block, min(n, (bk + 1) * block)):
            d = draw0 + j
            pr = params[j]
            n_ref = int(math.floor(referred0 * pr[0] + 0.5))
            if n_ref < 0:
                n_ref = 0
            ret = min(max(pr[1], 0.0), 1.0)
            rho = pr[2]
            prob[:] = 0.0
            state[:, :] = 0
            sprob[:] = 0.0
            succ[:, :] = 0.0
            dw[:, :] = 0.0
            saving_cg[:, :] = 0.0
            out_referred[j] = n_ref
            # the per-citizen kernel's uniform; its quantile by the faster exact inversion
            n_meas = _binomial_quantile_lg(
                n_ref, ret, u01_hi(draw_word(key, d, first_word)), lg, rec
            )

            for k in range(n_res):
                g = res_goals[k]
                eff = pr[pidx[g, 1]]
                sg = pr[pidx[g, 2]]
                drift = pr[pidx[g, 0]]
                sig[k] = sg
                e1[k] = (log_keep[g] - drift - eff) / sg
                e0[k] = (log_keep[g] - drift) / sg
                zero[k] = pr[pidx[g, 3]]
                sav[k] = math.exp(drift) * (1.0 - math.exp(eff))
            K = _cells(e1, e0, zero, rho, n_res, prob, state, edges, grid, ph, sn, den)
            # saving moments per goal and interval
            for k in range(n_res):
                _interval_moments(min(e1[k], e0[k]), max(e1[k], e0[k]), sig[k], lm1, lm2, k, mass)
            # score goal: deadweight, success only, neither
            s_caused = 1.0
            if n_score == 1:
                g = score_goals[0]
                eff = pr[pidx[g, 1]]
                sg = pr[pidx[g, 2]]
                prev = 0.0
                pdw = 0.0
                pmid = 0.0
                # the start score's mean takes two values: four Phi's, not two a score
                mu = pr[pidx[g, 4]]
                a_low = _phi((mu + eff - 0.5) / sg)
                b_low = _phi((mu - 0.5) / sg)
                mu = pr[pidx[g, 5]]
                a_high = _phi((mu + eff - 0.5) / sg)
                b_high = _phi((mu - 0.5) / sg)
                for s in range(score_top[g]):
                    ws = start_cdf[g, s] - prev
                    prev = start_cdf[g, s]
                    a = a_low if s <= low_max[g] else a_high
                    b = b_low if s <= low_max[g] else b_high
                    pdw += ws * min(a, b)
                    pmid += ws * abs(a - b)
                sprob[0] = pdw
                sprob[1] = pmid
                sprob[2] = max(1.0 - pdw - pmid, 0.0)
                s_caused = 1.0 if eff > 0.0 else 0.0

            # measured per cohort
            _chain(prob, K, cp, lp, lq)
            if n_score == 1:
                _chain(sprob, 3, cp_s, lp_s, lq_s)
            _multinomial(
                n_meas, n_cohort, cp_c, lp_c, lq_c, lg, rec, key, d, first_word + 1, meas_c
            )

            for c in range(n_cohort):
                m = meas_c[c]
                word0 = first_word + n_cohort + c * WORDS_PER_COHORT
                _multinomial(m, K, cp, lp, lq, lg, rec, key, d, word0, cells)
                in_int[:, :] = 0
                for cell in range(K):
                    cnt = cells[cell]
                    for k in range(n_res):
                        g = res_goals[k]
                        st = state[cell, k]
                        if st == 0:
                            succ[c, g] += cnt * zero_success[g]
                            dw[c, g] += cnt * zero_success[g]
                        else:
                            in_int[k, st - 1] += cnt
                            if st == 1:
                                succ[c, g] += cnt
                                dw[c, g] += cnt
                            elif st == 2 and e1[k] > e0[k]:
                                succ[c, g] += cnt
                for k in range(n_res):
                    g = res_goals[k]
                    if cost_col[g] < 0:
                        continue
                    acc = 0.0
                    for t in range(3):
                        cnt = in_int[k, t]
                        if cnt == 0:
                            continue
                        mean = cost_m1[k] * lm1[k, t]
                        var = max(cost_m2[k] * lm2[k, t] - mean * mean, 0.0)
                        z = _normal(key, d, word0 + _NORMAL_WORD + 3 * k + t)
                        acc += max(cnt * mean + math.sqrt(cnt * var) * z, 0.0)
                    saving_cg[c, g] = sav[k] * acc
                if n_score == 1:
                    g = score_goals[0]
                    _multinomial(
                        m, 3, cp_s, lp_s, lq_s, lg, rec, key, d, word0 + _SCORE_WORD, scells
                    )
                    succ[c, g] = scells[0] + s_caused * scells[1]
                    dw[c, g] = scells[0]

            # Contract: as the per-citizen kernel.
            for c in range(n_cohort):
                meas[c] = meas_c[c]
                out_measured[j, c] = meas_c[c]
                for g in range(n_goals):
                    uncapped[c, g] = succ[c, g] * payment[g]
                    out_successes[j, c, g] = succ[c, g]
                    out_deadweight[j, c, g] = dw[c, g]
            ret_pay = retention_clause_core(
                meas, ret_mode, ret_min, ret_amount, ret_count, ret_void, uncapped
            )
            apply_caps_core(uncapped, goal_payer, cap, repay_order, repaid)
            total = 0.0
            dw_paid = 0.0
            for c in range(n_cohort):
                by_cohort[c] = 0.0
                for g in range(n_goals):
                    v = repaid[c, g]
                    out_repaid[j, c, g] = v
                    by_cohort[c] += v
                    total += v
                    if succ[c, g] > 0.0:
                        dw_paid += v * dw[c, g] / succ[c, g]
            out_dw_share[j] = dw_paid / total if total > 0.0 else np.nan
            dsi_cash_flow_core(by_cohort, disb_amount, flow)
            floor_pay = floor_topup_core(total + ret_pay, floor_amount)
            if ret_flow >= 0:
                flow[ret_flow] = ret_pay
            if floor_flow >= 0:
                flow[floor_flow] = floor_pay
            out_clause[j, 0] = ret_pay
            out_clause[j, 1] = floor_pay
            for y in range(n_years):
                out_cash_year[j, y] = 0.0
            for f in range(n_flow):
                out_cash_year[j, flow_year[f]] += flow[f]
                flow_s[f] = flow[flow_order[f]]
            irr, status = irr_sorted_core(t_sorted, flow_s, work_t, work_c)
            out_irr[j] = irr
            out_irr_status[j] = status
            out_npv[j] = npv_core(rate, flow_t, flow)
            out_moic[j] = moic_core(flow)
            for a in range(n_auth):
                acc = 0.0
                for c in range(n_cohort):
                    acc += saving_cg[c, auth_goal[a]] * saving_factor[c, a]
                out_saving[j, a] = acc


_LG = [np.empty(0), np.empty(0)]


def _lgamma_table(params: np.ndarray, referred: float) -> tuple[np.ndarray, np.ndarray]:
    """Tables of lgamma(i + 1) and 1 / i reaching the chunk's largest count, kept for the process.

    Built once (about 20 ns an entry) and grown when a chunk needs more; at
    most :data:`LG_TABLE_MAX` entries, larger counts compute their log-gammas
    and ratios.
    """
    top = 0.0
    if params.shape[0]:
        with np.errstate(invalid="ignore"):
            top = float(np.nanmax(params[:, 0], initial=0.0)) * referred
    need = int(min(max(top, 0.0) + 2.0, float(LG_TABLE_MAX)))
    lg, rec = _LG
    if lg.shape[0] < need:
        lg = np.empty(max(need, min(2 * lg.shape[0], LG_TABLE_MAX)))
        lgamma_table(lg)
        rec = np.empty(lg.shape[0])
        reciprocal_table(rec)
        _LG[:] = [lg, rec]
    return lg, rec


def run_aggregate(inp, draw0: int, params: np.ndarray, key, buf) -> None:
    """One chunk through :func:`aggregate_chunk` into the output arrays ``buf``."""
    import numba

    c = inp.contract
    lg, rec = _lgamma_table(params, float(c.referred))
    first_word = (params.shape[1] + 1) // 2
    aggregate_chunk(
        np.int64(draw0), key, np.int64(first_word), params, float(c.referred),
        inp.goal_kind, inp.log_keep, inp.zero_success, inp.res_goals, inp.score_goals,
        inp.cost_col, inp.score_top, inp.low_max, inp.start_cdf, inp.pidx, inp.cost_table,
        inp.group_cdf, inp.auth_goal, inp.cohort_cdf, c.payment, c.goal_payer, c.cap,
        c.repay_order, c.disb_amount, inp.flow_order, inp.flow_t, inp.flow_year,
        len(inp.years), float(inp.rate), inp.saving_factor,
        np.int64(c.ret_mode), float(c.ret_min), float(c.ret_amount), c.ret_count, c.ret_void,
        np.int64(c.ret_flow), float(c.floor_amount), np.int64(c.floor_flow),
        np.int64(numba.get_num_threads()), lg, rec,
        buf["referred"], buf["measured"], buf["successes"], buf["deadweight"],
        buf["repaid"], buf["cash_year"], buf["irr"], buf["irr_status"], buf["npv"],
        buf["moic"], buf["saving"], buf["dw_share"], buf["clause"],
    )  # fmt: skip
