"""The portfolio kernel (Numba): arrays in, arrays out, nothing else.

For each simulated world (draw) it draws the pipeline's candidates once and
runs every budget option on them, with and without screening (common random
numbers). Every random number is SplitMix64 at a position fixed by
``(draw, candidate, slot)`` (:mod:`simrisk.core.rng`), so results do not depend
on chunking or threads. :mod:`simrisk.kinds.portfolio.reference` is the same model
in plain NumPy.

Candidate ``k``'s slots: 0 cost, 1 latent success, 2 added workload,
3 screening result, 4 money, 5 staff hours, 6 patients' hours, 7 workload
size. The world's shared factor (readiness) is per-draw word ``first_word``.

Stages: 0 waiting, 1 validating, 2 implementing, 3 live, 4 stopped by
screening, 5 stopped late (found out after ``late`` periods live),
6 retired (end of lifetime).
"""

from __future__ import annotations

import math

import numpy as np
from numba import prange

from simrisk.core import jit, jit_parallel
from simrisk.core.finance import npv_core
from simrisk.core.rng import citizen_word, draw_word, u01_hi
from simrisk.kinds.portfolio._normal import ndtri

__all__ = ["draw_candidates", "schedule", "simulate_chunk"]


@jit
def draw_candidates(key, d, first_word, prm, cost_lo, cost_hi, vshare, cscale, ben, out):
    """Candidate attributes of draw ``d`` into ``out[K, 11]``.

    Columns: cost, validation cost, implementation cost, running cost per
    half-year, gain (0/1), workload (0/1), passes screening (0/1), money per
    year, staff årsværk per year, patient hours per year, workload årsværk
    per year (all at full ramp).
    """
    p_gain, p_work, rho, sens, spec, _ramp, run_share, bscale = (
        prm[0],
        prm[1],
        prm[2],
        prm[3],
        prm[4],
        prm[5],
        prm[6],
        prm[7],
    )
    shared = ndtri(u01_hi(draw_word(key, d, first_word)))
    thr = ndtri(p_gain)
    a = math.sqrt(rho)
    b = math.sqrt(1.0 - rho)
    for k in range(out.shape[0]):
        cost = cost_lo[k] + (cost_hi[k] - cost_lo[k]) * u01_hi(citizen_word(key, d, k, 0))
        latent = a * shared + b * ndtri(u01_hi(citizen_word(key, d, k, 1)))
        gain = latent < thr
        work = (not gain) and u01_hi(citizen_word(key, d, k, 2)) < p_work
        u_pass = u01_hi(citizen_word(key, d, k, 3))
        passes = u_pass < (sens if gain else 1.0 - spec)
        val = vshare[k] * cost
        out[k, 0] = cost
        out[k, 1] = val
        out[k, 2] = cost - val
        out[k, 3] = 0.5 * run_share * cost
        out[k, 4] = 1.0 if gain else 0.0
        out[k, 5] = 1.0 if work else 0.0
        out[k, 6] = 1.0 if passes else 0.0
        s = bscale * cscale[k]
        for c in range(3):
            if gain:
                z = ndtri(u01_hi(citizen_word(key, d, k, 4 + c)))
                out[k, 7 + c] = s * ben[2 * c] * math.exp(ben[2 * c + 1] * z)
            else:
                out[k, 7 + c] = 0.0
        if work:
            z = ndtri(u01_hi(citizen_word(key, d, k, 7)))
            out[k, 10] = ben[6] * math.exp(ben[7] * z)
        else:
            out[k, 10] = 0.0


@jit
def schedule(
    cand,
    ramp,
    budget,
    cap,
    pool_off,
    val_p,
    impl_p,
    life_p,
    late_p,
    lapse,
    screen,
    stage,
    tstart,
    tlive,
    cost_y,
    money_y,
    staff_y,
    pat_y,
):
    """One option's pool over the horizon, in half-year periods.

    Fills the yearly flows ``cost_y``, ``money_y``, ``staff_y``, ``pat_y``
    (zeroed here) and returns ``(started, live, stopped, stopped_late,
    live_with_gain, unspent)``. ``stage``, ``tstart``, ``tlive`` are
    scratch arrays of length K.
    """
    K = cand.shape[0]
    Y = cost_y.shape[0]
    T = 2 * Y
    NP = budget.shape[0]
    pool_start = 2 * pool_off
    pool_end = 2 * (pool_off + NP)
    for y in range(Y):
        cost_y[y] = 0.0
        money_y[y] = 0.0
        staff_y[y] = 0.0
        pat_y[y] = 0.0
    for k in range(K):
        stage[k] = 0
        tstart[k] = -1
        tlive[k] = -1
    funds = 0.0
    unspent = 0.0
    nxt = 0
    for p in range(T):
        y = p // 2
        py = y - pool_off
        in_pool = pool_start <= p < pool_end
        if p == pool_end:
            unspent += funds  # the pool closes: what is not committed goes back
            funds = 0.0
        if in_pool and p % 2 == 0:
            if lapse and py > 0:
                unspent += funds
                funds = 0.0
            funds += budget[py]
        # Stage changes at the start of the period, in pipeline order.
        for k in range(nxt):
            refund_run = cand[k, 3] * max(0, pool_end - p)
            if stage[k] == 1 and p == tstart[k] + val_p:
                if screen and cand[k, 6] == 0.0:
                    stage[k] = 4
                    # the running cost was reserved from the planned go-live on
                    refund = cand[k, 2] + cand[k, 3] * max(0, pool_end - p - impl_p)
                    if p < pool_end:
                        funds += refund
                    else:
                        unspent += refund
                else:
                    stage[k] = 2
            if stage[k] == 2 and p == tstart[k] + val_p + impl_p:
                stage[k] = 3
                tlive[k] = p
            if stage[k] == 3:
                age = p - tlive[k]
                if age >= life_p:
                    stage[k] = 6
                    funds += refund_run
                elif cand[k, 4] == 0.0 and age >= late_p:
                    stage[k] = 5
                    funds += refund_run
        # New starts: pipeline order, whole cost and in-pool running reserved.
        if in_pool:
            active = 0
            for k in range(nxt):
                if stage[k] == 1 or stage[k] == 2:
                    active += 1
            while nxt < K and active < cap[py]:
                live_at = p + val_p + impl_p
                reserve = cand[nxt, 0] + cand[nxt, 3] * max(0, pool_end - live_at)
                if funds < reserve:
                    break
                funds -= reserve
                stage[nxt] = 1
                tstart[nxt] = p
                nxt += 1
                active += 1
        # This period's flows.
        for k in range(nxt):
            s = stage[k]
            if s == 1:
                cost_y[y] += cand[k, 1] / val_p
            elif s == 2:
                cost_y[y] += cand[k, 2] / impl_p
            elif s == 3:
                cost_y[y] += cand[k, 3]
                if cand[k, 4] == 1.0:
                    f = 1.0
                    if ramp > 0.0:
                        f = min(1.0, 0.25 * (2 * (p - tlive[k]) + 1) / ramp)
                    money_y[y] += 0.5 * f * cand[k, 7]
                    staff_y[y] += 0.5 * f * cand[k, 8]
                    pat_y[y] += 0.5 * f * cand[k, 9]
                elif cand[k, 5] == 1.0:
                    staff_y[y] -= 0.5 * cand[k, 10]
    if pool_end >= T:
        unspent += funds
    live = 0
    stopped = 0
    late = 0
    gains = 0
    for k in range(nxt):
        if tlive[k] >= 0:
            live += 1
            if cand[k, 4] == 1.0:
                gains += 1
        if stage[k] == 4:
            stopped += 1
        elif stage[k] == 5:
            late += 1
    return nxt, live, stopped, late, gains, unspent


@jit_parallel
def simulate_chunk(
    draw0,
    key,
    first_word,
    params,
    cost_lo,
    cost_hi,
    vshare,
    cscale,
    ben,
    budget,
    cap,
    pool_off,
    val_p,
    impl_p,
    life_p,
    late_p,
    lapse,
    rate,
    t_years,
    cost_out,
    money_out,
    staff_out,
    pat_out,
    totals,
    counts,
    unspent,
):
    """Simulate draws ``draw0 .. draw0 + n - 1`` (``n = params.shape[0]``).

    Outputs, ``j`` the draw in the chunk, ``o`` the option, ``m`` the
    screening mode (0 with, 1 without):

    - ``cost_out[j, o, m, y]``: money spent (validation, implementation,
      running), DKK; ``money_out``: money saved, DKK; ``staff_out``: staff
      årsværk freed less work added; ``pat_out``: patients' hours saved;
    - ``totals[j, o, m, 4]``: the four above discounted to year 0 at ``rate``;
    - ``counts[j, o, m, 5]``: started, went live, stopped by screening,
      stopped late, went live with a gain;
    - ``unspent[j, o, m]``: pool money never committed (returned), DKK.
    """
    n = params.shape[0]
    K = cost_lo.shape[0]
    n_opt = budget.shape[0]
    for j in prange(n):
        d = draw0 + j
        cand = np.empty((K, 11))
        stage = np.empty(K, np.int64)
        tstart = np.empty(K, np.int64)
        tlive = np.empty(K, np.int64)
        draw_candidates(key, d, first_word, params[j], cost_lo, cost_hi, vshare, cscale, ben, cand)
        ramp = params[j, 5]
        for o in range(n_opt):
            for m in range(2):
                started, live, stopped, late, gains, left = schedule(
                    cand,
                    ramp,
                    budget[o],
                    cap[o],
                    pool_off,
                    val_p,
                    impl_p,
                    life_p,
                    late_p,
                    lapse,
                    m == 0,
                    stage,
                    tstart,
                    tlive,
                    cost_out[j, o, m],
                    money_out[j, o, m],
                    staff_out[j, o, m],
                    pat_out[j, o, m],
                )
                counts[j, o, m, 0] = started
                counts[j, o, m, 1] = live
                counts[j, o, m, 2] = stopped
                counts[j, o, m, 3] = late
                counts[j, o, m, 4] = gains
                unspent[j, o, m] = left
                totals[j, o, m, 0] = npv_core(rate, t_years, cost_out[j, o, m])
                totals[j, o, m, 1] = npv_core(rate, t_years, money_out[j, o, m])
                totals[j, o, m, 2] = npv_core(rate, t_years, staff_out[j, o, m])
                totals[j, o, m, 3] = npv_core(rate, t_years, pat_out[j, o, m])
