"""Helpers shared by the decision modules: inputs from a result, Dataset and JSON plumbing."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError

DECISION_KIND = "simrisk.decision"


def var(dims, data, units: str, long_name: str, **extra) -> xr.Variable:
    """An :class:`xarray.Variable` with ``units`` and ``long_name``."""
    return xr.Variable(dims, data, attrs={"units": units, "long_name": long_name, **extra})


def require(ds: xr.Dataset, names: tuple[str, ...], what: str) -> None:
    """One-line error when ``ds`` lacks variables ``what`` needs."""
    missing = [v for v in names if v not in ds.variables]
    if missing:
        raise SimriskError(f"result lacks variables needed for {what}: {', '.join(missing)}")


def varying_parameters(ds: xr.Dataset) -> tuple[list[str], np.ndarray]:
    """Names and values ``[draw, k]`` of the parameters that vary between draws."""
    require(ds, ("parameters",), "decision analysis")
    X = ds["parameters"].values.astype(np.float64)
    names = [str(n) for n in ds["parameter"].values]
    keep = [k for k in range(X.shape[1]) if np.ptp(X[:, k]) > 0]
    if not keep:
        raise SimriskError(
            "result has no parameter uncertainty (every parameter is fixed; was it run with "
            "--fixed-parameters?)"
        )
    return [names[k] for k in keep], X[:, keep]


def outcomes(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Per-draw outcomes the decision layer looks at: NPV and the two loss events."""
    require(ds, ("npv",), "decision analysis")
    npv = ds["npv"].values.astype(np.float64)
    out = {"npv": npv, "npv_negative": (npv < 0).astype(np.float64)}
    if "repayments_total" in ds.variables and "capital" in ds.attrs:
        total = ds["repayments_total"].values.astype(np.float64)
        out["loss_nominal"] = (total < float(ds.attrs["capital"])).astype(np.float64)
    return out


def base_attrs(ds: xr.Dataset, analysis: str) -> dict:
    """Provenance for a decision Dataset: what it was computed from."""
    keep = ("scenario", "seed", "draws", "config_sha256", "simrisk_version", "discount_rate")
    out = {k: ds.attrs[k] for k in keep if k in ds.attrs}
    out["simrisk_kind"] = DECISION_KIND
    out["analysis"] = analysis
    out["source_draws"] = int(ds.sizes["draw"])
    return out


def jsonable(x):
    """Plain Python numbers (NaN as None) for ``json.dumps``."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        f = float(x)
        return None if not math.isfinite(f) else f
    return x


def strict_json(x, why: dict[str, str] | None = None) -> dict:
    """A decision result's JSON form: NaN and inf as null, ``null_reasons`` saying why.

    The one rule of ``--json`` (:func:`simrisk.core.jsonout.strict`); ``why``
    names the reason a field's NaN has in this result.
    """
    from simrisk.core.jsonout import strict

    return strict(x, why)


def prob_se(p, n) -> np.ndarray:
    """Binomial standard error of a proportion ``p`` from ``n`` draws."""
    p = np.asarray(p, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(p * (1 - p) / n)


def pct(x: float, digits: int = 1) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f}%"


def dkk(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:,.0f}"
