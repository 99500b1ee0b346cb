"""The per-citizen Monte Carlo kernel (Numba; ranges of draws run on threads).

Inputs come as one record (:data:`~simrisk.kinds.contract.inputs.KernelInputs`,
a named tuple built once per run) and outputs as another. Each goal shape's
citizen loop has its own compiled entry (:func:`chunk_kernel`), so a run
compiles only the loop it needs; the per-draw steps around it are inlined
into each entry. The entries are serial and release the GIL, and
:func:`simulate_chunk` runs contiguous ranges of draws on a thread pool:
no Numba ``parallel=True``, whose compilation of the record-taking loop cost
several times the rest (``benchmarks/compile_time.py``).

Pure: arrays in, preallocated arrays out; no Python objects, no I/O. Every
random number is the SplitMix64 output at a position fixed by
``(draw, citizen, slot)`` (:mod:`simrisk.core.rng`), so a draw's result depends
on nothing but the seed, the config and the draw's index.

Per draw: the number measured is Binomial(referred, retention), drawn by
exact inversion of one uniform (the per-draw word after the parameters'); it is the
sum of the citizens' independent Bernoulli(retention) retention draws, and
only measured citizens need outcomes. Per measured citizen ``i``:

- slot 0: ``u1`` the cohort (by the cohorts' shares) and, rescaled within
  the cohort, the citizen's disease group (cost basis); ``u2`` zero
  baseline use. Slot 1: ``u3`` start score; ``u4`` the score noise.
- slots 2, 3, ...: one standard normal per resource goal (ziggurat,
  :func:`simrisk.core.rng.normal_at`); goal k >= 1 gets
  ``rho * z0 + sqrt(1 - rho^2) * zk``.

The counterfactual (no intervention) uses the same noise with the effect
set to zero, so each success is marked caused or deadweight.

The authorities' modelled caused saving: a measured citizen with use at start
saves ``cost * exp(drift) * (1 - exp(effect)) * exp(sigma * eps - sigma^2 / 2)``
of the first year's use (``cost`` is the BIS excess cost of the citizen's
disease group). The ``- sigma^2 / 2`` makes the noise mean-preserving: the
average counterfactual level is ``exp(drift)`` of the start, as the drift
prior says, instead of ``exp(drift + sigma^2 / 2)``. Success is decided on
the same ``eps`` as before. The horizon, persistence and the payer's
discounting enter through ``saving_factor[cohort, authority]``.
"""

from __future__ import annotations

import math

import numpy as np

from simrisk.core import jit
from simrisk.core.finance import irr_sorted_core, moic_core, npv_core
from simrisk.core.rng import (
    GAMMA,
    LOW_CITIZENS,
    SLOTS,
    ZIG_K,
    ZIG_W,
    citizen_base,
    draw_word,
    normal_at,
    u01_hi,
    u01_lo,
    word_at,
)
from simrisk.kinds.contract.contract import (
    apply_caps_core,
    apply_caps_dated_core,
    dated_cash_flow_core,
    dsi_cash_flow_core,
    floor_topup_core,
    gate_cancel_core,
    gate_engaged_probability,
    goal_caps_core,
    goal_caps_dated_core,
    retention_clause_core,
)
from simrisk.kinds.contract.inputs import KernelInputs, KernelOutputs

__all__ = [
    "BLOCKS_PER_THREAD",
    "KernelInputs",
    "KernelOutputs",
    "binomial_inverse",
    "chunk_kernel",
    "simulate_chunk",
]

_SQRT2 = math.sqrt(2.0)


def _glibc_exp_address():
    """The address of glibc's ``__ieee754_exp`` (exported as ``__exp_finite``), or None.

    Numba's ``math.exp`` ends in a call of ``exp`` that the JIT links to the
    symbol version ``exp@GLIBC_2.2.5``: a wrapper (``math/w_exp_compat.c``,
    SVID error handling) around ``__ieee754_exp``, about 17 of the roughly 50
    instructions a call (callgrind). The wrapper returns ``__ieee754_exp``'s
    value unchanged, except when that value is infinite or zero for a finite
    argument: then it sets ``errno`` and returns ``__kernel_standard``'s +inf
    (overflow) or +0 (underflow), the very values ``__ieee754_exp`` returned.
    So calling ``__ieee754_exp`` directly gives the same bits (and the same
    CPU-dependent variant: both go through glibc's ifunc). glibc exports it
    as ``__exp_finite`` (the ``-ffinite-math-only`` entry point; since 2.31 a
    compatibility symbol, which glibc keeps for its ABI). Off glibc, the
    kernel calls ``math.exp`` as before. ``tests/test_kernel.py`` checks the
    two, bit for bit, on two million arguments and the overflow, underflow,
    infinite and NaN ones.
    """
    import ctypes
    import ctypes.util

    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m"))
        dlvsym = ctypes.CDLL(None).dlvsym
    except (OSError, AttributeError, TypeError):
        return None
    dlvsym.restype = ctypes.c_void_p
    dlvsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    # The symbol's first version: 2.15 on x86-64, 2.17 on aarch64 (the port's first).
    for version in (b"GLIBC_2.15", b"GLIBC_2.17"):
        address = dlvsym(libm._handle, b"__exp_finite", version)
        if address:
            return address
    return None


_EXP_ADDRESS = _glibc_exp_address()
if _EXP_ADDRESS is not None:
    import llvmlite.binding
    from numba import types

    llvmlite.binding.add_symbol("simrisk_exp", _EXP_ADDRESS)
    _exp = types.ExternalFunction("simrisk_exp", types.float64(types.float64))
else:

    @jit(inline="always")
    def _exp(x):
        return math.exp(x)


@jit(inline="always")
def _phi(x):
    return 0.5 * math.erfc(-x / _SQRT2)


_U1 = np.uint64(1)
_S32 = np.uint64(32)
_LAYER = np.uint64(0x7F)
_HALF32 = 2147483648
#: citizen_base(key, d, i + 1) - citizen_base(key, d, i) (modulo 2**64) for i + 1 < LOW_CITIZENS
_BASE_STEP = np.uint64(SLOTS * int(GAMMA) % 2**64)


@jit(inline="always")
def _normal(base, slot):
    """:func:`~simrisk.core.rng.normal_at` with the ziggurat's common exit (the
    first word accepted, about 98.8% of calls) written out, so that the call
    and its loop are only entered for the rest; the same value and next slot."""
    w = word_at(base, slot)
    hz = np.int64(w >> _S32) - _HALF32
    iz = w & _LAYER
    if abs(hz) < ZIG_K[iz]:
        return hz * ZIG_W[iz], slot + 1
    return normal_at(base, slot)


@jit(inline="always")
def _guided(cdf, guide, cdf0, guide0, size, u):
    """Inverse CDF of a discrete distribution with a guide table (Chen 1974).

    The table is ``cdf[cdf0:]`` with guide ``guide[guide0 : guide0 + size]``
    (``guide[m]``: the first k with cdf[k] > m / size); returns the first k
    with ``cdf[k] > u`` (cdf's last entry is 1 > u). One step is taken without
    a branch (``k += u >= cdf[k]``), which is all the guide tables of the
    shipped configs ever need; the loop after it is for the rare further step,
    so its branch is nearly always predicted. Indices are unsigned, which
    spares Numba's negative-index wraparound.
    """
    k = guide[guide0 + np.uint64(int(u * size))]
    k += np.uint64(u >= cdf[cdf0 + k])
    while u >= cdf[cdf0 + k]:
        k += _U1
    return k


@jit
def binomial_inverse(n, p, u):
    """Smallest k with P(Binomial(n, p) <= k) >= u.

    Sequential search upward from ``lo = mode - 10 sd - 10`` with the pmf
    recurrence, starting from the log-pmf at ``lo`` (a difference of
    ``math.lgamma`` values). The mass below ``lo`` is below exp(-50) ~ 2e-22,
    but the start carries the log-gammas' rounding (about the double's
    epsilon times n log n) as a relative error into every term, so the
    cumulative sum is off by up to 5e-13 at n = 700, 2e-11 at 1e4, 2.4e-10
    at 1e5 and 2.3e-9 at 1e6 (measured against ``scipy.stats.binom.cdf``
    within 3 SDs of the mode). From about 1e5 that is the 2.3e-10 resolution
    of the 32-bit uniform ``u``: a draw whose ``u`` falls that close to a
    step of the CDF (probability about the error, ~1e-10 per draw at 1e5)
    gets the neighbouring count. Kept as it is: this kernel is the model of
    record and its draws are pinned; the aggregated path's
    :func:`~simrisk.kinds.contract._aggregate.binomial_quantile` sums from the
    tail the quantile lies in and is exact.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    q = 1.0 - p
    mode = int(math.floor((n + 1) * p))
    if mode > n:
        mode = n
    sd = math.sqrt(n * p * q)
    lo = max(0, mode - int(10.0 * sd) - 10)
    log_w = (
        math.lgamma(n + 1.0)
        - math.lgamma(lo + 1.0)
        - math.lgamma(n - lo + 1.0)
        + lo * math.log(p)
        + (n - lo) * math.log(q)
    )
    w = math.exp(log_w)
    ratio = p / q
    acc = 0.0
    for k in range(lo, n + 1):
        acc += w
        if acc >= u:
            return k
        w *= (n - k) / (k + 1.0) * ratio
    return n


#: fields of ``_citizens``'s per-goal constants ``r[k * R_FIELDS + f]``
R_E1, R_E0, R_ZERO, R_ZS, R_SIG, R_HV, R_SAV, R_COSTED = range(8)
R_FIELDS = 8


@jit
def _citizens(
    key, d, n_meas, rho, rho_c, n_goals, cohort_cdf, cohort_guide, cohort_lw, group_cdf,
    group_guide, res_goal, r, r_cost, score_goal, start_cdf, start_guide, max_top, p1, p0,
    meas, tally, bin_goal, stg_goal, stg_first,
):  # fmt: skip
    """The measured citizens of draw ``d``: adds their counts into ``meas[c]`` and
    ``tally[3 * (c * n_goals + g) + f]`` (``f``: 0 successes, 1 deadweight, 2 saving).

    A function of its own (not inlined into the parallel loop), with few
    arrays (each array argument costs Numba several registers), so that the
    compiler keeps this loop's values in registers. Every index is unsigned
    (``uint64`` tables), which spares Numba's negative-index wraparound.
    ``r[k * R_FIELDS + f]`` holds the draw's constants of resource goal ``k``
    (slot order), ``r_cost[grp * R + k]`` the cost basis, ``cohort_lw[2 * c]``
    and ``[2 * c + 1]`` the cohort's lower cdf and width, and the score goals'
    tables are flat (``start_cdf[g * max_top + s]``, ``start_guide[g * size +
    m]``, ``p1[g * max_top + s]``). A binary goal ``g`` reads its probabilities
    from ``p1[g * max_top]`` and ``p0[g * max_top]`` and the high half of the
    word at the first slot after the normals (one slot per binary goal). A stage
    ``g`` of a staged goal reads its probabilities the same way and the high half of
    the word at the next slot after the binary goals' (one slot per stage); it is
    reached only if the previous stage was (``stg_first``: a goal's first stage),
    with and without the intervention apart.
    """
    n_res = res_goal.shape[0]
    n_score = score_goal.shape[0]
    n_bin = bin_goal.shape[0]
    G = np.uint64(n_goals)
    R = np.uint64(n_res)
    F = np.uint64(R_FIELDS)
    top = np.uint64(max_top)
    size_c = np.uint64(cohort_guide.shape[0])
    size_g = np.uint64(group_guide.shape[0])
    size_s = np.uint64(start_guide.shape[0] // max(n_goals, 1))
    zero = np.uint64(0)
    three = np.uint64(3)
    two = np.uint64(2)
    # citizen_base(key, d, i) for the citizens below LOW_CITIZENS, one step at a time.
    base_low = citizen_base(key, d, 0)
    for i in range(n_meas):
        if i < LOW_CITIZENS:
            base = base_low
            base_low += _BASE_STEP
        else:
            base = citizen_base(key, d, i)
        w0 = word_at(base, 0)
        w1 = word_at(base, 1)
        u1 = u01_hi(w0)
        c = _guided(cohort_cdf, cohort_guide, zero, zero, size_c, u1)
        v = (u1 - cohort_lw[two * c]) / cohort_lw[two * c + _U1]
        meas[c] += 1.0
        u2 = u01_lo(w0)
        u3 = u01_hi(w1)
        u4 = u01_lo(w1)
        grp = _guided(group_cdf, group_guide, zero, zero, size_g, v)
        cg = c * G
        slot = 2
        z0 = 0.0
        for kk in range(n_res):
            k = np.uint64(kk)
            if kk == 0:
                z0, slot = _normal(base, slot)
                eps = z0
            else:
                zk, slot = _normal(base, slot)
                eps = rho * z0 + rho_c * zk
            ix = three * (cg + res_goal[k])
            rk = k * F
            if u2 < r[rk + R_ZERO]:
                tally[ix] += r[rk + R_ZS]
                tally[ix + _U1] += r[rk + R_ZS]
                continue
            s1 = 1.0 if eps <= r[rk + R_E1] else 0.0
            s0 = 1.0 if eps <= r[rk + R_E0] else 0.0
            tally[ix] += s1
            tally[ix + _U1] += s1 * s0
            if r[rk + R_COSTED] != 0.0:
                tally[ix + two] += (
                    r_cost[grp * R + k] * r[rk + R_SAV] * _exp(r[rk + R_SIG] * eps - r[rk + R_HV])
                )
        for kk in range(n_score):
            g = score_goal[np.uint64(kk)]
            s_start = _guided(start_cdf, start_guide, g * top, g * size_s, size_s, u3)
            ix = three * (cg + g)
            s1 = 1.0 if u4 < p1[g * top + s_start] else 0.0
            s0 = 1.0 if u4 < p0[g * top + s_start] else 0.0
            tally[ix] += s1
            tally[ix + _U1] += s1 * s0
        for kk in range(n_bin):
            g = bin_goal[np.uint64(kk)]
            u = u01_hi(word_at(base, slot + kk))
            ix = three * (cg + g)
            s1 = 1.0 if u < p1[g * top] else 0.0
            s0 = 1.0 if u < p0[g * top] else 0.0
            tally[ix] += s1
            tally[ix + _U1] += s1 * s0
        a1 = 0.0
        a0 = 0.0
        for kk in range(stg_goal.shape[0]):
            g = stg_goal[np.uint64(kk)]
            if stg_first[kk]:
                a1 = 1.0
                a0 = 1.0
            u = u01_hi(word_at(base, slot + n_bin + kk))
            a1 = a1 if u < p1[g * top] else 0.0
            a0 = a0 if u < p0[g * top] else 0.0
            ix = three * (cg + g)
            tally[ix] += a1
            tally[ix + _U1] += a1 * a0


@jit
def _citizens_r2s1(
    key, d, n_meas, rho, rho_c, n_goals, cohort_cdf, cohort_guide, cohort_lw, group_cdf,
    group_guide, res_goal, r, r_cost, score_goal, start_cdf, start_guide, max_top, p1, p0,
    meas, tally,
):  # fmt: skip
    """:func:`_citizens` for the common shape, two resource goals and one score goal.

    The same arithmetic on the same values in the same order (so the same
    bits), with the goal loops unrolled and every per-draw constant and table
    offset read once into a local before the citizen loop, so that the loop
    body holds no goal index arithmetic and fewer reloads.
    """
    F = np.uint64(R_FIELDS)
    R = np.uint64(2)
    top = np.uint64(max_top)
    G = np.uint64(n_goals)
    size_c = np.uint64(cohort_guide.shape[0])
    size_g = np.uint64(group_guide.shape[0])
    size_s = np.uint64(start_guide.shape[0] // max(n_goals, 1))
    zero = np.uint64(0)
    three = np.uint64(3)
    two = np.uint64(2)
    one = np.uint64(1)
    # Goal 0 (slot order), goal 1, the score goal: their constants this draw.
    g0 = res_goal[zero]
    e1_0 = r[R_E1]
    e0_0 = r[R_E0]
    zero_0 = r[R_ZERO]
    zs_0 = r[R_ZS]
    sig_0 = r[R_SIG]
    hv_0 = r[R_HV]
    sav_0 = r[R_SAV]
    costed_0 = r[R_COSTED] != 0.0
    g1 = res_goal[one]
    e1_1 = r[F + R_E1]
    e0_1 = r[F + R_E0]
    zero_1 = r[F + R_ZERO]
    zs_1 = r[F + R_ZS]
    sig_1 = r[F + R_SIG]
    hv_1 = r[F + R_HV]
    sav_1 = r[F + R_SAV]
    costed_1 = r[F + R_COSTED] != 0.0
    gs = score_goal[zero]
    cdf0_s = gs * top
    guide0_s = gs * size_s
    # citizen_base(key, d, i) for the citizens below LOW_CITIZENS, one step at a time.
    base_low = citizen_base(key, d, 0)
    for i in range(n_meas):
        if i < LOW_CITIZENS:
            base = base_low
            base_low += _BASE_STEP
        else:
            base = citizen_base(key, d, i)
        w0 = word_at(base, 0)
        w1 = word_at(base, 1)
        u1 = u01_hi(w0)
        c = _guided(cohort_cdf, cohort_guide, zero, zero, size_c, u1)
        v = (u1 - cohort_lw[two * c]) / cohort_lw[two * c + _U1]
        meas[c] += 1.0
        u2 = u01_lo(w0)
        u3 = u01_hi(w1)
        u4 = u01_lo(w1)
        grp = _guided(group_cdf, group_guide, zero, zero, size_g, v)
        cg = c * G
        # normal_at(base, 2) and the next, with the ziggurat's common exit (its first
        # word accepted) written out; anything else calls normal_at itself.
        w = word_at(base, 2)
        hz = np.int64(w >> _S32) - _HALF32
        iz = w & _LAYER
        if abs(hz) < ZIG_K[iz]:
            z0 = hz * ZIG_W[iz]
            w = word_at(base, 3)
            hz = np.int64(w >> _S32) - _HALF32
            iz = w & _LAYER
            if abs(hz) < ZIG_K[iz]:
                zk = hz * ZIG_W[iz]
            else:
                zk, slot = normal_at(base, 3)
        else:
            z0, slot = normal_at(base, 2)
            zk, slot = normal_at(base, slot)
        # Resource goal 0: eps = z0.
        ix = three * (cg + g0)
        if u2 < zero_0:
            tally[ix] += zs_0
            tally[ix + _U1] += zs_0
        else:
            eps = z0
            s1 = 1.0 if eps <= e1_0 else 0.0
            s0 = 1.0 if eps <= e0_0 else 0.0
            tally[ix] += s1
            tally[ix + _U1] += s1 * s0
            if costed_0:
                tally[ix + two] += r_cost[grp * R] * sav_0 * _exp(sig_0 * eps - hv_0)
        # Resource goal 1: eps = rho * z0 + sqrt(1 - rho^2) * z1.
        ix = three * (cg + g1)
        if u2 < zero_1:
            tally[ix] += zs_1
            tally[ix + _U1] += zs_1
        else:
            eps = rho * z0 + rho_c * zk
            s1 = 1.0 if eps <= e1_1 else 0.0
            s0 = 1.0 if eps <= e0_1 else 0.0
            tally[ix] += s1
            tally[ix + _U1] += s1 * s0
            if costed_1:
                tally[ix + two] += r_cost[grp * R + one] * sav_1 * _exp(sig_1 * eps - hv_1)
        # The score goal.
        s_start = _guided(start_cdf, start_guide, cdf0_s, guide0_s, size_s, u3)
        ix = three * (cg + gs)
        s1 = 1.0 if u4 < p1[cdf0_s + s_start] else 0.0
        s0 = 1.0 if u4 < p0[cdf0_s + s_start] else 0.0
        tally[ix] += s1
        tally[ix + _U1] += s1 * s0


#: this many contiguous ranges of draws per thread, so that a chunk of few, large draws
#: (a large population) still keeps every thread busy
BLOCKS_PER_THREAD = 4


@jit(inline="always")
def _scratch(k):
    """A block's scratch arrays (allocated once per block of draws)."""
    n_goals = k.log_keep.shape[0]
    n_cohort = k.cohort_cdf.shape[0]
    n_flow = k.flow_t.shape[0]
    n_res = k.res_goals.shape[0]
    n_group = k.cost_table.shape[0]
    r = np.zeros(n_res * R_FIELDS)
    r_cost = np.zeros(n_group * n_res)
    for kk in range(n_res):
        col = k.cost_col[k.res_goals[kk]]
        if col >= 0:
            r[kk * R_FIELDS + R_COSTED] = 1.0
            for grp in range(n_group):
                r_cost[grp * n_res + kk] = k.cost_table[grp, col]
    return (
        np.zeros(n_goals * k.max_top),  # p1
        np.zeros(n_goals * k.max_top),  # p0
        np.empty(3 * n_cohort * n_goals),  # tally
        np.empty(n_cohort),  # meas
        r,
        r_cost,
        np.empty((n_cohort, n_goals)),  # succ
        np.empty((n_cohort, n_goals)),  # dw
        np.empty((n_cohort, n_goals)),  # saving_cg
        np.empty((n_cohort, n_goals)),  # uncapped
        np.empty((n_cohort, n_goals)),  # repaid
        np.empty(n_cohort),  # by_cohort
        np.empty(n_flow),  # flow
        np.empty(n_flow),  # flow_s
        np.empty(n_flow),  # work_t
        np.empty(n_flow),  # work_c
    )


@jit(inline="always")
def _draw_start(j, d, key, first_word, pr, k, r, p1_f, p0_f, tally, meas, out):
    """Draw ``d``'s referrals, the number measured and the goals' constants.

    Resource goal g succeeds if its noise eps <= e1 (treated) or <= e0
    (counterfactual); caused saving per citizen is
    ``cost * sav * exp(sigma * eps - sigma^2 / 2)`` (mean-preserving noise).
    Returns ``(n_ref, ret, n_meas, rho, sqrt(1 - rho^2))``.
    """
    n_goals = k.log_keep.shape[0]
    n_ref = int(math.floor(k.referred0 * pr[0] + 0.5))
    if n_ref < 0:
        n_ref = 0
    ret = min(max(pr[1], 0.0), 1.0)
    rho = pr[2]
    rho_c = math.sqrt(max(1.0 - rho * rho, 0.0))
    out.referred[j] = n_ref
    n_meas = binomial_inverse(n_ref, ret, u01_hi(draw_word(key, d, first_word)))
    for kk in range(k.res_goals.shape[0]):
        g = k.res_goals[kk]
        eff = pr[k.pidx[g, 1]]
        sg = pr[k.pidx[g, 2]]
        drift = pr[k.pidx[g, 0]]
        rk = kk * R_FIELDS
        r[rk + R_SIG] = sg
        r[rk + R_E1] = (k.log_keep[g] - drift - eff) / sg
        r[rk + R_E0] = (k.log_keep[g] - drift) / sg
        r[rk + R_ZERO] = pr[k.pidx[g, 3]]
        r[rk + R_ZS] = k.zero_success[g]
        r[rk + R_SAV] = math.exp(drift) * (1.0 - math.exp(eff))
        r[rk + R_HV] = 0.5 * sg * sg
    p1 = p1_f.reshape((n_goals, k.max_top))
    p0 = p0_f.reshape((n_goals, k.max_top))
    for kk in range(k.score_goals.shape[0]):
        g = k.score_goals[kk]
        eff = pr[k.pidx[g, 1]]
        sg = pr[k.pidx[g, 2]]
        for s in range(k.score_top[g]):
            mu = pr[k.pidx[g, 4]] if s <= k.low_max[g] else pr[k.pidx[g, 5]]
            p1[g, s] = _phi((mu + eff - 0.5) / sg)
            p0[g, s] = _phi((mu - 0.5) / sg)
    for kk in range(k.bin_goals.shape[0]):
        g = k.bin_goals[kk]
        p1[g, 0] = pr[k.pidx[g, 0]]
        p0[g, 0] = pr[k.pidx[g, 1]]
    for kk in range(k.stg_goals.shape[0]):
        g = k.stg_goals[kk]
        p1[g, 0] = pr[k.pidx[g, 0]]
        p0[g, 0] = pr[k.pidx[g, 1]]
    tally[:] = 0.0
    meas[:] = 0.0
    return n_ref, ret, n_meas, rho, rho_c


@jit(inline="always")
def _draw_contract(j, k, s, out, stop):
    """Draw ``j``'s contract from its tallies: caps in repayment order, the investor's
    flows, the yardsticks and the authorities' modelled saving (``s``: :func:`_scratch`).

    ``stop``: the gate stopped the contract (its disbursements after the gate are
    cancelled; the voided cohorts' tallies are already cleared). Returns the
    retention clause's payment and the floor's top-up.
    """
    (_, _, tally, meas, _, _, succ, dw, saving_cg, uncapped, repaid, by_cohort, flow, flow_s,
     work_t, work_c) = s  # fmt: skip
    n_goals = k.log_keep.shape[0]
    n_cohort = k.cohort_cdf.shape[0]
    for c in range(n_cohort):
        for g in range(n_goals):
            a = 3 * (c * n_goals + g)
            succ[c, g] = tally[a]
            dw[c, g] = tally[a + 1]
            saving_cg[c, g] = tally[a + 2]
    for c in range(n_cohort):
        out.measured[j, c] = meas[c]
        for g in range(n_goals):
            uncapped[c, g] = succ[c, g] * k.payment[c, g]
            out.successes[j, c, g] = succ[c, g]
            out.deadweight[j, c, g] = dw[c, g]
    ret_pay = retention_clause_core(
        meas, k.ret_mode, k.ret_min, k.ret_amount, k.ret_count, k.ret_void, uncapped
    )
    if k.dated:
        # staged payments dated apart (ContractArrays.dated): caps in event order
        if k.goal_capped:
            goal_caps_dated_core(uncapped, k.goal_cap, k.pay_event, k.repay_order)
        apply_caps_dated_core(uncapped, k.goal_payer, k.cap, k.pay_event, k.repay_order, repaid)
    else:
        if k.goal_capped:
            goal_caps_core(uncapped, k.goal_cap, k.repay_order)
        apply_caps_core(uncapped, k.goal_payer, k.cap, k.repay_order, repaid)
    total = 0.0
    dw_paid = 0.0
    for c in range(n_cohort):
        by_cohort[c] = 0.0
        for g in range(n_goals):
            v = repaid[c, g]
            out.repaid[j, c, g] = v
            by_cohort[c] += v
            total += v
            if succ[c, g] > 0.0:
                dw_paid += v * dw[c, g] / succ[c, g]
    out.dw_share[j] = dw_paid / total if total > 0.0 else np.nan
    if k.dated:
        dated_cash_flow_core(repaid, k.pay_event, k.disb_amount, k.n_event, flow)
    else:
        dsi_cash_flow_core(by_cohort, k.disb_amount, flow)
    if stop:
        gate_cancel_core(flow, k.gate_disb_stop)
    floor_pay = floor_topup_core(total + ret_pay, k.floor_amount)
    if k.ret_flow >= 0:
        flow[k.ret_flow] = ret_pay
    if k.floor_flow >= 0:
        flow[k.floor_flow] = floor_pay
    out.clause[j, 0] = ret_pay
    out.clause[j, 1] = floor_pay
    for y in range(k.n_years):
        out.cash_year[j, y] = 0.0
    for f in range(k.flow_t.shape[0]):
        out.cash_year[j, k.flow_year[f]] += flow[f]
        flow_s[f] = flow[k.flow_order[f]]
    irr, status = irr_sorted_core(k.t_sorted, flow_s, work_t, work_c)
    out.irr[j] = irr
    out.irr_status[j] = status
    out.npv[j] = npv_core(k.rate, k.flow_t, flow)
    out.moic[j] = moic_core(flow)
    for a in range(k.auth_goal.shape[0]):
        acc = 0.0
        for c in range(n_cohort):
            acc += saving_cg[c, k.auth_goal[a]] * k.saving_factor[c, a]
        out.saving[j, a] = acc
    return ret_pay, floor_pay


@jit(inline="always")
def _payer_totals(k, repaid, ret_pay, floor_pay, p):
    """What payer ``p`` pays the investor: its goals' repayments and its clause shares."""
    acc = 0.0
    for c in range(repaid.shape[0]):
        for g in range(repaid.shape[1]):
            if k.goal_payer[g] == p:
                acc += repaid[c, g]
    return acc + ret_pay * k.ret_payer_share[p] + floor_pay * k.floor_payer_share[p]


@jit(inline="always")
def _authority_saving(k, saving_cg, a):
    acc = 0.0
    for c in range(saving_cg.shape[0]):
        acc += saving_cg[c, k.auth_goal[a]] * k.saving_factor[c, a]
    return acc


@jit(inline="always")
def _gate_look(j, d, key, first_word, n_ref, ret, n_meas, k, s, out, clause):
    """The gate's look at draw ``j``, after its contract ran without the gate
    (``clause``: that run's retention payment and floor top-up). Returns whether the
    gate stops the contract; if so, clears the voided cohorts' tallies and keeps
    (negated) what each payer paid and each authority saved without the gate.

    The interim count: the measured citizens of the counted cohorts (engaged
    throughout), plus the unmeasured ones in those cohorts (Binomial(referred -
    measured, the counted share), per-draw word ``first_word``'s low half) still
    engaged at the look (Binomial of those, :func:`gate_engaged_probability`,
    word ``first_word + 1``).
    """
    tally, meas, saving_cg, repaid = s[2], s[3], s[8], s[10]
    n_goals = k.log_keep.shape[0]
    n_payer = k.cap.shape[0]
    n_auth = k.auth_goal.shape[0]
    m_k = 0.0
    for c in range(meas.shape[0]):
        m_k += meas[c] * k.gate_count[c]
    u_all = n_ref - n_meas
    u_k = binomial_inverse(u_all, k.gate_share, u01_lo(draw_word(key, d, first_word)))
    q = gate_engaged_probability(ret, k.gate_exponent)
    e_k = binomial_inverse(u_k, q, u01_hi(draw_word(key, d, first_word + 1)))
    base = m_k + u_k
    share = (m_k + e_k) / base if base > 0.0 else 0.0
    stopped = share < k.gate_threshold
    out.gate[j, 0] = 1.0 if stopped else 0.0
    out.gate[j, 1] = share
    out.gate[j, 2] = out.npv[j]
    for p in range(n_payer):
        paid = _payer_totals(k, repaid, clause[0], clause[1], p)
        out.gate_paid[j, p] = -paid if stopped else 0.0
    for a in range(n_auth):
        out.gate_saving[j, a] = -_authority_saving(k, saving_cg, a) if stopped else 0.0
    if stopped:
        for c in range(meas.shape[0]):
            if k.gate_void[c] > 0.0:
                meas[c] = 0.0
                for f in range(3 * n_goals):
                    tally[3 * c * n_goals + f] = 0.0
    return stopped


@jit(inline="always")
def _gate_after(j, k, s, out, clause):
    """After a stop: add what each payer pays and each authority saves with the gate."""
    saving_cg, repaid = s[8], s[10]
    for p in range(k.cap.shape[0]):
        out.gate_paid[j, p] += _payer_totals(k, repaid, clause[0], clause[1], p)
    for a in range(k.auth_goal.shape[0]):
        out.gate_saving[j, a] += _authority_saving(k, saving_cg, a)


@jit(inline="always")
def _draw_settle(j, d, key, first_word, n_ref, ret, n_meas, k, s, out):
    """Draw ``j``'s contract, and with a gate its look and, on a stop, the contract again
    with the stop (one call site of :func:`_draw_contract`, so it is inlined once)."""
    stop = False
    for _ in range(2):
        clause = _draw_contract(j, k, s, out, stop)
        if stop:
            _gate_after(j, k, s, out, clause)
            break
        if not k.gate_on:
            break
        stop = _gate_look(j, d, key, first_word, n_ref, ret, n_meas, k, s, out, clause)
        if not stop:
            break


@jit
def draws_r2s1(j0, j1, draw0, key, first_word, params, k, out):
    """Draws ``j0 .. j1 - 1`` of the chunk with :func:`_citizens_r2s1` (DSI's goal shape).

    Serial; it releases the GIL (``nogil``), so :func:`simulate_chunk` runs
    several ranges at once on threads.
    """
    s = _scratch(k)
    p1_f, p0_f, tally, meas, r, r_cost = s[0], s[1], s[2], s[3], s[4], s[5]
    n_goals = k.log_keep.shape[0]
    for j in range(j0, j1):
        d = draw0 + j
        n_ref, ret, n_meas, rho, rho_c = _draw_start(
            j, d, key, first_word, params[j], k, r, p1_f, p0_f, tally, meas, out
        )
        _citizens_r2s1(
            key, d, n_meas, rho, rho_c, n_goals, k.cohort_cdf, k.cohort_guide, k.cohort_lw,
            k.group_cdf, k.group_guide, k.res_goals_u, r, r_cost, k.score_goals_u, k.start_cdf,
            k.start_guide, k.max_top, p1_f, p0_f, meas, tally,
        )  # fmt: skip
        _draw_settle(j, d, key, first_word, n_ref, ret, n_meas, k, s, out)


@jit
def draws_general(j0, j1, draw0, key, first_word, params, k, out):
    """Draws ``j0 .. j1 - 1`` of the chunk with :func:`_citizens` (any goal shape)."""
    s = _scratch(k)
    p1_f, p0_f, tally, meas, r, r_cost = s[0], s[1], s[2], s[3], s[4], s[5]
    n_goals = k.log_keep.shape[0]
    for j in range(j0, j1):
        d = draw0 + j
        n_ref, ret, n_meas, rho, rho_c = _draw_start(
            j, d, key, first_word, params[j], k, r, p1_f, p0_f, tally, meas, out
        )
        _citizens(
            key, d, n_meas, rho, rho_c, n_goals, k.cohort_cdf, k.cohort_guide, k.cohort_lw,
            k.group_cdf, k.group_guide, k.res_goals_u, r, r_cost, k.score_goals_u, k.start_cdf,
            k.start_guide, k.max_top, p1_f, p0_f, meas, tally, k.bin_goals_u, k.stg_goals_u,
            k.stg_first,
        )  # fmt: skip
        _draw_settle(j, d, key, first_word, n_ref, ret, n_meas, k, s, out)


def chunk_kernel(n_res: int, n_score: int, n_bin: int = 0, n_stage: int = 0):
    """The compiled kernel for a config with ``n_res`` resource, ``n_score`` score,
    ``n_bin`` binary goals and ``n_stage`` stages of staged goals.

    Each goal shape's citizen loop lives in a kernel of its own, so a run
    compiles (or loads from Numba's cache) only the loop its config needs.
    """
    if (n_res, n_score, n_bin, n_stage) == (2, 1, 0, 0):
        return draws_r2s1
    return draws_general


_POOL = None


def _pool(workers: int):
    global _POOL
    if _POOL is None or _POOL._max_workers < workers:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simrisk-kernel")
    return _POOL


def simulate_chunk(draw0, key, first_word, params, n_threads, k, out):
    """Simulate draws ``draw0 .. draw0 + n - 1`` (``n = params.shape[0]``).

    ``k`` is the run's :data:`KernelInputs`, ``out`` a :data:`KernelOutputs`
    of arrays whose first axis is the draw within the chunk. The draws are
    split into ``BLOCKS_PER_THREAD * n_threads`` contiguous ranges, run on
    ``n_threads`` threads (the compiled loop releases the GIL); each draw
    depends only on its index, so results do not depend on the split.

    ``flow_order`` sorts the investor's flows (disbursements, then cohort
    repayments) by ``flow_t``. Outputs: ``referred[n]``, ``measured[n, C]``,
    ``successes[n, C, G]``, ``deadweight[n, C, G]``, ``repaid[n, C, G]``
    (after caps), ``cash_year[n, Y]``, ``irr[n]``, ``irr_status[n]``,
    ``npv[n]``, ``moic[n]``, ``saving[n, A]`` (authorities' modelled caused
    saving: the cohort's first-year saving times ``saving_factor[cohort,
    authority]``, which holds the horizon, persistence and discounting),
    ``dw_share[n]``, ``clause[n, 2]`` (the retention clause's payment and
    the floor's top-up; see
    :class:`~simrisk.kinds.contract.contract.ContractArrays`), and the
    gate's ``gate``, ``gate_paid`` and ``gate_saving``. Output arrays may
    have compact dtypes; values are cast on store.
    """
    kernel = chunk_kernel(
        k.res_goals.shape[0], k.score_goals.shape[0], k.bin_goals.shape[0], k.stg_goals.shape[0]
    )
    n = int(params.shape[0])
    threads = max(int(n_threads), 1)
    parts = min(n, BLOCKS_PER_THREAD * threads) if threads > 1 else 1
    edges = np.linspace(0, n, parts + 1).astype(np.int64)
    draw0, first_word = np.int64(draw0), np.int64(first_word)

    def run(i: int) -> None:
        kernel(edges[i], edges[i + 1], draw0, key, first_word, params, k, out)

    if parts <= 1:
        run(0)
        return
    start = 0
    if not kernel.overloads:  # compile (or load) once, before the threads call it
        run(0)
        start = 1
    list(_pool(threads).map(run, range(start, parts)))
