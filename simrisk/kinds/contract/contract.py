"""The contract as arrays: what the ledger and the Monte Carlo kernel share.

:func:`compile_contract` turns a validated :class:`~simrisk.kinds.contract.config.Scenario`
into plain NumPy arrays (indices instead of ids, days instead of dates), and
:func:`apply_caps_core` applies the payers' caps cumulatively across cohorts
in repayment-date order. Both the deterministic ledger and the kernel call
these, so they model the same contract by construction: the ledger runs the
``*_core`` functions as plain Python, the kernel compiled by Numba
(:func:`simrisk.core._numba.jitable`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from simrisk.core import jitable
from simrisk.kinds.contract.config import Scenario, add_months, gate_counted

__all__ = [
    "RET_EARLY_END",
    "RET_NONE",
    "RET_PER_MISSING",
    "ContractArrays",
    "apply_caps_core",
    "apply_caps_dated_core",
    "compile_contract",
    "dated_cash_flow_core",
    "dsi_cash_flow_core",
    "floor_topup_core",
    "gate_cancel_core",
    "gate_engaged_probability",
    "goal_caps_core",
    "goal_caps_dated_core",
    "reached",
    "retention_clause_core",
]

#: retention clause remedies as kernel codes
RET_NONE, RET_PER_MISSING, RET_EARLY_END = 0, 1, 2


@dataclass(frozen=True)
class ContractArrays:
    """A scenario's contract in array form.

    Attributes
    ----------
    payer_ids, goal_ids, cohort_ids : tuple of str
        Labels, in config order.
    goal_payer : int64[goal]
        Index of each goal's payer.
    payment : float64[goal]
        Payment per success (the base price).
    payment_cg : float64[cohort, goal]
        Payment per success of each cohort: the base price, or the last
        contracted increase dated on or before the cohort's measurement date.
    goal_cap : float64[goal]
        Each goal's ``maximum_price``, ``inf`` where there is none.
    success_rate : float64[goal]
        Expected success among measured citizens (the config's value); for a
        stage of a staged goal, given the previous stage.
    cap : float64[payer]
        Cap per payer, ``inf`` where there is none.
    cohort_share : float64[cohort]
    repay_order : int64[event]
        Payment events sorted by date (ties: index order). Without staged
        payments dated apart, the events are the cohorts.
    repay_t : float64[event]
        Payment events' dates as actual/365 years from the valuation date.
    disb_t, disb_amount : float64[disbursement]
        Disbursement dates (years from the valuation date) and amounts (> 0).
    flow_dates : tuple of datetime.date
        Every date on which DSI's cash flow can be non-zero: the
        disbursements, the payment events' dates, then the retention
        clause's date and the floor's date where the scenario has them.
    ret_mode : int
        :data:`RET_NONE`, :data:`RET_PER_MISSING` or :data:`RET_EARLY_END`.
    ret_min, ret_amount : float
        The clause's minimum number measured and its payment per missing
        citizen (per_missing) or settlement (early_end).
    ret_count, ret_void : float64[cohort]
        1 for the cohorts counted in the check / voided by an early end.
    ret_payer_share, floor_payer_share : float64[payer]
        How the clause's payment and the floor's top-up are split.
    ret_flow, floor_flow : int
        Index of the clause's and the floor's entry in the cash flow, -1 if none.
    floor_amount : float
        ``floor.share x capital`` (0 without a floor).
    gate_on : int
        1 if the scenario has a ``[gate]``.
    gate_count, gate_void : float64[cohort]
        1 for the cohorts in the gate's interim count / voided when it stops.
    gate_disb_stop : float64[disbursement]
        1 for the disbursements a stop cancels (dated after the gate).
    gate_share : float
        The counted cohorts' share of the referrals.
    gate_exponent : float
        ``months / 12``: a citizen is still engaged at the gate's look with
        probability ``retention ** gate_exponent`` (constant hazard).
    gate_threshold : float
        The share engaged below which the gate stops the contract.
    stage_prev : int64[goal]
        The previous stage's column of a stage, -1 for a first stage or an
        unstaged goal (the goal axis holds payable columns:
        :attr:`~simrisk.kinds.contract.config.Scenario.columns`).
    pay_event : int64[cohort, goal]
        The payment event (an entry of the investor's flow after the
        disbursements) each cell is paid in.
    dated : int
        1 if stages are paid on dates apart from their cohort's repayment
        date: then there are ``cohort x stage offsets`` events, and the caps
        apply in event order (:func:`apply_caps_dated_core`).
    """

    payer_ids: tuple[str, ...]
    goal_ids: tuple[str, ...]
    cohort_ids: tuple[str, ...]
    goal_payer: np.ndarray
    payment: np.ndarray
    payment_cg: np.ndarray
    goal_cap: np.ndarray
    success_rate: np.ndarray
    cap: np.ndarray
    cohort_share: np.ndarray
    repay_order: np.ndarray
    repay_t: np.ndarray
    disb_t: np.ndarray
    disb_amount: np.ndarray
    flow_dates: tuple[dt.date, ...]
    valuation_date: dt.date
    referred: int
    retention: float
    ret_mode: int = RET_NONE
    ret_min: float = 0.0
    ret_amount: float = 0.0
    ret_count: np.ndarray | None = None
    ret_void: np.ndarray | None = None
    ret_payer_share: np.ndarray | None = None
    ret_flow: int = -1
    floor_amount: float = 0.0
    floor_payer_share: np.ndarray | None = None
    floor_flow: int = -1
    extra_t: np.ndarray | None = None
    gate_on: int = 0
    gate_count: np.ndarray | None = None
    gate_void: np.ndarray | None = None
    gate_disb_stop: np.ndarray | None = None
    gate_share: float = 0.0
    gate_exponent: float = 0.0
    gate_threshold: float = 0.0
    stage_prev: np.ndarray | None = None
    pay_event: np.ndarray | None = None
    dated: int = 0

    @property
    def cell_t(self) -> np.ndarray:
        """float64[cohort, goal]: when each cell is paid (years from the valuation date)."""
        return self.repay_t[self.pay_event]

    @property
    def flow_t(self) -> np.ndarray:
        """Year fractions of :attr:`flow_dates` from the valuation date."""
        parts = [self.disb_t, self.repay_t]
        if self.extra_t is not None:
            parts.append(self.extra_t)
        return np.concatenate(parts)

    @property
    def has_clauses(self) -> bool:
        """Whether the scenario has a retention clause or a floor."""
        return self.ret_flow >= 0 or self.floor_flow >= 0

    @property
    def flow_years(self) -> np.ndarray:
        """Calendar year of each entry of :attr:`flow_dates`."""
        return np.array([d.year for d in self.flow_dates], dtype=np.int64)


def _years(dates, origin: dt.date) -> np.ndarray:
    return np.array([(d - origin).days / 365.0 for d in dates], dtype=np.float64)


def compile_contract(s: Scenario) -> ContractArrays:
    """Arrays for the ledger and the kernel from a validated scenario."""
    payer_ids = tuple(p.id for p in s.payers)
    pidx = {p: i for i, p in enumerate(payer_ids)}
    origin = s.valuation_date
    disb = s.investor.disbursements
    cols = s.columns
    C, P = len(s.cohorts), len(payer_ids)
    # Payment events: one per cohort and stage offset (one per cohort without stages).
    offsets = sorted({col.months for col in cols})
    if len(offsets) == 1:
        repay_dates = [c.repayment_date for c in s.cohorts]
        pay_event = np.repeat(np.arange(C, dtype=np.int64)[:, None], len(cols), axis=1)
    else:
        follow = s.population.follow_up_months
        repay_dates = [
            add_months(c.repayment_date, m - follow) for c in s.cohorts for m in offsets
        ]
        pay_event = np.array(
            [[i * len(offsets) + offsets.index(col.months) for col in cols] for i in range(C)],
            dtype=np.int64,
        )
    E = len(repay_dates)
    order = sorted(range(E), key=lambda i: (repay_dates[i], i))
    extra_dates: list[dt.date] = []
    clause: dict = {
        "ret_count": np.zeros(C),
        "ret_void": np.zeros(C),
        "ret_payer_share": np.zeros(P),
        "floor_payer_share": np.zeros(P),
    }
    n_fixed = len(disb) + E
    rc = s.retention_clause
    if rc is not None:
        check = rc.check_after or s.cohorts[-1].id
        check_date = next(c.measurement_date for c in s.cohorts if c.id == check)
        counted = np.array([c.measurement_date <= check_date for c in s.cohorts], float)
        early = rc.remedy == "early_end"
        clause.update(
            ret_mode=RET_EARLY_END if early else RET_PER_MISSING,
            ret_min=float(rc.minimum_measured),
            ret_amount=float(rc.settlement if early else rc.payment_per_missing),
            ret_count=counted,
            ret_void=1.0 - counted if early else np.zeros(C),
            ret_flow=n_fixed + len(extra_dates),
        )
        for pid, share in rc.payers.items():
            clause["ret_payer_share"][pidx[pid]] += share
        extra_dates.append(rc.date)
    fl = s.floor
    if fl is not None:
        clause.update(
            floor_amount=fl.share * s.investor.capital, floor_flow=n_fixed + len(extra_dates)
        )
        for pid, share in fl.payers.items():
            clause["floor_payer_share"][pidx[pid]] += share
        extra_dates.append(fl.date)
    if extra_dates:
        clause["extra_t"] = _years(extra_dates, origin)
    clause.update(
        gate_count=np.zeros(C), gate_void=np.zeros(C), gate_disb_stop=np.zeros(len(disb))
    )
    gate = s.gate
    if gate is not None:
        counted = np.array(gate_counted(s, gate), float)
        if gate.settlement == "completed_cohorts":
            void = np.array([c.referral_end > gate.date for c in s.cohorts], float)
        else:
            void = np.array([c.repayment_date > gate.date for c in s.cohorts], float)
        clause.update(
            gate_on=1,
            gate_count=counted,
            gate_void=void,
            gate_disb_stop=np.array([d.date > gate.date for d in disb], float),
            gate_share=float(sum(c.share for c, k in zip(s.cohorts, counted, strict=True) if k)),
            gate_exponent=gate.months / 12.0,
            gate_threshold=float(gate.threshold),
        )
    payment_cg = np.empty((C, len(cols)))
    for j, g in enumerate(cols):
        for i, k in enumerate(s.cohorts):
            price = g.payment_per_success
            measured_on = s.column_measurement_date(g, k)
            for inc in g.price_increases:
                if inc.date <= measured_on:
                    price = inc.price_per_unit
            payment_cg[i, j] = price
    return ContractArrays(
        payer_ids=payer_ids,
        goal_ids=tuple(g.id for g in cols),
        cohort_ids=tuple(c.id for c in s.cohorts),
        goal_payer=np.array([pidx[g.payer] for g in cols], dtype=np.int64),
        payment=np.array([g.payment_per_success for g in cols], dtype=np.float64),
        payment_cg=payment_cg,
        goal_cap=np.array(
            [np.inf if g.maximum_price is None else g.maximum_price for g in cols], float
        ),
        success_rate=np.array([g.success_rate for g in cols], dtype=np.float64),
        stage_prev=np.array([g.previous for g in cols], dtype=np.int64),
        pay_event=pay_event,
        dated=int(len(offsets) > 1),
        cap=np.array([np.inf if p.cap is None else p.cap for p in s.payers], dtype=np.float64),
        cohort_share=np.array([c.share for c in s.cohorts], dtype=np.float64),
        repay_order=np.array(order, dtype=np.int64),
        repay_t=_years(repay_dates, origin),
        disb_t=_years([d.date for d in disb], origin),
        disb_amount=np.array([d.amount for d in disb], dtype=np.float64),
        flow_dates=tuple([d.date for d in disb] + repay_dates + extra_dates),
        valuation_date=origin,
        referred=s.population.referred,
        retention=s.population.retention,
        **clause,
    )


@jitable
def apply_caps_core(uncapped, goal_payer, cap, repay_order, out):
    """Apply each payer's cap cumulatively across cohorts in repayment order.

    Parameters
    ----------
    uncapped : float64[cohort, goal]
        Payments before caps (successes x payment per success).
    goal_payer : int64[goal]
    cap : float64[payer]
        ``inf`` for no cap.
    repay_order : int64[cohort]
        Cohorts in the order they are repaid.
    out : float64[cohort, goal]
        Filled with the capped payments. Where a cap cuts a cohort's payment,
        each of the payer's goals gets the same fraction of what it earned.
    """
    n_cohort, n_goal = uncapped.shape
    n_payer = cap.shape[0]
    paid = np.zeros(n_payer)
    due = np.zeros(n_payer)
    scale = np.empty(n_payer)
    for k in range(n_cohort):
        c = repay_order[k]
        due[:] = 0.0
        for g in range(n_goal):
            due[goal_payer[g]] += uncapped[c, g]
        _cap_what_falls_due(due, paid, cap, scale)
        for g in range(n_goal):
            out[c, g] = uncapped[c, g] * scale[goal_payer[g]]


@jitable
def _cap_what_falls_due(due, paid, cap, scale):
    """One repayment moment: each payer's ``due`` cut to the room left under its cap
    (``paid`` so far, updated), and ``scale[p]`` the fraction of its due it pays."""
    for p in range(cap.shape[0]):
        room = cap[p] - paid[p]
        if room < 0.0:
            room = 0.0
        scale[p] = 1.0
        if due[p] > room:
            scale[p] = room / due[p]
            due[p] = room
        paid[p] += due[p]


@jitable
def dsi_cash_flow_core(repaid_by_cohort, disb_amount, out):
    """The investor's net cash flow on :attr:`ContractArrays.flow_dates`.

    ``out[:n_disb] = -disb_amount``; ``out[n_disb + c] = repaid_by_cohort[c]``.
    """
    nd = disb_amount.shape[0]
    for i in range(nd):
        out[i] = -disb_amount[i]
    for c in range(repaid_by_cohort.shape[0]):
        out[nd + c] = repaid_by_cohort[c]


@jitable
def retention_clause_core(measured, mode, minimum, amount, count, void, uncapped):
    """The retention clause's payment to the investor; voids cohorts on an early end.

    Parameters
    ----------
    measured : float64[cohort]
        Citizens measured per cohort.
    mode : int
        :data:`RET_NONE`, :data:`RET_PER_MISSING` or :data:`RET_EARLY_END`.
    minimum, amount : float
        The clause's minimum number measured and its payment per missing
        citizen or settlement.
    count, void : float64[cohort]
        Cohorts counted in the check; cohorts an early end voids.
    uncapped : float64[cohort, goal]
        Payments before caps; the voided cohorts' rows are set to 0 in place
        when an early end is triggered.

    Returns
    -------
    float
        What the payers pay the investor under the clause (0 if not triggered).
    """
    if mode == RET_NONE:
        return 0.0
    counted = 0.0
    for c in range(measured.shape[0]):
        counted += measured[c] * count[c]
    if counted >= minimum:
        return 0.0
    if mode == RET_PER_MISSING:
        return amount * (minimum - counted)
    for c in range(measured.shape[0]):
        if void[c] > 0.0:
            for g in range(uncapped.shape[1]):
                uncapped[c, g] = 0.0
    return amount


@jitable
def floor_topup_core(received, floor_amount):
    """The floor's top-up: ``max(0, floor_amount - received)``."""
    gap = floor_amount - received
    return gap if gap > 0.0 else 0.0


@jitable
def gate_engaged_probability(retention, exponent):
    """P(still engaged at the gate's look | not measured at the end).

    Dropout at a constant hazard over the year: engaged at ``m`` months with
    probability ``retention ** (m / 12)``; the measured (``retention``) were
    engaged throughout, so among the others the chance is
    ``(retention ** (m / 12) - retention) / (1 - retention)``.
    """
    if retention >= 1.0:
        return 0.0
    if retention <= 0.0:
        return 0.0
    return (retention**exponent - retention) / (1.0 - retention)


@jitable
def gate_cancel_core(flow, disb_stop):
    """A stop cancels the disbursements after the gate: their entries in the investor's
    flow (``flow[:n_disb]``) become 0."""
    for i in range(disb_stop.shape[0]):
        if disb_stop[i] > 0.0:
            flow[i] = 0.0


@jitable
def goal_caps_core(uncapped, goal_cap, repay_order):
    """Each goal's ``maximum_price``: what a goal earns, cumulated across cohorts in
    repayment order, stops at its cap (in place, before the payers' caps)."""
    n_cohort, n_goal = uncapped.shape
    for g in range(n_goal):
        room = goal_cap[g]
        for k in range(n_cohort):
            c = repay_order[k]
            if uncapped[c, g] > room:
                uncapped[c, g] = room
            room -= uncapped[c, g]


@jitable
def goal_caps_dated_core(uncapped, goal_cap, pay_event, event_order):
    """:func:`goal_caps_core` with payments dated per cell: a goal's ``maximum_price``
    stops what it earns, cumulated over its cells in the order of their payment events."""
    n_cohort, n_goal = uncapped.shape
    for g in range(n_goal):
        room = goal_cap[g]
        for k in range(event_order.shape[0]):
            e = event_order[k]
            for c in range(n_cohort):
                if pay_event[c, g] == e:
                    if uncapped[c, g] > room:
                        uncapped[c, g] = room
                    room -= uncapped[c, g]


@jitable
def apply_caps_dated_core(uncapped, goal_payer, cap, pay_event, event_order, out):
    """:func:`apply_caps_core` with payments dated per cell (staged goals): each payer's
    cap applies cumulatively over the payment events in date order; where a cap cuts an
    event's payment, each of the payer's cells in it gets the same fraction."""
    n_cohort, n_goal = uncapped.shape
    n_payer = cap.shape[0]
    paid = np.zeros(n_payer)
    due = np.zeros(n_payer)
    scale = np.empty(n_payer)
    for k in range(event_order.shape[0]):
        e = event_order[k]
        due[:] = 0.0
        for c in range(n_cohort):
            for g in range(n_goal):
                if pay_event[c, g] == e:
                    due[goal_payer[g]] += uncapped[c, g]
        _cap_what_falls_due(due, paid, cap, scale)
        for c in range(n_cohort):
            for g in range(n_goal):
                if pay_event[c, g] == e:
                    out[c, g] = uncapped[c, g] * scale[goal_payer[g]]


@jitable
def dated_cash_flow_core(repaid, pay_event, disb_amount, n_event, out):
    """:func:`dsi_cash_flow_core` with payments dated per cell:
    ``out[n_disb + e]`` sums the cells paid in event ``e``."""
    nd = disb_amount.shape[0]
    for i in range(nd):
        out[i] = -disb_amount[i]
    for e in range(n_event):
        out[nd + e] = 0.0
    for c in range(repaid.shape[0]):
        for g in range(repaid.shape[1]):
            out[nd + pay_event[c, g]] += repaid[c, g]


def reached(rates: np.ndarray, stage_prev: np.ndarray) -> np.ndarray:
    """Each column's expected share of measured citizens: its rate, times the previous
    stage's share for a stage (a stage's rate is given the previous stage)."""
    out = np.array(rates, dtype=np.float64)
    for j in range(out.shape[0]):
        if stage_prev[j] >= 0:
            out[j] = out[stage_prev[j]] * rates[j]
    return out
