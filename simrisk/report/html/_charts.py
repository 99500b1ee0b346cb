"""The chart shapes the HTML pages share: a pre-binned histogram with marked values,
and a line of text that follows a slider."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

__all__ = ["BLUE", "COLOURS", "GREEN", "GREY", "RED", "histogram", "nearest", "nearest_rows"]

BLUE, ORANGE, GREEN, GREY, RED = "#1f5fa8", "#c4572a", "#3a8a3a", "#777777", "#b22222"
COLOURS = ("#1b6ca8", "#e07b00", "#2a9d55", "#b03060", "#6a4c93")


def histogram(x, edges, marks, title, axis_title, lang, fmt, width):
    """Shares of the finite draws of ``x`` in the bins ``edges``, values in ``marks`` ruled.

    ``marks``: ``(value, label, colour, dash)``; the bins are counted here, so the
    page carries 60 numbers, not the draws.
    """
    from simrisk.core.words import word

    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    counts, _ = np.histogram(x, bins=edges)
    share = counts / max(x.size, 1)
    data = pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "share": share})
    yfmt = ".1%" if share.max() < 0.1 else ".0%"
    bars = (
        alt.Chart(data)
        .mark_bar(color=BLUE, opacity=0.75)
        .encode(
            x=alt.X(
                "lo:Q",
                bin="binned",
                title=axis_title,
                scale=alt.Scale(domain=[float(edges[0]), float(edges[-1])], nice=False),
                axis=alt.Axis(format=fmt),
            ),
            x2="hi:Q",
            y=alt.Y(
                "share:Q",
                title=f"{word('plot', 'share_of_draws', lang)} (%)",
                axis=alt.Axis(format=yfmt),
            ),
            tooltip=[
                alt.Tooltip("lo:Q", format=fmt, title="≥"),
                alt.Tooltip("hi:Q", format=fmt, title="<"),
                alt.Tooltip("share:Q", format=".2%", title=word("html", "bar_share", lang)),
            ],
        )
    )
    legend = alt.Legend(orient="top", direction="vertical", labelLimit=600)
    ruled = pd.DataFrame({"value": [m[0] for m in marks], "label": [m[1] for m in marks]})
    rules = (
        alt.Chart(ruled)
        .mark_rule(strokeWidth=2)
        .encode(
            x="value:Q",
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=[m[1] for m in marks], range=[m[2] for m in marks]),
                title=None,
                legend=legend,
            ),
            # the same field and legend: one legend, with each line's dash
            strokeDash=alt.StrokeDash(
                "label:N",
                scale=alt.Scale(domain=[m[1] for m in marks], range=[m[3] for m in marks]),
                title=None,
                legend=legend,
            ),
        )
    )
    return alt.layer(bars, rules).properties(title=title, width=width, height=240)


def nearest_rows(chart: alt.Chart, field: str, param: str) -> alt.Chart:
    """``chart``'s rows narrowed to the one whose ``field`` is nearest the slider ``param``."""
    return (
        chart.transform_calculate(distance=f"abs(datum.{field} - {param})")
        .transform_window(rank="row_number()", sort=[alt.SortField("distance")])
        .transform_filter("datum.rank == 1")
    )


def nearest(data: pd.DataFrame, field: str, param: str, width: int) -> alt.Chart:
    """One line of text: ``data``'s ``text`` in the row nearest the slider ``param``."""
    return (
        nearest_rows(alt.Chart(data), field, param)
        .mark_text(align="left", baseline="top", x=0, y=4, fontSize=13, fontWeight="bold")
        .encode(text="text:N")
        .properties(width=width, height=26)
    )
