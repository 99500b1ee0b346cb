"""A contract run's per-draw results as an xarray Dataset.

The conventions and the NetCDF I/O are the core's (:mod:`simrisk.core.dataset`).
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from simrisk.core.dataset import var
from simrisk.kinds.contract.contract import reached

__all__ = ["RESULT_KIND", "per_draw_variables", "to_dataset"]

RESULT_KIND = "simrisk.run"

#: Per-draw variables stored without compression: shuffle + zlib level 1 keeps
#: more than 60% of their bytes, and zlib took about a quarter of a streamed
#: run's wall time when every variable was compressed (issue 15 asks for at
#: most 15%). Measured on 262,144 DSI draws (share of the bytes kept; share of
#: the zlib time): parameters 0.81, 0.30; repayments 0.65, 0.15;
#: repayments_by_payer 0.65, 0.05; deadweight_share_by_goal 0.76, 0.05; npv
#: 0.88, 0.04; the five authority_* variables 0.76-0.85, 0.03 each; irr 0.85;
#: moic 0.74; deadweight_share 0.71; referred 0.61. Counts, cash flows by
#: year, repayments_total and irr_status keep zlib (0.00-0.50 of their bytes).
UNCOMPRESSED = (
    "parameters",
    "referred",
    "repayments",
    "repayments_by_payer",
    "npv",
    "irr",
    "moic",
    "authority_saving_note",
    "authority_net_saving_note",
    "authority_saving_modelled",
    "authority_repayments_pv",
    "authority_net_saving_modelled",
    "deadweight_share",
    "deadweight_share_by_goal",
)


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
    draw0=0,
) -> xr.Dataset:
    """Assemble the Dataset from the engine's compact arrays.

    ``arrays`` may hold any run of draws, starting at ``draw0`` (the ``draw``
    coordinate); with 0 draws the Dataset is the template a streamed run's
    file is made from (:class:`simrisk.core.dataset.PartialFile`). The
    per-draw variables are :func:`per_draw_variables`.
    """
    c = inp.contract
    n = len(arrays["irr"])
    first, clause_vars = _per_draw(inp, arrays, irr_reasons)
    p1, p0 = implied
    data_vars = {
        **first,
        "implied_success_rate": var(
            ("goal",), p1, "1", "P(success | measured) at the priors' central values"
        ),
        "implied_counterfactual_rate": var(
            ("goal",), p0, "1", "P(success | measured) without the intervention, at central values"
        ),
        "assumed_success_rate": var(
            ("goal",),
            reached(c.success_rate, c.stage_prev),
            "1",
            "success rate the contract assumes (config)",
        ),
        **clause_vars,
    }
    return _assemble(inp, spec, data_vars, n, draw0, config_text=config_text,
                     created_at=created_at, version=version, config_sha256=config_sha256,
                     irr_reasons=irr_reasons, rng=rng)  # fmt: skip


def per_draw_variables(inp, arrays, irr_reasons) -> dict[str, xr.Variable]:
    """The Dataset's variables with a ``draw`` dimension, for the draws in ``arrays``.

    Every derived variable is computed row by row, so a chunk's variables are
    the chunk's rows of the whole run's.
    """
    first, clause_vars = _per_draw(inp, arrays, irr_reasons)
    return {**first, **clause_vars}


def _per_draw(inp, arrays, irr_reasons) -> tuple[dict, dict]:
    c = inp.contract
    s = inp.scenario
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
    clause_vars = clause_variables(c, arrays, by_payer) if c.has_clauses else {}
    if c.gate_on:
        clause_vars.update(gate_variables(inp, arrays))
    bases = authority_bases(inp, arrays, by_payer)
    dw_goal = deadweight_share_by_goal(arrays)
    parameters = var(
        ("draw", "parameter"),
        arrays["parameters"],
        "1",
        "drawn model parameters (one draw per simulated world)",
    )
    data_vars = {
        "parameters": parameters,
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
        "authority_saving_note": var(
            ("draw", "authority"),
            bases["saving_note"],
            "DKK",
            "authority's saving by the note's method: threshold x stated BIS mean x successes",
            basis="note_method",
            note="undiscounted, as the note computes it; counts every success, caused or not",
        ),
        "authority_net_saving_note": var(
            ("draw", "authority"),
            bases["net_note"],
            "DKK",
            "authority's net saving by the note's method (saving less its repayments)",
            basis="note_method",
            note="undiscounted, as the note computes it",
        ),
        "authority_saving_modelled": var(
            ("draw", "authority"),
            bases["saving_modelled"],
            "DKK",
            "authority's modelled caused saving, discounted at its own rate",
            basis="modelled",
            note=bases["modelled_note"],
        ),
        "authority_repayments_pv": var(
            ("draw", "authority"),
            bases["repaid_pv"],
            "DKK",
            "authority's repayments discounted at its own rate",
            basis="modelled",
            note=f"present value on {c.valuation_date.isoformat()}",
        ),
        "authority_net_saving_modelled": var(
            ("draw", "authority"),
            bases["net_modelled"],
            "DKK",
            "authority's modelled net saving (modelled saving less repayments), discounted",
            basis="modelled",
            note=bases["modelled_note"],
        ),
        "deadweight_share": var(
            ("draw",),
            arrays["dw_share"],
            "1",
            "share of repayments paying for deadweight successes",
        ),
        "deadweight_share_by_goal": var(
            ("draw", "goal"),
            dw_goal,
            "1",
            "share of the goal's repayments paying for deadweight successes",
            note="NaN where the goal repays nothing",
        ),
    }
    if not inp.authorities:
        # No business case: no authority, and a per-draw variable with a dimension of
        # length 0 cannot be stored in HDF5 chunks, so the authorities' variables go.
        for name in [k for k in data_vars if k.startswith("authority_")]:
            del data_vars[name]
        clause_vars.pop("gate_saving_effect", None)
    for name in UNCOMPRESSED:
        if name in data_vars:
            data_vars[name].encoding["zlib"] = False
    return data_vars, clause_vars


def _assemble(inp, spec, data_vars, n, draw0, *, config_text, created_at, version,
              config_sha256, irr_reasons, rng) -> xr.Dataset:  # fmt: skip
    c = inp.contract
    s = inp.scenario
    N = spec.draws
    coords = {
        "draw": np.arange(draw0, draw0 + n, dtype=np.int64),
        "cohort": list(c.cohort_ids),
        "goal": list(c.goal_ids),
        "payer": list(c.payer_ids),
        "year": inp.years.astype(np.int64),
        "authority": list(inp.authorities),
        "authority_discount_rate": ("authority", inp.auth_rate),
        "parameter": list(inp.space.names),
        "goal_payer": ("goal", [c.payer_ids[p] for p in c.goal_payer]),
        "payment_per_success": ("goal", c.payment),
        "goal_outcome": ("goal", [g.outcome for g in s.columns]),
        "cap": ("payer", c.cap),
        "repayment_date": (
            "cohort",
            [s.cohorts[i].repayment_date.isoformat() for i in range(len(c.cohort_ids))],
        ),
    }
    if s.has_stages:
        # staged goals: each column's goal, months after the start, and payment date
        cols = s.columns
        coords["goal_of"] = ("goal", [s.goals[g.goal].id for g in cols])
        coords["goal_months"] = ("goal", np.array([g.months for g in cols], np.int64))
        coords["payment_date"] = (
            ("cohort", "goal"),
            [[s.column_payment_date(g, k).isoformat() for g in cols] for k in s.cohorts],
        )
    if (c.payment_cg != c.payment[None, :]).any():
        coords["price_by_cohort"] = (("cohort", "goal"), c.payment_cg)
    if np.isfinite(c.goal_cap).any():
        coords["maximum_price"] = ("goal", c.goal_cap)
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


def clause_by_payer(c, arrays) -> tuple[np.ndarray, np.ndarray]:
    """Per draw and payer: the retention clause's payment and the floor's top-up (DKK)."""
    clause = arrays["clause"].astype(np.float64)
    return (
        clause[:, :1] * c.ret_payer_share[None, :],
        clause[:, 1:2] * c.floor_payer_share[None, :],
    )


def clause_variables(c, arrays, by_payer) -> dict:
    """The Dataset's variables for the retention clause and the floor (who pays how much)."""
    ret, floor = clause_by_payer(c, arrays)
    out = {}
    if c.ret_flow >= 0:
        out["retention_clause_payment"] = var(
            ("draw", "payer"),
            ret.astype(np.float32),
            "DKK",
            "payment to the investor under the minimum-retention clause",
            date=c.flow_dates[c.ret_flow].isoformat(),
            note="per missing citizen, or the settlement of an early end; outside the caps",
        )
    if c.floor_flow >= 0:
        out["floor_payment"] = var(
            ("draw", "payer"),
            floor.astype(np.float32),
            "DKK",
            "capital floor top-up paid to the investor",
            date=c.flow_dates[c.floor_flow].isoformat(),
            note=f"tops the investor up to {c.floor_amount:,.0f} DKK received; outside the caps",
        )
    out["payments_by_payer"] = var(
        ("draw", "payer"),
        (by_payer.astype(np.float64) + ret + floor).astype(np.float32),
        "DKK",
        "everything the payer pays the investor: repayments and clause payments",
    )
    return out


def gate_variables(inp, arrays) -> dict:
    """The Dataset's variables for a ``[gate]``: its look, its verdict and what it changed.

    Every figure "with the gate less without" compares the same simulated
    world (the same citizens, the same random numbers) run twice, once with
    the gate and once without, so the difference is the gate's alone.
    """
    s = inp.scenario
    g = s.gate
    gate = arrays["gate"]
    settle = {
        "completed_cohorts": "cohorts whose referral ended by the gate's date are still paid",
        "nothing": "no outcome payment falls due after the gate's date",
    }[g.settlement]
    c = inp.contract
    counted = ", ".join(k for k, on in zip(c.cohort_ids, c.gate_count, strict=True) if on)
    look = (
        f"on {g.date.isoformat()}: share of the referred citizens of cohorts {counted} "
        f"still engaged {g.months} months after their start (constant dropout hazard)"
    )
    return {
        "gate_stopped": var(
            ("draw",),
            gate[:, 0].astype(np.int8),
            "1",
            "1 if the gate stopped the contract",
            threshold=float(g.threshold),
            note=f"stops below the threshold; on a stop {settle}",
        ),
        "gate_engaged_share": var(
            ("draw",),
            gate[:, 1].astype(np.float32),
            "1",
            "the gate's interim share engaged",
            note=look,
        ),
        "npv_without_gate": var(
            ("draw",),
            gate[:, 2].copy(),
            "DKK",
            "investor's NPV of the same world without the gate",
        ),
        "gate_payment_effect": var(
            ("draw", "payer"),
            arrays["gate_paid"].astype(np.float32),
            "DKK",
            "the payer's payments to the investor with the gate less without",
            note="nominal, repayments and clause payments; 0 where the gate does not stop",
        ),
        "gate_saving_effect": var(
            ("draw", "authority"),
            arrays["gate_saving"].astype(np.float32),
            "DKK",
            "the authority's modelled caused saving with the gate less without",
            note="discounted at the payer's own rate; voided cohorts save nothing",
        ),
    }


def authority_bases(inp, arrays, by_payer) -> dict:
    """The authorities' saving and net saving per draw on both bases.

    - note's method: ``threshold x stated mean excess cost x successes`` of
      the authority's goal, less its repayments, undiscounted (as the note);
    - modelled: the kernel's caused saving (horizon, persistence, the
      payer's discount rate), less the repayments discounted at the same rate.
    """
    s = inp.scenario
    c = inp.contract
    bc = s.business_case
    N = by_payer.shape[0]
    A = len(inp.authorities)
    saving_note = np.zeros((N, A))
    repaid_pv = np.zeros((N, A))
    repaid = arrays["repaid"]
    for a, payer in enumerate(inp.authorities):
        g = int(inp.auth_goal[a])
        if bc.stated_mean is not None:
            mean = bc.stated_mean.costs[payer]
        else:
            mean = sum(r.costs[payer] for r in bc.disease_groups) / len(bc.disease_groups)
        threshold = float(s.goals[s.columns[g].goal].threshold or 0.0)
        succ = arrays["successes"][:, :, g].sum(axis=1, dtype=np.float64)
        saving_note[:, a] = threshold * mean * succ
        goals = c.goal_payer == inp.auth_payer[a]
        if c.dated:
            # staged payments dated apart: each cell discounted from its own date
            disc_cg = (1.0 + inp.auth_rate[a]) ** -c.cell_t
            cells = repaid[:, :, goals].astype(np.float64) * disc_cg[None, :, goals]
            repaid_pv[:, a] = cells.sum(axis=(1, 2))
        else:
            disc = (1.0 + inp.auth_rate[a]) ** -c.repay_t
            repaid_pv[:, a] = repaid[:, :, goals].sum(axis=2, dtype=np.float64) @ disc
    paid = by_payer[:, inp.auth_payer].astype(np.float64)
    if c.has_clauses:
        # The authority's clause payments count as money it pays the investor.
        ret, floor = clause_by_payer(c, arrays)
        for a in range(A):
            p = int(inp.auth_payer[a])
            r = inp.auth_rate[a]
            paid[:, a] += ret[:, p] + floor[:, p]
            for flow, amount in ((c.ret_flow, ret[:, p]), (c.floor_flow, floor[:, p])):
                if flow >= 0:
                    t = c.flow_t[flow]
                    repaid_pv[:, a] += amount * (1.0 + r) ** -t
    saving_modelled = arrays["saving"].astype(np.float64)
    m = bc.modelled if bc is not None else None
    note = (
        (
            f"caused fall in use of measured citizens, BIS cost over {bc.horizon_years} years "
            f"spread evenly; counted for {m.horizon_years} years with persistence "
            f"{m.persistence:g} a year; noise mean-preserving; discounted at the payer's "
            f"discount_rate to {c.valuation_date.isoformat()}"
        )
        if m is not None
        else ""
    )
    return {
        "saving_note": saving_note.astype(np.float32),
        "net_note": (saving_note - paid).astype(np.float32),
        "saving_modelled": saving_modelled.astype(np.float32),
        "repaid_pv": repaid_pv.astype(np.float32),
        "net_modelled": (saving_modelled - repaid_pv).astype(np.float32),
        "modelled_note": note,
    }


def deadweight_share_by_goal(arrays) -> np.ndarray:
    """Per draw and goal: the share of the goal's repayments that pays for deadweight.

    Within a cohort a goal's repayment is spread evenly over its successes
    (caps cut them pro rata), so the deadweight part is
    ``repaid x deadweight / successes``; NaN where the goal repays nothing.
    """
    repaid = arrays["repaid"].astype(np.float64)
    succ = arrays["successes"].astype(np.float64)
    dw = arrays["deadweight"].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        part = np.where(succ > 0, repaid * dw / succ, 0.0).sum(axis=1)
        total = repaid.sum(axis=1)
        return np.where(total > 0, part / total, np.nan).astype(np.float32)
