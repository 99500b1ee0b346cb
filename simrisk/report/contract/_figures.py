"""Every figure the contract report prints, computed once per report.

:func:`compute` reads the run once: the kind's summary, page 1's
:class:`~simrisk.report.contract._numbers.Decision`, the drivers, the value
of information, DSI's expected case (the ledger), the decision rule's
verdict, the alternatives, what would change the decision, and the payers'
figures. Every page takes the one :class:`Figures` object, so a figure is
the same wherever it is printed (``tests/test_report_engine.py`` checks the
PDF's text for it).

While the decision layer's rules (``summary["decision"]``) are not in the
summary, the rules are computed here from the run: the note's hurdle rule
(an IRR below the hurdle rate is normally not approved), expected value
(lend if the mean NPV at the discount rate is above doing nothing's 0) and
dominance; doing nothing is NPV 0 with certainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

__all__ = ["Figures", "compute"]


@dataclass
class Figures:
    """The figures of one contract report (see :func:`compute`)."""

    ds: xr.Dataset
    s: dict
    d: object
    drivers: list
    voi: object
    case: object
    case_dict: dict
    rule: dict
    alternatives: list
    flips: list
    payers: dict
    reconcile: dict
    scenarios: list = field(default_factory=list)


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    x = np.asarray(x, dtype=np.float64)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan


def _prob(e: np.ndarray) -> tuple[float, float]:
    p = float(np.mean(e))
    return p, math.sqrt(p * (1 - p) / max(e.size, 1))


def _acting(decision: dict):
    """The decision layer's alternative that is not doing nothing (lend), or None."""
    alts = decision.get("alternatives")
    nothing = decision.get("do_nothing")
    if not isinstance(alts, list) or not all(isinstance(a, str) for a in alts):
        return None
    acting = [a for a in alts if a != nothing]
    return acting[0] if len(acting) == 1 else None


def _rule(ds, s, d, case) -> dict:
    """DSI's hurdle rule, expected value and dominance against doing nothing."""
    given = s.get("decision") or {}
    rules = given.get("rules") or {}
    hurdle = float(ds.attrs["hurdle_rate"])
    out = {
        "hurdle_rate": hurdle,
        "rate": float(ds.attrs["discount_rate"]),
        "case_irr": float(case.irr),
        "case_passes": bool(case.irr >= hurdle),
        "p_below": float(s["p_irr_below_hurdle"]),
        "p_below_se": float(s["p_irr_below_hurdle_se"]),
        "median_irr": float(s["irr"]["p50"]),
        "median_irr_se": float(s["irr"]["p50_se"]),
        "npv_mean": float(s["npv"]["mean"]),
        "npv_mean_se": float(s["npv"]["mean_se"]),
        "from_decision_layer": bool(rules),
    }
    # expected value: lend when the mean NPV beats doing nothing (0); the decision
    # layer's rule when the summary has it (rows by alternative, doing nothing named)
    value, se = out["npv_mean"], out["npv_mean_se"]
    ev = rules.get("expected_value")
    act = _acting(given)
    if isinstance(ev, dict) and act is not None:
        row = (ev.get("alternatives") or {}).get(act)
        if isinstance(row, dict) and "mean" in row:
            value, se = float(row["mean"]), float(row.get("mean_se", se))
    out["ev_value"], out["ev_se"] = value, se
    out["ev_lend"] = value > 0
    out["ev_clear"] = abs(value) > 2 * se
    out["dominates"] = float(s["p_npv_negative"]) == 0.0
    out["rules_given"] = sorted(rules)
    out["lend"] = out["ev_lend"] and out["case_passes"] and out["median_irr"] >= hurdle
    return out


def _alternatives(ds, s, d, rule) -> list[dict]:
    """Lend on the config's terms, or do nothing (NPV 0 with certainty)."""
    npv = ds["npv"].values.astype(np.float64)
    lend = {
        "id": "lend",
        "npv_mean": (rule["ev_value"], rule["ev_se"]),
        "p_npv_negative": (d.p_npv_negative, d.p_npv_negative_se),
        "p_below_hurdle": (rule["p_below"], rule["p_below_se"]),
        "p_loss": (d.p_nominal_loss, d.p_nominal_loss_se),
        "npv_p5": (float(s["npv"]["p5"]), float(s["npv"]["p5_se"])),
        "npv_p95": (float(s["npv"]["p95"]), float(s["npv"]["p95_se"])),
        "npv_es1": (d.npv_es1, d.npv_es1_se),
    }
    nothing = {k: (0.0, 0.0) for k in lend if k != "id"}
    nothing["id"] = "nothing"
    nothing["p_below_hurdle"] = (None, None)
    assert npv.size  # a run has draws
    return [lend, nothing]


def _flips(ds, d, drivers, rule, scenario) -> list[dict]:
    """For each main driver, the range of the parameter where lending no longer pays.

    The draws are split into tenths of the parameter (as the tornado); the
    expected NPV is computed in each tenth with its SE. A flip is the run of
    tenths at the unfavourable end where the mean NPV is below 0 (doing
    nothing is better on expected value); its edge is the parameter's value
    at that tenth's boundary.
    """
    from simrisk.report.contract import _assumptions as assume

    npv = ds["npv"].values.astype(np.float64)
    names = [str(v) for v in ds["parameter"].values]
    irr = ds["irr"].values.astype(np.float64)
    hurdle = rule["hurdle_rate"]
    out = []
    for r in drivers[:4]:
        j = names.index(r["parameter"])
        x = ds["parameters"].values[:, j].astype(np.float64)
        if np.ptp(x) == 0:
            continue
        edges = np.quantile(x, np.linspace(0, 1, 11))
        k = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 9)
        means, ses, below = [], [], []
        for t in range(10):
            m, e = _mean_se(npv[k == t])
            means.append(m)
            ses.append(e)
            below.append(float(np.mean(~(np.isfinite(irr[k == t]) & (irr[k == t] >= hurdle)))))
        means = np.array(means)
        # the unfavourable end: the side with the lower mean NPV
        low_bad = means[0] < means[-1]
        order = range(10) if low_bad else range(9, -1, -1)
        run = []
        for t in order:
            if means[t] < 0:
                run.append(t)
            else:
                break
        row = {
            "parameter": r["parameter"],
            "label": assume.param_label(scenario, r["parameter"], "en"),
            "low_bad": bool(low_bad),
            "tenths": len(run),
            "means": means,
            "ses": np.array(ses),
            "p_below": np.array(below),
        }
        if run:
            t_edge = run[-1]
            row["edge"] = float(edges[t_edge + 1] if low_bad else edges[t_edge])
            row["share"] = len(run) / 10
            sel = np.isin(k, run)
            row["npv_mean"], row["npv_mean_se"] = _mean_se(npv[sel])
            row["p_below_in"] = float(np.mean(~(np.isfinite(irr[sel]) & (irr[sel] >= hurdle))))
        out.append(row)
    return out


def _payers(ds, s) -> dict:
    """Payments by year with bands, what they pay with no effect, persistence."""
    from simrisk.report.contract._numbers import dated_cash_flows, scenario_of

    scen = scenario_of(ds)
    out: dict = {"by_payer": {}}
    # repayments by payer and year: each cohort repays on its date
    rep = ds["repayments"].values.astype(np.float64)  # [draw, cohort, goal]
    years = [int(str(v)[:4]) for v in ds["repayment_date"].values]
    payer_of_goal = [str(v) for v in ds["goal_payer"].values]
    uniq = sorted(set(years))
    for p in dict.fromkeys(payer_of_goal):
        cols = [j for j, q in enumerate(payer_of_goal) if q == p]
        by_year = {}
        for y in uniq:
            rows = [i for i, yy in enumerate(years) if yy == y]
            v = rep[:, rows][:, :, cols].sum(axis=(1, 2))
            m, se = _mean_se(v)
            by_year[y] = {
                "mean": m,
                "se": se,
                "p5": float(np.quantile(v, 0.05)),
                "p95": float(np.quantile(v, 0.95)),
            }
        out["by_payer"][p] = {"by_year": by_year}
    # with no effect at all: the successes that would have happened anyway are
    # still paid (the deadweight successes): E[repayment x deadweight share]
    dw = ds["deadweight_share_by_goal"].values.astype(np.float64)  # [draw, goal]
    by_goal = rep.sum(axis=1)  # [draw, goal]
    for p in out["by_payer"]:
        cols = [j for j, q in enumerate(payer_of_goal) if q == p]
        paid = by_goal[:, cols].sum(axis=1)
        none = np.nansum(by_goal[:, cols] * np.nan_to_num(dw[:, cols]), axis=1)
        out["by_payer"][p]["paid"] = _mean_se(paid)
        out["by_payer"][p]["no_effect"] = _mean_se(none)
    out["no_effect_total"] = _mean_se(np.nansum(by_goal * np.nan_to_num(dw), axis=1))
    out["paid_total"] = _mean_se(by_goal.sum(axis=1))
    # the modelled basis against persistence: 0.5, 1.0 and the config's value
    out["persistence"] = _persistence(ds, scen)
    out["years"] = uniq
    del dated_cash_flows
    return out


def _persistence(ds, scen) -> dict:
    """Mean modelled net saving per authority at persistence 0.5, 1.0 and the config's.

    The modelled saving of a year ``t`` after the start counts
    ``persistence ** t`` of the caused fall; the Dataset keeps the saving at
    the config's persistence only, so each year's share is rescaled:
    saving(p) = saving(p0) x S(p) / S(p0) with ``S(p) = sum_t p^t / (1 + r)^t``
    over the horizon (the same discounting as the kind's model).
    """
    bc = getattr(scen, "business_case", None)
    modelled = getattr(bc, "modelled", None) if bc is not None else None
    out: dict = {}
    if modelled is None or "authority_saving_modelled" not in ds:
        return out
    p0 = float(getattr(modelled, "persistence", 1.0))
    horizon = int(getattr(modelled, "horizon_years", 8))
    saving = ds["authority_saving_modelled"]
    net = ds["authority_net_saving_modelled"]
    rates = {p.id: float(getattr(p, "discount_rate", 0.0) or 0.0) for p in scen.payers}
    for a in [str(v) for v in ds["authority"].values]:
        r = rates.get(a, 0.0)

        def S(p, r=r):
            return sum(p**t / (1 + r) ** t for t in range(horizon))

        sv = saving.sel(authority=a).values.astype(np.float64)
        nv = net.sel(authority=a).values.astype(np.float64)
        repaid = sv - nv
        rows = {}
        for p in sorted({0.5, 1.0, p0}):
            scaled = sv * S(p) / S(p0) - repaid
            m, se = _mean_se(scaled)
            rows[p] = {"mean": m, "se": se, "p_negative": _prob(scaled < 0)}
        out[a] = {"config": p0, "rows": rows}
    return out


def compute(ds: xr.Dataset, scenarios=None) -> Figures:
    """Read the run once and compute every figure of the report."""
    from simrisk.kinds.contract.summary import summarize
    from simrisk.report.contract._numbers import (
        decision,
        drivers,
        expected_case,
        scenario_of,
        value_of_information,
    )
    from simrisk.report.contract._reconcile import reconcile

    s = summarize(ds)
    d = decision(ds, s)
    rows = drivers(ds)
    voi = value_of_information(ds)
    case = expected_case(ds)
    case_dict = case.to_dict()
    rule = _rule(ds, s, d, case)
    scen = scenario_of(ds)
    fig = Figures(
        ds=ds,
        s=s,
        d=d,
        drivers=rows,
        voi=voi,
        case=case,
        case_dict=case_dict,
        rule=rule,
        alternatives=_alternatives(ds, s, d, rule),
        flips=_flips(ds, d, rows, rule, scen),
        payers=_payers(ds, s),
        reconcile={},
    )
    fig.reconcile = reconcile(fig, scen)
    if scenarios:
        for name, sc in scenarios:
            npv = sc["npv"].values.astype(np.float64)
            irr = sc["irr"].values.astype(np.float64)
            m, se = _mean_se(npv)
            pb, pb_se = _prob(~(np.isfinite(irr) & (irr >= rule["hurdle_rate"])))
            fig.scenarios.append(
                {"name": name, "ds": sc, "npv_mean": (m, se), "p_below": (pb, pb_se)}
            )
    return fig
