"""The deterministic ledger: the source's expected case, exactly.

With every citizen count at its expected value (referred x share x retention
x success rate) the ledger computes the repayments per goal, payer and
cohort with the caps applied cumulatively in date order, DSI's net cash
flow by date and calendar year, IRR, NPV and money multiple, and the
authorities' business case by the source's method. It is the oracle for the
Monte Carlo engine: with uncertainty switched off, the engine's means must
land on these numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from simrisk.core.errors import SimriskError
from simrisk.core.finance import IRR_REASONS, irr_core, moic_core, npv_core
from simrisk.kinds.contract.config import Scenario
from simrisk.kinds.contract.contract import (
    ContractArrays,
    apply_caps_core,
    apply_caps_dated_core,
    compile_contract,
    dated_cash_flow_core,
    dsi_cash_flow_core,
    floor_topup_core,
    gate_cancel_core,
    goal_caps_core,
    goal_caps_dated_core,
    reached,
    retention_clause_core,
)

__all__ = ["BusinessCaseLine", "LedgerResult", "run_ledger"]


@dataclass(frozen=True)
class BusinessCaseLine:
    """One authority's business case by the source's method."""

    payer: str
    goal: str
    successes: float
    mean_excess_cost: float
    threshold: float
    repayments: float
    saving_by_reduction: dict[float, float]

    @property
    def saving(self) -> float:
        """Saving at the goal's own threshold (the source's base case)."""
        return self.threshold * self.mean_excess_cost * self.successes

    @property
    def net_saving(self) -> float:
        """Saving at the threshold less what this authority repays."""
        return self.saving - self.repayments


@dataclass(frozen=True)
class LedgerResult:
    """The expected case of a scenario. Amounts in DKK, floats unrounded."""

    scenario: Scenario
    contract: ContractArrays
    success_rate: np.ndarray  # [goal]
    retention: float
    measured: np.ndarray  # [cohort]
    successes: np.ndarray  # [cohort, goal]
    uncapped: np.ndarray  # [cohort, goal]
    repayments: np.ndarray  # [cohort, goal]
    cash_flow: np.ndarray  # [flow date]
    irr: float
    irr_status: int
    npv: float
    moic: float
    business_case: list[BusinessCaseLine] = field(default_factory=list)
    #: the retention clause's payment and the floor's top-up to the investor (DKK)
    retention_payment: float = 0.0
    floor_payment: float = 0.0
    #: the gate's look in the expected case (None without a [gate])
    gate: dict | None = None

    def clause_payments_by_payer(self) -> dict[str, float]:
        """What each payer pays under the retention clause and the floor."""
        c = self.contract
        if not c.has_clauses:
            return {}
        share = (
            self.retention_payment * c.ret_payer_share + self.floor_payment * c.floor_payer_share
        )
        return dict(zip(c.payer_ids, map(float, share), strict=True))

    # --- aggregates -------------------------------------------------------
    def repayments_by_payer(self) -> dict[str, float]:
        """Total repayment per payer id."""
        c = self.contract
        by_goal = self.repayments.sum(axis=0)
        return {p: float(by_goal[c.goal_payer == i].sum()) for i, p in enumerate(c.payer_ids)}

    def cash_flows_by_date(self) -> list[tuple[dt.date, float]]:
        """DSI's net cash flow per date (dates merged, in order)."""
        agg: dict[dt.date, float] = {}
        for d, v in zip(self.contract.flow_dates, self.cash_flow, strict=True):
            agg[d] = agg.get(d, 0.0) + float(v)
        return sorted(agg.items())

    def cash_flows_by_year(self) -> dict[int, float]:
        """DSI's net cash flow per calendar year."""
        out: dict[int, float] = {}
        for d, v in self.cash_flows_by_date():
            out[d.year] = out.get(d.year, 0.0) + v
        return dict(sorted(out.items()))

    def to_dict(self) -> dict:
        """A JSON-ready summary (amounts in DKK, rates as fractions)."""
        c = self.contract
        by_payer = self.repayments_by_payer()
        repay = {**by_payer, "total": float(self.repayments.sum())}
        out = {
            "scenario": self.scenario.name,
            "currency": self.scenario.currency,
            "retention": self.retention,
            "success_rates": dict(zip(c.goal_ids, map(float, self.success_rate), strict=True)),
            "measured": float(self.measured.sum()),
            "successes": {
                g: {
                    "total": float(self.successes[:, j].sum()),
                    "by_cohort": dict(
                        zip(c.cohort_ids, map(float, self.successes[:, j]), strict=True)
                    ),
                }
                for j, g in enumerate(c.goal_ids)
            },
            "repayments": repay,
            "repayments_by_goal": {
                g: {
                    "payer": c.payer_ids[c.goal_payer[j]],
                    "total": float(self.repayments[:, j].sum()),
                    "uncapped": float(self.uncapped[:, j].sum()),
                    "by_cohort": dict(
                        zip(c.cohort_ids, map(float, self.repayments[:, j]), strict=True)
                    ),
                }
                for j, g in enumerate(c.goal_ids)
            },
            "caps": {
                p: (None if not np.isfinite(c.cap[i]) else float(c.cap[i]))
                for i, p in enumerate(c.payer_ids)
            },
            "capital": self.scenario.investor.capital,
            "cash_flows": [
                {"date": d.isoformat(), "amount": v} for d, v in self.cash_flows_by_date()
            ],
            "cash_flows_by_year": {str(y): v for y, v in self.cash_flows_by_year().items()},
            "irr": None if np.isnan(self.irr) else self.irr,
            "irr_status": IRR_REASONS[self.irr_status],
            "npv": self.npv,
            "npv_rate": self.scenario.investor.discount_rate,
            "valuation_date": c.valuation_date.isoformat(),
            "moic": self.moic,
        }
        if c.has_clauses:
            out["clauses"] = {
                "retention_clause": self.retention_payment if c.ret_flow >= 0 else None,
                "floor": self.floor_payment if c.floor_flow >= 0 else None,
                "by_payer": self.clause_payments_by_payer(),
            }
        if self.gate is not None:
            paid = _paid_by_payer(c, self.repayments, self.retention_payment, self.floor_payment)
            out["gate"] = {
                **self.gate,
                "payments_effect": {
                    p: paid[p] - self.gate["payments_without_gate"][p] for p in c.payer_ids
                },
            }
        if self.business_case:
            out["business_case"] = {
                line.payer: {
                    "goal": line.goal,
                    "successes": line.successes,
                    "mean_excess_cost": line.mean_excess_cost,
                    "threshold": line.threshold,
                    "saving": line.saving,
                    "repayments": line.repayments,
                    "net_saving": line.net_saving,
                    "by_reduction": {
                        f"{r:.2f}": {"saving": s, "net_saving": s - line.repayments}
                        for r, s in line.saving_by_reduction.items()
                    },
                }
                for line in self.business_case
            }
        return out


def run_ledger(
    scenario: Scenario,
    success_rate: float | None = None,
    retention: float | None = None,
    goal_rates: Mapping[str, float] | None = None,
) -> LedgerResult:
    """Compute the expected case of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    success_rate : float, optional
        Overrides the success rate of the goals in
        ``scenario.ledger.success_rate_goals`` (for DSI: the two authorities'
        goals, as in the source's repayment-by-success-rate table).
    retention : float, optional
        Overrides ``population.retention``.
    goal_rates : mapping of goal id to float, optional
        Overrides single goals' success rates (applied last).

    Returns
    -------
    LedgerResult

    Raises
    ------
    SimriskError
        If an override is not a probability or names an unknown goal.

    Examples
    --------
    >>> from simrisk.kinds.contract.loader import load_scenario
    >>> s, _ = load_scenario("configs/dsi_norddjurs.toml")
    >>> round(run_ledger(s).repayments_by_payer()["region"])
    5086251
    """
    c = compile_contract(scenario)
    rates = c.success_rate.copy()
    for name, value in (("success_rate", success_rate), ("retention", retention)):
        if value is not None and not (0.0 <= value <= 1.0):
            raise SimriskError(f"{name} = {value!r}: must be a probability in [0, 1]")
    if success_rate is not None:
        targets = scenario.ledger.success_rate_goals
        if not targets:
            raise SimriskError(
                "success_rate: the config's ledger.success_rate_goals is empty, "
                "so there is nothing to override"
            )
        for gid in targets:
            rates[c.goal_ids.index(gid)] = success_rate
    for gid, value in (goal_rates or {}).items():
        if gid not in c.goal_ids:
            raise SimriskError(
                f"goal rate {gid!r}: unknown goal; allowed: {', '.join(c.goal_ids)}"
            )
        if not (0.0 <= value <= 1.0):
            raise SimriskError(f"goal rate {gid} = {value!r}: must be a probability in [0, 1]")
        rates[c.goal_ids.index(gid)] = value
    ret = scenario.population.retention if retention is None else retention

    measured = c.referred * c.cohort_share * ret
    successes = measured[:, None] * reached(rates, c.stage_prev)[None, :]
    rate = scenario.investor.discount_rate
    uncapped, repaid, ret_pay, floor_pay, flow = _settle(c, measured, successes, stop=False)
    gate = None
    if c.gate_on:
        # The expected case's interim count: a share retention ** (m / 12) still engaged.
        engaged = ret**c.gate_exponent
        stops = bool(engaged < c.gate_threshold)
        without = {
            "npv": float(npv_core(rate, c.flow_t, flow)),
            "paid": _paid_by_payer(c, repaid, ret_pay, floor_pay),
        }
        if stops:
            measured = measured * (1.0 - c.gate_void)
            successes = successes * (1.0 - c.gate_void)[:, None]
            uncapped, repaid, ret_pay, floor_pay, flow = _settle(c, measured, successes, True)
        g = scenario.gate
        gate = {
            "date": g.date.isoformat(),
            "months": g.months,
            "threshold": g.threshold,
            "settlement": g.settlement,
            "counted_cohorts": [k for k, on in zip(c.cohort_ids, c.gate_count, strict=True) if on],
            "voided_cohorts": [k for k, on in zip(c.cohort_ids, c.gate_void, strict=True) if on],
            "engaged_share": engaged,
            "stops": stops,
            "cancelled_disbursements": float(c.disb_amount @ c.gate_disb_stop) if stops else 0.0,
            "npv_without_gate": without["npv"],
            "payments_without_gate": without["paid"],
        }
    clause_by_payer = ret_pay * c.ret_payer_share + floor_pay * c.floor_payer_share
    t = c.flow_t
    irr, status = irr_core(t, flow)
    npv = npv_core(rate, t, flow)
    moic = moic_core(flow)
    if gate is not None:
        gate["value"] = float(npv) - gate["npv_without_gate"]

    lines: list[BusinessCaseLine] = []
    bc = scenario.business_case
    if bc is not None:
        n = len(bc.disease_groups)
        for payer_id, goal_id in bc.authorities.items():
            j = c.goal_ids.index(goal_id)
            goal = scenario.goal(goal_id)
            if bc.stated_mean is not None:
                mean = bc.stated_mean.costs[payer_id]
            else:
                mean = sum(r.costs[payer_id] for r in bc.disease_groups) / n
            succ = float(successes[:, j].sum())
            p = c.payer_ids.index(payer_id)
            paid = float(repaid[:, c.goal_payer == p].sum()) + float(clause_by_payer[p])
            lines.append(
                BusinessCaseLine(
                    payer=payer_id,
                    goal=goal_id,
                    successes=succ,
                    mean_excess_cost=mean,
                    threshold=float(goal.threshold or 0.0),
                    repayments=paid,
                    saving_by_reduction={r: r * mean * succ for r in bc.reductions},
                )
            )
    return LedgerResult(
        scenario=scenario,
        contract=c,
        success_rate=rates,
        retention=ret,
        measured=measured,
        successes=successes,
        uncapped=uncapped,
        repayments=repaid,
        cash_flow=flow,
        irr=float(irr),
        irr_status=int(status),
        npv=float(npv),
        moic=float(moic),
        business_case=lines,
        retention_payment=ret_pay,
        floor_payment=floor_pay,
        gate=gate,
    )


def _settle(c: ContractArrays, measured, successes, stop: bool):
    """The contract on expected counts: the retention clause, caps in date order, the floor,
    the investor's flows (a gate's ``stop`` cancels the disbursements after it)."""
    uncapped = successes * c.payment_cg
    # The retention clause (an early end voids later cohorts before the caps apply).
    ret_pay = float(
        retention_clause_core(
            measured, c.ret_mode, c.ret_min, c.ret_amount, c.ret_count, c.ret_void, uncapped
        )
    )
    repaid = np.zeros_like(uncapped)
    flow = np.zeros(len(c.flow_dates))
    if c.dated:
        goal_caps_dated_core(uncapped, c.goal_cap, c.pay_event, c.repay_order)
        apply_caps_dated_core(uncapped, c.goal_payer, c.cap, c.pay_event, c.repay_order, repaid)
        dated_cash_flow_core(repaid, c.pay_event, c.disb_amount, len(c.repay_t), flow)
    else:
        goal_caps_core(uncapped, c.goal_cap, c.repay_order)
        apply_caps_core(uncapped, c.goal_payer, c.cap, c.repay_order, repaid)
        dsi_cash_flow_core(repaid.sum(axis=1), c.disb_amount, flow)
    floor_pay = float(floor_topup_core(float(repaid.sum()) + ret_pay, c.floor_amount))
    if stop:
        gate_cancel_core(flow, c.gate_disb_stop)
    if c.ret_flow >= 0:
        flow[c.ret_flow] = ret_pay
    if c.floor_flow >= 0:
        flow[c.floor_flow] = floor_pay
    return uncapped, repaid, ret_pay, floor_pay, flow


def _paid_by_payer(c: ContractArrays, repaid, ret_pay: float, floor_pay: float) -> dict:
    by_goal = repaid.sum(axis=0)
    return {
        p: float(by_goal[c.goal_payer == i].sum())
        + ret_pay * float(c.ret_payer_share[i])
        + floor_pay * float(c.floor_payer_share[i])
        for i, p in enumerate(c.payer_ids)
    }
