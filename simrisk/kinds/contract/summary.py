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
from simrisk.core.summary import (
    BLOCK,
    Source,
    describe_source,
    expected_shortfall_source,
    mean_sd,
    prob_source,
    quantile_se,
    ratio_of_means,
)

__all__ = [
    "REQUIRED_VARIABLES",
    "SAVING_BASES",
    "format_summary",
    "received_source",
    "received_total",
    "summarize",
]

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


def summarize(ds: xr.Dataset, block_size: int = BLOCK) -> dict:
    """The run's key figures as a JSON-ready dict (amounts in DKK, rates as fractions).

    ``ds`` is read only ``block_size`` draws at a time (``ds[v].isel(draw=...)``),
    never a whole per-draw variable, so a lazily opened result file is summarised
    in bounded memory (issue 15): the statistics stream over the blocks
    (:mod:`simrisk.core.summary`). Quantiles and their SEs are exact, the same
    whatever the block size.
    """
    missing = [v for v in REQUIRED_VARIABLES if v not in ds.variables]
    if missing:
        raise SimriskError(f"result lacks variables needed for a summary: {', '.join(missing)}")
    n = ds.sizes["draw"]
    src = _Reader(ds, block_size)
    capital = float(ds.attrs["capital"])
    hurdle = float(ds.attrs["hurdle_rate"])
    irr = src.f64("irr")
    npv = src.f64("npv")
    reasons = json.loads(ds.attrs["irr_reasons"])
    received = received_source(ds, block_size)
    p_loss, p_loss_se = prob_source(received.map(lambda x: x < capital))
    p_neg, p_neg_se = prob_source(npv.map(lambda x: x < 0))
    irr_def = irr.map(np.isfinite)
    p_hurdle, p_hurdle_se = prob_source(irr.map(lambda x: np.isfinite(x) & (x < hurdle)))
    var5, es5, es5_se = expected_shortfall_source(npv, 0.05)
    npv_summary = describe_source(npv)
    if npv_summary.get("n") == n:  # every NPV finite: describe's P5 window is the VaR's
        var5_se = npv_summary["p5_se"]
    else:  # as before: the SE over np.sort(npv), non-finite values included
        var5_se = quantile_se(np.sort(_whole(npv)), 0.05)
    p_defined = prob_source(irr_def)[0]
    undefined = _undefined(src, reasons)
    meas = src.sum("measured", np.float32)
    goals = list(ds["goal"].values)

    def rate(j):
        return src.pair(_divide, src.sum("successes", np.float32, goal=j), meas)

    rep = ds["repayments_by_payer"]
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
        "irr": describe_source(irr),
        "npv": npv_summary,
        "moic": describe_source(src.raw("moic")),
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
            "share": float(1 - p_defined),
            "reasons": undefined,
            "total_loss_share": prob_source(irr.map(lambda x: x == -1.0))[0],
        },
        "repayments": {
            **{
                str(p): describe_source(src.raw("repayments_by_payer", payer=i))
                for i, p in enumerate(rep["payer"].values)
            },
            "total": describe_source(src.f64("repayments_total")),
        },
        "payments": _payments(ds, src),
        "saving_bases": SAVING_BASES,
        "net_saving": {
            basis: {
                str(a): _net_saving(ds, src, basis, i, str(a))
                for i, a in enumerate(ds["authority"].values)
            }
            for basis in SAVING_BASES
        },
        "deadweight_share": describe_source(src.raw("deadweight_share")),
        "deadweight_share_by_goal": {
            str(g): describe_source(src.raw("deadweight_share_by_goal", goal=j))
            for j, g in enumerate(goals)
        },
        "success_rate": {
            str(g): {
                **describe_source(rate(j)),
                "assumed": float(ds["assumed_success_rate"].values[j]),
                "implied_at_central": float(ds["implied_success_rate"].values[j]),
                "counterfactual_at_central": float(ds["implied_counterfactual_rate"].values[j]),
            }
            for j, g in enumerate(goals)
        },
    }
    return out


class _Reader:
    """Block reads of ``ds``'s per-draw variables as :class:`~simrisk.core.summary.Source`.

    Each block is ``ds[name].isel(draw=slice(a, b), ...)``: for a lazily opened
    file that reads only those draws from disk.
    """

    def __init__(self, ds: xr.Dataset, block_size: int):
        self.ds, self.n, self.block_size = ds, int(ds.sizes["draw"]), int(block_size)

    def _block(self, name: str, sel: dict):
        da = self.ds[name]
        if sel:
            da = da.isel(sel)
        return lambda a, b: da.isel(draw=slice(a, b)).values

    def raw(self, name: str, **sel) -> Source:
        """The variable as stored (one column of it with ``dim=index``)."""
        return Source(self._block(name, sel), self.n, self.block_size)

    def f64(self, name: str, **sel) -> Source:
        block = self._block(name, sel)
        return Source(lambda a, b: block(a, b).astype(np.float64), self.n, self.block_size)

    def sum(self, name: str, dtype, **sel) -> Source:
        """The variable summed over its one non-draw dimension left, in ``dtype``."""
        block = self._block(name, sel)
        return Source(lambda a, b: block(a, b).sum(axis=1, dtype=dtype), self.n, self.block_size)

    def pair(self, f, x: Source, y: Source) -> Source:
        """``f(x, y)`` block by block."""
        return Source(lambda a, b: f(x.block(a, b), y.block(a, b)), self.n, self.block_size)


def _divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / y


def _whole(src: Source) -> np.ndarray:
    # the whole series (only for a result with non-finite NPVs, which the engine never writes)
    return np.concatenate(list(src.blocks())) if src.n else np.empty(0)


def _undefined(src: _Reader, reasons: dict) -> dict:
    """How many draws have each IRR status whose draws are not all finite, by reason."""
    status, irr = src.raw("irr_status"), src.raw("irr")
    counts: dict[int, int] = {}
    nonfinite: dict[int, bool] = {}
    for a, b in status.ranges():
        s, x = status.block(a, b), irr.block(a, b)
        for code, k in zip(*np.unique(s, return_counts=True), strict=True):
            c = int(code)
            counts[c] = counts.get(c, 0) + int(k)
            bad = not np.isfinite(x[s == code]).all()
            nonfinite[c] = nonfinite.get(c, False) or bad
    return {reasons[str(c)]: counts[c] for c in sorted(counts) if nonfinite[c]}


def received_total(ds: xr.Dataset) -> np.ndarray:
    """Per draw: everything the investor receives (repayments plus any clause payments)."""
    if "payments_by_payer" in ds:
        return ds["payments_by_payer"].values.sum(axis=1, dtype=np.float64)
    return ds["repayments_total"].values.astype(np.float64)


def received_source(ds: xr.Dataset, block_size: int = BLOCK) -> Source:
    """:func:`received_total` read ``block_size`` draws at a time."""
    src = _Reader(ds, block_size)
    if "payments_by_payer" in ds:
        return src.sum("payments_by_payer", np.float64)
    return src.f64("repayments_total")


def _payments(ds: xr.Dataset, src: _Reader) -> dict:
    """Everything the payers pay the investor (repayments plus any clause payments)."""
    var_ = "payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"
    out = {
        "total": describe_source(src.sum(var_, np.float64)),
        **{
            str(p): describe_source(src.raw(var_, payer=i))
            for i, p in enumerate(ds[var_]["payer"].values)
        },
    }
    for name in ("retention_clause_payment", "floor_payment"):
        if name in ds:
            x = src.sum(name, np.float64)
            mean, sd = mean_sd(x)
            p, p_se = prob_source(x.map(lambda v: v > 0))
            out[name.removesuffix("_payment")] = {
                "mean": mean,
                "mean_se": sd / math.sqrt(x.n) if x.n > 1 else 0.0,
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


def _net_saving(ds: xr.Dataset, src: _Reader, basis: str, i: int, a: str) -> dict:
    """One authority's net saving on one basis, with P(net < 0) and cost per caused success."""
    saving_var, net_var = _VARS[basis]
    net = src.f64(net_var, authority=i)
    saving = src.f64(saving_var, authority=i)
    if basis == "note_method":
        by_payer = "payments_by_payer" if "payments_by_payer" in ds else "repayments_by_payer"
        payer = list(ds[by_payer]["payer"].values).index(a)
        paid = src.f64(by_payer, payer=payer)
    else:
        paid = src.f64("authority_repayments_pv", authority=i)
    # The authority's goal: the one its saving is measured on (its resource goal).
    goal_payer = list(ds["goal_payer"].values)
    j = goal_payer.index(a)
    succ = src.sum("successes", np.float64, goal=j)
    dw = src.sum("deadweight_successes", np.float64, goal=j)
    cost, cost_se = ratio_of_means(paid, src.pair(np.subtract, succ, dw))
    p_neg, p_neg_se = prob_source(net.map(lambda x: x < 0))
    saving_mean, saving_sd = mean_sd(saving)
    return {
        **describe_source(net),
        "p_negative": p_neg,
        "p_negative_se": p_neg_se,
        "saving_mean": saving_mean,
        "saving_mean_se": saving_sd / math.sqrt(saving.n),
        "repayments_mean": mean_sd(paid)[0],
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
