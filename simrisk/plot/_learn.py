"""Figures of learning: "what the data changed" (``simrisk monitor``) and EVSI by n.

Both draw onto a matplotlib figure the caller owns (a report page or a PNG).
"""

from __future__ import annotations

import numpy as np

from simrisk.core.words import section
from simrisk.plot._fmt import fmt_for

__all__ = ["plot_evsi_curve", "plot_what_the_data_changed"]

_W = section("learn")


def _w(key, lang, **kw):
    return _W(key, "da" if lang == "da" else "en", **kw)


def plot_what_the_data_changed(fig, tree, lang: str = "en"):
    """The page: NPV before and after, the headline figures and the parameters that moved.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Drawn onto (cleared first).
    tree : xarray.DataTree
        Written by ``simrisk monitor -o`` (:func:`simrisk.decision.monitor.write_monitor`).
    lang : ``"en"`` or ``"da"``
    """
    f = fmt_for(lang)
    fig.clear()
    prior, post = tree["prior"], tree["posterior"]
    ss, dec = tree["sample_stats"], tree["decision"]
    w = ss["weights"].values
    scenario = tree.attrs.get("scenario", "")
    if lang == "da" and tree.attrs.get("scenario_da"):
        scenario = tree.attrs["scenario_da"]
    fig.suptitle(_w("title", lang, scenario=scenario), fontsize=13, fontweight="bold")
    gs = fig.add_gridspec(
        2, 2, height_ratios=[1.1, 1], width_ratios=[1.15, 1], hspace=0.45, wspace=0.62
    )

    ax = fig.add_subplot(gs[0, :])
    x0 = prior["npv"].values
    x1 = post["npv"].values
    lo, hi = np.quantile(np.concatenate([x0, x1]), [0.002, 0.998])
    edges = np.linspace(lo, hi, 70)
    ax.hist(np.clip(x0, lo, hi), edges, weights=np.full(x0.size, 1 / x0.size), alpha=0.55,
            color="#7f7f7f", label=_w("before", lang))  # fmt: skip
    ax.hist(np.clip(x1, lo, hi), edges, weights=w, alpha=0.6, color="#1f77b4",
            label=_w("after", lang))  # fmt: skip
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(_w("npv", lang))
    ax.set_ylabel(_w("share", lang))
    ax.xaxis.set_major_formatter(f.axis_money())
    ax.yaxis.set_major_formatter(f.axis_pct())
    ax.legend(loc="upper left", frameon=False)
    path = str(ss.attrs.get("path", ""))
    note = _w(
        "path",
        lang,
        path=_w(path, lang) if path in ("weights", "resample-move") else path,
        khat=f.num(float(ss["khat"]), 2),
        thr=f.num(float(ss.attrs.get("khat_threshold", np.nan)), 2),
        ess=f.num(float(ss["ess"])),
    )
    if int(ss.attrs.get("prior_data_conflict", 0)):
        note += "\n" + _w("conflict", lang)
    ax.set_title(note, fontsize=9, loc="left")

    # the headline figures as a two-column table
    ax2 = fig.add_subplot(gs[1, 0])
    ax2.axis("off")
    ax2.set_title(_w("figures", lang), fontsize=10, loc="left")
    figs = [str(k) for k in dec["figure"].values]
    val, se = dec["value"].values, dec["se"].values
    rows = []
    for j, k in enumerate(figs):
        if k.startswith("p_cap_reached_"):
            label = _w("cap", lang, p=k.removeprefix("p_cap_reached_"))
        elif k in ("p_npv_negative", "p_irr_below_hurdle", "p_loss", "npv_mean"):
            label = _w(k, lang)
        else:
            continue
        money = k == "npv_mean"

        def cell(v, s, money=money):
            if money:
                return f"{f.num(v)} ± {f.num(s)}"
            return f"{f.pct(v)} ± {f.pct(s)}"

        rows.append([label, cell(val[0, j], se[0, j]), cell(val[1, j], se[1, j])])
    t = ax2.table(
        cellText=rows,
        colLabels=["", _w("before", lang), _w("after", lang)],
        loc="upper left",
        colWidths=[0.4, 0.32, 0.32],
        cellLoc="left",
    )
    t.auto_set_font_size(False)
    t.set_fontsize(7.5)
    t.scale(1, 1.3)

    # parameters that moved most, in prior SDs
    ax3 = fig.add_subplot(gs[1, 1])
    names = [str(n) for n in prior["parameter"].values]
    X0 = prior["parameters"].values.astype(np.float64)
    X1 = post["parameters"].values.astype(np.float64)
    m0, s0 = X0.mean(axis=0), X0.std(axis=0)
    m1 = w @ X1
    s1 = np.sqrt(np.maximum(w @ (X1 - m1) ** 2, 0))
    live = np.flatnonzero(s0 > 0)
    shift = np.abs(m1[live] - m0[live]) / s0[live] + np.abs(
        np.log(np.maximum(s1[live], 1e-12) / s0[live])
    )
    top = live[np.argsort(-shift)[:6]][::-1]
    y = np.arange(len(top))
    z0 = np.zeros(len(top))
    z1 = (m1[top] - m0[top]) / s0[top]
    ax3.errorbar(z0, y + 0.15, xerr=np.ones(len(top)), fmt="o", color="#7f7f7f",
                 label=_w("before", lang))  # fmt: skip
    ax3.errorbar(z1, y - 0.15, xerr=s1[top] / s0[top], fmt="o", color="#1f77b4",
                 label=_w("after", lang))  # fmt: skip
    ax3.set_yticks(y, [names[i].replace(".", ".\n", 1) for i in top], fontsize=7)
    ax3.set_xlabel(_w("shift_axis", lang))
    ax3.set_title(_w("params", lang), fontsize=10, loc="left")
    ax3.axvline(0, color="black", lw=0.6)
    ax3.legend(fontsize=8, frameon=False, loc="lower right")
    return fig


def plot_evsi_curve(fig, result: dict, lang: str = "en"):
    """EVSI (± 2 SE) against n with the EVPPI ceiling, and ENBS when costs were given."""
    f = fmt_for(lang)
    fig.clear()
    rows = [r for r in result["evsi"] if r["n"] is not None]
    n = np.array([r["n"] for r in rows], dtype=float)
    v = np.array([r["value"] for r in rows])
    s = np.array([r["se"] for r in rows])
    ax = fig.add_subplot(1, 1, 1)
    ax.errorbar(n, v, yerr=2 * s, fmt="o-", color="#1f77b4", label=_w("evsi", lang))
    ceiling = "evpi" if result["evppi"]["parameters"] == ["everything (EVPI)"] else "evppi"
    ax.axhline(result["evppi"]["value"], color="#7f7f7f", ls="--", label=_w(ceiling, lang))
    if "enbs" in result:
        e = result["enbs"]
        ax.plot([r["n"] for r in e["enbs"]], [r["value"] for r in e["enbs"]], "s-",
                color="#d62728", label=_w("enbs", lang))  # fmt: skip
        ax.axvline(e["optimal_n"], color="#d62728", lw=0.8, ls=":",
                   label=_w("opt", lang, n=f.num(e["optimal_n"])))  # fmt: skip
        lo, hi = e["n_within_5pct"]
        ax.axvspan(lo, hi, color="#d62728", alpha=0.08, label=_w("near", lang))
    ax.set_xscale("log")
    ax.set_xlabel(_w("n", lang))
    ax.set_ylabel(_w("dkk", lang))
    ax.yaxis.set_major_formatter(f.axis_money())
    ax.set_title(_w("evsi_title", lang, study=result["study"]))
    ax.legend(frameon=True, loc="best", fontsize=9)
    return fig
