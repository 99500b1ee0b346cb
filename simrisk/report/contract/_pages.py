"""The contract report's pages: one matplotlib figure each.

Every page reads its figures from one :class:`~simrisk.report.contract._figures.Figures`
computed once per report; :mod:`simrisk.report.contract` lists them in order.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.kinds.contract.summary import REQUIRED_VARIABLES
from simrisk.plot import (
    Fmt,
    plot_net_saving,
    plot_wellby_fan,
)
from simrisk.report.contract import _assumptions as assume
from simrisk.report.contract._numbers import (
    acceptability,
    payback,
    scenario_of,
)
from simrisk.report.contract._text import T, verdict

__all__ = ["REPORT_VARIABLES", "WELLBY_VARIABLES"]

A4 = (11.69, 8.27)  # landscape, inches
REPORT_VARIABLES = (
    *REQUIRED_VARIABLES,
    "cash_flow_by_year",
    "payment_per_success",
    "cap",
    "goal_payer",
    "implied_success_rate",
    "implied_counterfactual_rate",
    "assumed_success_rate",
    "repayments",
    "parameters",
)
WELLBY_VARIABLES = (
    "projection_value_band",
    "projection_value_central",
    "pilot_value_band",
    "pilot_value_central",
    "pilot_total_wellby_band",
    "pilot_total_wellby_central",
)
BLUE, RED, GREEN, GREY = "#1f5fa8", "#b22222", "#3a8a3a", "#777777"


def _check(ds: xr.Dataset, required, kind: str, what: str) -> None:
    if ds.attrs.get("simrisk_kind") != kind:
        raise SimriskError(f"{what}: not a simrisk result of kind {kind!r}")
    missing = [v for v in required if v not in ds.variables]
    if missing:
        raise SimriskError(f"{what}: lacks variables the report needs: {', '.join(missing)}")


def _names(ds) -> dict[str, str]:
    """Payer id -> the payer's name in the config (e.g. 'Norddjurs Kommune')."""
    scen = json.loads(ds.attrs["scenario_json"])
    return {p["id"]: p["name"] for p in scen.get("payers", [])}


def _title(ds, lang) -> str:
    scen = json.loads(ds.attrs["scenario_json"])
    name = (scen.get("name_da") or scen["name"]) if lang == "da" else scen["name"]
    return name


def _goal_name(goal: str, lang: str, scenario=None) -> str:
    """A goal's (or a stage's) name: the words catalogue's, else the config's."""
    from simrisk.core.words import CATALOGUE, word

    key = f"goal.{goal}"
    if key in CATALOGUE["plot"]:
        return word("plot", key, lang)
    if scenario is not None:
        for col in scenario.columns:
            if col.id == goal:
                return col.label(lang)
    return goal


# --------------------------------------------------------------------------- page 1


def _answer_page(ds, s, d, drivers, lang):
    f = Fmt(lang)
    names = _names(ds)
    scenario = scenario_of(ds)
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.945, f"{T('title', lang)}: {_title(ds, lang)}", fontsize=15, weight="bold")
    fig.text(
        0.05,
        0.915,
        f"{f.num(s['draws'])} {T('draws', lang)}, {T('seed', lang)} {s['seed']}"
        + (f" · {T('fixed_parameters', lang)}" if s["fixed_parameters"] else ""),
        fontsize=9,
        color="#444444",
    )
    fig.text(0.05, 0.875, T("verdict", lang), fontsize=12, weight="bold")
    label = {r["parameter"]: assume.param_label(scenario, r["parameter"], lang) for r in drivers}
    para = verdict(d, [label[r["parameter"]] for r in drivers[:3]], lang)
    y = 0.845
    for line in textwrap.wrap(para, 160):
        fig.text(0.05, y, line, fontsize=9.2, va="top")
        y -= 0.024
    # key figures: DSI on the left, the payers on the right
    y0 = y - 0.03
    rate = f.pct(d.rate, 0)
    left = [
        (T("p_loss_nominal", lang), f.pct(d.p_nominal_loss)),
        (T("p_npv_negative", lang, rate=rate), f.pct(d.p_npv_negative)),
        (T("npv_mean", lang), f.dkk(d.npv_mean)),
        (T("npv_median", lang), f.dkk(d.npv_median)),
        (T("case", lang), f"IRR {f.pct(d.case_irr)}, {f.dkk(d.case_npv)}"),
        (T("p_beat_case", lang, irr=f.pct(d.case_irr)), f.pct(d.p_beat_case_irr)),
        (T("moic_p95", lang), f"{f.num(d.moic_p95, 2)} ({T('max', lang)} {f.num(d.moic_max, 2)})"),
        (T("npv_p1", lang), f.dkk(d.npv_p1)),
        (T("npv_es1", lang), f.dkk(d.npv_es1)),
        (T("loss_given_loss", lang), f.dkk(d.loss_given_loss)),
    ]
    fig.text(0.05, y0, T("dsi_block", lang), fontsize=10, weight="bold")
    # rows in a smaller type than the verdict, so that the tornado below keeps room
    small = {"size": 7.8, "step": 0.02}
    yy = _rows(fig, left, 0.05, 0.47, y0 - 0.03, 52 if lang == "da" else 58, **small)
    right = []
    caps = dict(zip(ds["payer"].values, ds["cap"].values, strict=True))
    rep_by_payer = ds["repayments_by_payer"]
    for payer, dd in s["repayments"].items():
        if payer == "total":
            continue
        cap = caps.get(payer, np.inf)
        extra = ""
        if np.isfinite(cap):
            bind = float((rep_by_payer.sel(payer=payer).values >= cap - 1).mean())
            extra = f" ({T('p_cap', lang)} {f.pct(bind)})"
        right.append((f"{T('repay', lang)}: {names.get(payer, payer)}{extra}", f.dkk(dd["mean"])))
    # The authorities' net saving: the note's basis first, the modelled one
    # labelled beside it (never in its place).
    for a in s["net_saving"]["note_method"]:
        for basis in ("note_method", "modelled"):
            dd = s["net_saving"][basis][a]
            key = "net_saving_note" if basis == "note_method" else "net_saving_modelled"
            # the price per caused success is on the payers' page; here one line
            right.append(
                (
                    f"{T(key, lang)}: {names.get(a, a)} ({T('p_negative', lang)} "
                    f"{f.pct(dd['p_negative'])})",
                    f.dkk(dd["mean"]),
                )
            )
    dw = s["deadweight_share"]
    right.append((T("deadweight", lang), f.pct(dw.get("mean"))))  # none: no success at all
    for g, dd in s["deadweight_share_by_goal"].items():
        if dd.get("n") and dd.get("mean") is not None:
            goal_row = f"   {T('deadweight_goal', lang)} {_goal_name(g, lang, scenario)}"
            right.append((goal_row, f.pct(dd["mean"])))
    fig.text(0.53, y0, T("payer_block", lang), fontsize=10, weight="bold")
    yy2 = _rows(fig, right, 0.53, 0.95, y0 - 0.03, 68, **small)
    yb = min(yy, yy2) - 0.005
    fig.text(
        0.05,
        yb,
        T(
            "convergence",
            lang,
            p=f.num(100 * d.max_se_prob, 2),
            m=f.num(d.max_se_money),
        ),
        fontsize=8,
        style="italic",
        color="#444444",
    )
    # the tornado fills what is left; its title sits above ``top`` and never on the text
    top = yb - 0.06
    bottom = 0.14
    ax = fig.add_axes((0.36, bottom, 0.57, max(top - bottom, 0.1)))
    _tornado(ax, drivers, label, d, lang, ds)
    return fig


def _rows(fig, rows, x_label, x_value, y, width, size=8.2, step=0.022):
    """(label, value) rows: labels wrapped to ``width`` characters, values right-aligned."""
    for k, v in rows:
        lines = textwrap.wrap(k, width) or [""]
        fig.text(x_value, y, v, fontsize=size, family="monospace", ha="right")
        for line in lines:
            fig.text(x_label, y, line, fontsize=size)
            y -= step * 0.8
        y -= step * 0.2 + (0 if len(lines) > 1 else 0.0)
    return y


def _tornado(ax, rows, label, d, lang, ds):
    """P(NPV < 0) in each parameter's lowest and highest decile (:func:`drivers`)."""
    f = Fmt(lang)
    rows = rows[:5][::-1]
    base = d.p_npv_negative
    y = np.arange(len(rows))
    for k, r in enumerate(rows):
        ax.barh(k, r["low"] - base, left=base, color=BLUE, alpha=0.75, height=0.6)
        ax.barh(k, r["high"] - base, left=base, color="#c4572a", alpha=0.75, height=0.6)
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(y)
    scen = scenario_of(ds)
    # each bar's end names the parameter's value in that tenth (natural units),
    # so "lowest" is never read backwards: for an effect on use the lowest
    # tenth is the largest fall
    for k, r in enumerate(rows):
        for p, v in ((r["low"], r["low_value"]), (r["high"], r["high_value"])):
            right = p >= base
            # a bar that ends near 0 gets its label inside the bar, not on the axis labels
            inside = not right and p < 0.12
            ax.text(
                p + (0.008 if right or inside else -0.008),
                k,
                "≈ " + assume.natural(scen, r["parameter"], v, lang),
                ha="left" if right or inside else "right",
                va="center",
                fontsize=6.5,
                color="#333333",
                bbox={"facecolor": "white", "alpha": 0.7, "pad": 0.5, "lw": 0} if inside else None,
            )
    ax.set_yticklabels([textwrap.fill(label[r["parameter"]], 42) for r in rows], fontsize=7)
    ax.xaxis.set_major_formatter(f.axis_pct())
    ax.set_xlim(0, 1)
    ax.set_xlabel(T("tornado_x", lang, rate=f.pct(d.rate, 0)))
    ax.set_title(T("tornado_title", lang), fontsize=10)
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=BLUE, alpha=0.75, label=T("decile_low", lang)),
            Patch(color="#c4572a", alpha=0.75, label=T("decile_high", lang)),
        ],
        fontsize=7.5,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.42),
        ncol=2,
    )
    ax.grid(axis="x", alpha=0.3)


# --------------------------------------------------------------------------- pages


def _modelled_net_saving(ds, ax, lang):
    return plot_net_saving(ds, ax=ax, lang=lang, basis="modelled")


def _two(ds, lang, left, right):
    fig, axs = plt.subplots(1, 2, figsize=A4, layout="constrained")
    left(ds, ax=axs[0], lang=lang)
    right(ds, ax=axs[1], lang=lang)
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    return fig


def _one(ds, lang, plot):
    fig, ax = plt.subplots(figsize=A4, layout="constrained")
    plot(ds, ax=ax, lang=lang)
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    return fig


def _acceptability_page(ds, d, lang):
    f = Fmt(lang)
    a = acceptability(ds)
    fig, ax = plt.subplots(figsize=A4, layout="constrained")
    r, p, se = a["rates"], a["p"], a["se"]
    ax.fill_between(r, p - 2 * se, p + 2 * se, color=BLUE, alpha=0.2, lw=0)
    ax.plot(r, p, color=BLUE, lw=2, label=T("accept_curve", lang))
    marks = [(d.rate, T("accept_rate", lang, rate=f.pct(d.rate, 0)), RED)]
    marks.append((d.case_irr, T("accept_case", lang, irr=f.pct(d.case_irr)), GREEN))
    for x, text, c in marks:
        px = float(np.mean(np.isfinite(ds["irr"].values) & (ds["irr"].values >= x)))
        ax.axvline(x, color=c, lw=1.2, ls="--")
        ax.plot([x], [px], "o", color=c)
        ax.annotate(
            f"{text}: {f.pct(px)}",
            (x, px),
            xytext=(8, 8),
            textcoords="offset points",
            color=c,
            fontsize=9,
        )
    ax.xaxis.set_major_formatter(f.axis_pct())
    ax.yaxis.set_major_formatter(f.axis_pct())
    ax.set_xlim(r[0], r[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel(T("accept_x", lang))
    ax.set_ylabel(T("accept_y", lang))
    ax.set_title(T("accept_title", lang))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9, loc="upper right")
    ax.text(
        0.01,
        0.02,
        textwrap.fill(T("accept_note", lang), 140),
        transform=ax.transAxes,
        fontsize=8,
        color="#444444",
    )
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    return fig


def _payback_page(ds, d, lang):
    f = Fmt(lang)
    pb = payback(ds)
    dates = pb["dates"]
    q = pb["quantiles"]
    x = np.array([np.datetime64(v) for v in dates])
    end = np.datetime64(dates[-1] + dt.timedelta(days=180))
    xs = np.append(x, end)

    def ext(v):
        return np.append(v, v[-1])

    fig, ax = plt.subplots(figsize=A4, layout="constrained")
    ax.fill_between(xs, ext(q[0]), ext(q[-1]), step="post", color=BLUE, alpha=0.2, label="P5–P95")
    ax.fill_between(xs, ext(q[1]), ext(q[-2]), step="post", color=BLUE, alpha=0.4, label="P25–P75")
    ax.step(xs, ext(q[2]), where="post", color="black", lw=2, label=T("median", lang))
    ax.step(xs, ext(pb["mean"]), where="post", color=GREEN, lw=1.2, ls="--", label=T("mean", lang))
    ax.axhline(0, color=RED, lw=1.2)
    for rd in pb["repayment_dates"]:
        k = dates.index(rd)
        ax.axvline(np.datetime64(rd), color=GREY, lw=0.8, ls=":")
        ax.annotate(
            f"P({T('whole', lang)}) = {f.pct(float(pb['p_whole'][k]))}",
            (np.datetime64(rd), float(q[-1][k])),
            xytext=(-4, 6),
            textcoords="offset points",
            ha="right",
            fontsize=8.5,
            color=RED,
        )
    ax.yaxis.set_major_formatter(f.axis_money())
    import matplotlib.dates as mdates

    # years on the axis, not ISO dates
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_ylabel(T("payback_y", lang))
    ax.set_xlabel(T("year_axis", lang))
    ax.set_title(T("payback_title", lang))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8.5, loc="upper left")
    last = pb["repayment_dates"][-1]
    k = dates.index(last)
    ax.text(
        0.2,
        0.97,
        textwrap.fill(
            T(
                "payback_note",
                lang,
                date=f.date(last),
                p=f.pct(float(pb["p_whole"][k])),
                se=f.pct(float(pb["p_whole_se"][k]), 2),
                pv=f.pct(1 - d.p_npv_negative),
                rate=f.pct(d.rate, 0),
            ),
            70,
        ),
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=9,
        bbox={"facecolor": "white", "edgecolor": GREY, "alpha": 0.9},
    )
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    return fig


def _wellby_page(wb, lang):
    f = Fmt(lang)
    da = lang == "da"
    fig = plt.figure(figsize=A4)
    net = "projection_value_net_band" in wb
    ax = fig.add_axes((0.08, 0.1, 0.56, 0.78))
    plot_wellby_fan(wb, ax=ax, lang=lang, net=net)
    fig.text(
        0.67, 0.92, textwrap.fill(T("wellby", lang), 40), fontsize=11, weight="bold", va="top"
    )
    y = 0.82
    items = [
        ("pilot_total_wellby", T("wb_total", lang), lambda v: f.num(v, 1)),
        ("pilot_value", T("wb_value", lang), f.num),
        ("pilot_value_net", T("wb_value_net", lang), f.num),
    ]
    for key, name, fm in items:
        if f"{key}_central" not in wb:
            continue
        band = wb[f"{key}_band"].sel(ci_prob=0.9)
        fig.text(0.67, y, textwrap.fill(name, 48), fontsize=8.5, va="top")
        fig.text(
            0.68,
            y - 0.045,
            f"{fm(float(wb[f'{key}_central']))}  (90{' %' if da else '%'}: "
            f"{fm(float(band.sel(ci_bound='lower')))} … {fm(float(band.sel(ci_bound='upper')))})",
            fontsize=8.5,
            family="monospace",
            va="top",
        )
        y -= 0.09
    summary = json.loads(wb.attrs.get("summary_json", "{}"))
    g3 = summary.get("goal3_success_probability")
    if g3:
        text = T(
            "wb_goal3",
            lang,
            c=f.pct(g3["central"]),
            lo=f.pct(g3["lower90"]),
            hi=f.pct(g3["upper90"]),
            a=f.pct(g3["dsi_assumed"], 0),
            p=f.pct(g3["p_at_least_dsi_assumed"]),
            need=f.num(g3["mean_change_needed_for_dsi_assumed"], 2),
            have=f.num(summary["pilot"]["mean_change"]["central"], 2),
        )
        fig.text(0.67, y - 0.01, T("wb_goal3_head", lang), fontsize=10, weight="bold", va="top")
        yy = y - 0.045
        for line in textwrap.wrap(text, 52):
            fig.text(0.67, yy, line, fontsize=8.5, va="top")
            yy -= 0.027
        y = yy
    if net:
        fig.text(
            0.67,
            y - 0.02,
            textwrap.fill(T("wb_net_note", lang), 55),
            fontsize=8,
            color="#444444",
            va="top",
        )
    return fig


def _assumptions_page(ds, s, lang, wellby=None):
    f = Fmt(lang)
    scenario = scenario_of(ds)
    rows = assume.prior_rows(
        scenario, ds.attrs.get("config", ""), lang, draws=ds["parameters"].values
    )
    fig = plt.figure(figsize=A4)
    fig.text(0.03, 0.955, T("assumptions", lang), fontsize=13, weight="bold")
    y = 0.915
    cols = (0.03, 0.40, 0.47, 0.56, 0.70)
    for x, key in zip(cols, ("param", "dist", "central", "range90", "source"), strict=True):
        fig.text(x, y, T(key, lang), fontsize=8, weight="bold")
    y -= 0.024
    for r in rows:
        fig.text(cols[0], y, r["label"], fontsize=7.3)
        fig.text(cols[1], y, r["dist_label"], fontsize=7.3)
        fig.text(cols[2], y, r["central_label"], fontsize=7.3)
        fig.text(cols[3], y, r["range_label"] or "—", fontsize=7.3)
        lines = textwrap.wrap(r["source"], 52, break_on_hyphens=False) or ["—"]
        for line in lines:
            fig.text(cols[4], y, line, fontsize=7.3)
            y -= 0.019
        y -= 0.004
    y -= 0.012
    fig.text(0.03, y, T("correlations", lang), fontsize=10, weight="bold")
    y -= 0.026
    for c in assume.correlation_rows(scenario, ds.attrs.get("config", ""), lang):
        fig.text(cols[3], y, f"ρ = {f.num(c['rho'], 2)}", fontsize=7.3)
        fig.text(cols[4], y, c["source"], fontsize=7.3)
        for line in textwrap.wrap(c["label"], 95):
            fig.text(0.03, y, line, fontsize=7.3)
            y -= 0.019
        y -= 0.004
    y -= 0.012
    fig.text(0.03, y, T("tensions", lang), fontsize=10, weight="bold")
    y -= 0.026
    g3 = None
    if wellby is not None:
        summ = json.loads(wellby.attrs.get("summary_json", "{}")).get("goal3_success_probability")
        if summ:
            g3 = {"central": summ["central"], "p_at_least": summ["p_at_least_dsi_assumed"]}
    for text in assume.tensions(scenario, s, lang, g3):
        for line in textwrap.wrap(text, 175):
            fig.text(0.03, y, line, fontsize=7.6)
            y -= 0.019
        y -= 0.004
    return fig


def _cohort_note_key(scenario) -> str:
    from simrisk.report._sources import dsi_note_applies

    return "cohort_note" if dsi_note_applies(scenario) else "cohort_note_generic"


def _inputs_page(ds, lang):
    f = Fmt(lang)
    scenario = scenario_of(ds)
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.95, T("inputs", lang), fontsize=13, weight="bold")
    y = 0.9
    for k, v in assume.contract_rows(scenario, lang):
        fig.text(0.04, y, k, fontsize=8.5)
        fig.text(0.5, y, v, fontsize=8.5, family="monospace", ha="right")
        y -= 0.028
    fig.text(0.04, y - 0.01, T("cohorts", lang), fontsize=10, weight="bold")
    y -= 0.06
    heads = (T("cohort", lang), T("window", lang), T("share", lang), T("repaid_on", lang))
    # columns wide enough for a Danish window ("1. marts 2027 – 30. september 2027")
    xs = (0.04, 0.09, 0.3, 0.43)
    for x, h in zip(xs, heads, strict=True):
        # long Danish heads wrap upwards rather than run into the next column
        fig.text(
            x,
            y,
            textwrap.fill(h, 16, break_long_words=False),
            fontsize=8,
            weight="bold",
            va="baseline",
        )
    y -= 0.026
    for row in assume.cohort_rows(scenario, lang):
        for x, v in zip(xs, row, strict=True):
            fig.text(x, y, v, fontsize=8)
        y -= 0.026
    fig.text(
        0.04,
        y - 0.005,
        textwrap.fill(T(_cohort_note_key(scenario), lang), 95),
        fontsize=7.5,
        va="top",
    )
    # start scores of goal 3 (life satisfaction), if the model has them
    model = scenario.model
    dist = None
    if model is not None:
        for g in scenario.goals:
            gm = model.goals.get(g.id)
            if getattr(gm, "start_distribution", None):
                dist = np.asarray(gm.start_distribution, dtype=float)
                break
    if dist is not None:
        ax = fig.add_axes((0.6, 0.5, 0.36, 0.38))
        ax.bar(np.arange(dist.size), dist, color=BLUE, alpha=0.8)
        ax.set_xticks(np.arange(dist.size))
        ax.yaxis.set_major_formatter(f.axis_pct())
        ax.set_xlabel(T("start_x", lang))
        ax.set_ylabel(T("share_citizens", lang))
        mean = float((np.arange(dist.size) * dist).sum() / dist.sum())
        ax.set_title(T("start_title", lang, mean=f.num(mean, 2)), fontsize=9.5)
        ax.grid(axis="y", alpha=0.3)
    return fig


def _errors_page(ds, s, d, lang):
    f = Fmt(lang)
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.94, T("errors_title", lang), fontsize=13, weight="bold")
    fig.text(0.05, 0.905, textwrap.fill(T("se_note", lang), 150), fontsize=8.5, va="top")
    rate = f.pct(d.rate, 0)
    rows = [
        (T("p_loss_nominal", lang), f.pct(d.p_nominal_loss), f.pct(d.p_nominal_loss_se, 2)),
        (
            T("p_npv_negative", lang, rate=rate),
            f.pct(d.p_npv_negative),
            f.pct(d.p_npv_negative_se, 2),
        ),
        (
            T("p_irr_hurdle", lang, rate=f.pct(s["hurdle_rate"], 0)),
            f.pct(s["p_irr_below_hurdle"]),
            f.pct(s["p_irr_below_hurdle_se"], 2),
        ),
        (T("npv_mean", lang), f.dkk(d.npv_mean), f.num(d.npv_mean_se)),
        (T("npv_median", lang), f.dkk(d.npv_median), f.num(d.npv_median_se)),
        (
            T("p_beat_case", lang, irr=f.pct(d.case_irr)),
            f.pct(d.p_beat_case_irr),
            f.pct(d.p_beat_case_irr_se, 2),
        ),
        (T("irr_median", lang), f.pct(s["irr"]["p50"]), f.pct(s["irr"]["p50_se"], 2)),
        (T("moic_p95", lang), f.num(d.moic_p95, 3), f.num(d.moic_p95_se, 3)),
        (T("npv_p1", lang), f.dkk(d.npv_p1), f.num(d.npv_p1_se)),
        (T("npv_es1", lang), f.dkk(d.npv_es1), f.num(d.npv_es1_se)),
        (T("npv_es5", lang), f.dkk(s["es5_npv"]), f.num(s["es5_npv_se"])),
        (T("loss_given_loss", lang), f.dkk(d.loss_given_loss), f.num(d.loss_given_loss_se)),
    ]
    names = _names(ds)
    for payer, dd in s["repayments"].items():
        name = T("total", lang) if payer == "total" else names.get(payer, payer)
        rows.append((f"{T('repay', lang)}: {name}", f.dkk(dd["mean"]), f.num(dd["mean_se"])))
    for basis, key in (("note_method", "net_saving_note"), ("modelled", "net_saving_modelled")):
        for a, dd in s["net_saving"][basis].items():
            rows.append(
                (f"{T(key, lang)}: {names.get(a, a)}", f.dkk(dd["mean"]), f.num(dd["mean_se"]))
            )
    dw = s["deadweight_share"]
    rows.append((T("deadweight", lang), f.pct(dw.get("mean")), f.pct(dw.get("mean_se"), 2)))
    y = 0.84
    for x, h in zip((0.05, 0.62, 0.8), (T("figure", lang), T("value", lang), "±"), strict=True):
        fig.text(x, y, h, fontsize=9, weight="bold", ha="left" if x < 0.6 else "right")
    y -= 0.03
    for k, v, e in rows:
        fig.text(0.05, y, k, fontsize=8.5)
        fig.text(0.62, y, v, fontsize=8.5, family="monospace", ha="right")
        fig.text(0.8, y, e, fontsize=8.5, family="monospace", ha="right")
        y -= 0.027
    return fig


# --------------------------------------------------------------------------- decision layer


def _table(fig, x_cols, y, header, rows, size=8.5, step=0.03, aligns=None):
    """A plain table: ``header`` and ``rows`` of strings at ``x_cols`` (figure fractions)."""
    aligns = aligns or ["left"] + ["right"] * (len(x_cols) - 1)
    for x, h, a in zip(x_cols, header, aligns, strict=True):
        fig.text(x, y, h, fontsize=size, weight="bold", ha=a)
    y -= step
    for r in rows:
        for x, v, a in zip(x_cols, r, aligns, strict=True):
            fig.text(x, y, v, fontsize=size, ha=a, family="monospace" if a == "right" else None)
        y -= step
    return y


def _pm(value: str, se: str) -> str:
    return f"{value} ± {se}"


def _payers_page(ds, s, lang):
    """P(net saving < 0) per authority on each basis, cost per caused success, deadweight."""
    f = Fmt(lang)
    names = _names(ds)
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.94, T("p_payers", lang), fontsize=13, weight="bold")
    if s["net_saving"]["note_method"]:
        fig.text(0.05, 0.905, textwrap.fill(T("payers_intro", lang), 165), fontsize=8.5, va="top")
    rows, bars = [], []
    for a in s["net_saving"]["note_method"]:
        for basis, key in (("note_method", "basis_note"), ("modelled", "basis_modelled")):
            dd = s["net_saving"][basis][a]
            rows.append(
                (
                    names.get(a, a),
                    T(key, lang),
                    _pm(f.pct(dd["p_negative"]), f.pct(dd["p_negative_se"], 2)),
                    _pm(f.dkk(dd["mean"]), f.num(dd["mean_se"])),
                    _pm(
                        f.dkk(dd["cost_per_caused_success"]),
                        f.num(dd["cost_per_caused_success_se"]),
                    ),
                )
            )
            bars.append(
                (
                    f"{names.get(a, a)}\n{T(key, lang)}",
                    dd["p_negative"],
                    dd["p_negative_se"],
                    basis,
                )
            )
    head = (
        T("authority", lang),
        T("basis", lang),
        T("p_net_negative", lang),
        T("net_mean", lang),
        T("cost_caused", lang),
    )
    if rows:
        y = _table(
            fig,
            (0.05, 0.24, 0.55, 0.76, 0.95),
            0.78,
            head,
            rows,
            step=0.032,
            aligns=["left", "left", "right", "right", "right"],
        )
    else:
        # no business case: no authority's net saving, say why (deadweight still applies)
        from simrisk.core.words import section

        note = section("decide")("pay_no_business_case", lang)
        fig.text(0.05, 0.895, textwrap.fill(note, 150), fontsize=8.5, va="top")
        y = 0.84
    y -= 0.03
    fig.text(0.05, y, T("deadweight_by_goal", lang), fontsize=10, weight="bold")
    y -= 0.04
    payer_of = dict(zip(ds["goal"].values, ds["goal_payer"].values, strict=True))
    dw_rows = [
        (
            _goal_name(g, lang, scenario_of(ds)),
            names.get(str(payer_of.get(g, "")), str(payer_of.get(g, ""))),
            _pm(f.pct(dd.get("mean")), f.pct(dd.get("mean_se"), 2)),
        )
        for g, dd in s["deadweight_share_by_goal"].items()
        if dd.get("n")
    ]
    dw = s["deadweight_share"]
    dw_rows.append((T("total", lang), "", _pm(f.pct(dw.get("mean")), f.pct(dw.get("mean_se"), 2))))
    y = _table(
        fig,
        (0.05, 0.30, 0.55),
        y,
        (T("goal", lang), T("payer", lang), T("dw_share", lang)),
        dw_rows,
        step=0.032,
        aligns=["left", "left", "right"],
    )
    if not bars:
        return fig
    fig.text(0.05, 0.05, textwrap.fill(T("payers_foot", lang), 120), fontsize=8, color="#444444")
    ax = fig.add_axes((0.72, 0.2, 0.23, 0.3))
    yy = np.arange(len(bars))[::-1]
    for k, (_, p, se, basis) in zip(yy, bars, strict=True):
        ax.barh(k, p, color=BLUE if basis == "note_method" else "#c4572a", alpha=0.8, height=0.6)
        ax.errorbar(p, k, xerr=2 * se, color="black", capsize=3, lw=1)
        ax.text(p + 0.02, k, f.pct(p), va="center", fontsize=7.5)
    ax.set_yticks(yy)
    ax.set_yticklabels([b[0] for b in bars], fontsize=7)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(f.axis_pct())
    ax.set_xlabel(textwrap.fill(T("payers_chart", lang), 45), fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _voi_page(ds, v, s, lang):
    """EVPI and EVPPI per parameter as bars with plain names and ± 2 SE."""
    f = Fmt(lang)
    scenario = scenario_of(ds)
    rate = f.pct(float(ds.attrs["discount_rate"]), 0)
    order = np.argsort(v["evppi"].values)
    names = [str(t) for t in v["target"].values[order]]
    vals = v["evppi"].values[order]
    ses = v["evppi_se"].values[order]
    evpi, evpi_se = float(v["evpi"]), float(v["evpi_se"])
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.945, T("p_voi", lang), fontsize=13, weight="bold")
    best = T("lend", lang) if v.attrs["best_option"] == "lend" else T("not_lend", lang)
    note = T(
        "voi_note",
        lang,
        rate=rate,
        best=best,
        # the report's one expected NPV (all draws), not the subsample's
        nb=f.dkk(max(float(s["npv"]["mean"]), 0.0) if v.attrs["best_option"] == "lend" else 0.0),
        evpi=f.dkk(evpi),
        evpi_se=f.num(evpi_se),
        n=f.num(int(v.attrs["subsample"])),
        post=f.num(int(v.attrs["n_post"])),
    )
    fig.text(0.05, 0.905, textwrap.fill(note, 175), fontsize=8.3, va="top")
    ax = fig.add_axes((0.36, 0.09, 0.58, 0.62))
    labels = [textwrap.fill(assume.param_label(scenario, n, lang), 60) for n in names]
    y = np.arange(len(names))
    ax.barh(y, vals, color=BLUE, alpha=0.8, height=0.6)
    ax.errorbar(vals, y, xerr=2 * ses, fmt="none", color="black", capsize=3, lw=1)
    top = len(names) + 0.5
    ax.barh(top, evpi, color=GREY, alpha=0.8, height=0.6)
    ax.errorbar(evpi, top, xerr=2 * evpi_se, fmt="none", color="black", capsize=3, lw=1)
    xmax = max(evpi + 2 * evpi_se, float((vals + 2 * ses).max())) * 1.22
    if not (np.isfinite(xmax) and xmax > 0):  # no value of information at all (every VOI 0)
        xmax = 1.0
    for k, (val, se) in enumerate(zip(vals, ses, strict=True)):
        ax.text(val + 2 * se + xmax * 0.01, k, f.dkk(val), va="center", fontsize=7.5)
    ax.text(evpi + 2 * evpi_se + xmax * 0.01, top, f.dkk(evpi), va="center", fontsize=7.5)
    ax.set_yticks([*y, top])
    ax.set_yticklabels([*labels, T("voi_all", lang)], fontsize=7.5)
    ax.set_xlim(0, xmax)
    ax.xaxis.set_major_formatter(f.axis_money())
    ax.set_xlabel(T("voi_x", lang, rate=rate))
    ax.grid(axis="x", alpha=0.3)
    return fig


_SC_STATS = (
    ("p_npv_negative", "sc_npv_neg", "pct"),
    ("npv_mean", "sc_npv_mean", "dkk"),
    ("p_loss_nominal", "sc_loss", "pct"),
)


def _scenario_label(sc: xr.Dataset, lang: str) -> str:
    scen = json.loads(sc.attrs["scenario_json"])
    name = (scen.get("name_da") or scen["name"]) if lang == "da" else scen["name"]
    if int(sc.attrs.get("fixed_parameters", 0)):
        name = f"{name}: {T('fixed_parameters', lang)}"
    return name


def _scenarios_page(ds, c, labels, fixed, lang):
    """Each scenario's P(NPV < 0), mean NPV, P(nominal loss) and the paired difference."""
    f = Fmt(lang)
    rate = f.pct(float(ds.attrs["discount_rate"]), 0)
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.945, T("p_scenarios", lang), fontsize=13, weight="bold")
    fig.text(
        0.05, 0.905, textwrap.fill(T("sc_note", lang, rate=rate), 170), fontsize=8.5, va="top"
    )
    stat = list(c["statistic"].values)

    def fm(kind, x, se=False):
        if kind == "pct":
            return f.pct(x, 2 if se else 1)
        return f.num(x) if se else f.dkk(x)

    xs = (0.05, 0.52, 0.83)
    fig.text(xs[1], 0.8, T("value", lang), fontsize=8.5, weight="bold", ha="right")
    fig.text(xs[2], 0.8, T("diff", lang), fontsize=8.5, weight="bold", ha="right")
    y = 0.765
    for i, label in enumerate(labels):
        fig.text(
            xs[0], y, f"{i + 1}. " + textwrap.shorten(label, 110), fontsize=9.5, weight="bold"
        )
        y -= 0.032
        for key, word_key, kind in _SC_STATS:
            k = stat.index(key)
            val = _pm(fm(kind, c["value"].values[i, k]), fm(kind, c["se"].values[i, k], True))
            fig.text(xs[0] + 0.02, y, T(word_key, lang), fontsize=8.8)
            fig.text(xs[1], y, val, fontsize=8.8, family="monospace", ha="right")
            if i:
                d = c["diff"].values[i, k]
                sign = "+" if d > 0 else ""
                se_d = c["diff_se_paired"].values[i, k]
                if kind == "pct":  # a difference of probabilities: percentage points
                    diff = _pm(f.pp(d), f.pp(se_d, 2, sign=False))
                else:
                    diff = _pm(sign + fm(kind, d), fm(kind, se_d, True))
                fig.text(xs[2], y, diff, fontsize=8.8, family="monospace", ha="right")
            y -= 0.028
        y -= 0.015
    fixed = [i for i, flag in enumerate(fixed) if flag and i]
    if fixed:
        i = fixed[0]
        k = stat.index("p_npv_negative")
        b, x = c["value"].values[0, k], c["value"].values[i, k]
        key = "sc_fixed_note" if x < b else "sc_fixed_note_up"
        fig.text(
            0.05,
            max(y - 0.01, 0.08),
            textwrap.fill(T(key, lang, base=f.pct(b), fixed=f.pct(x)), 170),
            fontsize=9,
            va="top",
        )
    return fig
