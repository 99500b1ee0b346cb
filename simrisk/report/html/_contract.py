"""The contract's page: DSI's decision (page 1 of the PDF), its key charts, and r.

The words of the decision are the PDF's page 1 (``simrisk.report.contract._decide``),
read from the same :class:`~simrisk.report.contract._figures.Figures`. The
control: DSI's risk aversion r, over the decision layer's grid of certainty
equivalents (``summary["decision"]["rules"]["risk_aversion"]``).
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from simrisk.core.words import section
from simrisk.plot import Fmt
from simrisk.report.html._charts import BLUE, GREEN, GREY, RED, histogram, nearest, nearest_rows
from simrisk.report.html._page import Block, HtmlPage, decision_block, esc, footer, more_block

__all__ = ["build"]

H = section("html")
D = section("decide")
P = section("plot")
WIDTH = 460


def _bins(x) -> np.ndarray:
    """60 equal bins over the draws' P0.5–P99.5 (as the PDF's histograms, which take 80)."""
    x = x[np.isfinite(x)]
    a, b = np.quantile(x, [0.005, 0.995])
    if not b > a:
        a, b = a - 0.5, b + 0.5
    return np.linspace(a, b, 61)


def _npv_chart(ds, lang) -> alt.LayerChart:
    from simrisk.plot import clip_note, rate_words

    f = Fmt(lang)
    x = ds["npv"].values.astype(np.float64)
    edges = _bins(x)
    median = float(np.median(x))
    p = float((x < 0).mean())
    marks = [
        (0.0, f"{P('zero', lang)}: {P('p_npv_neg', lang)} = {f.pct(p)}", RED, [5, 3]),
        (median, f"{P('median', lang)} {f.dkk(median)}", GREEN, [1, 0]),
    ]
    title = P("npv", lang, **rate_words(ds, lang))
    axis = f"{P('npv_axis', lang, **rate_words(ds, lang))} · {clip_note(x, edges, lang)}"
    return histogram(x, edges, marks, title, axis, lang, fmt=",.0f", width=WIDTH)


def _irr_chart(ds, lang) -> alt.LayerChart:
    from simrisk.plot import clip_note

    f = Fmt(lang)
    x = ds["irr"].values.astype(np.float64)
    x = x[np.isfinite(x)]
    edges = _bins(x)
    hurdle = float(ds.attrs["hurdle_rate"])
    median = float(np.median(x))
    marks = [
        (
            hurdle,
            f"{P('hurdle', lang, rate=f.pct(hurdle, 0))}: P(IRR < {f.pct(hurdle, 0)}) = "
            f"{f.pct(float((x < hurdle).mean()))}",
            RED,
            [5, 3],
        ),
        (median, f"{P('median', lang)} {f.pct(median)}", GREEN, [1, 0]),
    ]
    axis = f"{P('irr_axis', lang)} · {clip_note(x, edges, lang)}"
    return histogram(x, edges, marks, P("irr", lang), axis, lang, fmt=".0%", width=WIDTH)


def _driver_chart(F, label, lang) -> alt.LayerChart | None:
    """Page 1's small chart: the expected NPV by tenth of the main driver, ± 2 MC errors."""
    if not F.flips:
        return None
    x = F.flips[0]
    rate = Fmt(lang).pct(F.rule["rate"], 0)
    means = np.asarray(x["means"], dtype=np.float64)
    ses = np.asarray(x["ses"], dtype=np.float64)
    data = pd.DataFrame(
        {
            "tenth": np.arange(1, 11),
            "mean": means,
            "lo": means - 2 * ses,
            "hi": means + 2 * ses,
            "sign": np.where(means >= 0, "+", "-"),
        }
    )
    base = alt.Chart(data)
    xenc = alt.X("tenth:O", title=D("chart_x", lang, label=label), axis=alt.Axis(labelAngle=0))
    bars = base.mark_bar(opacity=0.85).encode(
        x=xenc,
        y=alt.Y("mean:Q", title=D("chart_y", lang, rate=rate), axis=alt.Axis(format=",.0f")),
        color=alt.Color(
            "sign:N", scale=alt.Scale(domain=["+", "-"], range=[BLUE, RED]), legend=None
        ),
        tooltip=[alt.Tooltip("mean:Q", format=",.0f", title=H("npv_mean", lang))],
    )
    err = base.mark_rule(color="black").encode(x=xenc, y="lo:Q", y2="hi:Q")
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return alt.layer(bars, err, zero).properties(
        title=D("chart_title", lang), width=WIDTH, height=260
    )


def _risk_chart(F, dec, lang) -> tuple[alt.VConcatChart | None, str]:
    """The certainty equivalents over the decision layer's r grid, with a slider on r.

    ``dec`` is the decision layer's :func:`~simrisk.decision.rules.decide` of the
    run: its r = 0 row is the expected NPV page 1 prints.
    """
    ra = (dec.get("rules") or {}).get("risk_aversion")
    if not isinstance(ra, dict) or not ra.get("grid"):
        return None, ""
    f = Fmt(lang)
    alts = list(dec["alternatives"])
    nothing = dec.get("do_nothing")
    names = {a: D("alt_nothing" if a == nothing else "alt_lend", lang) for a in alts}
    act = next((a for a in alts if a != nothing), alts[-1])
    rows, labels = [], []
    for g in ra["grid"]:
        r = float(g["r"])
        if r <= 0:
            continue
        lr = math.log10(r)
        ce = dict(zip(alts, g["certainty_equivalent"], strict=True))
        se = dict(zip(alts, g["certainty_equivalent_se"], strict=True))
        labels.append(
            {
                "lr": lr,
                "text": H(
                    "ra_at",
                    lang,
                    r=_sci(r, lang),
                    tol=f.dkk(1.0 / r),
                    lend=names[act],
                    ce=f.dkk(ce[act]),
                    se=f.num(se[act]),
                    nothing=names[nothing] if nothing else "",
                    choice=names[g["choice"]],
                ),
            }
        )
        for a in alts:
            rows.append({"r": r, "lr": lr, "alternative": names[a], "ce": float(ce[a])})
    if not rows:
        return None, ""
    data = pd.DataFrame(rows)
    lrs = data["lr"]
    stated = ra.get("r")
    start = math.log10(stated) if stated else float(lrs.median())
    slider = alt.param(
        name="lr",
        value=round(start, 2),
        bind=alt.binding_range(
            min=round(float(lrs.min()), 2),
            max=round(float(lrs.max()), 2),
            step=0.01,
            name=H("ra_slider", lang),
        ),
    )
    colour = alt.Color(
        "alternative:N",
        scale=alt.Scale(domain=[names[act], names[nothing]], range=[BLUE, GREY]),
        title=None,
        legend=alt.Legend(orient="top"),
    )
    xenc = alt.X(
        "r:Q", scale=alt.Scale(type="log"), title=H("ra_x", lang), axis=alt.Axis(format=".0e")
    )
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=xenc,
            y=alt.Y("ce:Q", title=H("ra_y", lang), axis=alt.Axis(format=",.0f")),
            color=colour,
        )
    )
    here = (
        nearest_rows(alt.Chart(data[data["alternative"] == names[act]]), "lr", "lr")
        .mark_rule(color="black", strokeWidth=1.5)
        .encode(x="r:Q")
    )
    layers = [lines, here]
    if stated:
        layers.append(
            alt.Chart(pd.DataFrame({"r": [float(stated)], "what": [H("ra_stated", lang)]}))
            .mark_rule(color=RED, strokeDash=[5, 3])
            .encode(x="r:Q", tooltip=["what:N"])
        )
    text = nearest(pd.DataFrame(labels), "lr", "lr", WIDTH * 2)
    chart = alt.vconcat(
        alt.layer(*layers).properties(width=WIDTH * 2, height=260), text
    ).add_params(slider)
    return chart, "" if stated else H("ra_none", lang)


def _sci(r: float, lang: str) -> str:
    """``3.3 × 10⁻⁷`` (Danish decimal comma)."""
    e = math.floor(math.log10(r))
    m = Fmt(lang).num(r / 10**e, 1)
    sup = str(e).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{m} × 10{sup}"


def build(ds, lang="en", scenarios=None) -> HtmlPage:
    """The contract's page (see :func:`simrisk.report.html.write_html`)."""
    from simrisk.report.contract import page_one

    one = page_one(ds, lang, scenarios)
    F = one["figures"]
    blocks = [decision_block(one)]
    charts = [
        c
        for c in (
            _driver_chart(F, one["driver"], lang),
            _npv_chart(ds, lang),
            _irr_chart(ds, lang),
        )
        if c
    ]
    blocks.append(Block("charts", H("charts", lang), "", charts))
    dec = F.s.get("decision")
    if dec is None:
        from simrisk.decision.rules import decide

        dec = decide(ds)
    risk, note = _risk_chart(F, dec, lang)
    if risk is not None:
        helptext = f'<p class="help">{esc(H("ra_help", lang))}</p>'
        if note:
            helptext += f'<p class="note">{esc(note)}</p>'
        blocks.append(Block("risk_aversion", H("ra_heading", lang), helptext, [risk]))
    blocks.append(more_block(ds, lang))
    return HtmlPage(
        title=one["title"],
        lang=lang,
        blocks=blocks,
        footer=footer(ds, lang),
    )
