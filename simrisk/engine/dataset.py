"""Per-draw results as an xarray Dataset, and atomic NetCDF I/O.

Conventions (after ArviZ's schema): sample dimension ``draw``; every
dimension has a coordinate; every variable has ``units`` and
``long_name``; provenance in the Dataset's attributes.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import numpy as np
import xarray as xr

from simrisk.errors import SimriskError

__all__ = ["RESULT_KIND", "open_result", "to_dataset", "write_netcdf"]

RESULT_KIND = "simrisk.run"


def _var(dims, data, units, long_name, **extra):
    return xr.Variable(dims, data, attrs={"units": units, "long_name": long_name, **extra})


def to_dataset(
    inp,
    arrays,
    spec,
    *,
    config_text,
    created_at,
    version,
    implied,
    config_sha256,
    irr_reasons,
    rng,
) -> xr.Dataset:
    """Assemble the Dataset from the engine's compact arrays."""
    c = inp.contract
    s = inp.scenario
    N = spec.draws
    repaid = arrays["repaid"]
    payer_of_goal = c.goal_payer
    by_payer = np.stack(
        [
            repaid[:, :, payer_of_goal == p].sum(axis=(1, 2), dtype=np.float64)
            for p in range(len(c.payer_ids))
        ],
        axis=1,
    ).astype(np.float32)
    total = repaid.sum(axis=(1, 2), dtype=np.float64)
    saving = arrays["saving"]
    net = saving - by_payer[:, inp.auth_payer] if len(inp.authorities) else saving
    p1, p0 = implied
    data_vars = {
        "parameters": _var(
            ("draw", "parameter"),
            arrays["parameters"],
            "1",
            "drawn model parameters (one draw per simulated world)",
        ),
        "referred": _var(("draw",), arrays["referred"], "citizens", "citizens referred"),
        "measured": _var(
            ("draw", "cohort"), arrays["measured"], "citizens", "citizens measured after one year"
        ),
        "successes": _var(
            ("draw", "cohort", "goal"),
            arrays["successes"],
            "citizens",
            "citizens meeting the goal",
        ),
        "deadweight_successes": _var(
            ("draw", "cohort", "goal"),
            arrays["deadweight"],
            "citizens",
            "successes that would have happened without the intervention",
        ),
        "repayments": _var(
            ("draw", "cohort", "goal"), repaid, "DKK", "repayment to the investor after caps"
        ),
        "repayments_by_payer": _var(
            ("draw", "payer"), by_payer, "DKK", "repayment to the investor by payer"
        ),
        "repayments_total": _var(("draw",), total, "DKK", "total repayment to the investor"),
        "cash_flow_by_year": _var(
            ("draw", "year"),
            arrays["cash_year"],
            "DKK",
            "investor's net cash flow by calendar year",
        ),
        "irr": _var(
            ("draw",),
            arrays["irr"],
            "1",
            "investor's internal rate of return (XIRR)",
            note="fraction per year; -1 is a total loss; NaN where undefined (see irr_status)",
        ),
        "irr_status": _var(
            ("draw",),
            arrays["irr_status"],
            "1",
            "IRR status code",
            flag_values=np.array(sorted(irr_reasons), dtype=np.int8),
            flag_meanings=" ".join(
                irr_reasons[k].split(":")[0].replace(" ", "_") for k in sorted(irr_reasons)
            ),
        ),
        "npv": _var(
            ("draw",),
            arrays["npv"],
            "DKK",
            f"investor's NPV at {s.investor.discount_rate:.1%} on {c.valuation_date.isoformat()}",
        ),
        "moic": _var(("draw",), arrays["moic"], "1", "investor's money multiple"),
        "authority_saving": _var(
            ("draw", "authority"),
            saving,
            "DKK",
            "authority's saving caused by the intervention (cost-basis horizon)",
        ),
        "authority_net_saving": _var(
            ("draw", "authority"),
            net.astype(np.float32),
            "DKK",
            "authority's saving less its repayments",
        ),
        "deadweight_share": _var(
            ("draw",),
            arrays["dw_share"],
            "1",
            "share of repayments paying for deadweight successes",
        ),
        "implied_success_rate": _var(
            ("goal",), p1, "1", "P(success | measured) at the priors' central values"
        ),
        "implied_counterfactual_rate": _var(
            ("goal",), p0, "1", "P(success | measured) without the intervention, at central values"
        ),
        "assumed_success_rate": _var(
            ("goal",), c.success_rate, "1", "success rate the contract assumes (config)"
        ),
    }
    coords = {
        "draw": np.arange(N, dtype=np.int64),
        "cohort": list(c.cohort_ids),
        "goal": list(c.goal_ids),
        "payer": list(c.payer_ids),
        "year": inp.years.astype(np.int64),
        "authority": list(inp.authorities),
        "parameter": list(inp.space.names),
        "goal_payer": ("goal", [c.payer_ids[p] for p in c.goal_payer]),
        "payment_per_success": ("goal", c.payment),
        "cap": ("payer", c.cap),
        "repayment_date": (
            "cohort",
            [s.cohorts[i].repayment_date.isoformat() for i in range(len(c.cohort_ids))],
        ),
    }
    attrs = {
        "simrisk_kind": RESULT_KIND,
        "simrisk_version": version,
        "created_at": created_at,
        "scenario": s.name,
        "config": config_text,
        "config_sha256": config_sha256,
        "seed": int(spec.seed),
        "draws": int(N),
        "chunk_size": int(spec.chunk_size),
        "chunking_note": "results do not depend on chunk_size or thread count",
        "fixed_parameters": int(spec.fixed_parameters),
        "rng": rng,
        "capital": float(s.investor.capital),
        "discount_rate": float(s.investor.discount_rate),
        "hurdle_rate": float(s.investor.hurdle_rate),
        "valuation_date": c.valuation_date.isoformat(),
        "currency": s.currency,
        "irr_reasons": json.dumps({str(k): v for k, v in irr_reasons.items()}),
        "scenario_json": s.model_dump_json(),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise SimriskError(f"--out {path}: folder {folder} does not exist")
    tmp = folder / f".{target.name}.{uuid.uuid4().hex[:8]}.part"
    try:
        encoding = {
            name: {"zlib": True, "complevel": 1}
            for name, v in ds.data_vars.items()
            if v.ndim >= 1 and v.size > 1024 and v.dtype.kind in "fiu"
        }
        ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def open_result(path: str | Path, kind: str = RESULT_KIND) -> xr.Dataset:
    """Open a simrisk result, with a clear error when it is not one."""
    p = Path(path)
    if not p.is_file():
        raise SimriskError(f"{path}: file not found")
    try:
        ds = xr.load_dataset(p, engine="h5netcdf")
    except Exception as exc:  # h5py/netCDF raise many kinds
        raise SimriskError(f"{path}: not a NetCDF file ({exc.__class__.__name__})") from None
    if ds.attrs.get("simrisk_kind") != kind:
        raise SimriskError(f"{path}: not a simrisk result of kind {kind!r}")
    return ds
