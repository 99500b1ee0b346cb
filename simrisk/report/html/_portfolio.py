"""The pool's page: the council's decision (page 1 of the PDF), its key charts, and the
value of a staff hour.

The words of the decision are the PDF's page 1 (``simrisk.report.portfolio._decide``)
from the same summary. The control: what an hour of freed staff time is
worth; at each value the page shows P(each option, or no pool, has the
highest net benefit) and each option's expected net benefit with its Monte
Carlo error, computed here from the draws on a grid (the slider picks the
nearest grid value).
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from simrisk.core.numfmt import Numbers
from simrisk.core.words import section
from simrisk.report.html._charts import COLOURS, GREY, nearest, nearest_rows
from simrisk.report.html._page import Block, HtmlPage, decision_block, esc, footer, more_block

__all__ = ["build"]

H = section("html")
W = section("pool")
WIDTH = 430
#: staff-hour values on the slider's grid, DKK per hour
HOUR_STEP = 5


def _names(ds, lang) -> dict[str, str]:
    var = "option_name_da" if lang == "da" else "option_name"
    return dict(zip([str(o) for o in ds["option"].values], map(str, ds[var].values), strict=True))


def _mio(f, x: float) -> str:
    """Millions as the pool's tables write them: ``2.5 mio DKK`` / ``2,5 mio. kr.``."""
    v = f.num(x / 1e6, 1)
    return f"{v} mio. kr." if f.lang == "da" else f"{v} mio DKK"


def _hour_grid(s) -> np.ndarray:
    top = max(600.0, 2 * float(s["staff_hour_value"]))
    top = HOUR_STEP * math.ceil(top / HOUR_STEP)
    return np.union1d(np.arange(0.0, top + HOUR_STEP / 2, HOUR_STEP), [s["staff_hour_value"]])


def _hour_chart(ds, s, lang) -> alt.VConcatChart:
    """P(best) over the staff-hour value, the expected net benefits at the slider's value."""
    from simrisk.kinds.portfolio.summary import net_benefit_at

    f = Numbers(lang)
    ids = [str(o) for o in ds["option"].values]
    names = _names(ds, lang)
    nothing = W("nothing", lang)
    order = [nothing] + [names[i] for i in ids]
    colours = [GREY, *COLOURS[: len(ids)]]
    grid = _hour_grid(s)
    p_rows, nb_rows, text_rows = [], [], []
    for v in grid:
        nb = net_benefit_at(ds, float(v))
        n = nb.shape[0]
        mean = nb.mean(axis=0)
        se = nb.std(axis=0, ddof=1) / math.sqrt(n)
        best = np.argmax(np.column_stack([np.zeros(n), nb]), axis=1)
        p = np.bincount(best, minlength=len(ids) + 1) / n
        for k, name in enumerate(order):
            p_rows.append({"hour": v, "alternative": name, "p": p[k]})
        for k, i in enumerate(ids):
            nb_rows.append(
                {
                    "hour": v,
                    "alternative": names[i],
                    "nb": mean[k] / 1e6,
                    "lo": (mean[k] - 2 * se[k]) / 1e6,
                    "hi": (mean[k] + 2 * se[k]) / 1e6,
                }
            )
        j = int(np.argmax(mean))
        if mean[j] > 0:
            text = H(
                "hour_at",
                lang,
                hour=f.dkk(v),
                best=names[ids[j]],
                nb=f"{_mio(f, mean[j])} ± {f.num(se[j] / 1e6, 2)}",
                p=f.pct(p[j + 1]),
            )
        else:
            text = H("hour_at_none", lang, hour=f.dkk(v))
        text_rows.append({"hour": v, "text": text})
    stated = float(s["staff_hour_value"])
    slider = alt.param(
        name="hour",
        value=round(stated),
        bind=alt.binding_range(min=0, max=float(grid.max()), step=1, name=H("hour_slider", lang)),
    )
    colour = alt.Color(
        "alternative:N",
        scale=alt.Scale(domain=order, range=colours),
        title=None,
        legend=alt.Legend(orient="top", labelLimit=400),
    )
    hour_x = alt.X("hour:Q", title=H("hour_x", lang), axis=alt.Axis(format=",.0f"))
    p_data = pd.DataFrame(p_rows)
    lines = (
        alt.Chart(p_data)
        .mark_line()
        .encode(
            x=hour_x,
            y=alt.Y(
                "p:Q",
                title=H("hour_p", lang),
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=colour,
            strokeDash=alt.condition(
                f"datum.alternative == {nothing!r}", alt.value([5, 3]), alt.value([1, 0])
            ),
        )
    )
    here = (
        nearest_rows(alt.Chart(pd.DataFrame({"hour": grid})), "hour", "hour")
        .mark_rule(color="black", strokeWidth=1.5)
        .encode(x="hour:Q")
    )
    config = (
        alt.Chart(pd.DataFrame({"hour": [stated]}))
        .mark_rule(color=GREY, strokeDash=[4, 3])
        .encode(x="hour:Q")
    )
    left = alt.layer(lines, config, here).properties(
        title=W("p_acceptability", lang), width=WIDTH, height=260
    )
    nb_data = pd.DataFrame(nb_rows)
    # the bars at the grid value nearest the slider: rank the rows of each option
    picked = (
        alt.Chart(nb_data)
        .transform_calculate(distance="abs(datum.hour - hour)")
        .transform_window(
            rank="row_number()",
            sort=[alt.SortField("distance")],
            groupby=["alternative"],
        )
        .transform_filter("datum.rank == 1")
    )
    y_nb = alt.Y(
        "alternative:N",
        title=None,
        sort=order[1:],
        axis=alt.Axis(labelLimit=220),
    )
    lo = float(min(nb_data["lo"].min(), 0.0))
    hi = float(max(nb_data["hi"].max(), 0.0))
    bars = picked.mark_bar(opacity=0.85).encode(
        y=y_nb,
        x=alt.X(
            "nb:Q",
            title=H("hour_nb", lang),
            scale=alt.Scale(domain=[lo, hi]),
            axis=alt.Axis(format=",.1f"),
        ),
        color=colour,  # the same scale and legend as the lines (one legend)
    )
    err = picked.mark_rule(color="black").encode(y=y_nb, x="lo:Q", x2="hi:Q")
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="black").encode(x="x:Q")
    right = alt.layer(bars, err, zero).properties(
        title=H("hour_nb", lang), width=WIDTH - 60, height=200
    )
    text = nearest(pd.DataFrame(text_rows), "hour", "hour", 2 * WIDTH + 100)
    return alt.vconcat(alt.hconcat(left, right), text).add_params(slider)


def _npv_chart(ds, s, lang) -> alt.LayerChart:
    """Each option's net benefit at the config's staff-hour value: shares of draws by bin."""
    f = Numbers(lang)
    ids = [str(o) for o in ds["option"].values]
    names = _names(ds, lang)
    npv = ds["npv"].values.astype(np.float64)
    lo, hi = np.percentile(npv, [0.5, 99.5])
    edges = np.linspace(lo, hi, 61)
    rows = []
    for k, i in enumerate(ids):
        counts, _ = np.histogram(npv[:, k], bins=edges)
        share = counts / npv.shape[0]
        for a, b, c in zip(edges[:-1], edges[1:], share, strict=True):
            rows.append({"x": (a + b) / 2e6, "share": c, "option": names[i]})
    data = pd.DataFrame(rows)
    lines = (
        alt.Chart(data)
        .mark_line(interpolate="step", strokeWidth=2)
        .encode(
            x=alt.X(
                "x:Q",
                title=H("pool_npv_x", lang, rate=f.pct(s["discount_rate"])),
                axis=alt.Axis(format=",.0f"),
                scale=alt.Scale(nice=False),
            ),
            y=alt.Y(
                "share:Q",
                title=W("share", lang),
                axis=alt.Axis(format=".1%" if data["share"].max() < 0.1 else ".0%"),
            ),
            color=alt.Color(
                "option:N",
                scale=alt.Scale(domain=[names[i] for i in ids], range=list(COLOURS[: len(ids)])),
                title=None,
                legend=alt.Legend(orient="top", labelLimit=400),
            ),
        )
    )
    zero = (
        alt.Chart(pd.DataFrame({"x": [0.0]}))
        .mark_rule(color="black", strokeDash=[5, 3])
        .encode(x="x:Q")
    )
    return alt.layer(lines, zero).properties(title=H("pool_npv", lang), width=WIDTH, height=260)


def _year_chart(ds, s, lang) -> alt.LayerChart:
    """P(cumulative net benefit > 0) by year, each option, ± 2 Monte Carlo errors."""
    names = _names(ds, lang)
    ids = list(s["options"])
    rows = []
    for i in ids:
        d = s["options"][i]["p_net_benefit_positive_by_year"]
        for y in s["years"]:
            v, se = d[str(y)]["value"], d[str(y)]["se"]
            rows.append(
                {
                    "year": int(y),
                    "p": v,
                    "lo": max(v - 2 * se, 0.0),
                    "hi": min(v + 2 * se, 1.0),
                    "option": names[i],
                }
            )
    data = pd.DataFrame(rows)
    scale = alt.Scale(domain=[names[i] for i in ids], range=list(COLOURS[: len(ids)]))
    colour = alt.Color(
        "option:N", scale=scale, title=None, legend=alt.Legend(orient="top", labelLimit=400)
    )
    x = alt.X("year:O", title=W("year", lang), axis=alt.Axis(labelAngle=0))
    # one band per option in its colour as a constant: no second legend
    bands = [
        alt.Chart(data[data["option"] == names[i]])
        .mark_area(opacity=0.2, color=COLOURS[k])
        .encode(x=x, y="lo:Q", y2="hi:Q")
        for k, i in enumerate(ids)
    ]
    line = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y(
                "p:Q",
                title=W("p_axis", lang),
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=colour,
        )
    )
    return alt.layer(*bands, line).properties(title=W("year_title", lang), width=WIDTH, height=260)


def build(ds, lang="en") -> HtmlPage:
    """The pool's page (see :func:`simrisk.report.html.write_html`)."""
    from simrisk.report.portfolio import page_one

    one = page_one(ds, lang)
    s = one["summary"]
    f = Numbers(lang)
    helptext = H("hour_help", lang, hour=f.dkk(s["staff_hour_value"]))
    blocks = [
        decision_block(one),
        Block(
            "staff_time",
            H("hour_heading", lang),
            f'<p class="help">{esc(helptext)}</p>',
            [_hour_chart(ds, s, lang)],
        ),
        Block(
            "charts", H("charts", lang), "", [_npv_chart(ds, s, lang), _year_chart(ds, s, lang)]
        ),
        more_block(ds, lang),
    ]
    return HtmlPage(
        title=one["title"],
        lang=lang,
        blocks=blocks,
        footer=footer(ds, lang),
    )
