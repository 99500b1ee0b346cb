"""The contract as arrays: what the ledger and the Monte Carlo kernel share.

:func:`compile_contract` turns a validated :class:`~simrisk.kinds.contract.config.Scenario`
into plain NumPy arrays (indices instead of ids, days instead of dates), and
:func:`apply_caps_core` applies the payers' caps cumulatively across cohorts
in repayment-date order. Both the deterministic ledger and the kernel call
these, so they model the same contract by construction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from simrisk.core._numba import jit
from simrisk.kinds.contract.config import Scenario

__all__ = ["ContractArrays", "apply_caps_core", "compile_contract", "dsi_cash_flow_core"]


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
        Payment per success.
    success_rate : float64[goal]
        Expected success among measured citizens (the config's value).
    cap : float64[payer]
        Cap per payer, ``inf`` where there is none.
    cohort_share : float64[cohort]
    repay_order : int64[cohort]
        Cohort indices sorted by repayment date (ties: config order).
    repay_t : float64[cohort]
        Repayment dates as actual/365 years from the valuation date.
    disb_t, disb_amount : float64[disbursement]
        Disbursement dates (years from the valuation date) and amounts (> 0).
    flow_dates : tuple of datetime.date
        Every date on which DSI's cash flow can be non-zero: the
        disbursements, then the cohorts' repayment dates.
    """

    payer_ids: tuple[str, ...]
    goal_ids: tuple[str, ...]
    cohort_ids: tuple[str, ...]
    goal_payer: np.ndarray
    payment: np.ndarray
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

    @property
    def flow_t(self) -> np.ndarray:
        """Year fractions of :attr:`flow_dates` from the valuation date."""
        return np.concatenate([self.disb_t, self.repay_t])

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
    repay_dates = [c.repayment_date for c in s.cohorts]
    order = sorted(range(len(s.cohorts)), key=lambda i: (repay_dates[i], i))
    return ContractArrays(
        payer_ids=payer_ids,
        goal_ids=tuple(g.id for g in s.goals),
        cohort_ids=tuple(c.id for c in s.cohorts),
        goal_payer=np.array([pidx[g.payer] for g in s.goals], dtype=np.int64),
        payment=np.array([g.payment_per_success for g in s.goals], dtype=np.float64),
        success_rate=np.array([g.success_rate for g in s.goals], dtype=np.float64),
        cap=np.array([np.inf if p.cap is None else p.cap for p in s.payers], dtype=np.float64),
        cohort_share=np.array([c.share for c in s.cohorts], dtype=np.float64),
        repay_order=np.array(order, dtype=np.int64),
        repay_t=_years(repay_dates, origin),
        disb_t=_years([d.date for d in disb], origin),
        disb_amount=np.array([d.amount for d in disb], dtype=np.float64),
        flow_dates=tuple([d.date for d in disb] + repay_dates),
        valuation_date=origin,
        referred=s.population.referred,
        retention=s.population.retention,
    )


@jit
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
    for k in range(n_cohort):
        c = repay_order[k]
        due[:] = 0.0
        for g in range(n_goal):
            due[goal_payer[g]] += uncapped[c, g]
        for p in range(n_payer):
            room = cap[p] - paid[p]
            if room < 0.0:
                room = 0.0
            scale = 1.0
            if due[p] > room:
                scale = room / due[p]
                due[p] = room
            paid[p] += due[p]
            for g in range(n_goal):
                if goal_payer[g] == p:
                    out[c, g] = uncapped[c, g] * scale


@jit
def dsi_cash_flow_core(repaid_by_cohort, disb_amount, out):
    """The investor's net cash flow on :attr:`ContractArrays.flow_dates`.

    ``out[:n_disb] = -disb_amount``; ``out[n_disb + c] = repaid_by_cohort[c]``.
    """
    nd = disb_amount.shape[0]
    for i in range(nd):
        out[i] = -disb_amount[i]
    for c in range(repaid_by_cohort.shape[0]):
        out[nd + c] = repaid_by_cohort[c]
