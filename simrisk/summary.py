"""Summaries of a run: every figure with its Monte Carlo standard error.

Standard errors (JCGM 101:2008 asks for them; docs/sources.md#evidence-mc-reporting):

- means: ``sd / sqrt(N)``;
- probabilities: binomial, ``sqrt(p (1 - p) / N)``;
- quantiles: from the order statistics that bound a 95% distribution-free
  interval for the quantile (``N p +- 1.96 sqrt(N p (1 - p))``), divided by
  ``2 * 1.96``;
- expected shortfall: batch means over 20 contiguous batches of draws.
"""

from __future__ import annotations

import json
import math

import numpy as np
import xarray as xr

from simrisk.errors import SimriskError

__all__ = ["REQUIRED_VARIABLES", "format_summary", "summarize"]

REQUIRED_VARIABLES = (
    "irr",
    "irr_status",
    "npv",
    "moic",
    "repayments_by_payer",
    "repayments_total",
    "authority_net_saving",
    "deadweight_share",
    "successes",
    "measured",
)
_Z95 = 1.959963984540054
_BATCHES = 20


def _quantile_se(sorted_x: np.ndarray, p: float) -> float:
    n = sorted_x.shape[0]
    half = _Z95 * math.sqrt(n * p * (1 - p))
    lo = max(int(math.floor(n * p - half)), 0)
    hi = min(int(math.ceil(n * p + half)), n - 1)
    return float(sorted_x[hi] - sorted_x[lo]) / (2 * _Z95)


def _sorted_quantile(xs: np.ndarray, p: float) -> float:
    # numpy's default (linear) quantile on an already sorted array, without a copy.
    h = (xs.shape[0] - 1) * p
    lo = int(math.floor(h))
    hi = min(lo + 1, xs.shape[0] - 1)
    return float(xs[lo] + (h - lo) * (xs[hi] - xs[lo]))


def describe(x: np.ndarray) -> dict:
    """Mean, SD and P5/P50/P95 of the finite values of ``x``, each with its MC SE."""
    xs = np.array(x, dtype=np.float64)  # one working copy, sorted in place
    if not np.isfinite(xs).all():
        xs = xs[np.isfinite(xs)]
    n = xs.shape[0]
    if n == 0:
        return {"n": 0}
    xs.sort()
    sd = float(xs.std(ddof=1)) if n > 1 else 0.0
    out = {"n": int(n), "mean": float(xs.mean()), "mean_se": sd / math.sqrt(n), "sd": sd}
    for p in (0.05, 0.5, 0.95):
        key = f"p{round(p * 100)}"
        out[key] = _sorted_quantile(xs, p)
        out[f"{key}_se"] = _quantile_se(xs, p)
    return out


def _prob(mask: np.ndarray) -> tuple[float, float]:
    n = mask.shape[0]
    p = float(mask.mean())
    return p, math.sqrt(p * (1 - p) / n)


def _es(x: np.ndarray, alpha: float) -> tuple[float, float]:
    # Value at risk as the alpha-quantile (as P5 elsewhere), expected shortfall
    # as the mean of the values at or below it.
    var = float(np.quantile(x, alpha))
    return var, float(x[x <= var].mean())


def _expected_shortfall(x: np.ndarray, alpha: float) -> tuple[float, float, float]:
    var, es = _es(x, alpha)
    vals = [_es(b, alpha)[1] for b in np.array_split(x, _BATCHES)]
    se = float(np.std(vals, ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else float("nan")
    return var, es, se


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
    reasons = json.loads(ds.attrs["irr_reasons"])
    p_loss, p_loss_se = _prob(total < capital)
    p_neg, p_neg_se = _prob(npv < 0)
    irr_def = np.isfinite(irr)
    p_hurdle, p_hurdle_se = _prob(np.where(irr_def, irr < hurdle, False))
    var5, es5, es5_se = _expected_shortfall(npv, 0.05)
    var5_se = _quantile_se(np.sort(npv), 0.05)
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
        "net_saving": {
            str(a): describe(ds["authority_net_saving"].sel(authority=a).values)
            for a in ds["authority"].values
        },
        "deadweight_share": describe(ds["deadweight_share"].values),
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
    for k, d in s["net_saving"].items():
        lines.append(row(f"net saving: {k}", d, _dkk))
    lines.append(row("deadweight share", s["deadweight_share"], lambda v: _pct(v, 2)))
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
