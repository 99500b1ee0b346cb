"""The WELLBY report's pages; every figure from :func:`figures`, computed once.

Monte Carlo errors: the band ends of the pilot's figures by the exact
bootstrap of the quantile (:func:`simrisk.core.summary.quantile_se`) on the
draws the result keeps; means by their standard error.
"""

from __future__ import annotations

import json
import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np

from simrisk.core.errors import SimriskError
from simrisk.core.words import section
from simrisk.plot import Fmt, plot_wellby_fan

__all__ = ["decision_page", "fan_page", "figures", "pilot_page", "reconcile_page"]

W = section("wellby")
A4 = (11.69, 8.27)
NEEDED = (
    "draws_pilot_total_wellby",
    "draws_pilot_value_dkk",
    "draws_pilot_value_dkk_net",
    "draws_mean_change",
    "projection_value_band",
    "projection_value_central",
)


def _band(x: np.ndarray, p: float) -> dict:
    from simrisk.core.summary import quantile_se

    xs = np.sort(np.asarray(x, dtype=np.float64))
    lo, hi = (1 - p) / 2, 1 - (1 - p) / 2
    return {
        "lower": float(np.quantile(xs, lo)),
        "lower_se": quantile_se(xs, lo),
        "upper": float(np.quantile(xs, hi)),
        "upper_se": quantile_se(xs, hi),
        "median": float(np.quantile(xs, 0.5)),
        "median_se": quantile_se(xs, 0.5),
        "mean": float(xs.mean()),
        "mean_se": float(xs.std(ddof=1) / math.sqrt(xs.size)),
    }


def figures(ds) -> dict:
    """The summary (as the run stored it) and the pilot's bands with Monte Carlo errors."""
    if ds.attrs.get("simrisk_kind") != "simrisk.wellby":
        raise SimriskError("results: not a simrisk WELLBY result")
    missing = [v for v in NEEDED if v not in ds.variables]
    if missing:
        raise SimriskError(f"results: lacks variables the report needs: {', '.join(missing)}")
    s = json.loads(ds.attrs["summary_json"])
    n = int(ds.sizes["draw"])
    out = {"ds": ds, "s": s, "n": n, "bands": {}}
    for key, var in (
        ("total_wellby", "draws_pilot_total_wellby"),
        ("value", "draws_pilot_value_dkk"),
        ("value_net", "draws_pilot_value_dkk_net"),
    ):
        x = ds[var].values
        out["bands"][key] = {p: _band(x, p) for p in (0.8, 0.9, 0.95)}
    net = ds["draws_pilot_value_dkk_net"].values.astype(np.float64)
    p = float((net > 0).mean())
    out["p_net_positive"] = (p, math.sqrt(p * (1 - p) / n))
    # what would change the decision: the pilot's net value by tenth of the mean change
    mc = ds["draws_mean_change"].values.astype(np.float64)
    edges = np.quantile(mc, np.linspace(0, 1, 11))
    k = np.clip(np.searchsorted(edges, mc, side="right") - 1, 0, 9)
    tenths = []
    for t in range(10):
        v = net[k == t]
        tenths.append(
            (
                float(edges[t]),
                float(edges[t + 1]),
                float(v.mean()),
                float(v.std(ddof=1) / math.sqrt(max(v.size, 2))),
            )
        )
    out["tenths"] = tenths
    return out


def _mio(f, x: float) -> str:
    """Millions with two decimals: ``1.97 mio`` / ``1,97 mio.``."""
    return f"{f.num(x / 1e6, 2)} mio" + ("." if f.lang == "da" else "")


def _para(fig, text, x, y, width, size=9.0, step=0.024, **kw):
    # no line break inside "11,5 %" or "182.773 kr."
    text = text.replace(" %", "\xa0%").replace(" kr.", "\xa0kr.").replace(" DKK", "\xa0DKK")
    for line in textwrap.wrap(text, width):
        fig.text(x, y, line, fontsize=size, va="top", **kw)
        y -= step
    return y


def decision_page(F, lang):
    f = Fmt(lang)
    s, pilot = F["s"], F["s"]["pilot"]
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.945, W("title", lang), fontsize=15, weight="bold")
    fig.text(0.05, 0.915, W("rule", lang), fontsize=9, color="#444444")
    b = F["bands"]["value_net"][0.9]
    p, pse = F["p_net_positive"]
    key = "verdict_scale" if b["mean"] > 2 * b["mean_se"] and p > 0.5 else "verdict_wait"
    verdict = W(
        key,
        lang,
        net=f.dkk(b["mean"]),
        se=f.num(b["mean_se"]),
        lo=f.dkk(b["lower"]),
        hi=f.dkk(b["upper"]),
        p=f.pct(p),
        pse=f.pct(pse, 2),
        gross=f.dkk(pilot["value_dkk"]["central"]),
    )
    y = _para(fig, verdict, 0.05, 0.88, 118, size=11.5, step=0.03, weight="bold")
    y -= 0.02
    fig.text(0.05, y, W("alternatives", lang), fontsize=11, weight="bold")
    y -= 0.04
    projs = [q for q in s["projections"]]
    xs = (0.05, 0.44, 0.62, 0.8)
    for x, h in zip(
        xs[1:],
        (W("alt_col_mean", lang), W("alt_col_band", lang), W("alt_col_p", lang)),
        strict=True,
    ):
        fig.text(x, y, h, fontsize=8.5, weight="bold", ha="right")
    y -= 0.03
    rows = [(W("alt_nothing", lang), f.dkk(0), "—", "—")]
    from simrisk.plot import scenario_labels

    labels = scenario_labels(F["ds"], lang)
    for q in projs:
        v = q["value_dkk_net"]
        rows.append(
            (
                W(
                    "alt_scale",
                    lang,
                    scen=str(q["scenario"]).split(":", 1)[0],
                    n=f.num(q["recruited"]),
                ),
                f.dkk(v["mean"]),
                f"{_mio(f, v['lower90'])} … {_mio(f, v['upper90'])}",
                f.pct(q["p_value_net_positive"]),
            )
        )
    for r in rows:
        fig.text(xs[0], y, r[0], fontsize=8.6)
        for x, c in zip(xs[1:], r[1:], strict=True):
            fig.text(x, y, c, fontsize=8.4, family="monospace", ha="right")
        y -= 0.026
    for label in dict.fromkeys(labels):
        y = _para(fig, label, 0.07, y, 140, size=7.8, step=0.02, color="#444444")
    y -= 0.02
    fig.text(0.05, y, W("flips", lang), fontsize=11, weight="bold")
    y -= 0.035
    bad = [t for t in F["tenths"] if t[2] < 0]
    if bad:
        edge = bad[-1][1] if bad[0] is F["tenths"][0] else bad[0][0]
        y = _para(
            fig,
            "• " + W("flip_change", lang, edge=f.num(edge, 2), share=f.pct(len(bad) / 10, 0)),
            0.05,
            y,
            120,
            size=8.8,
            step=0.023,
        )
    rtm = _prior_mean(F["ds"], "no_intervention_change")
    if rtm is not None:
        y = _para(
            fig,
            "• "
            + W(
                "flip_rtm",
                lang,
                rtm=f.num(rtm, 2),
                change=f.num(pilot["mean_change"]["central"], 2),
            ),
            0.05,
            y,
            120,
            size=8.8,
            step=0.023,
        )
    y -= 0.015
    _para(
        fig,
        W(
            "mc_error",
            lang,
            n=f.num(F["n"]),
            se=f.num(b["mean_se"]),
            ends=f.num(max(b["lower_se"], b["upper_se"])),
        ),
        0.05,
        y,
        150,
        size=8.3,
        style="italic",
        color="#444444",
    )
    return fig


def _prior_mean(ds, key):
    import tomllib

    try:
        cfg = tomllib.loads(ds.attrs.get("config", ""))
        v = cfg["uncertainty"][key]
    except (tomllib.TOMLDecodeError, KeyError):
        return None
    if isinstance(v, dict):
        return float(v.get("central", v.get("mean", v.get("mode", 0.0))))
    return float(v)


def reconcile_page(F, lang):
    from simrisk.report._sources import OPI_AIMS

    f = Fmt(lang)
    s, pilot = F["s"], F["s"]["pilot"]
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.945, W("rec_title", lang), fontsize=13, weight="bold")
    _para(fig, W("rec_intro", lang), 0.04, 0.91, 180, size=8.5, step=0.021)
    xs = (0.04, 0.33, 0.45, 0.62, 0.66)
    y = 0.84
    heads = (
        W("rec_figure", lang),
        W("rec_sheet", lang),
        W("rec_central", lang),
        W("rec_band", lang),
        W("rec_why", lang),
    )
    for x, h, a in zip(xs, heads, ("left", "right", "right", "right", "left"), strict=True):
        fig.text(x, y, h, fontsize=8.2, weight="bold", ha=a)
    y -= 0.03
    tw = F["bands"]["total_wellby"][0.9]
    val = F["bands"]["value"][0.9]
    net = F["bands"]["value_net"][0.9]
    mc = pilot["mean_change"]

    def band(b, fm):
        return f"{fm(b['lower'])} … {fm(b['upper'])}"

    def mio(x):
        return _mio(f, x)

    def one(x):
        return f.num(x, 1)

    rows = [
        (
            W("rec_total", lang),
            f.num(OPI_AIMS["total_wellby"][0], 0),
            f.num(pilot["total_wellby"]["central"], 1),
            band(tw, one),
            W("ex_total", lang),
        ),
        (
            W("rec_mean_change", lang),
            f.num(OPI_AIMS["mean_change"][0], 2),
            f.num(mc["central"], 3),
            f"{f.num(mc['lower90'], 2)} … {f.num(mc['upper90'], 2)}",
            W("ex_mean_change", lang),
        ),
        (
            W("rec_value", lang),
            mio(OPI_AIMS["value"][0]),
            mio(pilot["value_dkk"]["central"]),
            band(val, mio),
            W("ex_value", lang),
        ),
        (
            W("rec_value_net", lang),
            "—",
            mio(pilot["value_dkk_net"]["central"]),
            band(net, mio),
            W("ex_value_net", lang),
        ),
    ]
    sheet = OPI_AIMS["projections"]
    for q in s["projections"]:
        letter = str(q["scenario"]).split(":", 1)[0].strip()
        stated = sheet.get(letter, {}).get(int(q["recruited"]))
        v = q["value_dkk"]
        rows.append(
            (
                W("rec_proj", lang, scen=letter, n=f.num(q["recruited"])),
                "—" if stated is None else _mio(f, stated),
                _mio(f, v["central"]),
                f"{_mio(f, v['lower90'])} … {_mio(f, v['upper90'])}",
                W("ex_proj", lang, net=_mio(f, q["value_dkk_net"]["central"])),
            )
        )
    for r in rows:
        # the figure's name wraps in its column, as the explanation does in its own
        label = textwrap.wrap(r[0], 38) or [""]
        for k, line in enumerate(label):
            fig.text(xs[0], y - 0.019 * k, line, fontsize=8.2)
        for x, c in zip(xs[1:4], r[1:4], strict=True):
            fig.text(x, y, c, fontsize=8, family="monospace", ha="right")
        lines = textwrap.wrap(r[4], 62) or [""]
        lines += [""] * (len(label) - len(lines))
        for line in lines:
            fig.text(xs[4], y, line, fontsize=7.4, color="#333333")
            y -= 0.019
        y -= 0.01
    _para(
        fig,
        W("rec_foot", lang),
        0.04,
        max(y - 0.01, 0.08),
        190,
        size=7.5,
        step=0.018,
        color="#444",
    )
    return fig


def pilot_page(F, lang):
    f = Fmt(lang)
    s = F["s"]
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.945, W("p_pilot", lang), fontsize=13, weight="bold")
    _para(fig, W("pilot_intro", lang, n=f.num(F["n"])), 0.04, 0.91, 175, size=8.5, step=0.021)
    xs = (0.04, 0.37, 0.52, 0.80, 0.96)
    y = 0.83
    heads = (
        W("col_figure", lang),
        W("col_central", lang),
        W("col_mean", lang),
        W("col_band", lang),
        W("col_band95", lang),
    )
    for x, h, a in zip(xs, heads, ("left", "right", "right", "right", "right"), strict=True):
        fig.text(x, y, h, fontsize=8.5, weight="bold", ha=a)
    y -= 0.032
    spec = [
        ("total_wellby", W("row_total", lang), lambda v: f.num(v, 1), lambda v: f.num(v, 2)),
        ("value", W("row_value", lang), f.num, f.num),
        ("value_net", W("row_value_net", lang), f.num, f.num),
    ]
    central = {
        "total_wellby": s["pilot"]["total_wellby"]["central"],
        "value": s["pilot"]["value_dkk"]["central"],
        "value_net": s["pilot"]["value_dkk_net"]["central"],
    }
    for key, label, fm, fse in spec:
        b9, b95 = F["bands"][key][0.9], F["bands"][key][0.95]
        # a long (Danish) label wraps inside its column, clear of the central value
        label_lines = textwrap.wrap(label, 40) or [""]
        for k, line in enumerate(label_lines):
            fig.text(xs[0], y - 0.02 * k, line, fontsize=8.6)
        fig.text(xs[1], y, fm(central[key]), fontsize=8.4, family="monospace", ha="right")
        fig.text(
            xs[2],
            y,
            f"{fm(b9['mean'])} ± {fse(b9['mean_se'])}",
            fontsize=8.4,
            family="monospace",
            ha="right",
        )
        fig.text(
            xs[3],
            y,
            f"{fm(b9['lower'])} ± {fse(b9['lower_se'])} … "
            f"{fm(b9['upper'])} ± {fse(b9['upper_se'])}",
            fontsize=8,
            family="monospace",
            ha="right",
        )
        fig.text(
            xs[4],
            y,
            f"{fm(b95['lower'])} … {fm(b95['upper'])}",
            fontsize=8,
            family="monospace",
            ha="right",
        )
        y -= 0.032 + 0.02 * (len(label_lines) - 1)
    p, pse = F["p_net_positive"]
    y -= 0.01
    y = _para(fig, W("p_net", lang, p=f.pct(p), se=f.pct(pse, 2)), 0.04, y, 170, size=9)
    g3 = s.get("goal3_success_probability")
    if g3:
        y -= 0.02
        fig.text(0.04, y, W("g3_head", lang), fontsize=10.5, weight="bold")
        y -= 0.035
        y = _para(
            fig,
            W(
                "g3",
                lang,
                c=f.pct(g3["central"]),
                lo=f.pct(g3["lower90"]),
                hi=f.pct(g3["upper90"]),
                a=f.pct(g3["dsi_assumed"], 0),
                p=f.pct(g3["p_at_least_dsi_assumed"]),
                need=f.num(g3["mean_change_needed_for_dsi_assumed"], 2),
                have=f.num(s["pilot"]["mean_change"]["central"], 2),
            ),
            0.04,
            y,
            170,
            size=9,
        )
    ax = fig.add_axes((0.1, 0.12, 0.8, 0.27))
    x = F["ds"]["draws_pilot_value_dkk_net"].values.astype(np.float64)
    lo, hi = np.quantile(x, [0.005, 0.995])
    inside = x[(x >= lo) & (x <= hi)]  # the tails are left out, not piled on the edges
    ax.hist(inside, bins=60, color="#1f5fa8", alpha=0.75, weights=np.full(inside.size, 1 / x.size))
    ax.axvline(0, color="black", lw=1)
    ax.axvline(
        central["value_net"], color="#b22222", ls="--", lw=1.2, label=W("legend_central_net", lang)
    )
    ax.xaxis.set_major_formatter(f.axis_money())
    ax.yaxis.set_major_formatter(f.axis_pct(1))
    from simrisk.plot import clip_note

    ax.set_xlabel(f"{W('hist_x', lang)}\n({clip_note(x, (lo, hi), lang)})")
    ax.set_ylabel(W("hist_y", lang))
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return fig


def fan_page(F, lang, net):
    fig, ax = plt.subplots(figsize=A4, layout="constrained")
    plot_wellby_fan(F["ds"], ax=ax, lang=lang, net=net)
    return fig
