"""Summaries of a contract run: every figure with its Monte Carlo standard error.

The statistics and their standard errors are the core's
(:mod:`simrisk.core.summary`); this module picks the contract's figures.
"""

from __future__ import annotations

import json
import math

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.core.summary import describe, expected_shortfall, prob, quantile_se

__all__ = ["REQUIRED_VARIABLES", "SAVING_BASES", "format_summary", "received_total", "summarize"]

REQUIRED_VARIABLES = (
    "irr",
    "irr_status",
    "npv",
    "moic",
    "repayments_by_payer",
    "repayments_total",
    "authority_saving_note",
    "authority_net_saving_note",
    "authority_saving_modelled",
    "authority_repayments_pv",
    "authority_net_saving_modelled",
    "deadweight_share",
    "deadweight_share_by_goal",
    "deadweight_successes",
    "successes",
    "measured",
)


def summarize(ds: xr.Dataset) -> dict:
    """The run's key figures as a JSON-ready dict (amounts in DKK, rates as fractions)."""
    missing = [v for v in REQUIRED_VARIABLES if v not in ds.variables]
    if missing:
        raise SimriskError(f"result lacks variables needed for a summary: {', '.join(missing)}")
    n = ds.sizes["draw"]
    capital = float(ds.attrs["capital"])
    hurdle = float(ds.attrs["hurdle_rate"])
    irr = ds["irr"].values.astype(np.float64)
    status = ds["irr_status"].values
    npv = ds["npv"].values.astype(np.float64)
    total = ds["repayments_total"].values.astype(np.float64)
    received = received_total(ds)
    reasons = json.loads(ds.attrs["irr_reasons"])
    p_loss, p_loss_se = prob(received < capital)
    p_neg, p_neg_se = prob(npv < 0)
    irr_def = np.isfinite(irr)
    p_hurdle, p_hurdle_se = prob(np.where(irr_def, irr < hurdle, False))
    var5, es5, es5_se = expected_shortfall(npv, 0.05)
    var5_se = quantile_se(np.sort(npv), 0.05)
    undefined = {
        reasons[str(int(code))]: int((status == code).sum())
        for code in np.unique(status)
        if not np.isfinite(irr[status == code]).all()
    }
    rep = ds["repayments_by_payer"]
    meas = ds["measured"].values.sum(axis=1, dtype=np.float32)
    goals = list(ds["goal"].values)

    def rate(j):
        succ = ds["successes"].values[:, :, j].sum(axis=1, dtype=np.float32)
        with np.errstate(invalid="ignore", divide="ignore"):
            return succ / meas

    out = {
        "scenario": ds.attrs.get("scenario", ""),
        "draws": int(n),
        "seed": int(ds.attrs["seed"]),
        "fixed_parameters": bool(ds.attrs.get("fixed_parameters", 0)),
        "config_sha256": ds.attrs.get("config_sha256", ""),
        "simrisk_version": ds.attrs.get("simrisk_version", ""),
        "capital": capital,
        "discount_rate": float(ds.attrs["discount_rate"]),
        "hurdle_rate": hurdle,
        "irr": describe(irr),
        "npv": describe(npv),
        "moic": describe(ds["moic"].values),
        "p_loss_nominal": p_loss,
        "p_loss_nominal_se": p_loss_se,
        "p_npv_negative": p_neg,
        "p_npv_negative_se": p_neg_se,
        "p_irr_below_hurdle": p_hurdle,
        "p_irr_below_hurdle_se": p_hurdle_se,
        "var5_npv": var5,
        "var5_npv_se": var5_se,
        "es5_npv": es5,
        "es5_npv_se": es5_se,
        "irr_undefined": {
            "share": float(1 - irr_def.mean()),
            "reasons": undefined,
            "total_loss_share": float((irr == -1.0).mean()),
        },
        "repayments": {
            **{str(p): describe(rep.sel(payer=p).values) for p in rep["payer"].values},
            "total": describe(total),
        },
        "payments": _payments(ds),
        "saving_bases": SAVING_BASES,
        "net_saving": {
            basis: {str(a): _net_saving(ds, basis, str(a)) for a in ds["authority"].values}
            for basis in SAVING_BASES
        },
        "deadweight_share": describe(ds["deadweight_share"].values),
        "deadweight_share_by_goal": {
            str(g): describe(ds["deadweight_share_by_goal"].values[:, j])
            for j, g in enumerate(goals)
        },
        "success_rate": {
            str(g): {
                **describe(rate(j)),
                "assumed": float(ds["assumed_success_rate"].values[j]),
                "implied_at_central": float(ds["implied_success_rate"].values[j]),
                "counterfactual_at_central": float(ds["implied_counterfactual_rate"].values[j]),
            }
            for j, g in enumerate(goals)
        },
    }
    return out


def received_total(ds: xr.Dataset) -> np.ndarray:
    """Per draw: everything the investor receives (repayments plus any clause payments)."""
    if "payments_by_payer" in ds:
        return ds["payments_by_payer"].values.sum(axis=1, dtype=np.float64)
    return ds["repayments_total"].values.astype(np.float64)


def _payments(ds: xr.Dataset) -> dict:
    """Everything the payers pay the investor (repayments plus any clause payments)."""
    var_ = "payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"
    paid = ds[var_]
    total = paid.values.sum(axis=1, dtype=np.float64)
    out = {
        "total": describe(total),
        **{str(p): describe(paid.sel(payer=p).values) for p in paid["payer"].values},
    }
    for name in ("retention_clause_payment", "floor_payment"):
        if name in ds:
            x = ds[name].values.sum(axis=1, dtype=np.float64)
            p, p_se = prob(x > 0)
            out[name.removesuffix("_payment")] = {
                "mean": float(x.mean()),
                "mean_se": float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else 0.0,
                "p_paid": p,
                "p_paid_se": p_se,
            }
    return out


#: The authorities' saving bases, in the order they are shown (the note's first).
SAVING_BASES = {
    "note_method": (
        "the note's method: threshold x stated BIS mean excess cost x successes, "
        "less repayments; undiscounted, every success counted (caused or not)"
    ),
    "modelled": (
        "modelled: the caused fall in each measured citizen's use (per-citizen model), "
        "horizon and persistence from business_case.modelled, less repayments; both "
        "discounted at the payer's own discount_rate"
    ),
}
_VARS = {
    "note_method": ("authority_saving_note", "authority_net_saving_note"),
    "modelled": ("authority_saving_modelled", "authority_net_saving_modelled"),
}


def _ratio_of_means(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """``mean(y) / mean(x)`` and its delta-method standard error."""
    mx = float(x.mean())
    if mx <= 0:
        return float("nan"), float("nan")
    r = float(y.mean()) / mx
    return r, float((y - r * x).std(ddof=1) / math.sqrt(y.size) / mx)


def _net_saving(ds: xr.Dataset, basis: str, a: str) -> dict:
    """One authority's net saving on one basis, with P(net < 0) and cost per caused success."""
    saving_var, net_var = _VARS[basis]
    net = ds[net_var].sel(authority=a).values.astype(np.float64)
    saving = ds[saving_var].sel(authority=a).values.astype(np.float64)
    if basis == "note_method":
        by_payer = "payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"
        paid = ds[by_payer].sel(payer=a).values.astype(np.float64)
    else:
        paid = ds["authority_repayments_pv"].sel(authority=a).values.astype(np.float64)
    # The authority's goal: the one its saving is measured on (its resource goal).
    goal_payer = list(ds["goal_payer"].values)
    j = goal_payer.index(a)
    succ = ds["successes"].values[:, :, j].sum(axis=1, dtype=np.float64)
    dw = ds["deadweight_successes"].values[:, :, j].sum(axis=1, dtype=np.float64)
    cost, cost_se = _ratio_of_means(paid, succ - dw)
    p_neg, p_neg_se = prob(net < 0)
    return {
        **describe(net),
        "p_negative": p_neg,
        "p_negative_se": p_neg_se,
        "saving_mean": float(saving.mean()),
        "saving_mean_se": float(saving.std(ddof=1) / math.sqrt(saving.size)),
        "repayments_mean": float(paid.mean()),
        "cost_per_caused_success": cost,
        "cost_per_caused_success_se": cost_se,
    }


def _dkk(x: float) -> str:
    return f"{x:,.0f}"


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def format_summary(s: dict) -> str:
    """The summary as a readable table: value, then (Monte Carlo SE)."""
    lines = [
        f"{s['scenario']}: {s['draws']:,} draws, seed {s['seed']}"
        + (", parameters fixed at central values" if s["fixed_parameters"] else ""),
        "Figures are estimates with their Monte Carlo standard error in brackets.",
        "",
        "Investor (DKK)                      mean                 P5                   P50"
        "                  P95",
    ]

    def row(name, d, fmt):
        if d.get("n", 0) == 0:
            return f"{name:<24} n/a"
        cells = [f"{fmt(d[k])} ({fmt(d[k + '_se'])})" for k in ("mean", "p5", "p50", "p95")]
        return f"{name:<24}" + "".join(f"{c:>21}" for c in cells)

    lines.append(row("IRR", s["irr"], lambda v: _pct(v, 2)))
    lines.append(row(f"NPV at {_pct(s['discount_rate'])}", s["npv"], _dkk))
    lines.append(row("money multiple", s["moic"], lambda v: f"{v:.3f}"))
    for k, d in s["repayments"].items():
        lines.append(row(f"repaid: {k}", d, _dkk))
    lines.append(row("deadweight share", s["deadweight_share"], lambda v: _pct(v, 2)))
    for g, d in s["deadweight_share_by_goal"].items():
        lines.append(row(f"  of which {g}", d, lambda v: _pct(v, 2)))
    lines += [
        "",
        "Authorities (DKK): net saving = saving - repayments, on two bases",
        "  note's method: threshold x stated BIS mean x successes; undiscounted, as the note",
        "  modelled: caused fall per measured citizen; both discounted at the payer's rate",
        "                                    mean                 P5                   P50"
        "                  P95",
    ]
    label = {"note_method": "note's method", "modelled": "modelled"}
    for basis, by_auth in s["net_saving"].items():
        for a, d in by_auth.items():
            lines.append(row(f"{label[basis]}: {a}", d, _dkk))
    lines.append("")
    lines.append(
        "                                    P(net < 0)        saving (mean)"
        "     cost per caused success"
    )
    for basis, by_auth in s["net_saving"].items():
        for a, d in by_auth.items():
            lines.append(
                f"  {label[basis] + ': ' + a:<30}"
                f"{_pct(d['p_negative'], 2):>8} ({_pct(d['p_negative_se'], 2)})"
                f"{_dkk(d['saving_mean']):>15} ({_dkk(d['saving_mean_se'])})"
                f"{_dkk(d['cost_per_caused_success']):>14} "
                f"({_dkk(d['cost_per_caused_success_se'])})"
            )
    risk = [
        (
            f"P(repayments < capital {_dkk(s['capital'])})",
            f"{_pct(s['p_loss_nominal'], 2)} ({_pct(s['p_loss_nominal_se'], 2)})",
        ),
        ("P(NPV < 0)", f"{_pct(s['p_npv_negative'], 2)} ({_pct(s['p_npv_negative_se'], 2)})"),
        (
            f"P(IRR < {_pct(s['hurdle_rate'])} hurdle)",
            f"{_pct(s['p_irr_below_hurdle'], 2)} ({_pct(s['p_irr_below_hurdle_se'], 2)})",
        ),
        ("VaR 5% of NPV (P5)", f"{_dkk(s['var5_npv'])} ({_dkk(s['var5_npv_se'])})"),
        ("expected shortfall 5% of NPV", f"{_dkk(s['es5_npv'])} ({_dkk(s['es5_npv_se'])})"),
        (
            "draws with no defined IRR",
            _pct(s["irr_undefined"]["share"], 3)
            + "".join(f"; {n} x {r}" for r, n in s["irr_undefined"]["reasons"].items()),
        ),
        ("draws with a total loss (IRR -100%)", _pct(s["irr_undefined"]["total_loss_share"], 3)),
    ]
    width = max(len(k) for k, _ in risk) + 2
    lines += ["", "Risk"] + [f"  {k:<{width}}{v}" for k, v in risk]
    lines += [
        "",
        "Success among measured citizens     simulated mean   contract assumes"
        "   model at central values   without intervention",
    ]
    for g, d in s["success_rate"].items():
        lines.append(
            f"  {g:<32} {_pct(d['mean']):>10} ({_pct(d['mean_se'], 2)})"
            f"   {_pct(d['assumed']):>8}   {_pct(d['implied_at_central']):>20}"
            f"   {_pct(d['counterfactual_at_central']):>18}"
        )
    return "\n".join(lines)
