"""The contract report's first pages: the decision, the reconciliation with the note, the payers.

All three read one :class:`~simrisk.report.contract._figures.Figures`.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

from simrisk.core.words import section
from simrisk.plot import Fmt

__all__ = ["decision_page", "payers_page", "reconcile_page"]

D = section("decide")
A4 = (11.69, 8.27)
BLUE, ORANGE, GREEN, GREY, RED = "#1f5fa8", "#c4572a", "#3a8a3a", "#777777", "#b22222"


def _names(ds) -> dict[str, str]:
    import json

    scen = json.loads(ds.attrs["scenario_json"])
    return {p["id"]: p["name"] for p in scen.get("payers", [])}


def _keep(text: str) -> str:
    """No line break inside ``11,5 %`` or ``182.773 kr.``."""
    return text.replace(" %", "\xa0%").replace(" kr.", "\xa0kr.").replace(" DKK", "\xa0DKK")


def _para(fig, text, x, y, width, size=9.0, step=0.024, **kw):
    for line in textwrap.wrap(_keep(text), width):
        fig.text(x, y, line, fontsize=size, va="top", **kw)
        y -= step
    return y


def verdict_sentence(F, lang) -> str:
    """The rule's verdict in one sentence."""
    f = Fmt(lang)
    r = F.rule
    key = "verdict_lend" if r["lend"] else "verdict_not"
    return D(
        key,
        lang,
        hurdle=f.pct(r["hurdle_rate"], 0),
        case_irr=f.pct(r["case_irr"]),
        median=f.pct(r["median_irr"]),
        npv=f.dkk(r["ev_value"]),
        se=f.num(r["ev_se"]),
        p=f.pct(r["p_below"]),
        pse=f.pct(r["p_below_se"], 2),
    )


def decision_page(F, lang, title):
    f = Fmt(lang)
    d, r = F.d, F.rule
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.945, title, fontsize=15, weight="bold")
    fig.text(
        0.05,
        0.915,
        D("rule", lang, hurdle=f.pct(r["hurdle_rate"], 0), rate=f.pct(r["rate"], 0)),
        fontsize=9,
        color="#444444",
    )
    y = _para(fig, verdict_sentence(F, lang), 0.05, 0.88, 120, size=11.5, step=0.03, weight="bold")
    # the alternatives side by side
    y -= 0.02
    fig.text(0.05, y, D("alternatives", lang), fontsize=11, weight="bold")
    y -= 0.04
    xs = (0.05, 0.46, 0.62)
    fig.text(xs[1], y, D("alt_lend", lang), fontsize=9, weight="bold", ha="right")
    fig.text(xs[2], y, D("alt_nothing", lang), fontsize=9, weight="bold", ha="right")
    y -= 0.03
    lend, nothing = F.alternatives
    rate = f.pct(r["rate"], 0)
    hurdle = f.pct(r["hurdle_rate"], 0)
    rows = [
        ("npv_mean", D("row_npv_mean", lang, rate=rate), "dkk"),
        ("p_npv_negative", D("row_p_npv_neg", lang, rate=rate), "pct"),
        ("p_below_hurdle", D("row_p_below", lang, hurdle=hurdle), "pct"),
        ("p_loss", D("row_p_loss", lang), "pct"),
        ("npv_p5", D("row_p5", lang), "dkk"),
        ("npv_p95", D("row_p95", lang), "dkk"),
        ("npv_es1", D("row_es1", lang), "dkk"),
    ]

    def cell(v, kind):
        if v[0] is None:
            return "—"
        if kind == "pct":
            val = f.pct(v[0])
            return val if not v[1] else f"{val} ± {f.pct(v[1], 2)}"
        val = f.dkk(v[0])
        return val if not v[1] else f"{val} ± {f.num(v[1])}"

    for key, label, kind in rows:
        fig.text(xs[0], y, label, fontsize=8.8)
        fig.text(xs[1], y, cell(lend[key], kind), fontsize=8.8, family="monospace", ha="right")
        fig.text(xs[2], y, cell(nothing[key], kind), fontsize=8.8, family="monospace", ha="right")
        y -= 0.027
    # what would change the decision
    y -= 0.02
    fig.text(0.05, y, D("flips", lang), fontsize=11, weight="bold")
    y -= 0.035
    flips = [x for x in F.flips if x.get("tenths")]
    from simrisk.report.contract import _assumptions as assume
    from simrisk.report.contract._numbers import scenario_of

    scen = scenario_of(F.ds)
    shown = 0
    for x in flips[:3]:
        label = assume.param_label(scen, x["parameter"], lang)
        edge = assume.natural(scen, x["parameter"], x["edge"], lang)
        key = "flip_low" if x["low_bad"] else "flip_high"
        text = D(
            key,
            lang,
            label=label,
            edge=edge,
            share=f.pct(x["share"], 0),
            npv=f.dkk(x["npv_mean"]),
            se=f.num(x["npv_mean_se"]),
            p=f.pct(x["p_below_in"], 0),
            hurdle=hurdle,
        )
        y = _para(fig, "• " + text, 0.05, y, 112, size=8.8, step=0.023)
        shown += 1
    if not shown:
        y = _para(fig, "• " + D("flip_none", lang), 0.05, y, 118, size=8.8, step=0.023)
    for sc in F.scenarios:
        m, se = sc["npv_mean"]
        pb, pbse = sc["p_below"]
        key = "flip_scenario_flips" if m < 0 or pb > 0.5 else "flip_scenario_holds"
        text = D(
            key,
            lang,
            name=_scenario_name(sc["ds"], lang),
            npv=f.dkk(m),
            se=f.num(se),
            p=f.pct(pb),
            pse=f.pct(pbse, 2),
            hurdle=hurdle,
        )
        y = _para(fig, "• " + text, 0.05, y, 118, size=8.8, step=0.023)
    if not F.scenarios:
        y = _para(fig, D("flip_more", lang), 0.05, y - 0.005, 130, size=8, step=0.02, color=GREY)
    # Monte Carlo error
    y -= 0.015
    _para(
        fig,
        D(
            "mc_error",
            lang,
            n=f.num(F.s["draws"]),
            se=f.num(r["ev_se"]),
            p=f.pct(d.max_se_prob, 2),
            m=f.num(d.max_se_money),
        ),
        0.05,
        y,
        150,
        size=8.3,
        style="italic",
        color="#444444",
    )
    # a small chart: mean NPV by tenth of the main driver
    if F.flips:
        x = F.flips[0]
        ax = fig.add_axes((0.745, 0.47, 0.23, 0.26))
        t = np.arange(1, 11)
        ax.bar(t, x["means"], color=[BLUE if v >= 0 else RED for v in x["means"]], alpha=0.8)
        ax.errorbar(t, x["means"], yerr=2 * x["ses"], fmt="none", color="black", lw=0.8)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(t)
        ax.yaxis.set_major_formatter(f.axis_money())
        ax.set_xlabel(
            textwrap.fill(
                D("chart_x", lang, label=assume.param_label(scen, x["parameter"], lang)), 48
            ),
            fontsize=7.5,
        )
        ax.set_ylabel(D("chart_y", lang, rate=rate), fontsize=7.5)
        ax.tick_params(labelsize=7)
        ax.set_title(textwrap.fill(D("chart_title", lang), 44), fontsize=8.5)
        ax.grid(axis="y", alpha=0.3)
    return fig


def _scenario_name(sc, lang) -> str:
    import json

    scen = json.loads(sc.attrs["scenario_json"])
    return (scen.get("name_da") or scen["name"]) if lang == "da" else scen["name"]


def _explain(row, why, lang, f) -> str:
    """One line on why the note, the expected case and the simulation differ."""
    key = row["key"]
    note, case = row["note"], row["case"]
    sim = row["sim"][0]
    if key[0] == "repayment":
        base = (
            D("ex_note_equal", lang)
            if note is not None and case is not None and abs(note - case) < 1
            else ""
        )
        parts = []
        if why.get("recruitment") is not None:
            parts.append(D("ex_recruit", lang, r=f.pct(why["recruitment"], 0)))
        parts.append(
            D("ex_measured", lang, m=f.num(why["measured"]), c=f.num(why["measured_case"]))
        )
        if row.get("p_cap"):
            parts.append(D("ex_cap", lang, p=f.pct(row["p_cap"], 0)))
        return (base + " " if base else "") + D("ex_sim_repay", lang, why="; ".join(parts))
    if key[0] == "irr":
        return D("ex_irr", lang, note=f.pct(note if note is not None else case or 0))
    if key[0] == "npv":
        return D("ex_npv", lang, median=f.dkk(row["median"]))
    if key[0] == "cash":
        if row["sim"][1] == 0:
            return D("ex_cash_fixed", lang)
        if note is not None and case is not None and abs(note - case) < 1:
            return D("ex_cash_equal", lang)
        return D("ex_cash", lang)
    if key[0] == "net_saving":
        if case is not None and sim > case:
            return D("ex_saving_up", lang, median=f.dkk(row["p50"]))
        return D("ex_saving", lang, median=f.dkk(row["p50"]))
    return ""


def reconcile_page(F, lang):
    f = Fmt(lang)
    rec = F.reconcile
    names = _names(F.ds)
    fig = plt.figure(figsize=A4)
    fig.text(0.03, 0.95, D("rec_title", lang), fontsize=13, weight="bold")
    intro = D("rec_intro" if rec["has_note"] else "rec_intro_nonote", lang)
    _para(fig, intro, 0.03, 0.915, 185, size=8.3, step=0.02)
    xs = (0.03, 0.33, 0.45, 0.61, 0.63)
    y = 0.855
    heads = (
        D("rec_figure", lang),
        D("rec_note", lang),
        D("rec_case", lang),
        D("rec_sim", lang),
        D("rec_why", lang),
    )
    for x, h, a in zip(xs, heads, ("left", "right", "right", "right", "left"), strict=True):
        fig.text(x, y, h, fontsize=8, weight="bold", ha=a)
    y -= 0.028

    def money(v):
        return "—" if v is None else f.num(v)

    for row in rec["rows"]:
        key = row["key"]
        if key[0] == "repayment":
            who = D("total", lang) if key[1] == "total" else names.get(key[1], key[1])
            label = D("rec_repay", lang, who=who)
            cells = (
                money(row["note"]),
                money(row["case"]),
                f"{f.num(row['sim'][0])} ± {f.num(row['sim'][1])}",
            )
        elif key[0] == "irr":
            label = D("rec_irr", lang)
            cells = (
                "—" if row["note"] is None else f.pct(row["note"]),
                "—" if row["case"] is None else f.pct(row["case"], 2),
                f"{f.pct(row['sim'][0], 2)} ± {f.pct(row['sim'][1], 2)}",
            )
        elif key[0] == "npv":
            label = D("rec_npv", lang, rate=f.pct(F.rule["rate"], 0))
            cells = (
                D("not_stated", lang),
                money(row["case"]),
                f"{f.num(row['sim'][0])} ± {f.num(row['sim'][1])}",
            )
        elif key[0] == "cash":
            label = D("rec_cash", lang, year=key[1])
            cells = (
                money(row["note"]),
                money(row["case"]),
                f"{f.num(row['sim'][0])} ± {f.num(row['sim'][1])}",
            )
        else:
            label = D("rec_saving", lang, who=names.get(key[1], key[1]))
            note = "—" if row["note"] is None else D("about", lang, v=f.num(row["note"]))
            cells = (note, money(row["case"]), f"{f.num(row['sim'][0])} ± {f.num(row['sim'][1])}")
        label_lines = textwrap.wrap(label, 40)
        for k, line in enumerate(label_lines):
            fig.text(xs[0], y - 0.018 * k, line, fontsize=7.8)
        for x, c in zip(xs[1:4], cells, strict=True):
            fig.text(x, y, c, fontsize=7.8, family="monospace", ha="right")
        lines = textwrap.wrap(_explain(row, rec["why"], lang, f), 76) or [""]
        lines += [""] * (len(label_lines) - len(lines))
        for line in lines:
            fig.text(xs[4], y, line, fontsize=7.2, color="#333333")
            y -= 0.019
        y -= 0.008
    _para(
        fig,
        D("rec_foot", lang),
        0.03,
        max(y - 0.005, 0.07),
        190,
        size=7.5,
        step=0.018,
        color="#444444",
    )
    return fig


def payers_page(F, lang):
    """Region, municipality and foundation: what they pay, save, and pay for nothing."""
    f = Fmt(lang)
    ds, s, P = F.ds, F.s, F.payers
    names = _names(ds)
    fig = plt.figure(figsize=A4)
    fig.text(0.03, 0.95, D("pay_title", lang), fontsize=13, weight="bold")
    from simrisk.report._sources import dsi_note_applies
    from simrisk.report.contract._numbers import scenario_of

    if dsi_note_applies(scenario_of(ds)):
        intro = D("pay_intro", lang)
    else:
        intro = D("pay_intro_generic", lang, payers=", ".join(names.values()))
    _para(fig, intro, 0.03, 0.915, 190, size=8.2, step=0.019)
    # left: payments by year with bands, with no effect at all, per caused success
    years = P["years"]
    xs = [0.03, 0.25] + [0.25 + 0.12 * (k + 1) for k in range(len(years))]
    xs = xs[: 2 + len(years)]
    y = 0.85
    fig.text(0.03, y, D("pay_table", lang), fontsize=10, weight="bold")
    y -= 0.035
    heads = [D("payer", lang), D("pay_total", lang)] + [str(v) for v in years]
    for x, h in zip(xs, heads, strict=True):
        fig.text(
            x + (0.1 if x > 0.2 else 0),
            y,
            h,
            fontsize=8,
            weight="bold",
            ha="right" if x > 0.2 else "left",
        )
    y -= 0.026
    for p, dd in P["by_payer"].items():
        m, se = dd["paid"]
        fig.text(xs[0], y, names.get(p, p), fontsize=8)
        fig.text(
            xs[1] + 0.1,
            y,
            f"{f.num(m)} ± {f.num(se)}",
            fontsize=7.8,
            family="monospace",
            ha="right",
        )
        for x, yr in zip(xs[2:], years, strict=True):
            b = dd["by_year"][yr]
            fig.text(x + 0.1, y, f.num(b["mean"]), fontsize=7.8, family="monospace", ha="right")
            fig.text(
                x + 0.1,
                y - 0.018,
                f"{f.mio(b['p5'])}–{f.mio(b['p95'])}",
                fontsize=6.8,
                ha="right",
                color="#555555",
            )
        y -= 0.042
    fig.text(0.03, y, D("pay_band_note", lang), fontsize=7, color="#555555")
    y -= 0.04
    # with no effect at all
    nm, nse = P["no_effect_total"]
    tm, _ = P["paid_total"]
    y = _para(
        fig,
        D(
            "pay_no_effect",
            lang,
            none=f.dkk(nm),
            se=f.num(nse),
            total=f.dkk(tm),
            share=f.pct(nm / tm if tm else 0, 0),
        ),
        0.03,
        y,
        118,
        size=8.6,
        step=0.021,
    )
    for p, dd in P["by_payer"].items():
        m, se = dd["no_effect"]
        y = _para(
            fig,
            f"   {names.get(p, p)}: {f.dkk(m)} ± {f.num(se)}",
            0.03,
            y,
            118,
            size=8.2,
            step=0.02,
        )
    y -= 0.015
    if not s["net_saving"]["note_method"]:
        # no business case, so no authority: say why the bases are not shown
        _para(fig, D("pay_no_business_case", lang), 0.03, y, 118, size=8.2, step=0.02)
        return fig
    # both bases side by side, caveat on the note's basis
    fig.text(0.03, y, D("pay_bases", lang), fontsize=10, weight="bold")
    y -= 0.033
    cols = (0.03, 0.2, 0.32, 0.47, 0.56)
    heads = (
        D("authority", lang),
        D("basis", lang),
        D("net_mean", lang),
        D("p_net_neg", lang),
        D("cost_caused", lang),
    )
    for x, h in zip(cols, heads, strict=True):
        fig.text(x, y, h, fontsize=7.8, weight="bold")
    y -= 0.024
    for a in s["net_saving"]["note_method"]:
        for basis in ("note_method", "modelled"):
            dd = s["net_saving"][basis][a]
            fig.text(cols[0], y, names.get(a, a), fontsize=7.8)
            fig.text(cols[1], y, D("basis_" + basis, lang), fontsize=7.8)
            fig.text(
                cols[2],
                y,
                f"{f.num(dd['mean'])} ± {f.num(dd['mean_se'])}",
                fontsize=7.6,
                family="monospace",
            )
            fig.text(cols[3], y, f.pct(dd["p_negative"]), fontsize=7.6, family="monospace")
            fig.text(
                cols[4],
                y,
                f"{f.num(dd['cost_per_caused_success'])} ± "
                f"{f.num(dd['cost_per_caused_success_se'])}",
                fontsize=7.6,
                family="monospace",
            )
            y -= 0.022
    y -= 0.005
    _para(fig, D("pay_caveat", lang), 0.03, y, 118, size=7.8, step=0.019, color="#333333")
    # right: the modelled basis against persistence
    pers = P["persistence"]
    if pers:
        ax = fig.add_axes((0.72, 0.13, 0.25, 0.32))
        width = 0.8 / max(len(pers), 1)
        for i, (a, dd) in enumerate(pers.items()):
            ps = sorted(dd["rows"])
            xs_ = np.arange(len(ps)) + (i - (len(pers) - 1) / 2) * width
            means = [dd["rows"][p]["mean"] for p in ps]
            ses = [dd["rows"][p]["se"] for p in ps]
            ax.bar(
                xs_,
                means,
                width=width,
                color=(BLUE, ORANGE, GREEN)[i % 3],
                alpha=0.85,
                label=names.get(a, a),
            )
            ax.errorbar(xs_, means, yerr=2 * np.array(ses), fmt="none", color="black", lw=0.8)
        ps = sorted(next(iter(pers.values()))["rows"])
        p0 = next(iter(pers.values()))["config"]
        ax.set_xticks(np.arange(len(ps)), [f.num(p, 2) + (" *" if p == p0 else "") for p in ps])
        ax.axhline(0, color="black", lw=0.8)
        ax.yaxis.set_major_formatter(f.axis_money())
        ax.set_xlabel(textwrap.fill(D("pers_x", lang), 44), fontsize=7.5)
        ax.set_ylabel(D("pers_y", lang), fontsize=7.5)
        ax.set_title(textwrap.fill(D("pers_title", lang), 40), fontsize=8.5)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, frameon=False, loc="upper left")
        ax.grid(axis="y", alpha=0.3)
    return fig
