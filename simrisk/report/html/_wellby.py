"""The WELLBY page: the pilot's decision (page 1 of the PDF) and its key charts.

The words of the decision are the PDF's page 1 (``simrisk.report.wellby._pages``)
from the same figures. No control: the decision has no free input a reader
would move (the rule and its values are the config's).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from simrisk.core.words import section
from simrisk.plot import Fmt
from simrisk.report.html._charts import BLUE, GREEN, RED, histogram
from simrisk.report.html._page import Block, HtmlPage, decision_block, footer, more_block

__all__ = ["build"]

H = section("html")
W = section("wellby")
WIDTH = 460


def _hist_chart(F, lang):
    f = Fmt(lang)
    x = F["ds"]["draws_pilot_value_dkk_net"].values.astype(np.float64)
    x = x[np.isfinite(x)]
    lo, hi = np.quantile(x, [0.005, 0.995])
    edges = np.linspace(lo, hi, 61) if hi > lo else np.linspace(lo - 0.5, hi + 0.5, 61)
    mean = float(x.mean())
    marks = [
        (0.0, H("wb_zero", lang, p=f.pct(float((x < 0).mean()))), RED, [5, 3]),
        (mean, H("wb_mean", lang, v=f.dkk(mean)), GREEN, [1, 0]),
    ]
    return histogram(x, edges, marks, H("wb_hist", lang), W("hist_x", lang), lang, ",.0f", WIDTH)


def _tenths_chart(F, lang):
    t = np.array(F["tenths"], dtype=np.float64)  # lo, hi, mean, se
    data = pd.DataFrame(
        {
            "tenth": np.arange(1, 11),
            "mean": t[:, 2],
            "lo": t[:, 2] - 2 * t[:, 3],
            "hi": t[:, 2] + 2 * t[:, 3],
            "sign": np.where(t[:, 2] >= 0, "+", "-"),
        }
    )
    x = alt.X("tenth:O", title=H("wb_tenths_x", lang), axis=alt.Axis(labelAngle=0))
    bars = (
        alt.Chart(data)
        .mark_bar(opacity=0.85)
        .encode(
            x=x,
            y=alt.Y("mean:Q", title=H("wb_tenths_y", lang), axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "sign:N", scale=alt.Scale(domain=["+", "-"], range=[BLUE, RED]), legend=None
            ),
            tooltip=[alt.Tooltip("mean:Q", format=",.0f", title=H("npv_mean", lang))],
        )
    )
    err = alt.Chart(data).mark_rule(color="black").encode(x=x, y="lo:Q", y2="hi:Q")
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return alt.layer(bars, err, zero).properties(
        title=H("wb_tenths", lang), width=WIDTH, height=260
    )


def _projections_chart(F, rows, lang):
    projs = F["s"]["projections"]
    data = pd.DataFrame(
        {
            "what": [r[0] for r in rows[1:]],
            "mean": [q["value_dkk_net"]["mean"] / 1e6 for q in projs],
            "lo": [q["value_dkk_net"]["lower90"] / 1e6 for q in projs],
            "hi": [q["value_dkk_net"]["upper90"] / 1e6 for q in projs],
        }
    )
    y = alt.Y("what:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    band = alt.Chart(data).mark_rule(color=BLUE, strokeWidth=3, opacity=0.5)
    band = band.encode(y=y, x="lo:Q", x2="hi:Q")
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=90, color=BLUE)
        .encode(
            y=y,
            x=alt.X("mean:Q", title=H("wb_proj_x", lang), axis=alt.Axis(format=",.0f")),
            tooltip=[
                alt.Tooltip("mean:Q", format=",.2f", title=H("npv_mean", lang)),
                alt.Tooltip("lo:Q", format=",.2f", title="P5"),
                alt.Tooltip("hi:Q", format=",.2f", title="P95"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="black").encode(x="x:Q")
    return alt.layer(band, dots, zero).properties(
        title=W("p_projections_net", lang), width=700, height=40 * max(len(projs), 2)
    )


def build(ds, lang="en") -> HtmlPage:
    """The WELLBY page (see :func:`simrisk.report.html.write_html`)."""
    from simrisk.report.wellby import page_one

    one = page_one(ds, lang)
    F = one["figures"]
    charts = [_hist_chart(F, lang), _tenths_chart(F, lang)]
    if F["s"].get("projections"):
        charts.append(_projections_chart(F, one["rows"], lang))
    blocks = [
        decision_block(one),
        Block("charts", H("charts", lang), "", charts),
        more_block(ds, lang),
    ]
    return HtmlPage(
        title=one["title"],
        lang=lang,
        blocks=blocks,
        footer=footer(ds, lang),
    )
