"""A contract run's per-draw results as an xarray Dataset.

The conventions and the NetCDF I/O are the core's (:mod:`simrisk.core.dataset`).
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from simrisk.core.dataset import var

__all__ = ["RESULT_KIND", "to_dataset"]

RESULT_KIND = "simrisk.run"


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
        "parameters": var(
            ("draw", "parameter"),
            arrays["parameters"],
            "1",
            "drawn model parameters (one draw per simulated world)",
        ),
        "referred": var(("draw",), arrays["referred"], "citizens", "citizens referred"),
        "measured": var(
            ("draw", "cohort"), arrays["measured"], "citizens", "citizens measured after one year"
        ),
        "successes": var(
            ("draw", "cohort", "goal"),
            arrays["successes"],
            "citizens",
            "citizens meeting the goal",
        ),
        "deadweight_successes": var(
            ("draw", "cohort", "goal"),
            arrays["deadweight"],
            "citizens",
            "successes that would have happened without the intervention",
        ),
        "repayments": var(
            ("draw", "cohort", "goal"), repaid, "DKK", "repayment to the investor after caps"
        ),
        "repayments_by_payer": var(
            ("draw", "payer"), by_payer, "DKK", "repayment to the investor by payer"
        ),
        "repayments_total": var(("draw",), total, "DKK", "total repayment to the investor"),
        "cash_flow_by_year": var(
            ("draw", "year"),
            arrays["cash_year"],
            "DKK",
            "investor's net cash flow by calendar year",
        ),
        "irr": var(
            ("draw",),
            arrays["irr"],
            "1",
            "investor's internal rate of return (XIRR)",
            note="fraction per year; -1 is a total loss; NaN where undefined (see irr_status)",
        ),
        "irr_status": var(
            ("draw",),
            arrays["irr_status"],
            "1",
            "IRR status code",
            flag_values=np.array(sorted(irr_reasons), dtype=np.int8),
            flag_meanings=" ".join(
                irr_reasons[k].split(":")[0].replace(" ", "_") for k in sorted(irr_reasons)
            ),
        ),
        "npv": var(
            ("draw",),
            arrays["npv"],
            "DKK",
            f"investor's NPV at {s.investor.discount_rate:.1%} on {c.valuation_date.isoformat()}",
        ),
        "moic": var(("draw",), arrays["moic"], "1", "investor's money multiple"),
        "authority_saving": var(
            ("draw", "authority"),
            saving,
            "DKK",
            "authority's saving caused by the intervention (cost-basis horizon)",
        ),
        "authority_net_saving": var(
            ("draw", "authority"),
            net.astype(np.float32),
            "DKK",
            "authority's saving less its repayments",
        ),
        "deadweight_share": var(
            ("draw",),
            arrays["dw_share"],
            "1",
            "share of repayments paying for deadweight successes",
        ),
        "implied_success_rate": var(
            ("goal",), p1, "1", "P(success | measured) at the priors' central values"
        ),
        "implied_counterfactual_rate": var(
            ("goal",), p0, "1", "P(success | measured) without the intervention, at central values"
        ),
        "assumed_success_rate": var(
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
