"""Plots of a ``simrisk run`` result. Each takes the Dataset, ``ax=None`` and ``lang``."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.ticker import MaxNLocator

from simrisk.plot._fmt import Fmt
from simrisk.plot._util import label
from simrisk.plot._words import word

__all__ = [
    "clip_note",
    "hist_clipped",
    "plot_cash_flow_fan",
    "plot_deadweight",
    "plot_irr",
    "plot_net_saving",
    "plot_npv",
    "plot_npv_cdf",
    "plot_repayment_curve",
    "rate_words",
    "shared_bins",
]

BLUE, ORANGE, GREEN, GREY, RED = "#1f5fa8", "#c4572a", "#3a8a3a", "#777777", "#b22222"


def _ax(ax, size=(8, 4.8)):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _label(ds, name, lang, key):
    return label(ds[name]) if lang == "en" else word(key, lang)


def _hist(ax, x, colour, bins=80, alpha=0.75, **kw):
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    w = np.full(x.size, 1.0 / x.size)
    ax.hist(x, bins=bins, weights=w, color=colour, alpha=alpha, **kw)
    return x


def shared_bins(*samples, bins: int = 80, lo: float = 0.005, hi: float = 0.995):
    """Bin edges shared by every sample: equal widths over the pooled P0.5–P99.5.

    Histograms drawn on one axis must share their bins, or "share of draws"
    compares bars of different widths.
    """
    pooled = np.concatenate([np.asarray(x, dtype=np.float64).ravel() for x in samples])
    pooled = pooled[np.isfinite(pooled)]
    if pooled.size == 0:  # nothing to draw (e.g. no draw repays anything): any edges do
        return np.linspace(0.0, 1.0, bins + 1)
    a, b = np.quantile(pooled, [lo, hi])
    if not b > a:
        a, b = a - 0.5, b + 0.5
    return np.linspace(a, b, bins + 1)


def hist_clipped(ax, x, colour, edges, alpha=0.75, **kw):
    """A histogram on ``edges`` whose axis is clipped to them.

    Returns the finite values of ``x``. Bars are shares of all finite draws,
    so the bars plus the share outside (:func:`clip_note`) sum to 100%.
    """
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    w = np.full(x.size, 1.0 / x.size)
    ax.hist(x, bins=edges, weights=w, color=colour, alpha=alpha, **kw)
    ax.set_xlim(edges[0], edges[-1])
    return x


def clip_note(x, edges, lang: str) -> str:
    """ "axis shows P0.5–P99.5; 1.0% of draws lie outside" for an axis clipped to ``edges``."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    outside = float(((x < edges[0]) | (x > edges[-1])).mean())
    return word("clipped", lang, share=Fmt(lang).pct(outside))


def rate_words(ds, lang: str) -> dict:
    """``rate`` (e.g. 4%) and ``date`` (the valuation date) for NPV labels."""
    import datetime as dt

    f = Fmt(lang)
    d = dt.date.fromisoformat(str(ds.attrs.get("valuation_date", "2000-01-01")))
    months_da = (
        "januar februar marts april maj juni juli august september oktober november december"
    ).split()
    if lang == "da":
        date = f"{d.day}. {months_da[d.month - 1]} {d.year}"
    else:
        date = f"{d.day} {d:%B} {d.year}"
    return {"rate": f.pct(float(ds.attrs.get("discount_rate", 0.0)), 0), "date": date}


def _npv_axis(ds, lang: str) -> str:
    return word("npv_axis", lang, **rate_words(ds, lang))


def _share_axis(ax, f: Fmt):
    top = ax.get_ylim()[1]
    ax.yaxis.set_major_formatter(f.axis_pct(1 if top < 0.1 else 0))


def plot_irr(ds: xr.Dataset, ax=None, lang: str = "en"):
    """Histogram of DSI's IRR with the hurdle and zero marked; returns the Axes."""
    ax = _ax(ax)
    f = Fmt(lang)
    edges = shared_bins(ds["irr"].values)
    irr = hist_clipped(ax, ds["irr"].values, BLUE, edges)
    hurdle = float(ds.attrs["hurdle_rate"])
    p_below = float((irr < hurdle).mean())
    ax.axvline(
        hurdle,
        color=RED,
        lw=1.5,
        ls="--",
        label=f"{word('hurdle', lang, rate=f.pct(hurdle, 0))}: "
        f"P(IRR < {f.pct(hurdle, 0)}) = {f.pct(p_below)}",
    )
    ax.axvline(0, color="black", lw=1, label=word("zero", lang))
    ax.axvline(
        np.median(irr),
        color=GREEN,
        lw=1.5,
        label=f"{word('median', lang)} {f.pct(float(np.median(irr)))}",
    )
    ax.xaxis.set_major_formatter(f.axis_pct())
    _share_axis(ax, f)
    ax.set_xlabel(f"{word('irr_axis', lang)}\n{clip_note(irr, edges, lang)}")
    ax.set_ylabel(f"{word('share_of_draws', lang)} (%)")
    ax.set_title(word("irr", lang))
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return ax


def plot_npv(ds: xr.Dataset, ax=None, lang: str = "en"):
    """Histogram of DSI's NPV with zero marked; returns the Axes."""
    ax = _ax(ax)
    f = Fmt(lang)
    edges = shared_bins(ds["npv"].values)
    npv = hist_clipped(ax, ds["npv"].values, BLUE, edges)
    p = float((npv < 0).mean())
    ax.axvline(
        0,
        color=RED,
        lw=1.5,
        ls="--",
        label=f"{word('zero', lang)}: {word('p_npv_neg', lang)} = {f.pct(p)}",
    )
    ax.axvline(
        np.median(npv),
        color=GREEN,
        lw=1.5,
        label=f"{word('median', lang)} {f.dkk(float(np.median(npv)))}",
    )
    ax.xaxis.set_major_formatter(f.axis_money())
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    _share_axis(ax, f)
    ax.set_xlabel(f"{_npv_axis(ds, lang)}\n{clip_note(npv, edges, lang)}")
    ax.set_ylabel(f"{word('share_of_draws', lang)} (%)")
    ax.set_title(word("npv", lang, **rate_words(ds, lang)))
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return ax


def plot_npv_cdf(ds: xr.Dataset, ax=None, lang: str = "en"):
    """Empirical CDF of NPV with P(NPV < 0) read off at zero (and its MC SE)."""
    ax = _ax(ax)
    f = Fmt(lang)
    npv = np.sort(ds["npv"].values.astype(np.float64))
    n = npv.size
    step = max(n // 4000, 1)
    ax.plot(npv[::step], (np.arange(n)[::step] + 1) / n, color=BLUE, lw=2)
    p = float((npv < 0).mean())
    se = math.sqrt(p * (1 - p) / n)
    ax.axvline(0, color=GREY, lw=1)
    ax.axhline(p, color=RED, lw=1.5, ls="--")
    ax.plot([0], [p], "o", color=RED)
    ax.annotate(
        f"{word('p_loss_read', lang)} = {f.pct(p)}\n(± {f.pct(se, 2)} {word('mc_se', lang)})",
        (0, p),
        xytext=(-12, 12),
        textcoords="offset points",
        color=RED,
        fontsize=9,
        ha="right",
    )
    ax.xaxis.set_major_formatter(f.axis_money())
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7))
    ax.yaxis.set_major_formatter(f.axis_pct())
    ax.set_ylim(0, 1)
    ax.set_xlabel(_npv_axis(ds, lang))
    ax.set_ylabel(word("p_npv_below", lang) + " (%)")
    ax.set_title(word("npv_cdf", lang))
    ax.grid(alpha=0.3)
    return ax


def plot_repayment_curve(ds: xr.Dataset, ax=None, lang: str = "en", measured: float | None = None):
    """Repayment per payer against the success rate, caps marked, simulated draws overlaid.

    Lines: the contract's repayment if ``measured`` citizens are measured and
    a share ``x`` of them succeed (the source's table), capped. ``measured``
    defaults to the config's referrals times its retention (DSI: 700 x 50% =
    350). Points: the simulated draws' (success rate, repayment) per payer (up
    to 3,000 each). Where two payers' lines coincide (DSI: the municipality's
    and Østifterne's below the municipality's cap), the earlier payer's line is
    drawn wider underneath, so both stay visible.
    """
    ax = _ax(ax, (8, 5))
    f = Fmt(lang)
    import json

    scen = json.loads(ds.attrs["scenario_json"])
    payer_names = {p["id"]: p["name"] for p in scen.get("payers", [])}
    if measured is None:
        pop = scen["population"]
        measured = float(pop["referred"]) * float(pop["retention"])
    payers = list(ds["payer"].values)
    goal_payer = list(ds["goal_payer"].values)
    pay = ds["payment_per_success"].values
    caps = ds["cap"].values
    x = np.linspace(0, 1, 201)
    meas = ds["measured"].sum("cohort").values.astype(np.float64)
    rng = np.random.default_rng(0)
    take = rng.choice(meas.size, size=min(3000, meas.size), replace=False)
    colours = (BLUE, ORANGE, GREEN, GREY)
    for i, payer in enumerate(payers):
        goals = [j for j, p in enumerate(goal_payer) if p == payer]
        if not goals:
            continue
        c = colours[i % len(colours)]
        curve = np.minimum(measured * x * pay[goals].sum(), caps[i])
        name = payer_names.get(payer, payer)
        last = i == len(payers) - 1
        from matplotlib import patheffects

        ax.plot(
            x,
            curve,
            color=c,
            lw=4.5 if not last else 2.2,
            ls="-" if not last else (0, (4, 2)),
            alpha=0.9,
            zorder=3 + i,
            # a white outline keeps a dashed line visible where it lies on a wider one
            path_effects=[patheffects.withStroke(linewidth=4, foreground="white")]
            if last
            else None,
            label=f"{name}: {word('contract_curve', lang, measured=f.num(measured))}",
        )
        succ = ds["successes"].isel(goal=goals[0]).sum("cohort").values.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = succ / meas
        rep = ds["repayments_by_payer"].sel(payer=payer).values
        # rasterized: thousands of vector markers make the PDF slow and unreadable to tools
        ax.scatter(rate[take], rep[take], s=3, color=c, alpha=0.25, linewidths=0, rasterized=True)
        if np.isfinite(caps[i]):
            ax.axhline(caps[i], color=c, lw=1, ls="--")
            per_rate = measured * pay[goals].sum()  # 0 when the goals pay nothing
            bind = caps[i] / per_rate if per_rate > 0 else None
            ax.annotate(
                f"{word('cap', lang)} {f.dkk(caps[i])} ({f.pct(bind, 0)})",
                (0.99, caps[i]),
                xytext=(0, 4),
                textcoords="offset points",
                ha="right",
                va="bottom",
                color=c,
                fontsize=8,
                zorder=10,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 1},
            )
    ax.scatter([], [], s=10, color=GREY, label=word("simulated", lang))
    ax.xaxis.set_major_formatter(f.axis_pct())
    ax.yaxis.set_major_formatter(f.axis_money())
    ax.set_xlim(0, 1)
    top = float(np.nanmax([np.nanmax(np.where(np.isfinite(caps), caps, 0)), ax.get_ylim()[1]]))
    ax.set_ylim(0, top * 1.12)  # room above the highest cap for its label
    ax.set_xlabel(word("success_rate_axis", lang))
    ax.set_ylabel(word("repayment_axis", lang))
    ax.set_title(word("repay_curve", lang))
    # below the axes, never on the data
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    ax.grid(alpha=0.3)
    return ax


def plot_cash_flow_fan(ds: xr.Dataset, ax=None, lang: str = "en"):
    """DSI's net cash flow by calendar year: median with P25–P75 and P5–P95 bands."""
    ax = _ax(ax)
    f = Fmt(lang)
    cf = ds["cash_flow_by_year"].values.astype(np.float64)
    years = ds["year"].values
    q = np.quantile(cf, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    pos = np.arange(len(years))
    ax.bar(
        pos,
        q[4] - q[0],
        bottom=q[0],
        width=0.5,
        color=BLUE,
        alpha=0.25,
        label=word("band_90", lang),
    )
    ax.bar(
        pos,
        q[3] - q[1],
        bottom=q[1],
        width=0.62,
        color=BLUE,
        alpha=0.5,
        label=word("band_50", lang),
    )
    for k in range(len(years)):
        ax.plot(
            [pos[k] - 0.34, pos[k] + 0.34],
            [q[2, k], q[2, k]],
            color="black",
            lw=2,
            label=word("median", lang) if k == 0 else None,
        )
        ax.annotate(f.mio(q[2, k]), (pos[k] + 0.36, q[2, k]), va="center", fontsize=8)
    ax.axhline(0, color="black", lw=1)
    ax.set_xticks(pos)
    ax.set_xticklabels([str(y) for y in years])
    ax.set_xlim(-0.6, len(years) - 0.2)
    span = float(q.max() - q.min()) or 1.0
    ax.set_ylim(float(q.min()) - 0.08 * span, float(q.max()) + 0.08 * span)
    ax.yaxis.set_major_formatter(f.axis_money())
    ax.set_xlabel(word("year", lang))
    ax.set_ylabel(_label(ds, "cash_flow_by_year", lang, "cash_axis"))
    ax.set_title(word("cash_fan", lang))
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    return ax


_BASIS_VARS = {
    "note_method": "authority_net_saving_note",
    "modelled": "authority_net_saving_modelled",
}


def plot_net_saving(ds: xr.Dataset, ax=None, lang: str = "en", basis: str = "note_method"):
    """Distributions of each authority's net saving (saving less repayments) on one basis.

    ``basis="note_method"`` (default): the note's method, threshold x stated
    BIS mean x successes less repayments, undiscounted. ``basis="modelled"``:
    the modelled caused saving less repayments, both discounted at the
    payer's own rate. The title says which.
    """
    if basis not in _BASIS_VARS:
        raise ValueError(f"basis {basis!r}: must be one of {', '.join(_BASIS_VARS)}")
    ax = _ax(ax)
    f = Fmt(lang)
    name_var = _BASIS_VARS[basis]
    colours = (BLUE, ORANGE, GREEN)
    samples = [
        ds[name_var].sel(authority=a).values.astype(np.float64) for a in ds["authority"].values
    ]
    # one set of bins for every authority, so the bars' shares compare like with like
    edges = shared_bins(*samples, bins=100)
    for i, (a, x) in enumerate(zip(ds["authority"].values, samples, strict=True)):
        name = word(str(a), lang) if a in ("region", "municipality") else str(a)
        m = float(x.mean())
        se = float(x.std(ddof=1) / math.sqrt(x.size))
        p_neg = float((x < 0).mean())
        hist_clipped(
            ax,
            x,
            colours[i % 3],
            edges,
            alpha=0.5,
            histtype="stepfilled",
            edgecolor=colours[i % 3],
            linewidth=1.2,
            label=f"{name}: {word('mean', lang)} {f.dkk(m)} (± {f.num(se)}); "
            f"P(< 0) = {f.pct(p_neg)}",
        )
    ax.axvline(0, color="black", lw=1)
    ax.xaxis.set_major_formatter(f.axis_money())
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    _share_axis(ax, f)
    if basis == "modelled" and "authority_discount_rate" in ds.coords:
        rates = sorted({float(r) for r in ds["authority_discount_rate"].values})
        rate = "/".join(f.pct(r, 1) for r in rates)
        title = word("net_saving_modelled", lang).format(rate=rate)
    else:
        title = word("net_saving_note", lang)
    ax.set_xlabel(
        f"{word(f'net_saving_axis_{basis}', lang)}\n"
        f"({clip_note(np.concatenate(samples), edges, lang)})"
    )
    ax.set_ylabel(f"{word('share_of_draws', lang)} (%)")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return ax


def plot_deadweight(ds: xr.Dataset, ax=None, lang: str = "en"):
    """Distribution of the share of repayments that pays for deadweight successes."""
    ax = _ax(ax)
    f = Fmt(lang)
    edges = shared_bins(ds["deadweight_share"].values, bins=60)
    if not np.isfinite(ds["deadweight_share"].values).any():  # no draw repays anything
        none = {"en": "no draw repays anything: no deadweight share",
                "da": "ingen trækning tilbagebetaler noget: ingen dødvægtsandel"}  # fmt: skip
        ax.text(0.5, 0.5, none.get(lang, none["en"]), ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
        ax.set_title(word("deadweight", lang), fontsize=10)
        return ax
    x = hist_clipped(ax, ds["deadweight_share"].values, ORANGE, edges)
    m = float(x.mean())
    ax.axvline(
        m,
        color="black",
        lw=1.5,
        label=f"{word('mean', lang)} {f.pct(m)} (± {f.pct(x.std() / math.sqrt(x.size), 2)})",
    )
    ax.xaxis.set_major_formatter(f.axis_pct())
    _share_axis(ax, f)
    ax.set_xlabel(f"{word('deadweight_axis', lang)}\n{clip_note(x, edges, lang)}")
    ax.set_ylabel(f"{word('share_of_draws', lang)} (%)")
    ax.set_title(word("deadweight", lang), fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return ax
