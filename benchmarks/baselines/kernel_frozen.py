"""A frozen copy of the contract kernel as of main f29a4e6 (issue 15, before the faster kernel).

``simrisk bench`` and ``benchmarks/check_ratio.py`` time the current kernel
against this one in the same process, so the speed-up is measured on the same
machine under the same load. It is a verbatim copy of
:func:`simrisk.kinds.contract._kernel.simulate_chunk` and of the parts of
:mod:`simrisk.core.rng` it used, and it imports nothing that the faster kernel
changed (only the contract's and finance's unchanged Numba cores). It lives in
``benchmarks/baselines/``, outside the package, so the wheel does not ship
it: ``simrisk bench`` loads it from a checkout
(:func:`simrisk.kinds.contract.bench.frozen_baseline`) and, from a wheel,
says so and benchmarks against the NumPy reference only. Do not edit it
except to keep it compiling; it is not used by any simulation.
tests/test_kernel.py checks that it still gives the same bytes as the
current kernel.
"""

# ruff: noqa

from __future__ import annotations

import math

import numpy as np
from numba import prange

from simrisk.core._numba import jit, jit_parallel
from simrisk.core.finance import irr_sorted_core, moic_core, npv_core
from simrisk.kinds.contract.contract import (
    apply_caps_core,
    dsi_cash_flow_core,
    floor_topup_core,
    retention_clause_core,
)

__all__ = ["run_frozen_kernel", "simulate_chunk_frozen"]

# --- simrisk/core/rng.py as of f29a4e6 (the parts the kernel used) ---------

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S32 = np.uint64(32)
_MASK = np.uint64(0xFFFFFFFF)
_INV32 = 1.0 / 4294967296.0

DRAW_BLOCK = np.uint64(1 << 24)
#: citizens below this index use the original layout (``draw * 2**24 + ...``)
LOW_CITIZENS = 1 << 15
#: citizens per draw the position layout allows (both regions together)
MAX_CITIZENS = 1 << 24
_LOW = np.uint64(LOW_CITIZENS)
_HIGH_BASE = np.uint64(1 << 63)
_HIGH_BLOCK = np.uint64(1 << 32)
SLOTS = 256
_SLOT = np.uint64(SLOTS)


@jit(inline="always")
def mix64(z):
    """SplitMix64's output function (Stafford's variant 13 of MurmurHash3's finaliser)."""
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


@jit(inline="always")
def citizen_word(key, draw, citizen, slot):
    """The 64-bit output at the position of ``(draw, citizen, slot)``.

    ``citizen < 2**24``; citizens from ``2**15`` on use the upper half of the
    position space (see the module's docstring).
    """
    c = np.uint64(citizen)
    if c < _LOW:
        pos = np.uint64(draw) * DRAW_BLOCK + c * _SLOT + np.uint64(slot)
    else:
        pos = _HIGH_BASE + np.uint64(draw) * _HIGH_BLOCK + c * _SLOT + np.uint64(slot)
    return mix64(key + (pos + np.uint64(1)) * GAMMA)


@jit(inline="always")
def draw_word(key, draw, k):
    """The ``k``-th per-draw 64-bit output of ``draw`` (parameters, binomials)."""
    pos = np.uint64(draw) * DRAW_BLOCK + (DRAW_BLOCK - np.uint64(1) - np.uint64(k))
    return mix64(key + (pos + np.uint64(1)) * GAMMA)


@jit(inline="always")
def u01_hi(w):
    """A uniform in (0, 1) from the high 32 bits of a word."""
    return (np.float64(w >> _S32) + 0.5) * _INV32


@jit(inline="always")
def u01_lo(w):
    """A uniform in (0, 1) from the low 32 bits of a word."""
    return (np.float64(w & _MASK) + 0.5) * _INV32


@jit_parallel
def param_uniforms_frozen(key, draw0, n, n_params, out):
    """Uniforms for the per-draw parameters: ``out[j, p]`` for draw ``draw0 + j``.

    Parameter ``p`` uses the high half of per-draw word ``p // 2`` (even
    ``p``) or its low half (odd ``p``); the kernel's per-draw words start
    after them.
    """
    for j in prange(n):
        d = draw0 + j
        for p in range(n_params):
            w = draw_word(key, d, p // 2)
            out[j, p] = u01_hi(w) if p % 2 == 0 else u01_lo(w)


def _ziggurat_tables():
    # Marsaglia & Tsang (2000), "The ziggurat method for generating random
    # variables", J. Stat. Softw. 5(8): the 128-layer normal tables.
    m1 = 2147483648.0
    dn = 3.442619855899
    tn = dn
    vn = 9.91256303526217e-3
    kn = np.zeros(128, np.int64)
    wn = np.zeros(128)
    fn = np.zeros(128)
    q = vn / np.exp(-0.5 * dn * dn)
    kn[0] = int((dn / q) * m1)
    kn[1] = 0
    wn[0] = q / m1
    wn[127] = dn / m1
    fn[0] = 1.0
    fn[127] = np.exp(-0.5 * dn * dn)
    for i in range(126, 0, -1):
        dn = np.sqrt(-2.0 * np.log(vn / dn + np.exp(-0.5 * dn * dn)))
        kn[i + 1] = int((dn / tn) * m1)
        tn = dn
        fn[i] = np.exp(-0.5 * dn * dn)
        wn[i] = dn / m1
    return kn, wn, fn


ZIG_K, ZIG_W, ZIG_F = _ziggurat_tables()
_ZIG_R = 3.442619855899
_S_LAYER = np.uint64(0x7F)


@jit(inline="always")
def _hz(w):
    # The high 32 bits as a signed integer in [-2**31, 2**31).
    return np.int64(w >> _S32) - 2147483648


@jit(inline="always")
def normal_from(key, d, i, slot):
    """A standard normal for citizen ``i`` of draw ``d``, starting at ``slot``.

    Returns the normal and the next free slot (the ziggurat rejects about
    1.3% of first words and then reads further slots).
    """
    kn = ZIG_K
    wn = ZIG_W
    fn = ZIG_F
    while slot < SLOTS - 1:
        w = citizen_word(key, d, i, slot)
        slot += 1
        hz = _hz(w)
        iz = np.int64(w & _S_LAYER)
        if abs(hz) < kn[iz]:
            return hz * wn[iz], slot
        if iz == 0:
            # The tail beyond r (Marsaglia 1964).
            while slot < SLOTS - 1:
                w2 = citizen_word(key, d, i, slot)
                slot += 1
                x = -np.log(u01_hi(w2)) / _ZIG_R
                y = -np.log(u01_lo(w2))
                if y + y >= x * x:
                    return (_ZIG_R + x if hz > 0 else -_ZIG_R - x), slot
            return (_ZIG_R if hz > 0 else -_ZIG_R), slot
        x = hz * wn[iz]
        w2 = citizen_word(key, d, i, slot)
        slot += 1
        if fn[iz] + u01_hi(w2) * (fn[iz - 1] - fn[iz]) < np.exp(-0.5 * x * x):
            return x, slot
    return 0.0, slot  # unreachable in practice: 256 rejections in a row


# --- simrisk/kinds/contract/_kernel.py as of f29a4e6 -----------------------

_SQRT2 = math.sqrt(2.0)


@jit(inline="always")
def _phi(x):
    return 0.5 * math.erfc(-x / _SQRT2)


@jit(inline="always")
def _guided(cdf, guide, u):
    # Inverse CDF of a discrete distribution with a guide table (Chen 1974):
    # guide[m] is the first k with cdf[k] > m / len(guide); a step or two remains.
    k = guide[int(u * guide.shape[0])]
    while u >= cdf[k]:
        k += 1
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


#: draws per parallel task: scratch arrays are allocated once per block
BLOCK = 32


@jit_parallel
def simulate_chunk_frozen(
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
    n_blocks = (n + BLOCK - 1) // BLOCK
    t_sorted = flow_t[flow_order]
    for b in prange(n_blocks):
        # Scratch, once per block of draws.
        e1 = np.empty(n_goals)
        e0 = np.empty(n_goals)
        sig = np.empty(n_goals)
        zero = np.empty(n_goals)
        sav_a = np.empty(n_goals)
        half_var = np.empty(n_goals)
        p1 = np.zeros((n_goals, max_top))
        p0 = np.zeros((n_goals, max_top))
        succ = np.empty((n_cohort, n_goals))
        dw = np.empty((n_cohort, n_goals))
        saving_cg = np.empty((n_cohort, n_goals))
        meas = np.empty(n_cohort)
        z = np.zeros(n_res + 1)
        uncapped = np.empty((n_cohort, n_goals))
        repaid = np.empty((n_cohort, n_goals))
        by_cohort = np.empty(n_cohort)
        flow = np.empty(n_flow)
        flow_s = np.empty(n_flow)
        work_t = np.empty(n_flow)
        work_c = np.empty(n_flow)
        for j in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
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

            # Per-draw constants. Resource goal g succeeds if its noise eps <= e1[g]
            # (treated) or <= e0[g] (counterfactual); caused saving per citizen is
            # cost * sav_a[g] * exp(sigma * eps - sigma^2 / 2) (mean-preserving noise).
            for g in range(n_goals):
                eff = pr[pidx[g, 1]]
                sg = pr[pidx[g, 2]]
                sig[g] = sg
                if goal_kind[g] == 0:
                    drift = pr[pidx[g, 0]]
                    e1[g] = (log_keep[g] - drift - eff) / sg
                    e0[g] = (log_keep[g] - drift) / sg
                    zero[g] = pr[pidx[g, 3]]
                    sav_a[g] = math.exp(drift) * (1.0 - math.exp(eff))
                    half_var[g] = 0.5 * sg * sg
                else:
                    for s in range(score_top[g]):
                        mu = pr[pidx[g, 4]] if s <= low_max[g] else pr[pidx[g, 5]]
                        p1[g, s] = _phi((mu + eff - 0.5) / sg)
                        p0[g, s] = _phi((mu - 0.5) / sg)
            succ[:, :] = 0.0
            dw[:, :] = 0.0
            saving_cg[:, :] = 0.0
            meas[:] = 0.0

            for i in range(n_meas):
                w0 = citizen_word(key, d, i, 0)
                w1 = citizen_word(key, d, i, 1)
                u1 = u01_hi(w0)
                c = _guided(cohort_cdf, cohort_guide, u1)
                lo_c = cohort_cdf[c - 1] if c > 0 else 0.0
                v = (u1 - lo_c) / (cohort_cdf[c] - lo_c)
                meas[c] += 1.0
                u2 = u01_lo(w0)
                u3 = u01_hi(w1)
                u4 = u01_lo(w1)
                slot = 2
                for k in range(n_res):
                    z[k], slot = normal_from(key, d, i, slot)
                grp = _guided(group_cdf, group_guide, v)
                for k in range(n_res):
                    g = res_goals[k]
                    if u2 < zero[g]:
                        succ[c, g] += zero_success[g]
                        dw[c, g] += zero_success[g]
                        continue
                    eps = z[0] if k == 0 else rho * z[0] + rho_c * z[k]
                    s1 = 1.0 if eps <= e1[g] else 0.0
                    s0 = 1.0 if eps <= e0[g] else 0.0
                    succ[c, g] += s1
                    dw[c, g] += s1 * s0
                    if cost_col[g] >= 0:
                        saving_cg[c, g] += (
                            cost_table[grp, cost_col[g]]
                            * sav_a[g]
                            * math.exp(sig[g] * eps - half_var[g])
                        )
                for k in range(n_score):
                    g = score_goals[k]
                    s_start = _guided(start_cdf[g], start_guide[g], u3)
                    s1 = 1.0 if u4 < p1[g, s_start] else 0.0
                    s0 = 1.0 if u4 < p0[g, s_start] else 0.0
                    succ[c, g] += s1
                    dw[c, g] += s1 * s0

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


# --- simrisk/kinds/contract/simulate.py as of f29a4e6 (draw_parameters, run_kernel)


def draw_parameters_frozen(inp, draw0: int, n: int, key) -> np.ndarray:
    """Parameter values ``[n, P]`` as f29a4e6 drew them: uniforms, then one serial transform."""
    P = len(inp.space.names)
    u = np.empty((n, P))
    param_uniforms_frozen(key, np.int64(draw0), n, P, u)
    return inp.space.transform(u)


def run_frozen_kernel(inp, draw0: int, params: np.ndarray, key, buf) -> None:
    """One chunk through the frozen kernel into the output arrays ``buf``."""
    c = inp.contract
    first_word = (params.shape[1] + 1) // 2
    simulate_chunk_frozen(
        np.int64(draw0), key, np.int64(first_word), params, float(c.referred),
        inp.goal_kind, inp.log_keep, inp.zero_success, inp.res_goals, inp.score_goals,
        inp.cost_col, inp.score_top, inp.low_max, inp.start_cdf, inp.start_guide, inp.pidx,
        inp.cost_table, inp.group_cdf, inp.group_guide, inp.auth_payer, inp.auth_goal,
        inp.cohort_cdf, inp.cohort_guide, c.payment, c.goal_payer, c.cap, c.repay_order,
        c.disb_amount, inp.flow_order, inp.flow_t, inp.flow_year, len(inp.years),
        float(inp.rate), inp.saving_factor,
        np.int64(c.ret_mode), float(c.ret_min), float(c.ret_amount), c.ret_count, c.ret_void,
        np.int64(c.ret_flow), float(c.floor_amount), np.int64(c.floor_flow),
        buf["referred"], buf["measured"], buf["successes"], buf["deadweight"],
        buf["repaid"], buf["cash_year"], buf["irr"], buf["irr_status"], buf["npv"],
        buf["moic"], buf["saving"], buf["dw_share"], buf["clause"],
    )  # fmt: skip


def frozen_fill(inp, key):
    """A ``fill(draw0, n, views)`` for :func:`simrisk.core.driver.run_chunks` that does
    what f29a4e6's engine did: parameters (serial transform), then the frozen kernel."""

    def fill(draw0: int, n: int, views) -> None:
        params = draw_parameters_frozen(inp, draw0, n, key)
        views["parameters"][...] = params
        run_frozen_kernel(inp, draw0, params, key, views)

    return fill
