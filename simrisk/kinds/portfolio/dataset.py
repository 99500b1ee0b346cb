"""The portfolio result as an xarray Dataset: per-draw variables, coordinates, provenance.

:func:`per_draw_variables` turns the kernel's arrays of some draws into the
result's variables (a chunk at a time when streamed to a file);
:func:`to_dataset` adds the coordinates and the provenance attributes.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import xarray as xr

from simrisk._version import __version__
from simrisk.core.dataset import var
from simrisk.kinds.portfolio.config import KIND, PARAMETERS
from simrisk.kinds.portfolio.inputs import SCREENING, PortfolioInputs

__all__ = ["RNG_DESCRIPTION", "break_even_year", "per_draw_variables", "to_dataset"]

RNG_DESCRIPTION = (
    "SplitMix64 by position: draw * 2**24 + candidate * 256 + slot; state from SeedSequence(seed)"
)


def break_even_year(cum: np.ndarray, years: np.ndarray) -> np.ndarray:
    """First year from which the cumulative net benefit stays above zero (NaN: never).

    ``cum[..., Y]``; the result has the leading shape, as float (a year or NaN).
    """
    pos = cum > 0
    # stays positive from year i on: all of pos[..., i:]
    stays = np.flip(np.logical_and.accumulate(np.flip(pos, -1), axis=-1), -1)
    first = np.argmax(stays, axis=-1)
    ok = stays.any(axis=-1)
    return np.where(ok, years[first].astype(np.float64), np.nan)


def per_draw_variables(inp: PortfolioInputs, arrays: dict) -> dict[str, xr.Variable]:
    """The result's per-draw variables from the kernel's arrays of some draws.

    Every value depends on its own draw only, so a streamed run computes them
    a chunk at a time and gets the same values as a run held in memory.
    """
    cfg = inp.cfg
    b = cfg.benefits
    tot = arrays["totals"]
    value_of_hours = b.patient_hour_value if b.include_patient_time else 0.0
    npv_all = (
        tot[..., 1] - tot[..., 0] + b.wage_per_fte * tot[..., 2] + value_of_hours * tot[..., 3]
    )
    cum = arrays["cum_value"]
    years = inp.years
    rate = f"{cfg.horizon.discount_rate:.1%}"
    base = f"1 Jan {cfg.horizon.first_year}"
    staff_note = f"staff årsværk valued at {b.wage_per_fte:,.0f} DKK"
    pat_note = (
        f"patients' hours at {b.patient_hour_value:,.0f} DKK included"
        if b.include_patient_time
        else "patients' time not included"
    )
    c = arrays["counts"]
    dims3 = ("draw", "option", "screening")
    return {
        "parameters": var(
            ("draw", "parameter"),
            arrays["parameters"],
            "1",
            "world-level parameters (one draw per simulated world)",
        ),
        "npv": var(
            ("draw", "option"),
            npv_all[:, :, 0],
            "DKK",
            f"net benefit (NPV at {rate} on {base}), with screening",
            note=f"{staff_note}; {pat_note}",
        ),
        "npv_without_screening": var(
            ("draw", "option"),
            npv_all[:, :, 1],
            "DKK",
            f"net benefit (NPV at {rate}) without the stop rule",
        ),
        "npv_money": var(
            dims3,
            tot[..., 1] - tot[..., 0],
            "DKK",
            f"money saved less money spent (NPV at {rate})",
        ),
        "npv_cost": var(dims3, tot[..., 0], "DKK", f"money spent (present value at {rate})"),
        "staff_fte_years": var(
            dims3, tot[..., 2], "årsværk", f"staff årsværk freed less added (discounted at {rate})"
        ),
        "patient_hours": var(
            dims3,
            tot[..., 3],
            "hours",
            f"patients' hours saved (discounted at {rate}; kept apart)",
        ),
        "cumulative_net_benefit": var(
            ("draw", "option", "screening", "year"),
            cum,
            "DKK",
            f"cumulative net benefit to the end of each year (present value at {rate})",
        ),
        "cost_by_year": var(
            ("draw", "option", "screening", "year"),
            arrays["cost"],
            "DKK",
            "money spent in the year (validation, implementation, running)",
        ),
        "staff_fte_by_year": var(
            ("draw", "option", "screening", "year"),
            arrays["staff"],
            "årsværk",
            "staff årsværk freed less added in the year",
        ),
        "break_even_year": var(
            ("draw", "option"),
            break_even_year(cum[:, :, 0], years).astype(np.float32),
            "year",
            "first year from which cumulative net benefit stays above 0",
            note="NaN: not within the horizon",
        ),
        "algorithms_started": var(
            dims3, c[..., 0], "algorithms", "candidates started (validation begun)"
        ),
        "algorithms_live": var(
            dims3, c[..., 1], "algorithms", "algorithms that went live (implemented)"
        ),
        "algorithms_stopped": var(
            dims3,
            c[..., 2],
            "algorithms",
            "algorithms stopped by screening after local validation",
        ),
        "algorithms_stopped_late": var(
            dims3, c[..., 3], "algorithms", "algorithms without gain stopped after going live"
        ),
        "algorithms_live_with_gain": var(
            dims3, c[..., 4], "algorithms", "algorithms live with a measurable gain"
        ),
        "pool_unspent": var(
            dims3,
            arrays["unspent"],
            "DKK",
            "pool money never committed (returned to the region, not a cost)",
        ),
    }


def to_dataset(
    inp: PortfolioInputs,
    arrays: dict,
    *,
    seed: int,
    chunk_size: int,
    config_text: str,
    draws: int | None = None,
    created_at: str | None = None,
) -> xr.Dataset:
    """Assemble the result Dataset from the kernel's arrays of every draw.

    With ``draws`` and arrays of 0 draws, the template a streamed run's
    partial file is made from (:class:`simrisk.core.dataset.PartialFile`):
    its attributes say ``draws``, its per-draw variables have no draws yet.
    """
    cfg = inp.cfg
    b = cfg.benefits
    data_vars = per_draw_variables(inp, arrays)
    n = arrays["totals"].shape[0]
    n_opt = len(inp.option_ids)
    budget_total = inp.budget.sum(axis=1)
    coords = {
        "draw": np.arange(n, dtype=np.int64),
        "option": list(inp.option_ids),
        "option_name": ("option", [o.name for o in cfg.options]),
        "option_name_da": ("option", [o.name_da or o.name for o in cfg.options]),
        "budget_total": ("option", budget_total),
        "screening": list(SCREENING),
        "year": inp.years,
        "parameter": list(PARAMETERS),
    }
    created = created_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    sha = hashlib.sha256(config_text.encode()).hexdigest()
    attrs = {
        "kind": KIND,
        "simrisk_kind": KIND,
        "simrisk_version": __version__,
        "version": __version__,
        "created_at": created,
        "name": cfg.name,
        "config": config_text,
        "config_sha256": sha,
        "seed": int(seed),
        "draws": int(n if draws is None else draws),
        "chunk_size": int(chunk_size),
        "chunking_note": "results do not depend on chunk_size or thread count",
        "rng": RNG_DESCRIPTION,
        "discount_rate": float(cfg.horizon.discount_rate),
        "valuation_date": f"{cfg.horizon.first_year}-01-01",
        "wage_per_fte": float(b.wage_per_fte),
        "hours_per_fte": float(b.hours_per_fte),
        "patient_hour_value": float(b.patient_hour_value),
        "include_patient_time": int(b.include_patient_time),
        "staff_hour_values": np.asarray(cfg.analysis.staff_hour_values, dtype=np.float64),
        "currency": cfg.currency,
        "config_json": cfg.model_dump_json(),
        "n_options": n_opt,
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
