"""Value of information: EVPI and EVPPI for a result's decision.

The decision is a choice among alternatives ``d`` with net benefit
``NB[draw, d]``, any number of them (for DSI: do not lend, NB = 0; lend,
NB = NPV at the investor's rate; a portfolio: its budget options).

- ``EVPI = E[max_d NB_d] - max_d E[NB_d]``: what knowing everything (the
  parameters and the citizens' chance) before deciding would be worth.
- ``EVPPI(S) = E_S[max_d E[NB_d | theta_S]] - max_d E[NB_d]``: what knowing
  the parameters ``S`` would be worth.

The numerics are in :mod:`simrisk.core.voi` (so a model kind's summary uses
the same code): ``E[NB_d - NB_0 | theta_S]`` by a penalised regression
spline (:mod:`simrisk.core.regression`; a cubic B-spline basis with a
difference penalty and GCV for one parameter, additive main effects plus a
tensor product for a group), cross-fitted on two halves of the draws so that
the estimate is not inflated near break-even, with an SE from the draws'
paired differences and the fitted rule's regret under coefficient draws.
Here: the Dataset-level :func:`voi`, the nested Monte Carlo reference, named
groups, JSON and the terminal table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.core.voi import check_nb, evpi, evppi, voi_dataset
from simrisk.decision._common import (
    base_attrs,
    dkk,
    outcomes,
    pct,
    strict_json,
    var,
    varying_parameters,
)

__all__ = [
    "add_nested",
    "default_groups",
    "evpi",
    "evppi",
    "evppi_nested",
    "format_voi",
    "voi",
    "voi_json",
]

_check_nb = check_nb  # the old private name, kept for callers inside the package


def evppi_nested(nb: np.ndarray) -> dict[str, float]:
    """EVPPI from a two-level (nested) Monte Carlo run, the reference for the regression.

    Parameters
    ----------
    nb : ndarray, shape (outer, inner) or (outer, inner, option)
        Net benefit for inner draw ``j`` given outer value ``k`` of the
        parameters of interest; a 2-D array is DSI's lend (NB) or not (0).
        The outer values must be one stratified draw per equal-probability
        stratum, in stratum order (as
        :func:`simrisk.decision._engine.nested_evppi_draws` makes them).

    Returns
    -------
    dict
        ``value`` = ``mean_k max_d m_kd - max_d mean_k m_kd`` with ``m`` the
        inner means; ``se``: from adjacent pairs of strata,
        ``sqrt(sum_pairs (h_a - h_b)^2) / K`` with ``h_k = max_d m_kd -
        m_kd*`` (conservative; it includes the inner runs' noise); ``bias``:
        the upward bias that noise in the inner means gives ``max``,
        estimated as ``mean_k E[max(m_k + e, 0)] - max(m_k, 0)`` for normal
        ``e`` with the inner SE (two options only, else NaN).
    """
    from scipy.stats import norm

    nb = np.asarray(nb, dtype=np.float64)
    if nb.ndim == 2:
        nb = np.stack([np.zeros_like(nb), nb], axis=2)
    K, J, _ = nb.shape
    if K < 2 or J < 2:
        raise SimriskError(f"nested EVPPI needs outer >= 2 and inner >= 2, got {K} x {J}")
    m = nb.mean(axis=1)  # [K, D]
    best = int(np.argmax(m.mean(axis=0)))
    h = m.max(axis=1) - m[:, best]
    pairs = h[: K - K % 2].reshape(-1, 2)
    se = float(np.sqrt(((pairs[:, 0] - pairs[:, 1]) ** 2).sum()) / K)
    bias = float("nan")
    if nb.shape[2] == 2:
        inc = nb[:, :, 1] - nb[:, :, 0]
        mu = inc.mean(axis=1)
        s = inc.std(axis=1, ddof=1) / math.sqrt(J)
        z = mu / s
        bias = float((mu * norm.cdf(z) + s * norm.pdf(z) - np.maximum(mu, 0)).mean())
    return {"value": float(h.mean()), "se": se, "bias": bias, "outer": K, "inner": J}


def default_groups(names: Sequence[str]) -> dict[str, list[str]]:
    """Named groups: ``population`` (recruitment, retention), one per goal, ``effects``."""
    groups: dict[str, list[str]] = {}
    pop = [n for n in names if n in ("recruitment", "retention")]
    if len(pop) > 1:
        groups["population"] = pop
    for n in names:
        if "." in n:
            groups.setdefault(n.split(".", 1)[0], []).append(n)
    eff = [n for n in names if n.endswith(".effect")]
    if len(eff) > 1:
        groups["effects"] = eff
    return {k: v for k, v in groups.items() if len(v) > 1}


def net_benefit(ds: xr.Dataset) -> tuple[np.ndarray, list[str]]:
    """DSI's decision: do not lend (NB = 0) or lend (NB = NPV at the investor's rate)."""
    npv = outcomes(ds)["npv"]
    return np.column_stack([np.zeros_like(npv), npv]), ["do not lend", "lend"]


def voi(
    ds: xr.Dataset,
    groups: Mapping[str, Sequence[str]] | None = None,
    nb: np.ndarray | None = None,
    options: Sequence[str] | None = None,
    n_post: int = 100,
    seed: int = 0,
    parameters: Sequence[str] | None = None,
    fit_draws: int | None = None,
) -> xr.Dataset:
    """EVPI, and EVPPI for every varying parameter and for named groups.

    Parameters
    ----------
    ds : xarray.Dataset
        A result with per-draw ``parameters`` (and ``npv`` unless ``nb`` is given).
    groups : mapping of str to list of str, optional
        Named groups of parameters (default :func:`default_groups`).
    nb : ndarray, shape (draw, option), optional
        Net benefit per option; default DSI's lend (NPV) or not (0). A
        portfolio model passes its options here.
    options : list of str, optional
        Option names (default ``option0``...).
    parameters : list of str, optional
        Only these single parameters (default: all that vary).
    n_post : int
        Coefficient draws for the regression's error term.
    seed : int
        Seed of the split into halves and the coefficient draws.
    fit_draws : int, optional
        Fit the splines on a random subsample of at most this many draws
        (every draw is still decided and counted; the SE widens).

    Returns
    -------
    xarray.Dataset
        :func:`simrisk.core.voi.voi_dataset`'s: scalars ``evpi``,
        ``evpi_se``, ``expected_nb_best``; over dimension ``target``
        (parameters, then groups): ``evppi``, ``evppi_se``,
        ``evppi_se_regression``, ``evppi_se_mc``, ``evppi_plugin``, ``r2``,
        ``edf``; over ``option``: ``expected_nb``.
    """
    names, X = varying_parameters(ds)
    if nb is None:
        nb, options = net_benefit(ds)
    nb = check_nb(nb)
    options = list(options) if options is not None else [f"option{d}" for d in range(nb.shape[1])]
    groups = default_groups(names) if groups is None else dict(groups)
    return voi_dataset(
        nb,
        X,
        names,
        groups,
        options,
        parameters=parameters,
        n_post=n_post,
        seed=seed,
        fit_draws=fit_draws,
        attrs=base_attrs(ds, "voi"),
    )


def add_nested(v: xr.Dataset, nested: Mapping[str, Mapping[str, float]]) -> xr.Dataset:
    """``v`` with the nested Monte Carlo check of some single parameters beside the regression.

    Parameters
    ----------
    v : xarray.Dataset
        From :func:`voi`.
    nested : mapping of str to dict
        For each checked parameter,
        :func:`simrisk.decision._engine.nested_check`'s ``value``, ``se``,
        ``bias``, ``outer``, ``inner`` and ``first_draw``.

    Returns
    -------
    xarray.Dataset
        With ``evppi_nested``, ``evppi_nested_se`` and ``evppi_nested_bias``
        over ``target`` (NaN where not checked) and attrs ``nested_outer``,
        ``nested_inner`` and ``nested_first_draw``.
    """
    targets = [str(t) for t in v["target"].values]
    kinds = [str(k) for k in v["target_kind"].values]
    for p in nested:
        if p not in targets or kinds[targets.index(p)] != "parameter":
            raise SimriskError(f"nested check of {p!r}: not a single parameter of this VOI result")
    cols = {k: np.full(len(targets), np.nan) for k in ("value", "se", "bias")}
    for p, r in nested.items():
        for k in cols:
            cols[k][targets.index(p)] = r[k]
    out = v.copy()
    out["evppi_nested"] = var(("target",), cols["value"], "DKK", "EVPPI by nested Monte Carlo")
    out["evppi_nested_se"] = var(("target",), cols["se"], "DKK", "SE of the nested EVPPI")
    out["evppi_nested_bias"] = var(
        ("target",), cols["bias"], "DKK", "upward bias of the nested EVPPI from inner noise"
    )
    first = next(iter(nested.values()))
    out.attrs.update(
        nested_outer=int(first["outer"]),
        nested_inner=int(first["inner"]),
        nested_first_draw=int(first["first_draw"]),
    )
    return out


def voi_json(v: xr.Dataset) -> dict:
    """JSON form: ``evpi``, ``evpi_se``, ``evppi.<target>.{value,se,...}``, ``groups``."""
    out = {
        "scenario": v.attrs.get("scenario", ""),
        "draws": v.attrs["source_draws"],
        "options": [str(o) for o in v["option"].values],
        "expected_nb": dict(
            zip(map(str, v["option"].values), v["expected_nb"].values, strict=True)
        ),
        "best_option": v.attrs["best_option"],
        "evpi": float(v["evpi"]),
        "evpi_se": float(v["evpi_se"]),
        "evppi": {},
        "groups": {},
    }
    for i, t in enumerate(v["target"].values):
        row = {
            "value": v["evppi"].values[i],
            "se": v["evppi_se"].values[i],
            "se_regression": v["evppi_se_regression"].values[i],
            "se_mc": v["evppi_se_mc"].values[i],
            "r2": v["r2"].values[i],
            "method": str(v["method"].values[i]),
        }
        if "edf" in v:
            row["edf"] = v["edf"].values[i]
            row["plugin"] = v["evppi_plugin"].values[i]
        if "raised_to" in v.coords and str(v["raised_to"].values[i]):
            row["raised_to"] = str(v["raised_to"].values[i])
        if "evppi_nested" in v and np.isfinite(v["evppi_nested"].values[i]):
            row["nested"] = {
                "value": v["evppi_nested"].values[i],
                "se": v["evppi_nested_se"].values[i],
                "bias": v["evppi_nested_bias"].values[i],
            }
        if str(v["target_kind"].values[i]) == "group":
            row["members"] = str(v["members"].values[i]).split(",")
            out["groups"][str(t)] = row
        else:
            out["evppi"][str(t)] = row
    if "evppi_nested" in v:
        out["nested"] = {
            "outer": v.attrs["nested_outer"],
            "inner": v.attrs["nested_inner"],
            "first_draw": v.attrs["nested_first_draw"],
        }
    return strict_json(out, _WHY_NULL)


#: why a VOI value is NaN (``null_reasons`` of its JSON)
_WHY_NULL = {
    "r2": "the net benefit the regression fits is the same on every draw (no variance to explain)",
}


def format_voi(v: xr.Dataset) -> str:
    """EVPI and the EVPPI table, largest first."""
    j = voi_json(v)
    lines = [
        f"{j['scenario']}: {j['draws']:,} draws; best option without more information: "
        f"{j['best_option']} (expected net benefit {dkk(max(j['expected_nb'].values()))} DKK)",
        f"EVPI (knowing everything, citizens' chance included): {dkk(j['evpi'])} DKK "
        f"(SE {dkk(j['evpi_se'])})",
        "",
        f"{'EVPPI: knowing ...':<34}{'DKK':>12}{'SE':>10}{'% of EVPI':>11}{'R2':>7}",
    ]
    for kind, block in (("parameter", j["evppi"]), ("group", j["groups"])):
        for t, r in sorted(block.items(), key=lambda kv: -kv[1]["value"]):
            label = t if kind == "parameter" else f"{t} ({len(r['members'])})"
            if r.get("raised_to"):
                label += "*"
            share = pct(r["value"] / j["evpi"]) if j["evpi"] else "n/a"  # EVPI 0: no share
            r2 = "n/a" if r["r2"] is None or r["r2"] != r["r2"] else f"{r['r2']:.3f}"
            lines.append(f"  {label:<32}{dkk(r['value']):>12}{dkk(r['se']):>10}{share:>11}{r2:>7}")
        if kind == "parameter":
            lines.append("  groups:")
    if any(r.get("raised_to") for r in j["groups"].values()):
        lines.append(
            "  * raised to its best member's EVPPI (a group is worth at least any member)"
        )
    if "nested" in j:
        n = j["nested"]
        lines += [
            "",
            f"Nested Monte Carlo check ({n['outer']:,} outer x {n['inner']:,} inner draws per "
            f"parameter, draws from {n['first_draw']:,} on):",
            f"  {'':<32}{'regression':>12}{'SE':>10}{'nested':>12}{'SE':>10}{'bias':>10}",
        ]
        for t, r in j["evppi"].items():
            if "nested" in r:
                m = r["nested"]
                lines.append(
                    f"  {t:<32}{dkk(r['value']):>12}{dkk(r['se']):>10}{dkk(m['value']):>12}"
                    f"{dkk(m['se']):>10}{dkk(m['bias']):>10}"
                )
    return "\n".join(lines)
