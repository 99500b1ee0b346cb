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
  :func:`simrisk.core.rng.normal_from`); goal k >= 1 gets
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

from simrisk.core._numba import jit, jit_parallel
from simrisk.core.finance import irr_sorted_core, moic_core, npv_core
from simrisk.core.rng import citizen_word, draw_word, normal_from, u01_hi, u01_lo
from simrisk.kinds.contract.contract import (
    apply_caps_core,
    dsi_cash_flow_core,
    floor_topup_core,
    retention_clause_core,
)

__all__ = ["BLOCK", "binomial_inverse", "simulate_chunk"]

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
