"""The portfolio report's pages (English and Danish), one matplotlib figure each."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.ticker import Formatter

from simrisk.core.words import CATALOGUE
from simrisk.kinds.portfolio.summary import acceptability
from simrisk.plot import StepFormatter
from simrisk.report.portfolio._num import Num

__all__ = ["PAGES"]

A4 = (11.69, 8.27)  # landscape, inches
COLOURS = ("#1b6ca8", "#e07b00", "#2a9d55", "#b03060", "#6a4c93")
#: The algorithm page's kinds of count: greys and teals, never an option's colour.
KIND_COLOURS = ("#3d3d3d", "#7a7a7a", "#1f9e89", "#8fd3c7", "#b8b8b8")
PAGES = (
    "answer",
    "npv",
    "by_year",
    "cumulative",
    "algorithms",
    "acceptability",
    "value_of_information",
    "assumptions",
)

W = CATALOGUE["pool"]


def _w(key: str, lang: str):
    en, da = W[key]
    return da if lang == "da" else en


def _option_names(ds: xr.Dataset, lang: str) -> list[str]:
    var = "option_name_da" if lang == "da" else "option_name"
    return [str(v) for v in ds[var].values]


def _mio_axis(f: Num, digits: int = 0) -> Formatter:
    """Millions, with as many decimals as the ticks' step needs (at least ``digits``)."""
    return StepFormatter(lambda x, d: f.num(x / 1e6, max(d, digits)), scale=1e-6)


def _pct_axis(f: Num) -> Formatter:
    """Percent without the sign (the axis label says %), decimals from the step."""
    return StepFormatter(lambda x, d: f.num(100 * x, d), scale=100)


def _answer_page(ds, s, lang):
    f = Num(lang)
    ids = list(s["options"])
    names = _option_names(ds, lang)
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.93, _w("title", lang), fontsize=15, weight="bold")
    wage = s["wage_per_fte"]
    fig.text(0.04, 0.895, _w("sub", lang).format(
        n=f.num(s["draws"]), seed=s["seed"], rate=f.pct(s["discount_rate"]),
        date=f.date(s["valuation_date"]), wage=f.dkk(wage), hour=f.dkk(s["staff_hour_value"]),
    ), fontsize=8.5, color="#444444")  # fmt: skip
    x0, xs = 0.04, (0.42, 0.6, 0.78)
    y = 0.83
    for x, name in zip(xs, names, strict=True):
        fig.text(x, y, textwrap.fill(name, 24), fontsize=10, weight="bold", va="bottom")
    y -= 0.045

    def mio_pm(d):
        return f"{f.num(d['mean'] / 1e6, 1)} ± {f.num(d['se'] / 1e6, 2)}"

    unit = " (mio. kr.)" if lang == "da" else " (mio DKK)"
    rows = [
        (_w("budget", lang) + unit, [f.num(s["options"][i]["budget_total"] / 1e6) for i in ids]),
        (_w("p_pos", lang), [f"{f.pct(o['value'])} ± {f.pct(o['se'])}"
                             for o in (s["options"][i]["p_net_benefit_positive"] for i in ids)]),
        (_w("npv_mean", lang) + unit, [mio_pm(s["options"][i]["npv"]) for i in ids]),
        (_w("npv_band", lang) + unit, [
            f"{f.num(s['options'][i]['npv']['p5'] / 1e6, 1)} … "
            f"{f.num(s['options'][i]['npv']['p95'] / 1e6, 1)}" for i in ids]),
        (_w("be", lang), [str(int(b)) if (b := s["options"][i]["break_even"]["median_year"])
                          else "–" for i in ids]),
        (_w("live", lang), [f.num(s["options"][i]["algorithms_live"]["mean"], 1) for i in ids]),
        (_w("gain", lang), [f.num(s["options"][i]["algorithms_live_with_gain"]["mean"], 1)
                            for i in ids]),
        (_w("stopped", lang), [f.num(s["options"][i]["algorithms_stopped"]["mean"], 1)
                               for i in ids]),
        (_w("vos", lang) + unit, [mio_pm(s["options"][i]["value_of_screening"]) for i in ids]),
        (_w("best", lang), [f"{f.pct(s['p_best'][i]['value'])} ± {f.pct(s['p_best'][i]['se'])}"
                            for i in ids]),
        (_w("patients", lang), [f.num(s["options"][i]["patient_hours"]["mean"]) for i in ids]),
    ]  # fmt: skip
    for k, (label, cells) in enumerate(rows):
        if k % 2 == 0:
            fig.patches.append(plt.Rectangle((0.035, y - 0.012), 0.93, 0.04,
                                             transform=fig.transFigure, color="#f0f3f7",
                                             zorder=0))  # fmt: skip
        fig.text(x0, y, label, fontsize=10)
        for x, c in zip(xs, cells, strict=True):
            fig.text(x, y, c, fontsize=10, family="monospace")
        y -= 0.048
    y -= 0.01
    for line in textwrap.wrap(_w("notes", lang), 165):
        fig.text(0.04, y, line, fontsize=8.5, color="#333333")
        y -= 0.026
    return fig


def _npv_page(ds, s, lang):
    f = Num(lang)
    names = _option_names(ds, lang)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=A4, layout="constrained")
    npv = ds["npv"].values.astype(np.float64)
    lo, hi = np.percentile(npv, [0.5, 99.5])
    bins = np.linspace(lo, hi, 80)
    for i, name in enumerate(names):
        w = np.full(npv.shape[0], 1.0 / npv.shape[0])
        ax.hist(npv[:, i], bins=bins, weights=w, histtype="step", lw=1.6, color=COLOURS[i],
                label=name)  # fmt: skip
        xs = np.sort(npv[:, i])
        ax2.plot(xs, np.arange(1, xs.size + 1) / xs.size, color=COLOURS[i], lw=1.6, label=name)
    for a in (ax, ax2):
        a.axvline(0, color="black", lw=0.8, ls="--", label=_w("zero", lang))
        a.xaxis.set_major_formatter(_mio_axis(f))
        a.set_xlabel(_w("npv_axis", lang))
        a.grid(alpha=0.3)
        a.set_xlim(lo, hi)
    ax.yaxis.set_major_formatter(_pct_axis(f))
    ax.set_ylabel(_w("share", lang))
    ax.set_title(_w("npv_title", lang).format(rate=f.pct(s["discount_rate"])), fontsize=11)
    ax.legend(fontsize=8)
    ax2.yaxis.set_major_formatter(_pct_axis(f))
    ax2.set_ylabel(_w("cdf_axis", lang))
    ax2.set_title(_w("cdf_title", lang), fontsize=11)
    ax2.legend(fontsize=8, loc="lower right")
    return fig


def _by_year_page(ds, s, lang):
    f = Num(lang)
    names = _option_names(ds, lang)
    ids = list(s["options"])
    years = s["years"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=A4, layout="constrained")
    for i, oid in enumerate(ids):
        d = s["options"][oid]["p_net_benefit_positive_by_year"]
        p = np.array([d[str(y)]["value"] for y in years])
        se = np.array([d[str(y)]["se"] for y in years])
        ax.plot(years, p, marker="o", color=COLOURS[i], label=names[i])
        ax.fill_between(years, p - 2 * se, p + 2 * se, color=COLOURS[i], alpha=0.2, lw=0)
    ax.set_xlabel(_w("year", lang))
    ax.set_ylabel(_w("p_axis", lang))
    ax.yaxis.set_major_formatter(_pct_axis(f))
    ax.set_ylim(0, 1)
    ax.set_xticks(years)
    ax.set_title(_w("year_title", lang), fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    be = ds["break_even_year"].values
    cats = [*years, None]
    width = 0.8 / len(ids)
    for i, _oid in enumerate(ids):
        shares = [np.mean(be[:, i] == y) for y in years] + [np.mean(np.isnan(be[:, i]))]
        xpos = np.arange(len(cats)) + (i - (len(ids) - 1) / 2) * width
        ax2.bar(xpos, shares, width=width, color=COLOURS[i], label=names[i])
    labels = [str(y) for y in years] + [_w("never", lang).format(last=years[-1])]
    ax2.set_xticks(np.arange(len(cats)), labels, fontsize=8)
    ax2.set_xlabel(_w("year", lang))
    ax2.set_ylabel(_w("share", lang))
    ax2.yaxis.set_major_formatter(_pct_axis(f))
    ax2.set_title(textwrap.fill(_w("be_title", lang), 60), fontsize=11)
    ax2.grid(alpha=0.3, axis="y")
    ax2.legend(fontsize=8)
    return fig


def _cumulative_page(ds, s, lang):
    f = Num(lang)
    names = _option_names(ds, lang)
    years = np.array(s["years"])
    cum = ds["cumulative_net_benefit"].sel(screening="with").values.astype(np.float64)
    fig, axs = plt.subplots(1, cum.shape[1], figsize=A4, layout="constrained", sharey=True)
    q = np.percentile(cum, [5, 25, 50, 75, 95], axis=0)  # [5, option, year]
    for i, ax in enumerate(np.atleast_1d(axs)):
        ax.fill_between(years, q[0, i], q[4, i], color=COLOURS[i], alpha=0.18, lw=0,
                        label="P5–P95")  # fmt: skip
        ax.fill_between(years, q[1, i], q[3, i], color=COLOURS[i], alpha=0.35, lw=0,
                        label="P25–P75")  # fmt: skip
        ax.plot(years, q[2, i], color=COLOURS[i], lw=2, label=_w("median", lang))
        ax.axhline(0, color="black", lw=0.8, ls="--")
        ax.set_title(names[i], fontsize=10)
        ax.set_xlabel(_w("year", lang))
        ax.set_xticks(years[::2])
        ax.yaxis.set_major_formatter(_mio_axis(f))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        ax.set_ylabel(_w("cum_axis", lang), fontsize=8 if i else 10)
    fig.suptitle(_w("cum_title", lang).format(rate=f.pct(s["discount_rate"])), fontsize=11)
    return fig


def _algorithms_page(ds, s, lang):
    f = Num(lang)
    names = _option_names(ds, lang)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=A4, layout="constrained",
                                  gridspec_kw={"width_ratios": [1.4, 1]})  # fmt: skip
    kinds = [("started", "started"), ("live", "live_bar"), ("live_with_gain", "gain_bar"),
             ("stopped", "stopped_bar"), ("stopped_late", "late_bar")]  # fmt: skip
    n_opt = ds.sizes["option"]
    width = 0.8 / len(kinds)
    hatches = {"with": "", "without": "//"}
    for m, mode in enumerate(("with", "without")):
        for k, (var, word_key) in enumerate(kinds):
            means = ds[f"algorithms_{var}"].sel(screening=mode).mean("draw").values
            x = np.arange(n_opt) * 2 + m + (k - (len(kinds) - 1) / 2) * width
            ax.bar(x, means, width=width, color=KIND_COLOURS[k], hatch=hatches[mode],
                   edgecolor="white" if mode == "with" else "#333333", lw=0.5,
                   label=_w(word_key, lang) if m == 0 else None)  # fmt: skip
    ticks = [2 * i + m for i in range(n_opt) for m in (0, 1)]
    labels = [f"{textwrap.fill(names[i], 16)}\n{_w(mode, lang)}" for i in range(n_opt)
              for mode in ("with", "without")]  # fmt: skip
    ax.set_xticks(ticks, labels, fontsize=7)
    ax.set_ylabel(_w("alg_axis", lang))
    ax.set_xlabel(_w("opt_mode", lang))
    ax.yaxis.set_major_formatter(StepFormatter(f.num))
    ax.set_title(_w("alg_title", lang), fontsize=11)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    diff = (ds["npv"] - ds["npv_without_screening"]).values.astype(np.float64)
    q = np.percentile(diff, [5, 25, 50, 75, 95], axis=0)
    for i in range(n_opt):
        x = i + 1
        ax2.vlines(
            x,
            q[0, i],
            q[4, i],
            color=COLOURS[i],
            lw=6,
            alpha=0.35,
            label="P5–P95" if i == 0 else None,
        )
        ax2.vlines(
            x,
            q[1, i],
            q[3, i],
            color=COLOURS[i],
            lw=14,
            alpha=0.8,
            label="P25–P75" if i == 0 else None,
        )
        ax2.plot(
            x,
            q[2, i],
            "o",
            color="white",
            mec="black",
            ms=7,
            label=_w("median", lang) if i == 0 else None,
        )
        ax2.plot(
            x,
            diff[:, i].mean(),
            "D",
            color="black",
            ms=6,
            label=_w("mean_col", lang) if i == 0 else None,
        )
    ax2.set_xlim(0.4, n_opt + 0.6)
    ax2.legend(fontsize=8, loc="upper left")
    ax2.axhline(0, color="black", lw=0.8, ls="--")
    ax2.set_xticks(np.arange(1, n_opt + 1), [textwrap.fill(n, 16) for n in names], fontsize=8)
    ax2.yaxis.set_major_formatter(_mio_axis(f, 1))
    ax2.set_ylabel(_w("vos_axis", lang))
    ax2.set_xlabel(_w("option", lang))
    ax2.set_title(textwrap.fill(_w("vos_title", lang), 45), fontsize=11)
    ax2.grid(alpha=0.3, axis="y")
    return fig


def _acceptability_page(ds, s, lang):
    f = Num(lang)
    names = _option_names(ds, lang)
    grid = np.linspace(0.0, float(max(s["acceptability"]["staff_hour_values"])), 49)
    acc = acceptability(ds, grid, no_pool=True)  # column 0: no pool, the do-nothing option
    n = s["draws"]
    fig, ax = plt.subplots(figsize=A4, layout="constrained")
    p = acc[:, 0]
    se = np.sqrt(p * (1 - p) / n)
    ax.plot(grid, p, color="#777777", lw=2, ls="--", label=_w("nothing", lang))
    ax.fill_between(grid, p - 2 * se, p + 2 * se, color="#777777", alpha=0.15, lw=0)
    for i, name in enumerate(names):
        p = acc[:, i + 1]
        se = np.sqrt(p * (1 - p) / n)
        ax.plot(grid, p, color=COLOURS[i], lw=2, label=name)
        ax.fill_between(grid, p - 2 * se, p + 2 * se, color=COLOURS[i], alpha=0.2, lw=0)
    hour = s["staff_hour_value"]
    ax.axvline(hour, color="#555555", ls=":", lw=1.2,
               label=_w("stated", lang).format(v=f.dkk(hour)))  # fmt: skip
    ax.set_xlabel(_w("acc_axis", lang))
    ax.set_ylabel(_w("acc_y", lang))
    ax.xaxis.set_major_formatter(StepFormatter(f.num))
    ax.yaxis.set_major_formatter(_pct_axis(f))
    ax.set_ylim(0, 1)
    ax.set_title(textwrap.fill(_w("acc_title", lang), 100), fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    return fig


PARAM_LABEL = CATALOGUE["pool_param"]


def _voi_page(ds, s, lang):
    """EVPI and EVPPI per parameter (the summary's, from :mod:`simrisk.decision`) as bars."""
    f = Num(lang)
    names = dict(zip([str(o) for o in ds["option"].values], _option_names(ds, lang), strict=True))
    ev = s["evppi"]
    order = sorted(ev, key=lambda p: ev[p]["value"])
    vals = np.array([ev[p]["value"] for p in order]) / 1e6
    ses = np.array([ev[p]["se"] for p in order]) / 1e6
    evpi, evpi_se = s["evpi"]["value"] / 1e6, s["evpi"]["se"] / 1e6
    best = s["voi_best_option"]
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.945, _w("voi_title", lang), fontsize=13, weight="bold")
    note = _w("voi_note", lang).format(
        best=names.get(best, best),
        nb=f.mio(s["options"][best]["npv"]["mean"]),
        evpi=f.mio(s["evpi"]["value"]),
        se=f.mio(s["evpi"]["se"], 2),
        n=f.num(s["voi_draws"]),
        post=f.num(s["voi_posterior_draws"]),
    )
    fig.text(0.04, 0.905, textwrap.fill(note, 170), fontsize=8.5, va="top")
    ax = fig.add_axes((0.33, 0.1, 0.6, 0.6))
    y = np.arange(len(order))
    ax.barh(y, vals, color=COLOURS[0], alpha=0.85, height=0.6)
    ax.errorbar(vals, y, xerr=2 * ses, fmt="none", color="black", capsize=3, lw=1)
    top = len(order) + 0.5
    ax.barh(top, evpi, color="#888888", alpha=0.85, height=0.6)
    ax.errorbar(evpi, top, xerr=2 * evpi_se, fmt="none", color="black", capsize=3, lw=1)
    xmax = max(evpi + 2 * evpi_se, float((vals + 2 * ses).max())) * 1.2
    for k, (v, e) in enumerate(zip(vals, ses, strict=True)):
        shown = abs(v) if abs(v) < 0.005 else v  # no "−0.00" for a regression's rounding
        ax.text(max(v, 0) + 2 * e + xmax * 0.01, k, f.num(shown, 2), va="center", fontsize=8)
    ax.text(evpi + 2 * evpi_se + xmax * 0.01, top, f.num(evpi, 2), va="center", fontsize=8)
    k = 1 if lang == "da" else 0
    ax.set_yticks([*y, top])
    ax.set_yticklabels(
        [PARAM_LABEL.get(p, (p, p))[k] for p in order] + [_w("voi_all", lang)], fontsize=8.5
    )
    ax.set_xlim(min(0.0, float((vals - 2 * ses).min()) * 1.1), xmax)
    ax.xaxis.set_major_formatter(StepFormatter(f.num))
    ax.set_xlabel(_w("voi_axis", lang).format(rate=f.pct(s["discount_rate"])))
    ax.set_ylabel(_w("param", lang))
    ax.grid(axis="x", alpha=0.3)
    return fig


def _prior_text(p: dict, f: Num) -> str:
    """A prior in plain words: ``beta: mean 0.3, standard deviation 0.1``."""
    from simrisk.core.words import CATALOGUE, word

    keys = ("value", "mean", "sd", "low", "high", "median", "sd_log", "min", "mode", "max")
    sep = "; " if f.lang == "da" else ", "  # Danish decimals are commas
    args = sep.join(
        f"{word('dist_arg', k, f.lang)} {f.num(p[k], 3).rstrip('0').rstrip(',.')}"
        for k in keys
        if p.get(k) is not None
    )
    dist = p["dist"]
    name = word("dist", dist, f.lang) if dist in CATALOGUE["dist"] else dist
    return f"{name}: {args}"


def _assumptions_page(ds, s, lang):
    from simrisk.core.priors import prior_central
    from simrisk.kinds.portfolio.config import PortfolioConfig

    f = Num(lang)
    cfg = PortfolioConfig.model_validate_json(ds.attrs["config_json"], strict=False)
    comments = _config_comments(str(ds.attrs.get("config", "")))
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.95, _w("ass_title", lang), fontsize=13, weight="bold")
    y = 0.91
    cols = (0.04, 0.27, 0.5, 0.56)
    for x, key in zip(cols, ("param", "dist", "mean_col", "source"), strict=True):
        fig.text(x, y, _w(key, lang), fontsize=8.5, weight="bold")
    y -= 0.028
    for name, prior in cfg.priors.items():
        p = prior.model_dump()
        plain = PARAM_LABEL[name][1 if lang == "da" else 0] if name in PARAM_LABEL else name
        for k, line in enumerate(textwrap.wrap(plain, 44)[:2]):
            fig.text(cols[0], y - 0.017 * k, line, fontsize=7.6)
        for k, line in enumerate(textwrap.wrap(_prior_text(p, f), 42)[:2]):
            fig.text(cols[1], y - 0.017 * k, line, fontsize=7.3)
        fig.text(cols[2], y, f.num(prior_central(prior), 3), fontsize=8)
        if lang == "da":
            note = _note_da(name, comments.get(name, []))
        else:
            note = "; ".join(comments.get(name, [])) or prior.source or "—"
        lines = textwrap.wrap(note, 80) or ["—"]
        lines += [""] * (2 - len(lines))
        for line in lines[:5]:
            fig.text(cols[3], y, line, fontsize=7)
            y -= 0.019
        y -= 0.008
    y -= 0.01
    fig.text(0.04, y, _w("structure", lang), fontsize=11, weight="bold")
    y -= 0.03
    a = cfg.algorithms
    fill = {
        "K": a.candidates,
        "cases": ", ".join((c.name_da if lang == "da" else c.name) or c.name for c in cfg.cases),
        "lo": f.dkk(a.cost_low), "hi": f.dkk(a.cost_high), "ws": f.pct(a.wage_share, 0),
        "vs": f.pct(a.validation_share, 0), "vy": f.num(a.validation_years, 1),
        "iy": f.num(a.implementation_years, 1), "per": f.num(a.algorithms_per_consultant),
        "unspent": _w(cfg.horizon.unspent_money, lang), "life": f.num(a.lifetime_years, 1),
        "late": f.num(a.late_stop_years, 1), "y0": cfg.horizon.first_year,
        "y1": cfg.horizon.last_year, "rate": f.pct(cfg.horizon.discount_rate),
    }  # fmt: skip
    for para in _w("structure_text", lang):
        for line in textwrap.wrap(para.format(**fill), 175):
            fig.text(0.05, y, line, fontsize=8)
            y -= 0.021
        y -= 0.006
    return fig


PARAM_DA = {
    "p_gain": "Sandsynlighed for at et værktøj viser en målbar nettogevinst inden for horisonten.",
    "p_workload": "Sandsynlighed for at et værktøj UDEN gevinst giver merarbejde.",
    "readiness_correlation": "Andel af værktøjernes latente succes, der er fælles "
    "(IT-integration, organisatorisk parathed).",
    "screen_sensitivity": "P(et værktøj med reel gevinst består den lokale validering).",
    "screen_specificity": "P(et værktøj uden gevinst stoppes ved den lokale validering).",
    "ramp_years": "År fra idriftsættelse til fuld gevinst (lineær indfasning).",
    "running_cost_share": "Årlig drift (licenser, skytjenester, support) som andel af "
    "værktøjets pris.",
    "benefit_scale": "Faktor på alle værktøjers gevinst i en verden (hvor stor gevinsten er, "
    "hvor værktøjer virker).",
}


def _config_comments(text: str) -> dict[str, list[str]]:
    """Comments of each ``[priors.<name>]`` table in the config text, by parameter.

    A ``#`` inside a quoted string is not a comment; the ``source`` key's value
    is kept as ``source: <value>``.
    """
    import re

    out: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            current = line.strip("[]").removeprefix("priors.") if "priors." in line else None
            continue
        if current is None:
            continue
        if line.startswith("source"):
            value = line.partition("=")[2].strip().strip('"')
            out.setdefault(current, []).append(f"source: {value}")
            continue
        bare = re.sub(r'"[^"]*"', '""', line)
        if "#" not in bare:
            continue
        key, _, comment = bare.partition("#")
        comment = line[len(key) + 1 :].strip().rstrip(".")
        key = key.split("=")[0].strip()
        out.setdefault(current, []).append(f"{key}: {comment}" if key else comment)
    return out


def _note_da(name: str, comments: list[str]) -> str:
    """Danish note: the parameter's meaning, the cited anchors, whether it is an assumption."""
    import re

    text = " ".join(comments)
    anchors = sorted(set(re.findall(r"docs/sources\.md#([a-z0-9-]+)", text)))
    parts = [PARAM_DA.get(name, name)]
    if anchors:
        parts.append("Kilder: " + ", ".join(f"docs/sources.md#{a}" for a in anchors) + ".")
    if "assumption" in text:
        parts.append("Delvis en antagelse (se konfigurationen).")
    return " ".join(parts)
