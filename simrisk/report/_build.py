"""Build the PDF: one matplotlib figure per page, written atomically."""

from __future__ import annotations

import os
import textwrap
import uuid
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.backends.backend_pdf import PdfPages

from simrisk.core.errors import SimriskError
from simrisk.kinds.contract.dataset import RESULT_KIND
from simrisk.kinds.contract.summary import REQUIRED_VARIABLES, summarize
from simrisk.plot import (
    Fmt,
    plot_cash_flow_fan,
    plot_deadweight,
    plot_irr,
    plot_net_saving,
    plot_npv,
    plot_npv_cdf,
    plot_repayment_curve,
    plot_wellby_fan,
)
from simrisk.plot._words import word
from simrisk.report._assumptions import prior_rows

__all__ = ["REPORT_VARIABLES", "build_report"]

A4 = (11.69, 8.27)  # landscape, inches
REPORT_VARIABLES = (
    *REQUIRED_VARIABLES,
    "cash_flow_by_year",
    "payment_per_success",
    "cap",
    "goal_payer",
    "implied_success_rate",
    "implied_counterfactual_rate",
    "assumed_success_rate",
)
WELLBY_VARIABLES = (
    "projection_value_band",
    "projection_value_central",
    "pilot_value_band",
    "pilot_value_central",
    "pilot_total_wellby_band",
    "pilot_total_wellby_central",
)


def _t(key: str, lang: str) -> str:
    return word(f"report.{key}", lang)


def _check(ds: xr.Dataset, required, kind: str, what: str) -> None:
    if ds.attrs.get("simrisk_kind") != kind:
        raise SimriskError(f"{what}: not a simrisk result of kind {kind!r}")
    missing = [v for v in required if v not in ds.variables]
    if missing:
        raise SimriskError(f"{what}: lacks variables the report needs: {', '.join(missing)}")


def _footer(fig, ds: xr.Dataset, lang: str, page: int) -> None:
    text = (
        f"simrisk {ds.attrs.get('simrisk_version', '?')} · config sha256 "
        f"{str(ds.attrs.get('config_sha256', ''))[:12]} · {_t('seed', lang)} "
        f"{ds.attrs.get('seed')} · {Fmt(lang).num(int(ds.attrs.get('draws', 0)))} "
        f"{_t('draws', lang)} · {ds.attrs.get('created_at', '')} · {page}"
    )
    fig.text(0.5, 0.012, text, ha="center", va="bottom", fontsize=7, color="#555555")


def _names(ds) -> dict[str, str]:
    """Payer id -> the payer's name in the config (e.g. 'Norddjurs Kommune')."""
    import json

    scen = json.loads(ds.attrs["scenario_json"])
    return {p["id"]: p["name"] for p in scen.get("payers", [])}


def _answer_page(ds, s, lang):
    f = Fmt(lang)
    names = _names(ds)
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.93, f"{_t('title', lang)}: {s['scenario']}", fontsize=16, weight="bold")
    fig.text(
        0.05,
        0.895,
        f"{f.num(s['draws'])} {_t('draws', lang)}, {_t('seed', lang)} "
        f"{s['seed']}" + (" · fixed parameters" if s["fixed_parameters"] else ""),
        fontsize=9,
        color="#444444",
    )
    rows = [
        (
            _t("p_loss_nominal", lang),
            f"{f.pct(s['p_loss_nominal'])}  ± {f.pct(s['p_loss_nominal_se'], 2)}",
        ),
        (
            _t("p_loss_npv", lang),
            f"{f.pct(s['p_npv_negative'])}  ± {f.pct(s['p_npv_negative_se'], 2)}",
        ),
        (
            _t("irr", lang),
            f"{f.pct(s['irr']['p50'])} ({f.pct(s['irr']['p5'])} … {f.pct(s['irr']['p95'])})"
            f"  ± {f.pct(s['irr']['p50_se'], 2)}",
        ),
        (_t("es", lang), f"{f.dkk(s['es5_npv'])}  ± {f.num(s['es5_npv_se'])}"),
    ]
    caps = dict(zip(ds["payer"].values, ds["cap"].values, strict=True))
    rep_by_payer = ds["repayments_by_payer"]
    for payer, d in s["repayments"].items():
        if payer == "total":
            extra = f"{_t('capital', lang)} {f.dkk(s['capital'])}"
        elif np.isfinite(caps.get(payer, np.inf)):
            bind = float((rep_by_payer.sel(payer=payer).values >= caps[payer] - 1).mean())
            extra = f"{_t('vs_cap', lang)} {f.dkk(caps[payer])}; {_t('p_cap', lang)} {f.pct(bind)}"
        else:
            extra = _t("no_cap", lang)
        rows.append(
            (
                f"{_t('repay', lang)}: {names.get(payer, payer)}",
                f"{f.dkk(d['mean'])}  ± {f.num(d['mean_se'])}   ({extra})",
            )
        )
    for a, d in s["net_saving"].items():
        rows.append(
            (
                f"{_t('net_saving', lang)}: {names.get(a, a)}",
                f"{f.dkk(d['mean'])}  ± {f.num(d['mean_se'])}",
            )
        )
    dw = s["deadweight_share"]
    rows.append((_t("deadweight", lang), f"{f.pct(dw['mean'])}  ± {f.pct(dw['mean_se'], 2)}"))
    y = 0.85
    fig.text(0.05, y, _t("answer", lang), fontsize=12, weight="bold")
    y -= 0.042
    for label, value in rows:
        main, _, extra = value.partition("   (")
        fig.text(0.06, y, label, fontsize=9.5)
        fig.text(0.52, y, main, fontsize=9.5, family="monospace")
        if extra:
            fig.text(0.74, y, extra.rstrip(")"), fontsize=8, color="#444444")
        y -= 0.033
    fig.text(0.06, y - 0.005, _t("se_note", lang), fontsize=8, style="italic", color="#444444")
    ax = fig.add_axes((0.08, 0.1, 0.84, 0.25))
    plot_npv(ds, ax=ax, lang=lang)
    return fig


def _two(ds, lang, left, right):
    fig, axs = plt.subplots(1, 2, figsize=A4, layout="constrained")
    left(ds, ax=axs[0], lang=lang)
    right(ds, ax=axs[1], lang=lang)
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    return fig


def _one(ds, lang, plot):
    fig, ax = plt.subplots(figsize=A4, layout="constrained")
    plot(ds, ax=ax, lang=lang)
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    return fig


def _assumptions_page(ds, s, lang, wellby=None):
    from simrisk.kinds.contract.config import Scenario

    f = Fmt(lang)
    scenario = Scenario.model_validate_json(ds.attrs["scenario_json"], strict=False)
    rows = prior_rows(scenario, ds.attrs.get("config", ""))
    fig = plt.figure(figsize=A4)
    fig.text(0.04, 0.95, _t("assumptions", lang), fontsize=13, weight="bold")
    y = 0.91
    cols = (0.04, 0.25, 0.47, 0.53)
    for x, key in zip(cols, ("param", "dist", "central", "source"), strict=True):
        fig.text(x, y, _t(key, lang), fontsize=8, weight="bold")
    y -= 0.022
    for name, dist, central, src in rows:
        lines = textwrap.wrap(src or "—", 95) or ["—"]
        fig.text(cols[0], y, name, fontsize=7.5)
        fig.text(cols[1], y, dist, fontsize=7.5)
        fig.text(cols[2], y, f.num(central, 3), fontsize=7.5)
        for line in lines[:4]:
            fig.text(cols[3], y, line, fontsize=7)
            y -= 0.017
        y -= 0.006
    y -= 0.01
    fig.text(0.04, y, _t("tensions", lang), fontsize=11, weight="bold")
    y -= 0.03
    for g, d in s["success_rate"].items():
        text = (
            f"{g}: the contract assumes {f.pct(d['assumed'])} success; the model gives "
            f"{f.pct(d['implied_at_central'])} at the priors' central values and "
            f"{f.pct(d['counterfactual_at_central'])} without the intervention (the rest is "
            f"what the intervention causes); simulated mean {f.pct(d['mean'])}."
            if lang == "en"
            else f"{g}: kontrakten antager {f.pct(d['assumed'])} succes; modellen giver "
            f"{f.pct(d['implied_at_central'])} ved priors' centrale værdier og "
            f"{f.pct(d['counterfactual_at_central'])} uden indsatsen; simuleret middel "
            f"{f.pct(d['mean'])}."
        )
        for line in textwrap.wrap(text, 170):
            fig.text(0.05, y, line, fontsize=8)
            y -= 0.02
    if wellby is not None and "goal3_success_probability_central" in wellby:
        band = wellby["goal3_success_probability_band"].sel(ci_prob=0.9)
        lo, hi = (float(band.sel(ci_bound=b)) for b in ("lower", "upper"))
        p = float(wellby["goal3_success_probability_central"])
        text = (
            f"goal 3 and the OPI-AIMS pilot: the pilot's change implies a {f.pct(p)} chance that "
            f"a citizen's 0-10 score strictly rises (90% band {f.pct(lo)} to {f.pct(hi)}), "
            "against the contract's assumption above."
            if lang == "en"
            else f"mål 3 og OPI-AIMS-piloten: pilotens ændring giver {f.pct(p)} "
            f"sandsynlighed for at en borgers score stiger (90 %-interval {f.pct(lo)} "
            f"til {f.pct(hi)}), mod kontraktens antagelse ovenfor."
        )
        for line in textwrap.wrap(text, 170):
            fig.text(0.05, y, line, fontsize=8, weight="bold")
            y -= 0.02
    return fig


def _wellby_page(wb, lang):
    f = Fmt(lang)
    fig = plt.figure(figsize=A4)
    ax = fig.add_axes((0.1, 0.1, 0.55, 0.8))
    plot_wellby_fan(wb, ax=ax, lang=lang)
    fig.text(
        0.68, 0.9, textwrap.fill(_t("wellby", lang), 38), fontsize=11, weight="bold", va="top"
    )
    y = 0.8
    da = lang == "da"
    items = [
        ("pilot_total_wellby", "WELLBY i alt" if da else "total WELLBY", lambda v: f.num(v, 1)),
        ("pilot_value", "værdi (kr.)" if da else "value (DKK)", f.num),
        (
            "pilot_value_net",
            "værdi fratrukket regression mod middelværdien (kr.)"
            if da
            else "value net of regression to the mean (DKK)",
            f.num,
        ),
        (
            "goal3_success_probability",
            "mål 3: P(stigning)" if da else "goal 3: P(strict rise)",
            f.pct,
        ),
    ]
    for key, name, fm in items:
        if f"{key}_central" not in wb:
            continue
        band = wb[f"{key}_band"].sel(ci_prob=0.9)
        fig.text(0.68, y, name, fontsize=9)
        fig.text(
            0.70,
            y - 0.03,
            f"{fm(float(wb[f'{key}_central']))}  ({f.pct(0.9, 0)}: "
            f"{fm(float(band.sel(ci_bound='lower')))}"
            f" … {fm(float(band.sel(ci_bound='upper')))})",
            fontsize=9,
            family="monospace",
        )
        y -= 0.08
    return fig


def build_report(
    ds: xr.Dataset,
    out: str | Path,
    lang: str = "en",
    figures: str | Path | None = None,
    wellby: xr.Dataset | None = None,
) -> list[str]:
    """Write the committee's PDF report of a run; returns the page names.

    Parameters
    ----------
    ds : xarray.Dataset
        A ``simrisk run`` result.
    out : path
        The PDF, written atomically (temporary file, then rename).
    lang : {"en", "da"}
        Labels and number format (Danish: 1.234.567 kr., 11,5 %).
    figures : path, optional
        A folder; each page is also written there as PNG and SVG.
    wellby : xarray.Dataset, optional
        A ``simrisk wellby --out`` result, for the WELLBY page.
    """
    if lang not in ("en", "da"):
        raise SimriskError(f"--lang {lang!r}: must be 'en' or 'da'")
    _check(ds, REPORT_VARIABLES, RESULT_KIND, "results")
    if "scenario_json" not in ds.attrs:
        raise SimriskError(
            "results: lacks the attribute scenario_json (rerun with this simrisk version)"
        )
    if wellby is not None:
        from simrisk.kinds.wellby.dataset import WELLBY_KIND

        _check(wellby, WELLBY_VARIABLES, WELLBY_KIND, "--wellby")
    s = summarize(ds)
    pages = [
        ("answer", lambda: _answer_page(ds, s, lang)),
        ("irr_npv", lambda: _two(ds, lang, plot_irr, plot_npv)),
        ("npv_cdf", lambda: _one(ds, lang, plot_npv_cdf)),
        ("repayment_curve", lambda: _one(ds, lang, plot_repayment_curve)),
        ("cash_flow", lambda: _one(ds, lang, plot_cash_flow_fan)),
        ("net_saving", lambda: _one(ds, lang, plot_net_saving)),
        ("deadweight", lambda: _one(ds, lang, plot_deadweight)),
    ]
    if wellby is not None:
        pages.append(("wellby", lambda: _wellby_page(wellby, lang)))
    pages.append(("assumptions", lambda: _assumptions_page(ds, s, lang, wellby)))

    target = Path(out)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
    fig_dir = Path(figures) if figures is not None else None
    made_dir = fig_dir is not None and not fig_dir.exists()
    if fig_dir is not None:
        fig_dir.mkdir(parents=True, exist_ok=True)
    # Figures go to temporary names and are renamed only once the PDF is
    # complete, so a failed or interrupted report leaves no half set behind.
    figs: list[tuple[Path, Path]] = []
    done = False
    try:
        with PdfPages(tmp) as pdf:
            for k, (name, make) in enumerate(pages, start=1):
                fig = make()
                _footer(fig, ds, lang, k)
                pdf.savefig(fig)
                if fig_dir is not None:
                    for ext in ("png", "svg"):
                        final = fig_dir / f"page_{k:02d}_{name}.{ext}"
                        part = fig_dir / f".{final.stem}.{uuid.uuid4().hex[:8]}.part.{ext}"
                        figs.append((part, final))
                        fig.savefig(part, dpi=110)
                plt.close(fig)
        for part, final in figs:
            os.replace(part, final)
        os.replace(tmp, target)
        done = True
    finally:
        tmp.unlink(missing_ok=True)
        for part, _ in figs:
            part.unlink(missing_ok=True)
        if made_dir and not done:
            import shutil

            shutil.rmtree(fig_dir, ignore_errors=True)
    return [name for name, _ in pages]
