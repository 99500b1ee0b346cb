"""The fund page: the decision on the candidate deal (page 1 of the PDF) and its key charts.

The words are the PDF's page 1 (``simrisk.report.fund.page_one``) from the
same summary; the charts are the PDF's loss and tail pages: the fund's loss
distribution with its expected loss, VaR and expected shortfall at 99%,
the chance of a loss above each threshold of the config's loss grid, and
who carries the tail (each deal's Euler contribution to the 99% shortfall
beside its expected loss). No control: the committee's question (does the
deal raise the fund's tail per krone invested?) has no free input a reader
would move.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from simrisk.core.numfmt import Numbers
from simrisk.core.words import section
from simrisk.report.html._charts import BLUE, GREEN, GREY, RED, histogram
from simrisk.report.html._page import Block, HtmlPage, decision_block, footer, more_block

__all__ = ["build"]

H = section("html")
W = section("fund")
WIDTH = 460


def _loss_chart(ds, s, lang):
    n = Numbers(lang)
    x = np.asarray(ds["fund_loss"].values, dtype=np.float64) / 1e6
    x = x[np.isfinite(x)]
    lo, hi = 0.0, float(np.quantile(x, 0.999)) if x.size else 1.0
    hi = max(hi, float(s["es_99"]["value"]) / 1e6 * 1.05, lo + 1e-6)
    edges = np.linspace(lo, hi, 61)
    marks = [
        (s[key]["value"] / 1e6, f"{W(key, lang)}: {n.dkk(s[key]['value'])}", col, dash)
        for key, col, dash in (
            ("expected_loss", GREEN, [1, 0]),
            ("var_99", RED, [5, 3]),
            ("es_99", "#8c1c13", [2, 2]),
        )
    ]
    return histogram(
        x, edges, marks, W("loss_hist", lang), W("loss_axis", lang), lang, ",.1f", WIDTH
    )


def _above_chart(s, lang):
    n = Numbers(lang)
    grid = list(s["p_loss_above"].values())
    data = pd.DataFrame(
        {
            "threshold": [f"{n.pct(v['share'], 1)} · {n.num(v['amount'] / 1e6, 1)}" for v in grid],
            "p": [v["value"] for v in grid],
            "lo": [max(v["value"] - 2 * v["se"], 0.0) for v in grid],
            "hi": [v["value"] + 2 * v["se"] for v in grid],
            "label": [n.pct(v["value"]) for v in grid],
        }
    )
    x = alt.X(
        "threshold:N",
        sort=None,
        title=W("share_axis", lang, capital=n.dkk(s["fund_capital"]))
        + f" · {W('mio_axis', lang)}",
        axis=alt.Axis(labelAngle=0),
    )
    bars = (
        alt.Chart(data)
        .mark_bar(color=GREEN, opacity=0.85)
        .encode(
            x=x,
            y=alt.Y("p:Q", title=W("p_axis", lang), axis=alt.Axis(format=".0%")),
            tooltip=[alt.Tooltip("label:N", title=W("p_axis", lang))],
        )
    )
    err = alt.Chart(data).mark_rule(color="black").encode(x=x, y="lo:Q", y2="hi:Q")
    text = alt.Chart(data).mark_text(dy=-10, fontSize=11).encode(x=x, y="hi:Q", text="label:N")
    return alt.layer(bars, err, text).properties(
        title=W("p_above_title", lang), width=WIDTH, height=240
    )


def _contrib_chart(s, names, sub, lang):
    n = Numbers(lang)
    ids = list(s["es_99_contributions"])
    rows = []
    for d in ids:
        c = s["es_99_contributions"][d]
        el = s["deals"][d]["expected_loss"]["value"]
        rows.append((names.get(d, d), W("contrib_legend", lang), c["value"], c["se"]))
        rows.append((names.get(d, d), W("el_legend", lang), el, 0.0))
    data = pd.DataFrame(rows, columns=["deal", "what", "value", "se"])
    data["mio"] = data["value"] / 1e6
    data["lo"] = (data["value"] - 2 * data["se"]) / 1e6
    data["hi"] = (data["value"] + 2 * data["se"]) / 1e6
    data["label"] = [n.dkk(v) for v in data["value"]]
    order = [
        names.get(d, d) for d in sorted(ids, key=lambda d: -s["es_99_contributions"][d]["value"])
    ]
    what = [W("contrib_legend", lang), W("el_legend", lang)]
    y = alt.Y("deal:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    yoff = alt.YOffset("what:N", sort=what)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=y,
            yOffset=yoff,
            x=alt.X("mio:Q", title=W("mio_axis", lang), axis=alt.Axis(format=",.1f")),
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=what, range=[RED, BLUE]),
                title=None,
                legend=alt.Legend(orient="top", direction="vertical", labelLimit=600),
            ),
            tooltip=[
                alt.Tooltip("deal:N", title=None),
                alt.Tooltip("what:N", title=None),
                alt.Tooltip("label:N", title=W("figure", lang)),
            ],
        )
    )
    err = (
        alt.Chart(data[data["se"] > 0])
        .mark_rule(color=GREY)
        .encode(y=y, yOffset=yoff, x="lo:Q", x2="hi:Q")
    )
    return alt.layer(bars, err).properties(
        title=alt.TitleParams(W("contrib_title", lang), subtitle=sub),
        width=700,
        height=alt.Step(14),
    )


def build(ds, lang="en") -> HtmlPage:
    """The fund page (see :func:`simrisk.report.html.write_html`)."""
    from simrisk.report.fund import page_one

    one = page_one(ds, lang)
    s = one["figures"]["s"]
    charts = [
        _loss_chart(ds, s, lang),
        _above_chart(s, lang),
        _contrib_chart(s, one["figures"]["names"], one["figures"]["contrib_sub"], lang),
    ]
    blocks = [
        decision_block(one),
        Block("charts", H("charts", lang), "", charts),
        more_block(ds, lang),
    ]
    return HtmlPage(title=one["title"], lang=lang, blocks=blocks, footer=footer(ds, lang))
