"""The pool report's first pages: the decision and the reconciliation with the proposal.

The rule (until the decision layer's ``summary["decision"]`` carries one):
choose the option with the highest expected net benefit (NPV at the
horizon's rate), and none of them if no option's expected net benefit is
above doing nothing's 0. What would change the choice: the value of a
staff hour (the acceptability curve) and the tenths of the parameter worth
most to know (the largest EVPPI) where another option, or nothing, is best.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.pyplot as plt
import numpy as np

from simrisk.core.words import section
from simrisk.report.portfolio._num import Num

__all__ = ["decision_page", "figures", "reconcile_page"]

W = section("pool")
A4 = (11.69, 8.27)


def _names(ds, lang) -> dict[str, str]:
    var = "option_name_da" if lang == "da" else "option_name"
    return dict(zip([str(o) for o in ds["option"].values], map(str, ds[var].values), strict=True))


def figures(ds, s) -> dict:
    """The rule's verdict and what would change it, from the summary and the draws."""
    ids = list(s["options"])
    means = {i: s["options"][i]["npv"]["mean"] for i in ids}
    best = max(ids, key=lambda i: means[i])
    out = {"ids": ids, "best": best if means[best] > 0 else None, "means": means}
    # the staff-hour values where the most likely best option changes
    acc = s["acceptability"]
    grid = acc["staff_hour_values"]
    leader = [max(ids, key=lambda i, k=k: acc["p_best"][i][k]) for k in range(len(grid))]
    out["hour_switch"] = [
        (grid[k - 1], grid[k], leader[k - 1], leader[k])
        for k in range(1, len(grid))
        if leader[k] != leader[k - 1]
    ]
    # tenths of the most valuable parameter where another choice is best
    ev = s.get("evppi") or {}
    out["param"] = None
    if ev:
        name = max(ev, key=lambda p: ev[p]["value"])
        names = [str(v) for v in ds["parameter"].values]
        x = ds["parameters"].values[:, names.index(name)].astype(np.float64)
        npv = ds["npv"].values.astype(np.float64)
        edges = np.quantile(x, np.linspace(0, 1, 11))
        k = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 9)
        rows = []
        for t in range(10):
            sel = npv[k == t]
            m = sel.mean(axis=0)
            se = sel.std(axis=0, ddof=1) / math.sqrt(max(sel.shape[0], 1))
            j = int(np.argmax(m))
            rows.append(
                {
                    "lo": float(edges[t]),
                    "hi": float(edges[t + 1]),
                    "means": m,
                    "ses": se,
                    "best": ids[j] if m[j] > 0 else None,
                }
            )
        out["param"] = {"name": name, "tenths": rows}
    return out


def _runs(tenths: list[dict], best) -> list[list[dict]]:
    """Runs of neighbouring tenths with one and the same other choice than ``best``."""
    runs: list[list[dict]] = []
    for t in tenths:
        if t["best"] == best:
            continue
        prev = tenths[tenths.index(t) - 1]
        if runs and runs[-1][-1] is prev and prev["best"] == t["best"]:
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs


def _para(fig, text, x, y, width, size=9.0, step=0.024, **kw):
    # no line break inside "11,5 %" or "182.773 kr."
    text = text.replace(" %", "\xa0%").replace(" kr.", "\xa0kr.").replace(" DKK", "\xa0DKK")
    for line in textwrap.wrap(text, width):
        fig.text(x, y, line, fontsize=size, va="top", **kw)
        y -= step
    return y


def rule_line(s, lang) -> str:
    """The decision rule, one line under page 1's title."""
    return W("rule", lang, rate=Num(lang).pct(s["discount_rate"]))


def verdict_sentence(ds, s, F, lang) -> str:
    """The rule's verdict in one sentence."""
    f = Num(lang)
    best = F["best"]
    if best is None:
        return W("verdict_none", lang)
    o = s["options"][best]
    pb = s["p_best"][best]
    return W(
        "verdict_best",
        lang,
        name=_names(ds, lang)[best],
        npv=f.mio(o["npv"]["mean"]),
        se=f.mio(o["npv"]["se"], 2),
        p=f.pct(pb["value"]),
        pse=f.pct(pb["se"], 2),
        pos=f.pct(o["p_net_benefit_positive"]["value"]),
    )


def alternative_rows(ds, s, F, lang) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Page 1's table: the heads (the options, then doing nothing) and (label, cells) rows."""
    f = Num(lang)
    names = _names(ds, lang)
    ids = F["ids"]
    heads = [names[i] for i in ids] + [W("nothing", lang)]
    unit = " (mio. kr.)" if lang == "da" else " (mio DKK)"

    def pm(v, se, digits=1):
        return f"{f.num(v / 1e6, digits)} ± {f.num(se / 1e6, 2)}"

    opts = [s["options"][i] for i in ids]

    def p_best(i):
        return f"{f.pct(s['p_best'][i]['value'])} ± {f.pct(s['p_best'][i]['se'], 2)}"

    def band(o):
        return f"{f.num(o['npv']['p5'] / 1e6, 1)} … {f.num(o['npv']['p95'] / 1e6, 1)}"

    rows = [
        (W("npv_mean", lang) + unit, [pm(o["npv"]["mean"], o["npv"]["se"]) for o in opts], "0"),
        (W("p_pos", lang), [f.pct(o["p_net_benefit_positive"]["value"]) for o in opts], "—"),
        (
            W("best", lang),
            [p_best(i) for i in ids],
            p_best("no_pool") if "no_pool" in s["p_best"] else "—",
        ),
        (W("npv_band", lang) + unit, [band(o) for o in opts], "0 … 0"),
        (W("budget", lang) + unit, [f.num(o["budget_total"] / 1e6) for o in opts], "0"),
    ]
    return heads, [(label, [*cells, nothing]) for label, cells, nothing in rows]


def flip_lines(ds, s, F, lang) -> list[str]:
    """Page 1's bullets: the staff-hour values and parameter ranges that change the choice."""
    f = Num(lang)
    names = _names(ds, lang)
    lines = [
        W("flip_hour", lang, lo=f.dkk(lo), hi=f.dkk(hi), a=names[a], b=names[b])
        for lo, hi, a, b in F["hour_switch"]
    ]
    par = F["param"]
    if par:
        from simrisk.core.words import CATALOGUE, word

        known = par["name"] in CATALOGUE["pool_param"]
        label = word("pool_param", par["name"], lang) if known else par["name"]
        runs = _runs(par["tenths"], F["best"])
        for run in runs:
            other = run[0]["best"]
            lines.append(
                W(
                    "flip_param",
                    lang,
                    label=label,
                    lo=f.num(run[0]["lo"], 2),
                    hi=f.num(run[-1]["hi"], 2),
                    n=len(run),
                    choice=names[other] if other else W("nothing", lang),
                )
            )
        if not runs:
            lines.append(W("flip_param_none", lang, label=label))
    return lines


def mc_error_text(s, F, lang) -> str:
    """Page 1's closing line: the Monte Carlo error of its figures."""
    f = Num(lang)
    se_max = max(s["options"][i]["npv"]["se"] for i in F["ids"])
    return W(
        "mc_error",
        lang,
        n=f.num(s["draws"]),
        se=f.mio(se_max, 2),
        p=f.pct(s["acceptability"]["se_max"], 2),
    )


def decision_page(ds, s, F, lang):
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.945, W("title", lang), fontsize=15, weight="bold")
    fig.text(0.04, 0.915, rule_line(s, lang), fontsize=9, color="#444")
    verdict = verdict_sentence(ds, s, F, lang)
    y = _para(fig, verdict, 0.04, 0.88, 118, size=11.5, step=0.03, weight="bold")
    y -= 0.02
    fig.text(0.04, y, W("alternatives", lang), fontsize=11, weight="bold")
    y -= 0.04
    heads, rows = alternative_rows(ds, s, F, lang)
    xs = [0.44 + 0.13 * k for k in range(len(heads))]
    for x, head in zip(xs, heads, strict=True):
        _para(fig, head, x - 0.11, y + 0.01, 17, size=8.3, step=0.018, weight="bold")
    y -= 0.05
    for label, cells in rows:
        fig.text(0.04, y, label, fontsize=8.8)
        for x, c in zip(xs, cells, strict=True):
            fig.text(x, y, c, fontsize=8.5, family="monospace", ha="right")
        y -= 0.03
    y -= 0.02
    fig.text(0.04, y, W("flips", lang), fontsize=11, weight="bold")
    y -= 0.035
    for line in flip_lines(ds, s, F, lang):
        y = _para(fig, "• " + line, 0.04, y, 125, size=8.8, step=0.023)
    y -= 0.015
    _para(
        fig,
        mc_error_text(s, F, lang),
        0.04,
        y,
        150,
        size=8.3,
        style="italic",
        color="#444444",
    )
    return fig


def reconcile_page(ds, s, F, lang):
    """The proposal's budgets and algorithm counts against the model's."""
    from simrisk.kinds.portfolio.config import PortfolioConfig
    from simrisk.kinds.portfolio.ledger import run_ledger

    f = Num(lang)
    names = _names(ds, lang)
    cfg = PortfolioConfig.model_validate_json(ds.attrs["config_json"], strict=False)
    led = run_ledger(cfg).to_json()
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.945, W("rec_title", lang), fontsize=13, weight="bold")
    _para(fig, W("rec_intro", lang), 0.04, 0.91, 180, size=8.5, step=0.021)
    xs = (0.04, 0.36, 0.48, 0.62, 0.78, 0.95)
    heads = [
        W(k, lang)
        for k in (
            "rec_option",
            "rec_budget",
            "rec_stated",
            "rec_funded",
            "rec_started",
            "rec_live",
        )
    ]
    y = 0.83
    for x, h in zip(xs, heads, strict=True):
        _para(
            fig, h, x if x < 0.1 else x - 0.1, y + 0.015, 24, size=8.2, step=0.018, weight="bold"
        )
    y -= 0.06
    for i in F["ids"]:
        o, lo = s["options"][i], led["options"][i]
        st = lo["stated_algorithms"]
        cells = [
            names[i],
            f.num(lo["budget_total"] / 1e6),
            f"{st['low']}–{st['high']}",
            f.num(lo["algorithms_funded"]),
            f"{f.num(o['algorithms_started']['mean'], 1)} ± "
            f"{f.num(o['algorithms_started']['se'], 2)}",
            f"{f.num(o['algorithms_live']['mean'], 1)} ± {f.num(o['algorithms_live']['se'], 2)}",
        ]
        for k, (x, c) in enumerate(zip(xs, cells, strict=True)):
            fig.text(
                x,
                y,
                c,
                fontsize=8.8,
                family=None if k == 0 else "monospace",
                ha="left" if k == 0 else "right",
            )
        y -= 0.032
    y -= 0.02
    per_year = {
        i: led["options"][i]["budget_total"] / max(len(led["options"][i]["budget_by_year"]), 1)
        for i in F["ids"]
    }
    cost = led["algorithm_cost"]
    lines = [
        W("rec_why_budget", lang),
        W(
            "rec_why_count",
            lang,
            lo=f.mio(cost["low"]),
            hi=f.mio(cost["high"]),
            per=f.mio(next(iter(per_year.values()))),
            years=len(next(iter(led["options"].values()))["budget_by_year"]),
        ),
        W("rec_why_screen", lang),
        W("rec_why_live", lang),
    ]
    for line in lines:
        y = _para(fig, "• " + line, 0.04, y, 170, size=8.6, step=0.022) - 0.008
    return fig
