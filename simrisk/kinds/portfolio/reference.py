"""A plain NumPy implementation of the portfolio model, for tests and benchmarks.

It runs the same model as :mod:`simrisk.kinds.portfolio._kernel` on the same
random stream: SplitMix64 evaluated by position in NumPy's wrapping
``uint64`` arithmetic, and :func:`scipy.special.ndtri` (an independent
normal quantile) in place of the kernel's AS 241. Given the same seed and
parameters the two agree draw by draw, up to float rounding. Vectorised
over the draws of a chunk; loops over half-year periods and candidates, in
the kernel's order, so sums of money are added in the same order. No Numba.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from simrisk.kinds.portfolio.inputs import COUNTS, PortfolioInputs

__all__ = ["candidates_reference", "simulate_reference"]

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_BLOCK = np.uint64(1 << 24)


def _mix64(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _C1
    z = (z ^ (z >> np.uint64(27))) * _C2
    return z ^ (z >> np.uint64(31))


def _u01(key, pos: np.ndarray) -> np.ndarray:
    """Uniform (0, 1) from the high 32 bits of SplitMix64's output at ``pos``."""
    w = _mix64(np.uint64(key) + (pos + np.uint64(1)) * _GAMMA)
    return ((w >> np.uint64(32)).astype(np.float64) + 0.5) * (1.0 / 4294967296.0)


def _candidate_u(key, draws: np.ndarray, K: int, slot: int) -> np.ndarray:
    """``u[n, K]`` at positions ``draw * 2**24 + k * 256 + slot``."""
    d = draws.astype(np.uint64)[:, None]
    k = np.arange(K, dtype=np.uint64)[None, :]
    return _u01(key, d * _BLOCK + k * np.uint64(256) + np.uint64(slot))


def candidates_reference(inp: PortfolioInputs, draw0: int, params: np.ndarray, key, fw: int):
    """Candidate attributes ``[n, K, 11]`` (columns as in the kernel's ``draw_candidates``)."""
    n = params.shape[0]
    K = inp.cost_low.shape[0]
    draws = np.arange(draw0, draw0 + n, dtype=np.int64)
    pos_shared = draws.astype(np.uint64) * _BLOCK + (_BLOCK - np.uint64(1) - np.uint64(fw))
    shared = ndtri(_u01(key, pos_shared))[:, None]
    p_gain, p_work, rho, sens, spec = (params[:, i][:, None] for i in range(5))
    run_share, bscale = params[:, 6][:, None], params[:, 7][:, None]
    cost = inp.cost_low + (inp.cost_high - inp.cost_low) * _candidate_u(key, draws, K, 0)
    latent = np.sqrt(rho) * shared + np.sqrt(1.0 - rho) * ndtri(_candidate_u(key, draws, K, 1))
    gain = latent < ndtri(p_gain)
    work = ~gain & (_candidate_u(key, draws, K, 2) < p_work)
    passes = _candidate_u(key, draws, K, 3) < np.where(gain, sens, 1.0 - spec)
    out = np.zeros((n, K, 11))
    val = inp.validation_share * cost
    out[..., 0] = cost
    out[..., 1] = val
    out[..., 2] = cost - val
    out[..., 3] = 0.5 * run_share * cost
    out[..., 4] = gain
    out[..., 5] = work
    out[..., 6] = passes
    s = bscale * inp.case_scale
    ben = inp.benefit
    for c in range(3):
        z = ndtri(_candidate_u(key, draws, K, 4 + c))
        out[..., 7 + c] = np.where(gain, s * ben[2 * c] * np.exp(ben[2 * c + 1] * z), 0.0)
    z = ndtri(_candidate_u(key, draws, K, 7))
    out[..., 10] = np.where(work, ben[6] * np.exp(ben[7] * z), 0.0)
    return out


def schedule_reference(inp: PortfolioInputs, cand: np.ndarray, ramp: np.ndarray, o: int,
                       screen: bool) -> dict:  # fmt: skip
    """One option's pool for every draw of a chunk (see the kernel's ``schedule``)."""
    n, K, _ = cand.shape
    Y = len(inp.years)
    budget, cap = inp.budget[o], inp.capacity[o]
    val_p, impl_p = inp.val_periods, inp.impl_periods
    pool_start = 2 * inp.pool_offset
    pool_end = 2 * (inp.pool_offset + budget.shape[0])
    stage = np.zeros((n, K), np.int64)
    tstart = np.full((n, K), -1, np.int64)
    tlive = np.full((n, K), -1, np.int64)
    funds = np.zeros(n)
    unspent = np.zeros(n)
    nxt = np.zeros(n, np.int64)
    flows = {k: np.zeros((n, Y)) for k in ("cost", "money", "staff", "patients")}
    rows = np.arange(n)
    for p in range(2 * Y):
        y, py = p // 2, p // 2 - inp.pool_offset
        in_pool = pool_start <= p < pool_end
        if p == pool_end:
            unspent = unspent + funds
            funds = np.zeros(n)
        if in_pool and p % 2 == 0:
            if inp.lapse and py > 0:
                unspent = unspent + funds
                funds = np.zeros(n)
            funds = funds + budget[py]
        for k in range(K):
            on = k < nxt
            refund_run = cand[:, k, 3] * max(0, pool_end - p)
            m1 = on & (stage[:, k] == 1) & (p == tstart[:, k] + val_p)
            if screen:
                stop = m1 & (cand[:, k, 6] == 0.0)
                stage[stop, k] = 4
                run_left = cand[:, k, 3] * max(0, pool_end - p - impl_p)
                refund = np.where(stop, cand[:, k, 2] + run_left, 0.0)
                if p < pool_end:
                    funds = funds + refund
                else:
                    unspent = unspent + refund
                m1 = m1 & ~stop
            stage[m1, k] = 2
            m2 = on & (stage[:, k] == 2) & (p == tstart[:, k] + val_p + impl_p)
            stage[m2, k] = 3
            tlive[m2, k] = p
            m3 = on & (stage[:, k] == 3)
            age = p - tlive[:, k]
            retire = m3 & (age >= inp.life_periods)
            late = m3 & ~retire & (cand[:, k, 4] == 0.0) & (age >= inp.late_periods)
            stage[retire, k] = 6
            stage[late, k] = 5
            funds = funds + np.where(retire | late, refund_run, 0.0)
        if in_pool:
            active = ((stage == 1) | (stage == 2)).sum(axis=1)
            reserve_run = max(0, pool_end - (p + val_p + impl_p))
            for _ in range(K):
                idx = np.minimum(nxt, K - 1)
                reserve = cand[rows, idx, 0] + cand[rows, idx, 3] * reserve_run
                can = (nxt < K) & (active < cap[py]) & (funds >= reserve)
                if not can.any():
                    break
                funds = np.where(can, funds - reserve, funds)
                stage[rows[can], idx[can]] = 1
                tstart[rows[can], idx[can]] = p
                nxt = nxt + can
                active = active + can
        for k in range(K):
            s = stage[:, k]
            flows["cost"][:, y] += np.where(s == 1, cand[:, k, 1] / val_p, 0.0)
            flows["cost"][:, y] += np.where(s == 2, cand[:, k, 2] / impl_p, 0.0)
            flows["cost"][:, y] += np.where(s == 3, cand[:, k, 3], 0.0)
            g = (s == 3) & (cand[:, k, 4] == 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                f = np.where(
                    ramp > 0.0, np.minimum(1.0, 0.25 * (2 * (p - tlive[:, k]) + 1) / ramp), 1.0
                )
            flows["money"][:, y] += np.where(g, 0.5 * f * cand[:, k, 7], 0.0)
            flows["staff"][:, y] += np.where(g, 0.5 * f * cand[:, k, 8], 0.0)
            flows["patients"][:, y] += np.where(g, 0.5 * f * cand[:, k, 9], 0.0)
            w = (s == 3) & (cand[:, k, 4] == 0.0) & (cand[:, k, 5] == 1.0)
            flows["staff"][:, y] -= np.where(w, 0.5 * cand[:, k, 10], 0.0)
    if pool_end >= 2 * Y:
        unspent = unspent + funds
    on = np.arange(K)[None, :] < nxt[:, None]
    went_live = on & (tlive >= 0)
    counts = np.stack([
        nxt,
        went_live.sum(axis=1),
        (on & (stage == 4)).sum(axis=1),
        (on & (stage == 5)).sum(axis=1),
        (went_live & (cand[..., 4] == 1.0)).sum(axis=1),
    ], axis=1)  # fmt: skip
    return {**flows, "counts": counts, "unspent": unspent}


def simulate_reference(inp: PortfolioInputs, draw0: int, params: np.ndarray, key) -> dict:
    """Simulate one chunk: the kernel's outputs (``cost``, ``money``, ``staff``,
    ``patients`` ``[n, O, 2, Y]``; ``totals [n, O, 2, 4]``; ``counts``; ``unspent``).
    """
    from simrisk.kinds.portfolio.simulate import first_word

    n = params.shape[0]
    n_opt, Y = len(inp.option_ids), len(inp.years)
    cand = candidates_reference(inp, draw0, params, key, first_word(inp))
    out = {k: np.zeros((n, n_opt, 2, Y)) for k in ("cost", "money", "staff", "patients")}
    out["counts"] = np.zeros((n, n_opt, 2, len(COUNTS)), np.int64)
    out["unspent"] = np.zeros((n, n_opt, 2))
    for o in range(n_opt):
        for m, screen in enumerate((True, False)):
            r = schedule_reference(inp, cand, params[:, 5], o, screen)
            for k in ("cost", "money", "staff", "patients"):
                out[k][:, o, m] = r[k]
            out["counts"][:, o, m] = r["counts"]
            out["unspent"][:, o, m] = r["unspent"]
    disc = (1.0 + inp.rate) ** -inp.t_years
    out["totals"] = np.stack(
        [(out[k] * disc).sum(axis=-1) for k in ("cost", "money", "staff", "patients")], axis=-1
    )
    return out
