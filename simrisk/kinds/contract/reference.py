"""A plain NumPy implementation of the engine's model, for tests and benchmarks.

It simulates the same model as :mod:`simrisk.kinds.contract._kernel` with NumPy's
``Generator`` (PCG64) instead of the kernel's counter-based streams, so the
two agree in distribution, not draw by draw. Vectorised over the draws of a
chunk and the citizens of each draw; no Numba anywhere.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from simrisk.core.finance import IRR_OK, IRR_TOTAL_LOSS
from simrisk.kinds.contract._inputs import EngineInputs

__all__ = ["simulate_reference"]

_X_LO = np.log(1e-10)
_X_HI = np.log(1e10 + 1.0)


def _irr_bisect(t: np.ndarray, flows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IRR per row of ``flows`` (outflows before inflows: one sign change) by bisection."""
    n = flows.shape[0]
    irr = np.full(n, np.nan)
    status = np.full(n, IRR_OK, dtype=np.int64)
    has_pos = (flows > 0).any(axis=1)
    loss = ~has_pos
    irr[loss] = -1.0
    status[loss] = IRR_TOTAL_LOSS
    rows = np.flatnonzero(has_pos)
    if rows.size:
        f = flows[rows]
        lo = np.full(rows.size, _X_LO)
        hi = np.full(rows.size, _X_HI)
        tt = t - t.max()  # value at the last date: no overflow for x < 0

        def npv_x(x):
            # sign of NPV at r = exp(x) - 1, scaled by a positive factor
            scale = np.where(x[:, None] < 0, tt[None, :], t[None, :] - t.min())
            return (f * np.exp(-x[:, None] * scale)).sum(axis=1)

        for _ in range(64):
            mid = 0.5 * (lo + hi)
            pos = npv_x(mid) > 0
            lo = np.where(pos, mid, lo)
            hi = np.where(pos, hi, mid)
        irr[rows] = np.expm1(0.5 * (lo + hi))
    return irr, status


def simulate_reference(inp: EngineInputs, params: np.ndarray, rng: np.random.Generator) -> dict:
    """Simulate one chunk of draws with parameters ``params[n, P]``.

    Returns float64 arrays with the kernel's output names: ``referred``,
    ``measured[n, C]``, ``successes[n, C, G]``, ``deadweight``, ``repaid``,
    ``cash_year[n, Y]``, ``irr``, ``irr_status``, ``npv``, ``moic``,
    ``saving[n, A]``, ``dw_share``, ``clause[n, 2]`` (retention clause payment,
    floor top-up) and, with a ``[gate]``, ``gate[n, 3]`` (stopped, share engaged,
    NPV without the gate), ``gate_paid[n, P]`` and ``gate_saving[n, A]`` (with the
    gate less without).
    """
    c = inp.contract
    n = params.shape[0]
    C = len(c.cohort_ids)
    G = inp.n_goals
    n_ref = np.floor(c.referred * params[:, 0] + 0.5).astype(np.int64)
    ret = np.clip(params[:, 1], 0.0, 1.0)
    rho = params[:, 2]
    n_meas = rng.binomial(n_ref, ret)
    M = int(n_meas.max()) if n else 0
    alive = np.arange(M)[None, :] < n_meas[:, None]  # [n, M]

    u1 = rng.random((n, M))
    cohort = np.minimum(np.searchsorted(inp.cohort_cdf, u1, side="right"), C - 1)
    lo_c = np.concatenate([[0.0], inp.cohort_cdf[:-1]])[cohort]
    v = (u1 - lo_c) / (inp.cohort_cdf[cohort] - lo_c)
    group = np.minimum(np.searchsorted(inp.group_cdf, v, side="right"), inp.group_cdf.shape[0] - 1)
    u2 = rng.random((n, M))
    u3 = rng.random((n, M))
    u4 = rng.random((n, M))
    z = rng.standard_normal((n, M, max(inp.n_res, 1)))

    succ_cit = np.zeros((n, M, G))
    dw_cit = np.zeros((n, M, G))
    saving_cg = np.zeros((n, C, G))
    for k, g in enumerate(inp.res_goals):
        ix = inp.pidx[g]
        drift, eff, sig, zero = (params[:, ix[m]][:, None] for m in range(4))
        eps = (
            z[:, :, 0]
            if k == 0
            else rho[:, None] * z[:, :, 0]
            + np.sqrt(np.maximum(1 - rho**2, 0.0))[:, None] * z[:, :, k]
        )
        is_zero = u2 < zero
        d_cf = drift + sig * eps
        d_tr = d_cf + eff
        s1 = np.where(is_zero, inp.zero_success[g], d_tr <= inp.log_keep[g])
        s0 = np.where(is_zero, inp.zero_success[g], d_cf <= inp.log_keep[g])
        succ_cit[:, :, g] = s1
        dw_cit[:, :, g] = s1 * s0
        if inp.cost_col[g] >= 0:
            cost = inp.cost_table[group, inp.cost_col[g]]
            # Mean-preserving noise: the average counterfactual level is exp(drift).
            level = np.exp(-0.5 * sig**2)
            sav = np.where(is_zero | ~alive, 0.0, cost * (np.exp(d_cf) - np.exp(d_tr)) * level)
            for cc in range(C):
                saving_cg[:, cc, g] = np.where(cohort == cc, sav, 0.0).sum(axis=1)
    for g in inp.score_goals:
        ix = inp.pidx[g]
        top = inp.score_top[g]
        eff, sig, dlow, dhigh = (params[:, ix[m]][:, None] for m in (1, 2, 4, 5))
        s = np.arange(top)[None, :]
        mu = np.where(s <= inp.low_max[g], dlow, dhigh)
        p1 = np.concatenate([ndtr((mu + eff - 0.5) / sig), np.zeros((n, 1))], axis=1)
        p0 = np.concatenate([ndtr((mu - 0.5) / sig), np.zeros((n, 1))], axis=1)
        start = np.minimum(np.searchsorted(inp.start_cdf[g, : top + 1], u3, side="right"), top)
        rows = np.arange(n)[:, None]
        s1 = u4 < p1[rows, start]
        s0 = u4 < p0[rows, start]
        succ_cit[:, :, g] = s1
        dw_cit[:, :, g] = s1 & s0
    reached1: dict = {}
    reached0: dict = {}
    for g in inp.bin_goals:
        # A binary goal: one uniform per citizen against both probabilities.
        p1, p0 = params[:, inp.pidx[g, 0]][:, None], params[:, inp.pidx[g, 1]][:, None]
        u = rng.random((n, M))
        succ_cit[:, :, g] = u < p1
        dw_cit[:, :, g] = (u < p1) & (u < p0)
    prev = c.stage_prev
    for g in inp.stg_goals:
        # A stage: reached if the previous stage was and its own uniform is below the
        # probability; with and without the intervention apart.
        p1, p0 = params[:, inp.pidx[g, 0]][:, None], params[:, inp.pidx[g, 1]][:, None]
        u = rng.random((n, M))
        a1 = u < p1
        a0 = u < p0
        if prev[g] >= 0:
            a1 &= reached1[prev[g]]
            a0 &= reached0[prev[g]]
        reached1[g], reached0[g] = a1, a0
        succ_cit[:, :, g] = a1
        dw_cit[:, :, g] = a1 & a0

    # Counts per draw and cohort.
    onehot = (cohort[:, :, None] == np.arange(C)[None, None, :]) & alive[:, :, None]
    measured = onehot.sum(axis=1).astype(np.float64)
    successes = np.einsum("nmc,nmg->ncg", onehot.astype(np.float64), succ_cit)
    deadweight = np.einsum("nmc,nmg->ncg", onehot.astype(np.float64), dw_cit)
    out = _contract(inp, measured, successes, deadweight, saving_cg, np.zeros(n, bool))
    out["referred"] = n_ref.astype(np.float64)
    if c.gate_on:
        out.update(_gate(inp, n_ref, n_meas, ret, measured, successes, deadweight, saving_cg,
                         out, rng))  # fmt: skip
    out.pop("paid", None)
    return out


def _gate(inp, n_ref, n_meas, ret, measured, successes, deadweight, saving_cg, without, rng):
    """The gate: the interim count, and the contract re-run where it stops.

    Given the draw's referrals and measured citizens, the unmeasured citizens
    of the counted cohorts are Binomial(unmeasured, counted share), and those
    still engaged at the look Binomial(them, (r ** (m / 12) - r) / (1 - r)):
    the kernel's model, drawn here with NumPy's generator.
    """
    c = inp.contract
    m_k = measured @ c.gate_count
    u_k = rng.binomial(n_ref - n_meas, c.gate_share)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where((ret > 0) & (ret < 1), (ret**c.gate_exponent - ret) / (1.0 - ret), 0.0)
    e_k = rng.binomial(u_k, np.clip(q, 0.0, 1.0))
    base = m_k + u_k
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(base > 0, (m_k + e_k) / np.maximum(base, 1), 0.0)
    stop = share < c.gate_threshold
    keep = np.where(stop[:, None], 1.0 - c.gate_void[None, :], 1.0)  # [n, C]
    out = _contract(
        inp,
        measured * keep,
        successes * keep[:, :, None],
        deadweight * keep[:, :, None],
        saving_cg * keep[:, :, None],
        stop,
    )
    out["gate"] = np.stack([stop.astype(float), share, without["npv"]], axis=1)
    out["gate_paid"] = out.pop("paid") - without["paid"]
    out["gate_saving"] = out["saving"] - without["saving"]
    return out


def _contract(inp, measured, successes, deadweight, saving_cg, stop) -> dict:
    """Caps, clauses, the investor's flows and yardsticks from the counts per draw and cohort;
    ``stop`` (per draw): the gate cancels the disbursements after it."""
    c = inp.contract
    n = measured.shape[0]
    # The retention clause: counted cohorts against the minimum; an early end
    # voids the later cohorts' payments before the caps.
    uncapped = successes * c.payment_cg[None, :, :]
    counted = measured @ c.ret_count
    short = counted < c.ret_min
    if c.ret_mode == 1:
        ret_pay = np.where(short, c.ret_amount * (c.ret_min - counted), 0.0)
    elif c.ret_mode == 2:
        ret_pay = np.where(short, c.ret_amount, 0.0)
        uncapped = np.where(short[:, None, None] & (c.ret_void[None, :, None] > 0), 0.0, uncapped)
    else:
        ret_pay = np.zeros(n)

    # Each goal's maximum price, cumulated in repayment order, before the payers' caps;
    # the caps, in repayment order, per payer. A payment event is a cohort, or with
    # staged payments dated apart a cohort's stage offset (its cells: pay_event == e).
    if np.isfinite(c.goal_cap).any():
        uncapped = uncapped.copy()
        room = np.tile(c.goal_cap, (n, 1))
        for e in c.repay_order:
            cells = c.pay_event == e  # [C, G]
            capped = np.minimum(uncapped, room[:, None, :])
            uncapped = np.where(cells[None], capped, uncapped)
            room = room - np.where(cells[None], uncapped, 0.0).sum(axis=1)
    repaid = np.zeros_like(uncapped)
    paid = np.zeros((n, len(c.payer_ids)))
    for e in c.repay_order:
        for p in range(len(c.payer_ids)):
            cells = (c.pay_event == e) & (c.goal_payer == p)[None, :]
            due = np.where(cells[None], uncapped, 0.0).sum(axis=(1, 2))
            room = np.maximum(c.cap[p] - paid[:, p], 0.0)
            pay = np.minimum(due, room)
            with np.errstate(invalid="ignore", divide="ignore"):
                scale = np.where(due > room, room / due, 1.0)
            repaid = np.where(cells[None], uncapped * scale[:, None, None], repaid)
            paid[:, p] += pay
    total = repaid.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        dw_paid = np.where(successes > 0, repaid * deadweight / successes, 0.0).sum(axis=(1, 2))
        dw_share = np.where(total > 0, dw_paid / total, np.nan)

    floor_pay = np.maximum(c.floor_amount - total - ret_pay, 0.0)
    disb = np.tile(-c.disb_amount, (n, 1))
    disb[stop[:, None] & (c.gate_disb_stop[None, :] > 0)] = 0.0
    extra = [f for f, on in ((ret_pay, c.ret_flow >= 0), (floor_pay, c.floor_flow >= 0)) if on]
    by_event = np.zeros((n, c.repay_t.shape[0]))
    for cc in range(repaid.shape[1]):
        for g in range(repaid.shape[2]):
            by_event[:, c.pay_event[cc, g]] += repaid[:, cc, g]
    flows = np.concatenate([disb, by_event] + [f[:, None] for f in extra], axis=1)
    cash_year = np.zeros((n, len(inp.years)))
    for f in range(flows.shape[1]):
        cash_year[:, inp.flow_year[f]] += flows[:, f]
    t = inp.flow_t
    irr, status = _irr_bisect(t, flows)
    npv = (flows * (1.0 + inp.rate) ** (-t)[None, :]).sum(axis=1)
    moic = np.where(flows > 0, flows, 0).sum(axis=1) / -np.where(flows < 0, flows, 0).sum(axis=1)
    by_payer = np.stack(
        [repaid[:, :, c.goal_payer == p].sum(axis=(1, 2)) for p in range(len(c.payer_ids))],
        axis=1,
    )
    by_payer += ret_pay[:, None] * c.ret_payer_share[None, :]
    by_payer += floor_pay[:, None] * c.floor_payer_share[None, :]
    return {
        "measured": measured,
        "successes": successes,
        "deadweight": deadweight,
        "repaid": repaid,
        "cash_year": cash_year,
        "irr": irr,
        "irr_status": status,
        "npv": npv,
        "moic": moic,
        "saving": np.einsum("nca,ca->na", saving_cg[:, :, inp.auth_goal], inp.saving_factor),
        "dw_share": dw_share,
        "clause": np.stack([ret_pay, floor_pay], axis=1),
        "paid": by_payer,
    }
