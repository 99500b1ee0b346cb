"""Figures of a sensitivity Dataset: the tornado and the regional-sensitivity CDFs.

(They were ``simrisk.decision.plot``; figures belong to the plot layer, above
the decision layer.) Each function takes the Dataset from
:func:`simrisk.decision.sensitivity`
and ``ax=None`` and returns the Axes; ``lang="da"`` gives Danish words and
number formats. Matplotlib is imported here only.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["plot_regional", "plot_tornado", "save_sensitivity_figure"]

_WORDS = {
    "en": {
        "tornado_title": "What drives the loss: P(NPV < 0) in each prior's lowest and highest "
        "decile",
        "x": "P(NPV < 0) (%)",
        "low": "lowest decile of the prior",
        "high": "highest decile of the prior",
        "overall": "all draws",
        "regional_title": "{p}: its prior in draws with NPV < 0 and in the rest\n"
        "(Kolmogorov-Smirnov distance {ks})",
        "value": "prior value",
        "cdf": "cumulative share of draws (%)",
        "loss": "draws with NPV < 0",
        "rest": "draws with NPV ≥ 0",
    },
    "da": {
        "tornado_title": "Hvad driver tabet: P(NNV < 0) i hver priors laveste og højeste decil",
        "x": "P(NNV < 0) (%)",
        "low": "priorens laveste decil",
        "high": "priorens højeste decil",
        "overall": "alle trækninger",
        "regional_title": "{p}: prioren i trækninger med NNV < 0 og i resten\n"
        "(Kolmogorov-Smirnov-afstand {ks})",
        "value": "priorens værdi",
        "cdf": "kumuleret andel af trækninger (%)",
        "loss": "trækninger med NNV < 0",
        "rest": "trækninger med NNV ≥ 0",
    },
}


# Danish names of the contract model's parameters (ids are kept in English, as typed).
_DA_PARTS = {
    "recruitment": "rekruttering",
    "retention": "fastholdelse",
    "outcome_correlation": "korrelation mellem udfald",
    "region_use": "regionens forbrug",
    "municipal_use": "kommunens forbrug",
    "life_satisfaction": "livstilfredshed",
    "effect": "effekt",
    "drift": "udvikling uden indsats",
    "drift_low": "udvikling uden indsats, lav start",
    "drift_high": "udvikling uden indsats, høj start",
    "sigma": "individuel spredning",
    "zero_share": "andel uden forbrug",
}


def _name(p: str, lang: str) -> str:
    if lang != "da":
        return p
    parts = p.split(".")
    if all(q in _DA_PARTS for q in parts):
        return ": ".join(_DA_PARTS[q] for q in parts)
    return p


def _words(lang: str) -> dict:
    if lang not in _WORDS:
        raise ValueError(f"lang must be 'en' or 'da', got {lang!r}")
    return _WORDS[lang]


def plot_tornado(s: xr.Dataset, ax=None, lang: str = "en", top: int = 10):
    """Horizontal bars from the lowest to the highest decile's P(NPV < 0), top drivers first."""
    import matplotlib.pyplot as plt

    from simrisk.plot._fmt import Fmt

    w = _words(lang)
    f = Fmt(lang)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.45 * min(top, s.sizes["parameter"]) + 1.6))
    n = min(top, s.sizes["parameter"])
    names = [_name(str(p), lang) for p in s["parameter"].values[:n]]
    lo = s["p_npv_negative"].values[:n, 0]
    hi = s["p_npv_negative"].values[:n, -1]
    y = np.arange(n)[::-1]
    for yi, a, b in zip(y, lo, hi, strict=True):
        ax.plot([a, b], [yi, yi], color="0.75", lw=6, solid_capstyle="butt", zorder=1)
    ax.scatter(lo, y, color="#1f77b4", zorder=2, label=w["low"])
    ax.scatter(hi, y, color="#d62728", zorder=2, label=w["high"])
    p = float(s.attrs["p_npv_negative"])
    ax.axvline(p, color="0.3", ls="--", lw=1, label=f"{w['overall']}: {f.pct(p)}")
    ax.set_yticks(y, names)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(f.axis_pct())
    ax.set_xlabel(w["x"])
    ax.set_title(w["tornado_title"], fontsize=11)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_regional(s: xr.Dataset, parameter: str | None = None, ax=None, lang: str = "en"):
    """The prior's CDF in loss draws and in the rest (default: the top driver)."""
    import matplotlib.pyplot as plt

    from simrisk.plot._fmt import Fmt

    w = _words(lang)
    f = Fmt(lang)
    from matplotlib.ticker import FuncFormatter

    p = parameter or s.attrs["top_driver"]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.2))
    row = s.sel(parameter=p)
    x = row["grid_value"].values
    ax.plot(x, row["cdf_loss"].values, color="#d62728", label=w["loss"])
    ax.plot(x, row["cdf_rest"].values, color="#1f77b4", label=w["rest"])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(f.axis_pct())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f.num(v, 2)))
    ax.set_xlabel(f"{_name(p, lang)}: {w['value']}")
    ax.set_ylabel(w["cdf"])
    ax.set_title(
        w["regional_title"].format(p=_name(p, lang), ks=f.num(float(row["ks_loss"]), 2)),
        fontsize=11,
    )
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    return ax


def save_sensitivity_figure(s: xr.Dataset, path, lang: str = "en") -> None:
    """The tornado and the top driver's regional CDFs side by side, saved atomically."""
    import matplotlib.pyplot as plt

    from simrisk.plot._util import save_figure

    fig, (a, b) = plt.subplots(1, 2, figsize=(15, 5.5), width_ratios=[1.2, 1])
    plot_tornado(s, ax=a, lang=lang)
    plot_regional(s, ax=b, lang=lang)
    fig.tight_layout()
    save_figure(fig, path)
