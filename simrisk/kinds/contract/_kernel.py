"""The per-citizen Monte Carlo kernel (Numba, parallel over draws).

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
from numba import prange

from simrisk.core import jit, jit_parallel
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
    dsi_cash_flow_core,
    floor_topup_core,
    retention_clause_core,
)

__all__ = ["BLOCK", "binomial_inverse", "simulate_chunk"]

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
    recurrence, starting from the exact log-pmf at ``lo`` (``math.lgamma``).
    The mass below ``lo`` is below exp(-50) ~ 2e-22 and the rounding of the
    cumulative sum about 1e-12, both far below the 2.3e-10 resolution of
    the 32-bit uniform ``u``.
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
    meas, tally,
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
    m]``, ``p1[g * max_top + s]``).
    """
    n_res = res_goal.shape[0]
    n_score = score_goal.shape[0]
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


#: draws per parallel task at most: scratch arrays are allocated once per block
BLOCK = 32
#: at least this many blocks per thread, so that a chunk of few, large draws (a large
#: population) still keeps every thread busy
BLOCKS_PER_THREAD = 4


@jit_parallel
def simulate_chunk(
    draw0,
    key,
    first_word,
    params,
    referred0,
    goal_kind,
    log_keep,
    zero_success,
    res_goals,
    score_goals,
    cost_col,
    score_top,
    low_max,
    start_cdf,
    start_guide,
    pidx,
    cost_table,
    group_cdf,
    group_guide,
    auth_payer,
    auth_goal,
    cohort_cdf,
    cohort_guide,
    cohort_lo,
    cohort_width,
    payment,
    goal_payer,
    cap,
    repay_order,
    disb_amount,
    flow_order,
    flow_t,
    flow_year,
    n_years,
    rate,
    saving_factor,
    ret_mode,
    ret_min,
    ret_amount,
    ret_count,
    ret_void,
    ret_flow,
    floor_amount,
    floor_flow,
    n_threads,
    # outputs
    out_referred,
    out_measured,
    out_successes,
    out_deadweight,
    out_repaid,
    out_cash_year,
    out_irr,
    out_irr_status,
    out_npv,
    out_moic,
    out_saving,
    out_dw_share,
    out_clause,
):
    """Simulate draws ``draw0 .. draw0 + n - 1`` (``n = params.shape[0]``).

    ``n_threads`` (Numba's thread count) only sets how the draws are split into
    parallel tasks; results do not depend on it.

    ``flow_order`` sorts the investor's flows (disbursements, then cohort
    repayments) by ``flow_t``. Outputs (first axis: draw within the chunk):
    ``out_referred[n]``, ``out_measured[n, C]``, ``out_successes[n, C, G]``,
    ``out_deadweight[n, C, G]``, ``out_repaid[n, C, G]`` (after caps),
    ``out_cash_year[n, Y]``, ``out_irr[n]``, ``out_irr_status[n]``,
    ``out_npv[n]``, ``out_moic[n]``, ``out_saving[n, A]`` (authorities'
    modelled caused saving: the cohort's first-year saving times
    ``saving_factor[cohort, authority]``, which holds the horizon,
    persistence and discounting), ``out_dw_share[n]``, ``out_clause[n, 2]``
    (the retention clause's payment and the floor's top-up; the contract's
    ``ret_*`` / ``floor_*`` arrays, see
    :class:`~simrisk.kinds.contract.contract.ContractArrays`). Output arrays
    may have compact dtypes; values are cast on store.
    """
    n = params.shape[0]
    n_goals = goal_kind.shape[0]
    n_cohort = cohort_cdf.shape[0]
    n_flow = flow_t.shape[0]
    n_auth = auth_payer.shape[0]
    max_top = start_cdf.shape[1]
    n_res = res_goals.shape[0]
    n_score = score_goals.shape[0]
    # The common shape (two resource goals, one score goal) has a loop of its own.
    specialised = n_res == 2 and n_score == 1
    # Blocks of draws: at most BLOCK, at least BLOCKS_PER_THREAD blocks per thread.
    # Results do not depend on it (scratch is reset per draw).
    block = min(BLOCK, max(1, n // (BLOCKS_PER_THREAD * max(n_threads, 1))))
    n_blocks = (n + block - 1) // block
    t_sorted = flow_t[flow_order]
    # Unsigned copies of the index tables and flat score tables for _citizens.
    cohort_guide_u = cohort_guide.astype(np.uint64)
    group_guide_u = group_guide.astype(np.uint64)
    start_guide_u = start_guide.astype(np.uint64).reshape(start_guide.size)
    start_cdf_f = start_cdf.copy().reshape(start_cdf.size)
    res_goal_u = res_goals.astype(np.uint64)
    score_goal_u = score_goals.astype(np.uint64)
    n_group = cost_table.shape[0]
    cohort_lw = np.empty(2 * n_cohort)
    for c in range(n_cohort):
        cohort_lw[2 * c] = cohort_lo[c]
        cohort_lw[2 * c + 1] = cohort_width[c]
    for b in prange(n_blocks):
        # Scratch, once per block of draws.
        p1_f = np.zeros(n_goals * max_top)
        p0_f = np.zeros(n_goals * max_top)
        p1 = p1_f.reshape((n_goals, max_top))
        p0 = p0_f.reshape((n_goals, max_top))
        tally = np.empty(3 * n_cohort * n_goals)
        succ = np.empty((n_cohort, n_goals))
        dw = np.empty((n_cohort, n_goals))
        saving_cg = np.empty((n_cohort, n_goals))
        meas = np.empty(n_cohort)
        # Per resource goal (in slot order k), this draw's constants.
        r = np.zeros(n_res * R_FIELDS)
        r_cost = np.zeros(n_group * n_res)
        uncapped = np.empty((n_cohort, n_goals))
        repaid = np.empty((n_cohort, n_goals))
        by_cohort = np.empty(n_cohort)
        flow = np.empty(n_flow)
        flow_s = np.empty(n_flow)
        work_t = np.empty(n_flow)
        work_c = np.empty(n_flow)
        for k in range(n_res):
            col = cost_col[res_goals[k]]
            if col >= 0:
                r[k * R_FIELDS + R_COSTED] = 1.0
                for grp in range(n_group):
                    r_cost[grp * n_res + k] = cost_table[grp, col]
        for j in range(b * block, min(n, (b + 1) * block)):
            d = draw0 + j
            pr = params[j]
            n_ref = int(math.floor(referred0 * pr[0] + 0.5))
            if n_ref < 0:
                n_ref = 0
            ret = min(max(pr[1], 0.0), 1.0)
            rho = pr[2]
            rho_c = math.sqrt(max(1.0 - rho * rho, 0.0))
            out_referred[j] = n_ref
            n_meas = binomial_inverse(n_ref, ret, u01_hi(draw_word(key, d, first_word)))

            # Per-draw constants. Resource goal g succeeds if its noise eps <= e1
            # (treated) or <= e0 (counterfactual); caused saving per citizen is
            # cost * sav * exp(sigma * eps - sigma^2 / 2) (mean-preserving noise).
            for k in range(n_res):
                g = res_goals[k]
                eff = pr[pidx[g, 1]]
                sg = pr[pidx[g, 2]]
                drift = pr[pidx[g, 0]]
                rk = k * R_FIELDS
                r[rk + R_SIG] = sg
                r[rk + R_E1] = (log_keep[g] - drift - eff) / sg
                r[rk + R_E0] = (log_keep[g] - drift) / sg
                r[rk + R_ZERO] = pr[pidx[g, 3]]
                r[rk + R_ZS] = zero_success[g]
                r[rk + R_SAV] = math.exp(drift) * (1.0 - math.exp(eff))
                r[rk + R_HV] = 0.5 * sg * sg
            for k in range(n_score):
                g = score_goals[k]
                eff = pr[pidx[g, 1]]
                sg = pr[pidx[g, 2]]
                for s in range(score_top[g]):
                    mu = pr[pidx[g, 4]] if s <= low_max[g] else pr[pidx[g, 5]]
                    p1[g, s] = _phi((mu + eff - 0.5) / sg)
                    p0[g, s] = _phi((mu - 0.5) / sg)
            tally[:] = 0.0
            meas[:] = 0.0

            if specialised:
                _citizens_r2s1(
                    key, d, n_meas, rho, rho_c, n_goals, cohort_cdf, cohort_guide_u, cohort_lw,
                    group_cdf, group_guide_u, res_goal_u, r, r_cost, score_goal_u, start_cdf_f,
                    start_guide_u, max_top, p1_f, p0_f, meas, tally,
                )  # fmt: skip
            else:
                _citizens(
                    key, d, n_meas, rho, rho_c, n_goals, cohort_cdf, cohort_guide_u, cohort_lw,
                    group_cdf, group_guide_u, res_goal_u, r, r_cost, score_goal_u, start_cdf_f,
                    start_guide_u, max_top, p1_f, p0_f, meas, tally,
                )  # fmt: skip
            for c in range(n_cohort):
                for g in range(n_goals):
                    a = 3 * (c * n_goals + g)
                    succ[c, g] = tally[a]
                    dw[c, g] = tally[a + 1]
                    saving_cg[c, g] = tally[a + 2]

            # Contract: caps in repayment order, the investor's flows, yardsticks.
            for c in range(n_cohort):
                out_measured[j, c] = meas[c]
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
