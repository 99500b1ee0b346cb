"""Fan chart of the WELLBY projections."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.patches import Patch

from simrisk.core.words import section
from simrisk.plot._fmt import Fmt

__all__ = ["plot_wellby_fan"]

_COLOURS = ("#1f5fa8", "#c4572a", "#3a8a3a", "#7a4fa0")


W = section("wellby_fan")


def scenario_labels(ds: xr.Dataset, lang: str = "en") -> list[str]:
    """Each projection scenario in words, from the config the result carries.

    ``a: completion 44% (the pilot's), change 0.77 points`` /
    ``a: gennemførelse 44 % (pilotens), ændring 0,77 point``.
    """
    import tomllib

    f = Fmt(lang)
    da = lang == "da"
    try:
        cfg = tomllib.loads(ds.attrs.get("config", ""))
        projs = cfg.get("projections", [])
        pilot = cfg["pilot"]
        pilot_rate = pilot["completers"] / pilot["recruited"]
    except (tomllib.TOMLDecodeError, KeyError, ZeroDivisionError):
        projs = []
    out = []
    for i, name in enumerate(str(v) for v in ds["scenario"].values):
        if i >= len(projs):
            out.append(name)
            continue
        p = projs[i]
        letter = name.split(":", 1)[0] if ":" in name else chr(ord("a") + i)
        if p.get("completion") == "pilot":
            comp = f"{f.pct(pilot_rate, 0)} ({'pilotens' if da else 'as in the pilot'})"
        else:
            comp = f.pct(float(p["completion"]), 0)
        mc = p.get("mean_change")
        if mc in (None, "pilot"):
            mc = pilot.get("total_change", 0.0) / max(pilot.get("completers", 1), 1)
        change = f.num(float(mc), 2)
        out.append(
            f"{letter}: gennemførelse {comp}, ændring {change} point"
            if da
            else f"{letter}: completion {comp}, change {change} points"
        )
    return out


def plot_wellby_fan(ds: xr.Dataset, ax=None, lang: str = "en", net: bool = False):
    """Projected WELLBY value per scenario and size: nested 80/90/95% bands and the centre.

    Each size recruited is a group; each scenario a fan of nested bars
    (lightest = widest band) with its central value (the source's
    arithmetic) marked and labelled.

    Parameters
    ----------
    ds : xarray.Dataset
        A ``simrisk wellby`` result (``projection_value_*`` variables).
    ax : matplotlib Axes, optional
    lang : {"en", "da"}
        Labels and number format.
    net : bool
        Show the value net of the no-intervention change (regression to the
        mean) and of the investment (``projection_value_net_*``).

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
    f = Fmt(lang)
    key = "projection_value_net" if net else "projection_value"
    band = ds[f"{key}_band"]
    central = ds[f"{key}_central"]
    sizes = ds["recruited"].values
    scenarios = list(ds["scenario"].values)
    probs = sorted(ds["ci_prob"].values, reverse=True)  # widest first
    alphas = np.linspace(0.25, 0.75, len(probs))
    widths = np.linspace(0.16, 0.28, len(probs))
    n_s = len(scenarios)
    names = scenario_labels(ds, lang)
    handles = []
    for i, scen in enumerate(scenarios):
        colour = _COLOURS[i % len(_COLOURS)]
        offset = (i - (n_s - 1) / 2) * 0.34
        for j, _ in enumerate(sizes):
            x = j + offset
            for p, a, w in zip(probs, alphas, widths, strict=True):
                lo = float(band.sel(scenario=scen, ci_prob=p, ci_bound="lower")[j])
                hi = float(band.sel(scenario=scen, ci_prob=p, ci_bound="upper")[j])
                ax.bar(x, hi - lo, bottom=lo, width=w, color=colour, alpha=a, linewidth=0)
            c = float(central.sel(scenario=scen)[j])
            ax.plot([x - 0.15, x + 0.15], [c, c], color="black", lw=2)
            # the value above the widest band, never over a bar
            top = float(band.sel(scenario=scen, ci_prob=probs[0], ci_bound="upper")[j])
            ax.annotate(
                f.mio(c),
                (x, top),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7.5,
            )
        handles.append(Patch(color=colour, alpha=0.6, label=names[i]))
    handles += [
        Patch(color="grey", alpha=a, label=W("band", lang, p=round(p * 100)))
        for p, a in zip(probs, alphas, strict=True)
    ]
    handles.append(
        plt.Line2D([], [], color="black", lw=2, label=W("central_net" if net else "central", lang))
    )
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([f"{f.num(int(v))} {W('recruited', lang)}" for v in sizes])
    ax.set_xlim(-0.7, len(sizes) - 0.3)
    n = f.num(ds.sizes.get("draw", 0))
    ax.set_xlabel(W("xlabel", lang, n=n))
    ax.set_ylabel(W("ylabel_net" if net else "ylabel", lang))
    ax.yaxis.set_major_formatter(f.axis_money())
    lo_y = min(0.0, float(np.nanmin(band.values)))
    hi_y = float(np.nanmax(band.values))
    # room above the widest band for its value label, and for the legend
    ax.set_ylim(lo_y - 0.02 * (hi_y - lo_y), hi_y + 0.3 * (hi_y - lo_y))
    if net:
        ax.axhline(0, color="black", lw=0.8)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(f"{W('title_net' if net else 'title', lang)}\n{W('sub', lang)}", fontsize=10)
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    return ax
