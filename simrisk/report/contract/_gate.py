"""The contract report's gate page (a run with a ``[gate]``): the gate's value to DSI
(NPV with the gate less without, paired on the same worlds, with its SE), P(the gate
stops the contract), what it does to each payer and authority, and the look itself."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from simrisk.core.numfmt import Numbers
from simrisk.core.words import section
from simrisk.report._table import axes_table

__all__ = ["gate_page", "gate_rows"]

A4 = (11.69, 8.27)
W = section("gate")


def _name(p: str, lang: str) -> str:
    plot = section("plot")
    return plot(p, lang) if p in plot.table else p


def _paired(x: np.ndarray) -> tuple[float, float]:
    x = np.asarray(x, dtype=np.float64)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0


def gate_rows(ds, s: dict, lang: str) -> list[list[str]]:
    """Figure, with the gate, without, with less without (each ± its Monte Carlo SE)."""
    n = Numbers(lang)
    g = s["gate"]

    def dkk(v, se):
        return f"{n.num(v)} ± {n.num(se)}"

    def pct(v, se):
        return f"{n.pct(v)} ± {n.pct(se, 2)}"

    rows = [[W("figure", lang), W("with", lang), W("without", lang), W("difference", lang)]]
    wo = g["npv_without_gate"]
    rows.append(
        [
            W("npv_mean", lang),
            dkk(s["npv"]["mean"], s["npv"]["mean_se"]),
            dkk(wo["mean"], wo["mean_se"]),
            dkk(g["value"], g["value_se"]),
        ]
    )
    npv = ds["npv"].values.astype(np.float64)
    npv0 = ds["npv_without_gate"].values.astype(np.float64)
    d, d_se = _paired((npv < 0).astype(float) - (npv0 < 0))
    rows.append(
        [
            W("p_npv_negative", lang),
            pct(s["p_npv_negative"], s["p_npv_negative_se"]),
            pct(g["p_npv_negative_without_gate"], g["p_npv_negative_without_gate_se"]),
            f"{n.pp(d, 2)} ± {n.num(100 * d_se, 2)}",
        ]
    )
    rows.append([W("p_stop", lang), pct(g["p_stop"], g["p_stop_se"]), "—", "—"])
    pays = s.get("payments", {})
    for p, eff in g["payments_effect"].items():
        with_ = pays.get(p, {})
        if "mean" in with_:
            a = dkk(with_["mean"], with_["mean_se"])
            b = n.num(with_["mean"] - eff["mean"])
        else:
            a = b = "—"
        rows.append(
            [W("payer", lang, payer=_name(p, lang)), a, b, dkk(eff["mean"], eff["mean_se"])]
        )
    modelled = (s.get("net_saving") or {}).get("modelled", {})
    for a, eff in g.get("saving_effect", {}).items():
        with_ = modelled.get(a, {})
        if "saving_mean" in with_:
            a_ = dkk(with_["saving_mean"], with_["saving_mean_se"])
            b_ = n.num(with_["saving_mean"] - eff["mean"])
        else:
            a_ = b_ = "—"
        rows.append(
            [W("saving", lang, authority=_name(a, lang)), a_, b_, dkk(eff["mean"], eff["mean_se"])]
        )
    return rows


def gate_page(ds, s: dict, lang: str):
    """The gate: its terms, its value with SE, P(stop), each party, and the look."""
    from simrisk.kinds.contract.config import gate_counted
    from simrisk.plot import fmt_for
    from simrisk.report.contract._numbers import scenario_of

    n = Numbers(lang)
    f = fmt_for(lang)
    scen = scenario_of(ds)
    gate = scen.gate
    g = s["gate"]
    counted = [c.id for c, on in zip(scen.cohorts, gate_counted(scen, gate), strict=True) if on]
    fig = plt.figure(figsize=A4)
    date = n.date(gate.date)
    fig.text(0.05, 0.945, W("title", lang, date=date), fontsize=15, weight="bold")
    sub = W(
        "sub",
        lang,
        date=date,
        cohorts=", ".join(counted),
        months=gate.months,
        threshold=n.pct(gate.threshold, 0),
        settlement=W(gate.settlement, lang),
    )
    y = 0.915
    for line in textwrap.wrap(sub, 150):
        fig.text(0.05, y, line, fontsize=9.5, color="#444444")
        y -= 0.024
    y -= 0.01
    verdict = W(
        "verdict_value",
        lang,
        value=n.num(g["value"]),
        se=n.num(g["value_se"]),
        p=n.pct(g["p_stop"]),
        p_se=n.pct(g["p_stop_se"], 2),
    )
    for line in textwrap.wrap(verdict, 110):
        fig.text(0.05, y, line, fontsize=11.5, weight="bold")
        y -= 0.03
    rows = gate_rows(ds, s, lang)
    h = 0.036 * len(rows)
    ax = fig.add_axes((0.05, y - 0.01 - h, 0.9, h))
    axes_table(ax, rows, [0.39, 0.18, 0.18, 0.25], size=8.8)
    bottom = y - 0.05 - h
    # the look: the share engaged per draw, and what the stopped draws' NPV changed by
    share = ds["gate_engaged_share"].values.astype(np.float64)
    stopped = ds["gate_stopped"].values > 0
    ax1 = fig.add_axes((0.07, 0.15, 0.38, bottom - 0.18))
    edges = np.linspace(min(share.min(), gate.threshold) - 0.01, share.max() + 0.01, 50)
    ax1.hist(share[~stopped], edges, color="#1f77b4", alpha=0.75, label=W("continued", lang))
    ax1.hist(share[stopped], edges, color="#d62728", alpha=0.75, label=W("stopped", lang))
    ax1.axvline(gate.threshold, color="black", lw=1)
    ax1.text(gate.threshold, ax1.get_ylim()[1] * 0.95, " " + W("threshold", lang,
             t=n.pct(gate.threshold, 0)), fontsize=8, va="top")  # fmt: skip
    ax1.set_xlabel(W("share_axis", lang))
    ax1.set_ylabel(W("count", lang))
    ax1.xaxis.set_major_formatter(f.axis_pct())
    ax1.set_title(W("share_title", lang), fontsize=10, loc="left")
    ax1.legend(fontsize=8, frameon=False, loc="upper left")
    ax2 = fig.add_axes((0.57, 0.15, 0.38, bottom - 0.18))
    diff = (ds["npv"].values - ds["npv_without_gate"].values)[stopped]
    if diff.size:
        ax2.hist(diff, 40, color="#d62728", alpha=0.75)
        ax2.axvline(0, color="black", lw=0.8)
    ax2.set_xlabel(W("npv_axis", lang))
    ax2.set_ylabel(W("count", lang))
    ax2.xaxis.set_major_formatter(f.axis_money())
    ax2.xaxis.set_major_locator(MaxNLocator(6))
    ax2.set_title(W("npv_title", lang), fontsize=10, loc="left")
    for k, line in enumerate(textwrap.wrap(W("note", lang), 175)):
        fig.text(0.05, 0.055 - 0.016 * k, line, fontsize=7.3, color="#444444")
    return fig
