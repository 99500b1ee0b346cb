"""The design page: the Pareto frontier of a ``simrisk design`` result and the trade-off.

:func:`plot_design_frontier` draws DSI's risk against the payers' risk for
every candidate; :func:`plot_design` adds a table of today's terms against
the chosen ones and says what each side gives up.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from simrisk.core.words import CATALOGUE
from simrisk.plot._fmt import Fmt

__all__ = ["plot_design", "plot_design_frontier"]

BLUE, ORANGE, GREEN, GREY, RED = "#1f5fa8", "#c4572a", "#3a8a3a", "#999999", "#b22222"

_W = CATALOGUE["design"]


def _w(key: str, lang: str, **kw) -> str:
    en, da = _W[key]
    text = da if lang == "da" else en
    return text.format(**kw) if kw else text


def _term_label(key: str, lang: str) -> str:
    """A design term in words: ``cap, region (DKK)`` / ``loft, regionen (kr.)``."""
    table = CATALOGUE["design"]
    parts = key.split(".")
    if parts[0] == "goals":
        g = _w(f"goal.{parts[1]}", lang) if f"goal.{parts[1]}" in table else parts[1]
        return _w("term.threshold" if parts[2] == "threshold" else "term.payment", lang, g=g)
    if parts[0] == "payers":
        who = _w(f"payer.{parts[1]}", lang) if f"payer.{parts[1]}" in table else parts[1]
        return _w("term.cap", lang, p=who)
    if key == "floor.share":
        return _w("term.floor", lang)
    return _w("term.clause", lang, what=_w(f"term.{parts[1]}", lang))


def _is_prob(key: str) -> bool:
    return key.startswith("p_") or ".p_" in key


def _axis_label(key: str, lang: str) -> str:
    if key in _W:
        return _w(key, lang)
    unit = "%" if _is_prob(key) else ("kr." if lang == "da" else "DKK")
    return f"{key} ({unit})"


def _value(key: str, v: float, f: Fmt, lang: str) -> str:
    if key == "floor.share" or key.endswith("threshold") or _is_prob(key):
        return f.pct(v, 1)
    if key.startswith("retention_clause.minimum"):
        return f.num(v)
    return f.num(v)


def _target_text(t: str, key: str, bound: float, lang: str, f: Fmt) -> str:
    op = "≤" if "<" in t else "≥"
    name = _axis_label(key, lang).rsplit(" (", 1)[0]
    return f"{name} {op} {_value(key, bound, f, lang)}"


def plot_design_frontier(ds: xr.Dataset, ax=None, lang: str = "en"):
    """DSI's risk against the payers' risk for every candidate; the frontier with ±2 SE bars."""
    f = Fmt(lang)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5.5), layout="constrained")
    x, y = ds["dsi_risk"].values, ds["payer_risk"].values
    xs, ys = ds["dsi_risk_se"].values, ds["payer_risk_se"].values
    feas = ds["feasible"].values.astype(bool)
    front = np.flatnonzero(ds["on_frontier"].values)
    front = front[np.argsort(x[front])]
    n = ds.sizes["candidate"]
    ax.scatter(x, y, s=16, color=GREY, label=_w("candidates", lang, n=n,
               draws=f.num(ds.attrs["draws"])), zorder=2)  # fmt: skip
    ax.scatter(x[feas], y[feas], s=22, color=GREEN, label=_w("feasible", lang), zorder=4.5)
    ax.errorbar(
        x[front],
        y[front],
        xerr=2 * xs[front],
        yerr=2 * ys[front],
        color=BLUE,
        marker="o",
        ms=5,
        lw=1.5,
        capsize=2,
        label=_w("frontier", lang),
        zorder=4,
    )
    today = int(ds.attrs["today"])
    ax.scatter(x[today], y[today], s=120, marker="s", facecolor="white", edgecolor="black",
               lw=1.5, label=_w("today", lang), zorder=5)  # fmt: skip
    chosen = int(ds.attrs["chosen"])
    if chosen >= 0:
        ax.scatter(x[chosen], y[chosen], s=260, marker="*", color=ORANGE, edgecolor="black",
                   lw=0.8, label=_w("chosen", lang), zorder=6)  # fmt: skip
    dsi_key = ds.attrs["dsi_risk_key"]
    if "target" in ds.coords:
        for t, key, bound in zip(ds["target"].values, ds["target_key"].values,
                                 ds["target_bound"].values, strict=True):  # fmt: skip
            text = _target_text(str(t), str(key), float(bound), lang, f)
            if key == dsi_key:
                ax.axvline(bound, color=RED, ls="--", lw=1.2, label=_w("target", lang, t=text))
            elif key == ds.attrs["payer_risk_key"]:
                ax.axhline(bound, color=RED, ls="--", lw=1.2, label=_w("target", lang, t=text))
    ax.set_xlabel(_axis_label(dsi_key, lang))
    ax.set_ylabel(_axis_label(ds.attrs["payer_risk_key"], lang))
    if _is_prob(dsi_key):
        ax.xaxis.set_major_formatter(f.axis_pct())
    if _is_prob(ds.attrs["payer_risk_key"]):
        ax.yaxis.set_major_formatter(f.axis_pct())
    else:
        ax.yaxis.set_major_formatter(f.axis_money())
    ax.set_title(_w("title", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return ax


def _from_summary(summary: dict, key: str):
    """The number at dotted ``key`` (``npv.mean``) of a run's summary, or None."""
    node = summary
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, (int, float)) and not isinstance(node, bool) else None


def plot_design(ds: xr.Dataset, lang: str = "en", figsize=(15, 7.5), base_summary=None):
    """The design page: the frontier, today's terms against the chosen ones, the trade-off.

    With ``base_summary`` (the report's run's summary, today's terms), today's
    figures are the run's own, and the chosen terms' are today's plus the
    design's paired difference (both scored on the same worlds), so a report
    prints each figure once.

    Returns the Figure (a whole page; the report calls it with its A4 size).
    """
    f = Fmt(lang)
    fig = plt.figure(figsize=figsize, layout="constrained")
    small = figsize[0] < 13  # the report's A4 page: wrap the table's labels
    gs = fig.add_gridspec(2, 2, width_ratios=[1, 1] if small else [1.1, 1], height_ratios=[1, 0.2])
    plot_design_frontier(ds, fig.add_subplot(gs[0, 0]), lang)
    tab = fig.add_subplot(gs[0, 1])
    tab.axis("off")
    note = fig.add_subplot(gs[1, :])
    note.axis("off")
    name = ds.attrs.get("scenario_da") if lang == "da" else None
    fig.suptitle(_w("page_title", lang, name=name or ds.attrs.get("scenario", "")), fontsize=13)
    today, chosen = int(ds.attrs["today"]), int(ds.attrs["chosen"])
    if chosen < 0:
        note.text(0, 0.5, _w("no_choice", lang), fontsize=11, va="center")
        return fig
    terms = list(ds["term"].values)
    vals = ds["terms"].values
    rows = []
    for j, key in enumerate(terms):
        a, b = vals[today, j], vals[chosen, j]
        clause = key.startswith(("floor", "retention_clause"))
        none = clause and (a == 0)
        rows.append([_term_label(key, lang), _w("none", lang) if none else _value(key, a, f, lang),
                     _value(key, b, f, lang)])  # fmt: skip
    keys = list(ds["score_key"].values)
    sc, se = ds["score"].values.copy(), ds["score_se"].values
    if base_summary is not None:
        for i, k in enumerate(keys):
            own = _from_summary(base_summary, str(k))
            if own is not None:
                diff = sc[chosen, i] - sc[today, i]
                sc[today, i], sc[chosen, i] = own, own + diff
    shown = (
        ds.attrs["dsi_risk_key"],
        "npv.mean",
        "es5_npv",
        ds.attrs["payer_risk_key"],
        "payments.total.mean",
    )

    def cell(k, i, c):
        return f"{_value(k, sc[c, i], f, lang)} (±{_value(k, 2 * se[c, i], f, lang)})"

    for k in dict.fromkeys(k for k in shown if k in keys):
        i = keys.index(k)
        rows.append([_axis_label(k, lang), cell(k, i, today), cell(k, i, chosen)])
    if small:
        rows = [[textwrap.fill(r[0], 30), *r[1:]] for r in rows]
    table = tab.table(
        cellText=rows,
        colLabels=[_w("term", lang), _w("col_today", lang), _w("col_chosen", lang)],
        colWidths=[0.52, 0.24, 0.24],
        bbox=[0.0, 0.08, 1.0, 0.84],
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7 if small else 8)
    for (r, _c), cell in table.get_celld().items():
        if r == 0:
            cell.set_text_props(weight="bold")
        if r > len(terms):
            cell.set_facecolor("#eef3fa")

    def v(k, i):
        return sc[i, keys.index(k)]

    dsi = ds.attrs["dsi_risk_key"]
    lines = [
        _w("gives_dsi", lang, a=f.pct(v(dsi, today)), b=f.pct(v(dsi, chosen)),
           c=f.dkk(v("npv.mean", today)), d=f.dkk(v("npv.mean", chosen))),
        _w("gives_payers", lang, a=f.dkk(v("payments.total.mean", today)),
           b=f.dkk(v("payments.total.mean", chosen)),
           c=("+" if v("payments.total.mean", chosen) >= v("payments.total.mean", today) else "")
           + f.dkk(v("payments.total.mean", chosen) - v("payments.total.mean", today)),
           risk=_axis_label(ds.attrs["payer_risk_key"], lang).removesuffix(" (%)"),
           d=f.pct(v(ds.attrs["payer_risk_key"], today)),
           e=f.pct(v(ds.attrs["payer_risk_key"], chosen))),
    ]  # fmt: skip
    n_re = ds.attrs.get("chosen_rescored_draws")
    if n_re:
        text = "; ".join(
            f"{_axis_label(k, lang).removesuffix(' (%)')} "
            f"{_value(k, ds.attrs[f'chosen_rescored:{k}'], f, lang)} "
            f"(SE {_value(k, ds.attrs[f'chosen_rescored_se:{k}'], f, lang)})"
            for k in (dsi, ds.attrs["payer_risk_key"])
        )
        lines.append(_w("rescored", lang, n=f.num(n_re), text=text))
    note.text(0.0, 0.95, "\n".join(lines), fontsize=8 if small else 10, va="top")
    return fig
