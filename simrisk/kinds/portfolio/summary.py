"""Summaries of a portfolio result, each figure with its Monte Carlo standard error.

A probability ``p`` from ``N`` draws has SE ``sqrt(p (1 - p) / N)``; a mean
has ``sd / sqrt(N)``; a quantile's SE is the core's exact bootstrap SE
(:func:`simrisk.core.summary.quantile_se`, Hutson and Ernst 2000). The value of
screening is a paired difference on common random numbers, so its SE is the
SD of the per-draw differences over ``sqrt(N)``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.core.summary import describe
from simrisk.kinds.portfolio._words import Num, word
from simrisk.kinds.portfolio.config import KIND
from simrisk.kinds.portfolio.decision import NO_POOL

__all__ = [
    "REQUIRED_VARIABLES",
    "VOI_DRAWS",
    "VOI_POSTERIOR",
    "acceptability",
    "format_summary",
    "summarize",
    "value_of_information",
]

#: EVPPI's regressions run on at most this many draws (the first ones; draws
#: are independent, so they are a random subsample) with this many posterior
#: draws of the regression's coefficients for its SE: about 10 s for the
#: three options and eight parameters, where all 100,000 draws with 100
#: posterior draws take several times longer on every ``simrisk run``.
VOI_DRAWS = 50_000
VOI_POSTERIOR = 50

_PROVENANCE = ("scenario", "seed", "draws", "config_sha256", "simrisk_version", "discount_rate")

REQUIRED_VARIABLES = (
    "npv",
    "npv_without_screening",
    "npv_money",
    "staff_fte_years",
    "patient_hours",
    "cumulative_net_benefit",
    "break_even_year",
    "algorithms_started",
    "algorithms_live",
    "algorithms_stopped",
    "algorithms_stopped_late",
    "algorithms_live_with_gain",
    "pool_unspent",
    "parameters",
)


def check_result(ds: xr.Dataset, what: str = "result") -> None:
    """Raise a one-line error unless ``ds`` is a portfolio result with the needed variables."""
    if ds.attrs.get("kind") != KIND:
        raise SimriskError(f"{what}: not a simrisk result of kind {KIND!r}")
    missing = [v for v in REQUIRED_VARIABLES if v not in ds.variables]
    if missing:
        raise SimriskError(f"{what}: lacks variables: {', '.join(missing)}")


def _mean(x: np.ndarray) -> dict:
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    return {"mean": float(x.mean()), "se": float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0}


def _prob(mask: np.ndarray) -> dict:
    n = mask.size
    p = float(np.count_nonzero(mask)) / n
    return {"value": p, "se": math.sqrt(p * (1 - p) / n)}


def _dist(x: np.ndarray) -> dict:
    """Mean (SE under ``se``), SD and P5/P50/P95 with the core's exact-bootstrap SEs."""
    d = describe(np.asarray(x, dtype=np.float64))
    out = {"mean": d["mean"], "se": d["mean_se"], "sd": d["sd"]}
    for name in ("p5", "p50", "p95"):
        out[name], out[f"{name}_se"] = d[name], d[f"{name}_se"]
    return out


def net_benefit_at(ds: xr.Dataset, staff_hour_value: float) -> np.ndarray:
    """NPV ``[draw, option]`` (with screening) with staff time at ``staff_hour_value`` DKK/h."""
    hours = float(ds.attrs["hours_per_fte"])
    v = ds["npv_money"].sel(screening="with").values.astype(np.float64)
    v = v + staff_hour_value * hours * ds["staff_fte_years"].sel(screening="with").values
    if int(ds.attrs.get("include_patient_time", 0)):
        v = (
            v
            + float(ds.attrs["patient_hour_value"])
            * ds["patient_hours"].sel(screening="with").values
        )
    return v


def acceptability(ds: xr.Dataset, staff_hour_values, no_pool: bool = False) -> np.ndarray:
    """P(each option has the highest net benefit) over staff-hour values: ``[values, option]``.

    With ``no_pool``, the first column is no pool (net benefit 0 in every
    world) and the options follow. Ties (identical net benefits) go to the
    first in that order, so no pool wins a tie with an option.
    """
    out = []
    for v in staff_hour_values:
        nb = net_benefit_at(ds, float(v))
        if no_pool:
            nb = np.column_stack([np.zeros(nb.shape[0]), nb])
        best = np.argmax(nb, axis=1)
        out.append(np.bincount(best, minlength=nb.shape[1]) / nb.shape[0])
    return np.array(out)


def value_of_information(
    ds: xr.Dataset,
    max_draws: int = VOI_DRAWS,
    n_post: int = VOI_POSTERIOR,
    parameters=None,
    groups=None,
    seed: int = 0,
) -> xr.Dataset:
    """EVPI and EVPPI per parameter for the choice among the budget options.

    The core's :func:`simrisk.core.voi.voi_dataset` (the numerics behind
    :func:`simrisk.decision.voi`) with the net benefit ``[draw, option]`` =
    no pool (0) and each option's NPV (with screening, staff time at the
    stated wage). EVPPI's regressions run on the first ``max_draws`` draws
    (attribute ``subsample``); EVPI, its SE, the expected net benefits and
    the best option are over every draw (attribute ``evpi_draws``), so they
    are the decision summary's figures (:mod:`simrisk.decision.rules`).
    """
    from simrisk.core.voi import evpi, voi_dataset

    n = min(int(ds.sizes["draw"]), int(max_draws))
    sub = ds.isel(draw=slice(0, n))
    X = sub["parameters"].values.astype(np.float64)
    keep = [k for k in range(X.shape[1]) if np.ptp(X[:, k]) > 0]
    names = [str(sub["parameter"].values[k]) for k in keep]
    npv = sub["npv"].values.astype(np.float64)
    v = voi_dataset(
        np.column_stack([np.zeros(npv.shape[0]), npv]),
        X[:, keep],
        names,
        {} if groups is None else groups,
        [NO_POOL, *(str(o) for o in ds["option"].values)],
        parameters=parameters,
        n_post=n_post,
        seed=seed,
        attrs={
            **{k: ds.attrs[k] for k in _PROVENANCE if k in ds.attrs},
            # what simrisk.decision's base_attrs gives a decision result
            "simrisk_kind": "simrisk.decision",
            "analysis": "voi",
            "source_draws": n,
        },
    )
    N = int(ds.sizes["draw"])
    if n < N:  # EVPI is a mean over draws, cheap on all of them: one figure everywhere
        nb = np.column_stack([np.zeros(N), ds["npv"].values.astype(np.float64)])
        e, e_se = evpi(nb)
        mean = nb.mean(axis=0)
        v["evpi"] = v["evpi"].copy(data=e)
        v["evpi_se"] = v["evpi_se"].copy(data=e_se)
        v["expected_nb"] = v["expected_nb"].copy(data=mean)
        v["expected_nb_best"] = v["expected_nb_best"].copy(data=mean.max())
        v.attrs["best_option"] = str(v["option"].values[int(np.argmax(mean))])
    v.attrs["evpi_draws"] = N
    v.attrs["subsample"] = n
    v.attrs["scenario"] = str(ds.attrs.get("name", ""))
    return v


def summarize(ds: xr.Dataset) -> dict:
    """The per-option answers of a portfolio run, JSON-ready.

    Keys: ``options.<id>.p_net_benefit_positive`` (value, se), ``npv`` (mean,
    se, sd, p5, p50, p95 with SEs), ``p_net_benefit_positive_by_year``,
    ``break_even``, ``algorithms_live`` (and started, stopped,
    stopped_late, live_with_gain; mean, se), ``value_of_screening`` (mean,
    se, p_positive), ``npv_without_screening``, ``patient_hours``; and
    ``acceptability`` (P(best) per option over staff-hour values); ``evpi``
    and ``evppi.<parameter>`` (value, se in DKK: the choice among no pool and
    the options, :func:`value_of_information`; EVPI over every draw, EVPPI
    on the first ``voi_draws``).
    ``p_best`` and ``acceptability.p_best`` have ``no_pool`` first.
    """
    check_result(ds)
    N = ds.sizes["draw"]
    years = [int(y) for y in ds["year"].values]
    options = {}
    npv = ds["npv"].values.astype(np.float64)
    for i, oid in enumerate(ds["option"].values):
        oid = str(oid)
        x = npv[:, i]
        cum = ds["cumulative_net_benefit"].isel(option=i).sel(screening="with").values
        be = ds["break_even_year"].isel(option=i).values
        within = np.isfinite(be)
        diff = x - ds["npv_without_screening"].isel(option=i).values.astype(np.float64)
        vos = _mean(diff)
        vos["p_positive"] = _prob(diff > 0)["value"]
        vos["p_positive_se"] = _prob(diff > 0)["se"]
        be_dist = {str(y): float(np.count_nonzero(be == y)) / N for y in years}
        options[oid] = {
            "name": str(ds["option_name"].values[i]),
            "budget_total": float(ds["budget_total"].values[i]),
            "p_net_benefit_positive": _prob(x > 0),
            "npv": _dist(x),
            "p_net_benefit_positive_by_year": {
                str(y): _prob(cum[:, k] > 0) for k, y in enumerate(years)
            },
            "break_even": {
                "p_within_horizon": _prob(within),
                # the worlds that never break even within the horizon, beside the
                # median year of those that do (the median says nothing about them)
                "p_never": _prob(~within),
                "median_year": float(np.median(be[within])) if within.any() else None,
                "share_by_year": be_dist,
            },
            "value_of_screening": vos,
            "npv_without_screening": _dist(
                ds["npv_without_screening"].isel(option=i).values.astype(np.float64)
            ),
            "patient_hours": _mean(ds["patient_hours"].isel(option=i).sel(screening="with")),
            "pool_unspent": _mean(ds["pool_unspent"].isel(option=i).sel(screening="with")),
        }
        for name in ("started", "live", "stopped", "stopped_late", "live_with_gain"):
            var = ds[f"algorithms_{name}"].isel(option=i)
            options[oid][f"algorithms_{name}"] = _mean(var.sel(screening="with").values)
            options[oid][f"algorithms_{name}_without_screening"] = _mean(
                var.sel(screening="without").values
            )
    grid = [float(v) for v in np.atleast_1d(ds.attrs["staff_hour_values"])]
    acc = acceptability(ds, grid, no_pool=True)
    wage_hour = float(ds.attrs["wage_per_fte"]) / float(ds.attrs["hours_per_fte"])
    at_wage = acceptability(ds, [wage_hour], no_pool=True)[0]
    opt_ids = [NO_POOL, *(str(o) for o in ds["option"].values)]
    v = value_of_information(ds)
    return {
        "kind": "portfolio",
        "name": str(ds.attrs.get("name", "")),
        "draws": int(N),
        "seed": int(ds.attrs["seed"]),
        "config_sha256": str(ds.attrs.get("config_sha256", "")),
        "discount_rate": float(ds.attrs["discount_rate"]),
        "valuation_date": str(ds.attrs["valuation_date"]),
        "wage_per_fte": float(ds.attrs["wage_per_fte"]),
        "staff_hour_value": wage_hour,
        "patient_hour_value": float(ds.attrs["patient_hour_value"]),
        "include_patient_time": bool(int(ds.attrs["include_patient_time"])),
        "years": years,
        "options": options,
        "p_best": {
            oid: {"value": float(p), "se": math.sqrt(p * (1 - p) / N)}
            for oid, p in zip(opt_ids, at_wage, strict=True)
        },
        "acceptability": {
            "staff_hour_values": grid,
            "p_best": {oid: [float(p) for p in acc[:, k]] for k, oid in enumerate(opt_ids)},
            "se_max": float(math.sqrt(0.25 / N)),
        },
        "evpi": {"value": float(v["evpi"]), "se": float(v["evpi_se"])},
        "evppi": {
            str(t): {"value": float(v["evppi"].values[k]), "se": float(v["evppi_se"].values[k])}
            for k, t in enumerate(v["target"].values)
        },
        "voi_draws": int(v.attrs["subsample"]),
        "voi_posterior_draws": int(v.attrs["n_post"]),
        "voi_best_option": str(v.attrs["best_option"]),
    }


def format_summary(summary: dict, lang: str = "en") -> str:
    """A terminal table of :func:`summarize`'s answer (``lang`` ``"en"`` or ``"da"``)."""
    f = Num(lang)
    s = summary
    opts = s["options"]
    ids = list(opts)
    width = 22

    def row(label: str, cells) -> str:
        return f"{label:34}" + "".join(f"{c:>{width}}" for c in cells)

    def pm(x: dict, key: str = "value", pct: bool = True) -> str:
        if pct:
            return f"{f.pct(x[key])} ± {f.pct(x['se'])}"
        unit = "mio. kr." if lang == "da" else "mio DKK"
        return f"{f.num(x['mean'] / 1e6, 1)} ± {f.num(x['se'] / 1e6, 2)} {unit}"

    lines = [s["name"], ""]
    lines.append(
        word("summary.head", lang).format(
            rate=f.pct(s["discount_rate"]), date=s["valuation_date"], wage=f.dkk(s["wage_per_fte"])
        )
    )
    lines.append("")
    lines.append(row("", ids))
    lines.append(
        row(word("summary.budget", lang), [f.mio(opts[i]["budget_total"], 0) for i in ids])
    )
    lines.append(
        row(word("summary.p_pos", lang), [pm(opts[i]["p_net_benefit_positive"]) for i in ids])
    )
    lines.append(row(word("summary.npv_mean", lang), [pm(opts[i]["npv"], pct=False) for i in ids]))
    lines.append(
        row(
            word("summary.npv_band", lang),
            [
                " / ".join(f.num(opts[i]["npv"][q] / 1e6, 1) for q in ("p5", "p50", "p95"))
                for i in ids
            ],
        )
    )
    lines.append(
        row(
            word("summary.live", lang), [f.num(opts[i]["algorithms_live"]["mean"], 2) for i in ids]
        )
    )
    lines.append(
        row(
            word("summary.stopped", lang),
            [f.num(opts[i]["algorithms_stopped"]["mean"], 2) for i in ids],
        )
    )
    lines.append(
        row(word("summary.vos", lang), [pm(opts[i]["value_of_screening"], pct=False) for i in ids])
    )
    lines.append(
        row(
            word("summary.break_even", lang),
            [pm(opts[i]["break_even"]["p_within_horizon"]) for i in ids],
        )
    )
    lines.append(
        row(word("summary.p_never", lang), [pm(opts[i]["break_even"]["p_never"]) for i in ids])
    )
    lines.append(
        row(
            word("summary.break_even_median", lang),
            [
                str(int(opts[i]["break_even"]["median_year"]))
                if opts[i]["break_even"]["median_year"] is not None
                else "-"
                for i in ids
            ],
        )
    )
    lines.append(row(word("summary.p_best", lang), [pm(s["p_best"][i]) for i in ids]))
    if NO_POOL in s["p_best"]:
        lines.append(row(f"  {word('summary.no_pool', lang)}", [pm(s["p_best"][NO_POOL])]))
    lines.append(
        row(
            word("summary.patients", lang),
            [f.num(opts[i]["patient_hours"]["mean"]) for i in ids],
        )
    )
    lines.append("")
    lines.append(word("summary.by_year", lang))
    for y in s["years"]:
        lines.append(
            row(f"  {y}", [pm(opts[i]["p_net_benefit_positive_by_year"][str(y)]) for i in ids])
        )
    if "evpi" in s:
        lines.append("")
        lines.append(
            word("summary.voi", lang).format(
                evpi=pm({"mean": s["evpi"]["value"], "se": s["evpi"]["se"]}, pct=False),
                n=f.num(s["voi_draws"]),
            )
        )
        for p, e in sorted(s["evppi"].items(), key=lambda kv: -kv[1]["value"]):
            lines.append(row(f"  {p}", [pm({"mean": e["value"], "se": e["se"]}, pct=False)]))
    lines.append("")
    lines.append(word("summary.se", lang).format(n=f.num(s["draws"]), seed=s["seed"]))
    return "\n".join(lines)


def summary_json(summary: dict) -> str:
    """The summary as indented JSON."""
    return json.dumps(summary, indent=2, ensure_ascii=False)
