"""Fan chart of the WELLBY projections."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.patches import Patch

from simrisk.plot._fmt import Fmt
from simrisk.plot._util import label

__all__ = ["plot_wellby_fan"]

_COLOURS = ("#1f5fa8", "#c4572a", "#3a8a3a", "#7a4fa0")


_DA = {
    "band": "%-interval",
    "central": "central værdi (kildens regnestykke)",
    "recruited": "rekrutterede",
    "xlabel": "rekrutterede brugere; intervaller fra {n} simulerede trækninger",
    "ylabel": "fremskrevet WELLBY-værdi (kr.)",
    "sub": "værdi pr. WELLBY, gennemførelse, gennemsnitlig ændring og varighed er usikre",
}


def plot_wellby_fan(ds: xr.Dataset, ax=None, lang: str = "en"):
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

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
    f = Fmt(lang)
    da = lang == "da"
    band = ds["projection_value_band"]
    central = ds["projection_value_central"]
    sizes = ds["recruited"].values
    scenarios = list(ds["scenario"].values)
    probs = sorted(ds["ci_prob"].values, reverse=True)  # widest first
    alphas = np.linspace(0.25, 0.75, len(probs))
    widths = np.linspace(0.16, 0.28, len(probs))
    n_s = len(scenarios)
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
            ax.annotate(f.mio(c), (x + 0.16, c), va="center", fontsize=8)
        handles.append(Patch(color=colour, alpha=0.6, label=str(scen)))
    band_word = _DA["band"] if da else "% band"
    handles += [
        Patch(color="grey", alpha=a, label=f"{round(p * 100)}{band_word}")
        for p, a in zip(probs, alphas, strict=True)
    ]
    central_word = _DA["central"] if da else "central value (source's arithmetic)"
    handles.append(plt.Line2D([], [], color="black", lw=2, label=central_word))
    ax.set_xticks(range(len(sizes)))
    word = _DA["recruited"] if da else "recruited"
    ax.set_xticklabels([f"{f.num(int(v))} {word}" for v in sizes])
    ax.set_xlim(-0.7, len(sizes) - 0.3)
    n = f.num(ds.sizes.get("draw", 0))
    ax.set_xlabel(
        _DA["xlabel"].format(n=n) if da else f"users recruited; bands from {n} simulated draws"
    )
    ax.set_ylabel(_DA["ylabel"] if da else label(central).replace(", central", ""))
    ax.yaxis.set_major_formatter(f.axis_money())
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(band.values))))
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        f"{ds.attrs.get('name', 'WELLBY projections')}\n"
        + (
            _DA["sub"]
            if da
            else "value per WELLBY, completion, mean change and persistence uncertain"
        ),
        fontsize=10,
    )
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    return ax
