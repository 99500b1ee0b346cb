"""The fund report's pages: the decision on the candidate deal, the loss distribution,
who carries the tail (Euler contributions), guarantees and correlation, the fund's
cash flows, and the deals with their assumptions. Every page reads one summary."""

from __future__ import annotations

import itertools
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from simrisk.core.numfmt import Numbers
from simrisk.core.words import section
from simrisk.report._table import axes_table

__all__ = [
    "assumptions_page",
    "cash_page",
    "contrib_subtitle",
    "contributions_page",
    "decision_page",
    "decision_rows",
    "diversification_note",
    "fund_line",
    "fund_rows",
    "guarantees_page",
    "loss_page",
    "mc_line",
]

A4 = (11.69, 8.27)
W = section("fund")


def _mio(n: Numbers):
    return FuncFormatter(lambda x, _: n.num(x / 1e6, 0 if abs(x) >= 1e7 or x == 0 else 1))


def _names(ds, lang: str = "en") -> dict[str, str]:
    """Deal id -> its name (in Danish with ``lang == "da"`` where the config gives one)."""
    var = "deal_name_da" if lang == "da" and "deal_name_da" in ds.coords else "deal_name"
    return dict(zip(map(str, ds["deal"].values), map(str, ds[var].values), strict=True))


def _title(fig, text: str, sub: str | None = None):
    fig.text(0.05, 0.94, text, fontsize=16, weight="bold")
    if sub:
        fig.text(0.05, 0.905, sub, fontsize=10.5, color="#444444")


def _table(ax, rows, widths, header=True, size=10.5):
    axes_table(ax, rows, widths, size=size, row_scale=1.55, right_from=None, header=header)


def verdict(s: dict, names: dict, lang: str) -> str:
    """One sentence: does the candidate raise or lower the fund's tail per DKK invested?"""
    c = s["candidate"]
    n = Numbers(lang)
    d = c["difference"]["es_99_per_capital"]
    name = names.get(c["deal"], c["deal"])
    if abs(d["value"]) <= 2 * d["se"]:
        key = "verdict_same"
    else:
        key = "verdict_lower" if d["value"] < 0 else "verdict_higher"
    return W(
        key,
        lang,
        deal=name,
        without=n.pct(c["without"]["es_99_per_capital"]),
        with_=n.pct(c["with"]["es_99_per_capital"]),
        diff=n.pp(d["value"], 2),
        se=n.pp(d["se"], 2, sign=False),
    )


def decision_rows(s: dict, lang: str) -> list[list[str]]:
    """Page 1's table: a header, then each figure without the candidate, with it, the change."""
    n = Numbers(lang)
    c = s["candidate"]
    diff = c["difference"]
    rows = [[W("figure", lang), W("without", lang), W("with", lang), W("change", lang)]]

    def row(key, w, wi, dv, fmt, dfmt):
        rows.append([W(key, lang), fmt(w), fmt(wi), dfmt(dv)])

    def pm(fmt):
        return lambda e: f"{fmt(e['value'])} ± {fmt(e['se']).lstrip('+')}"

    dkk = lambda x: n.dkk(x)  # noqa: E731
    row(
        "expected_loss",
        c["without"]["expected_loss"]["value"],
        c["with"]["expected_loss"]["value"],
        {
            "value": c["with"]["expected_loss"]["value"] - c["without"]["expected_loss"]["value"],
            "se": float("nan"),
        },
        dkk,
        lambda e: dkk(e["value"]),
    )
    row(
        "es_99",
        c["without"]["es_99"]["value"],
        c["with"]["es_99"]["value"],
        diff["es_99"],
        dkk,
        pm(dkk),
    )
    row(
        "es_99_per_capital",
        c["without"]["es_99_per_capital"],
        c["with"]["es_99_per_capital"],
        diff["es_99_per_capital"],
        n.pct,
        pm(lambda v: n.pp(v, 2)),
    )
    row(
        "p_loss_10",
        c["without"]["p_loss_above_10pct"]["value"],
        c["with"]["p_loss_above_10pct"]["value"],
        diff["p_loss_above_10pct"],
        n.pct,
        pm(lambda v: n.pp(v, 2)),
    )
    return rows


def fund_rows(s: dict, lang: str) -> list[list[str]]:
    """The fund's own figures (a fund with no candidate deal): a header, then one row each."""
    n = Numbers(lang)
    p10 = s["p_loss_above"].get("0.1")
    return [
        [W("figure", lang), W("fund_col", lang)],
        [W("expected_loss", lang), n.dkk(s["expected_loss"]["value"])],
        [W("es_99", lang), f"{n.dkk(s['es_99']['value'])} ± {n.dkk(s['es_99']['se'])}"],
        [W("p_loss_10", lang), n.pct(p10["value"]) if p10 else "–"],
    ]


def diversification_note(s: dict, names: dict, lang: str) -> str:
    """The candidate on its own against its Euler contribution inside the fund."""
    n = Numbers(lang)
    c = s["candidate"]
    alone = c["es_99_alone"]["value"]
    contrib = c["es_99_contribution"]["value"]
    return W(
        "diversification",
        lang,
        deal=names.get(c["deal"], c["deal"]),
        alone=n.dkk(alone),
        contrib=n.dkk(contrib),
        share=n.pct(1 - contrib / alone if alone > 0 else 0.0),
    )


def fund_line(s: dict, lang: str) -> str:
    """The fund as configured, in one sentence."""
    n = Numbers(lang)
    return W(
        "fund_line",
        lang,
        el=n.dkk(s["expected_loss"]["value"]),
        es=n.dkk(s["es_99"]["value"]),
        p10=n.pct(s["p_loss_above"]["0.1"]["value"]) if "0.1" in s["p_loss_above"] else "–",
    )


def contrib_subtitle(s: dict, lang: str) -> str:
    """What the Euler contributions are, with the 99% shortfall and their sum."""
    n = Numbers(lang)
    total = sum(e["value"] for e in s["es_99_contributions"].values())
    return W("contrib_sub", lang, es=n.dkk(s["es_99"]["value"]), total=n.dkk(float(total)))


def mc_line(s: dict, lang: str) -> str:
    """The Monte Carlo error of the 99% shortfall."""
    n = Numbers(lang)
    return W("mc_line", lang, se=n.dkk(s["es_99"]["se"]), draws=n.num(s["draws"]))


def decision_page(ds, s: dict, lang: str):
    n = Numbers(lang)
    names = _names(ds, lang)
    fig = plt.figure(figsize=A4)
    _title(fig, W("decision_title", lang), W("decision_sub", lang, draws=n.num(s["draws"])))
    y = 0.84
    if "candidate" in s:
        for line in textwrap.wrap(verdict(s, names, lang), 120):
            fig.text(0.05, y, line, fontsize=12)
            y -= 0.035
        ax = fig.add_axes((0.05, 0.38, 0.9, 0.36))
        _table(ax, decision_rows(s, lang), [0.3, 0.19, 0.19, 0.32])
        y = 0.33
        for line in textwrap.wrap(diversification_note(s, names, lang), 125):
            fig.text(0.05, y, line, fontsize=10.5)
            y -= 0.03
    fig.text(0.05, 0.16, fund_line(s, lang), fontsize=10.5)
    fig.text(0.05, 0.12, mc_line(s, lang), fontsize=9.5, color="#555555")
    for k, line in enumerate(textwrap.wrap(W("judgement_caveat", lang), 150)):
        fig.text(0.05, 0.08 - 0.025 * k, line, fontsize=9.5, color="#555555")
    return fig


def loss_page(ds, s: dict, lang: str):
    n = Numbers(lang)
    loss = np.asarray(ds["fund_loss"].values, dtype=np.float64)
    cap = s["fund_capital"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=A4, layout="constrained")
    fig.suptitle(W("loss_title", lang), fontsize=15, weight="bold", x=0.02, ha="left")
    a1.hist(loss, bins=80, color="#4c72b0", alpha=0.85)
    for key, col in (("var_99", "#c44e52"), ("es_99", "#8c1c13")):
        a1.axvline(
            s[key]["value"],
            color=col,
            lw=1.6,
            ls="--",
            label=f"{W(key, lang)}: {n.dkk(s[key]['value'])}",
        )
    a1.axvline(
        s["expected_loss"]["value"],
        color="#222222",
        lw=1.2,
        label=f"{W('expected_loss', lang)}: {n.dkk(s['expected_loss']['value'])}",
    )
    a1.xaxis.set_major_formatter(_mio(n))
    a1.set_xlabel(W("loss_axis", lang))
    a1.set_ylabel(W("worlds_axis", lang))
    a1.set_title(W("loss_hist", lang))
    a1.legend(loc="upper right", fontsize=9, frameon=True)
    grid = s["p_loss_above"]
    xs = [100 * v["share"] for v in grid.values()]
    ps = [100 * v["value"] for v in grid.values()]
    es = [200 * v["se"] for v in grid.values()]
    labels = [f"{n.pct(v['share'], 1)}\n{n.num(v['amount'] / 1e6, 1)} mio" for v in grid.values()]
    a2.bar(range(len(xs)), ps, yerr=es, color="#55a868", capsize=4)
    a2.set_xticks(range(len(xs)), labels)
    a2.set_xlabel(W("share_axis", lang, capital=n.dkk(cap)))
    a2.set_ylabel(W("p_axis", lang))
    a2.set_title(W("p_above_title", lang))
    for k, p in enumerate(ps):
        a2.text(k, p + 1, n.pct(p / 100), ha="center", fontsize=9)
    a2.set_ylim(0, max([*ps, 1]) * 1.15 + 2)
    return fig


def contributions_page(ds, s: dict, lang: str):
    n = Numbers(lang)
    names = _names(ds, lang)
    ids = list(s["es_99_contributions"])
    contrib = np.array([s["es_99_contributions"][d]["value"] for d in ids])
    se = np.array([s["es_99_contributions"][d]["se"] for d in ids])
    el = np.array([s["deals"][d]["expected_loss"]["value"] for d in ids])
    order = np.argsort(contrib)
    fig, ax = plt.subplots(figsize=A4, layout="constrained")
    fig.suptitle(W("contrib_title", lang), fontsize=15, weight="bold", x=0.02, ha="left")
    yy = np.arange(len(ids))
    ax.barh(
        yy - 0.2,
        contrib[order],
        0.4,
        xerr=2 * se[order],
        color="#c44e52",
        label=W("contrib_legend", lang),
        capsize=2,
    )
    ax.barh(yy + 0.2, el[order], 0.4, color="#8fa9c7", label=W("el_legend", lang))
    ax.set_yticks(yy, [names[ids[i]] for i in order])
    ax.xaxis.set_major_formatter(_mio(n))
    ax.set_xlabel(W("mio_axis", lang))
    ax.legend(loc="lower right")
    sub = contrib_subtitle(s, lang)
    ax.set_title("\n".join(textwrap.wrap(sub, 110)), fontsize=10.5)
    ax.grid(axis="x", color="#dddddd")
    return fig


def guarantees_page(ds, s: dict, lang: str):
    n = Numbers(lang)
    names = _names(ds, lang)
    fig = plt.figure(figsize=A4)
    _title(fig, W("guarantee_title", lang), W("guarantee_sub", lang))
    rows = [
        [
            W("deal", lang),
            W("guarantor", lang),
            W("amount", lang),
            W("g_paid", lang),
            W("g_called", lang),
            W("g_es", lang),
        ]
    ]
    for d, g in s["guarantees"].items():
        rows.append(
            [
                names.get(d, d),
                g["guarantor"],
                n.dkk(g["amount"]),
                f"{n.dkk(g['expected_payment']['value'])} ± {n.num(g['expected_payment']['se'])}",
                f"{n.pct(g['p_called']['value'])} ± {n.pp(g['p_called']['se'], 1, sign=False)}",
                f"{n.dkk(g['es_99_reduction']['value'])} ± {n.num(g['es_99_reduction']['se'])}",
            ]
        )
    if len(rows) == 1:
        rows.append([W("none", lang), "", "", "", "", ""])
    _table(
        fig.add_axes((0.05, 0.62, 0.9, 0.25)), rows, [0.24, 0.13, 0.13, 0.17, 0.13, 0.2], size=9.5
    )
    ax = fig.add_axes((0.08, 0.1, 0.84, 0.42))
    rho = np.asarray(ds["rho"].values, dtype=np.float64)
    loss = np.asarray(ds["fund_loss"].values, dtype=np.float64)
    share = max(v["share"] for v in s["p_loss_above"].values())  # the tail: the largest loss
    ten = share * s["fund_capital"]
    edges = np.quantile(rho, np.linspace(0, 1, 11))
    mids, ps, ses = [], [], []
    for a, b in itertools.pairwise(edges):
        m = (rho >= a) & (rho <= b)
        p = float((loss[m] > ten).mean())
        mids.append(0.5 * (a + b))
        ps.append(100 * p)
        ses.append(200 * np.sqrt(p * (1 - p) / max(m.sum(), 1)))
    ax.errorbar(mids, ps, yerr=ses, marker="o", color="#4c72b0", capsize=3)
    ax.set_xlabel(W("rho_axis", lang))
    ax.set_ylabel(W("p10_axis", lang, share=n.pct(share, 0)))
    ax.set_title(W("rho_title", lang), fontsize=11)
    ax.grid(color="#dddddd")
    return fig


def cash_page(ds, s: dict, lang: str):
    n = Numbers(lang)
    cf = np.asarray(ds["cash_flow_by_year"].values, dtype=np.float64)
    years = np.asarray(ds["year"].values)
    cum = np.cumsum(cf, axis=1)
    q = np.quantile(cum, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    fig, (a1, a2) = plt.subplots(
        1, 2, figsize=A4, layout="constrained", gridspec_kw={"width_ratios": [3, 2]}
    )
    fig.suptitle(W("cash_title", lang), fontsize=15, weight="bold", x=0.02, ha="left")
    a1.fill_between(years, q[0], q[4], color="#4c72b0", alpha=0.2, label="P5–P95")
    a1.fill_between(years, q[1], q[3], color="#4c72b0", alpha=0.4, label="P25–P75")
    a1.plot(years, q[2], color="#1f3b63", label=W("median", lang))
    a1.axhline(0, color="#333333", lw=0.8)
    a1.yaxis.set_major_formatter(_mio(n))
    a1.set_xlabel(W("year_axis", lang))
    a1.set_ylabel(W("cum_axis", lang))
    a1.legend(loc="lower right")
    a1.set_title(W("cum_title", lang), fontsize=11)
    npv = np.asarray(ds["npv"].values, dtype=np.float64)
    a2.hist(npv, bins=60, color="#55a868")
    a2.axvline(0, color="#333333", lw=0.8)
    a2.xaxis.set_major_formatter(_mio(n))
    rate = n.pct(float(ds.attrs["discount_rate"]))
    a2.set_xlabel(W("npv_axis", lang, rate=rate))
    a2.set_ylabel(W("worlds_axis", lang))
    irr = s["irr"]
    a2.set_title(
        W(
            "npv_title",
            lang,
            mean=n.dkk(s["npv"]["mean"]),
            p=n.pct(s["p_npv_negative"]["value"]),
            irr=n.pct(irr["p50"]) if irr.get("n") else "–",
        ),
        fontsize=10,
    )
    return fig


def assumptions_page(ds, s: dict, lang: str):
    n = Numbers(lang)
    names = _names(ds, lang)
    fig = plt.figure(figsize=A4)
    _title(fig, W("assumptions_title", lang), W("assumptions_sub", lang))
    rows = [
        [
            W("deal", lang),
            W("origin", lang),
            W("capital", lang),
            W("p_loss", lang),
            W("expected_loss", lang),
            W("es_alone", lang),
        ]
    ]
    for d, x in s["deals"].items():
        rows.append(
            [
                names.get(d, d),
                W("origin_" + x["origin"], lang),
                n.dkk(x["capital"]),
                n.pct(x["p_loss"]["value"]),
                n.dkk(x["expected_loss"]["value"]),
                n.dkk(x["es_99_alone"]["value"]),
            ]
        )
    _table(fig.add_axes((0.05, 0.22, 0.9, 0.66)), rows, [0.3, 0.14, 0.13, 0.1, 0.15, 0.18], size=9)
    rho = s["rho"]
    text = W(
        "copula_text",
        lang,
        family=W("family_" + str(ds.attrs.get("copula", "gaussian")), lang),
        lo=n.num(rho["p5"], 2),
        hi=n.num(rho["p95"], 2),
        h=n.num(s["herfindahl"]["value"], 3),
        k=n.num(s["herfindahl"]["effective_number"], 1),
    )
    y = 0.16
    for line in textwrap.wrap(text, 130):
        fig.text(0.05, y, line, fontsize=10)
        y -= 0.03
    return fig
