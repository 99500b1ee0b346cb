"""The note's figures beside simrisk's expected case and the simulated means.

Each row: the figure as the note prints it (DSI's case only,
:mod:`simrisk.report._sources`), the expected case from the ledger, the
simulation's mean (its median for the IRR, whose mean is not defined in
every world) with its Monte Carlo error, and one line explaining the
difference, generated from the numbers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["reconcile"]


def reconcile(fig, scenario) -> dict:
    """Rows of the reconciliation page (values only; words are the page's)."""
    from simrisk.report._sources import DSI_NOTE, dsi_note_applies

    ds, s, case = fig.ds, fig.s, fig.case_dict
    note = DSI_NOTE if dsi_note_applies(scenario) else None
    rows = []
    # why the simulated repayments differ: recruitment, retention, rates, caps
    names = [str(v) for v in ds["parameter"].values]
    par = ds["parameters"].values

    def pmean(name):
        return float(par[:, names.index(name)].mean()) if name in names else None

    rates = {}
    meas = ds["measured"].values.sum(axis=1).astype(np.float64)
    succ = ds["successes"].values.sum(axis=1).astype(np.float64)  # [draw, goal]
    for j, g in enumerate(str(v) for v in ds["goal"].values):
        rates[g] = float(succ[:, j].sum() / max(meas.sum(), 1.0))
    why = {
        "recruitment": pmean("recruitment"),
        "retention": pmean("retention"),
        "measured": float(meas.mean()),
        "measured_case": float(case.get("measured", np.nan)),
        "rates": rates,
        "rates_case": case.get("success_rates", {}),
    }
    caps = dict(zip([str(v) for v in ds["payer"].values], ds["cap"].values, strict=True))
    rep = ds["repayments_by_payer"]
    for p in [str(v) for v in ds["payer"].values] + ["total"]:
        sim = s["repayments"][p]
        cap = caps.get(p, np.inf)
        p_cap = None
        if p != "total" and np.isfinite(cap):
            p_cap = float((rep.sel(payer=p).values >= cap - 1).mean())
        rows.append(
            {
                "key": ("repayment", p),
                "note": None if note is None else note["repayments"].get(p, (None,))[0],
                "case": float(case["repayments"][p]),
                "sim": (float(sim["mean"]), float(sim["mean_se"])),
                "p_cap": p_cap,
            }
        )
    rows.append(
        {
            "key": ("irr",),
            "note": None if note is None else note["irr"][0],
            "case": case.get("irr"),
            "sim": (float(s["irr"]["p50"]), float(s["irr"]["p50_se"])),
        }
    )
    rows.append(
        {
            "key": ("npv",),
            "note": None,
            "case": float(case["npv"]),
            "sim": (float(s["npv"]["mean"]), float(s["npv"]["mean_se"])),
            "median": float(s["npv"]["p50"]),
        }
    )
    cf = ds["cash_flow_by_year"]
    n = cf.sizes["draw"]
    for y in [str(v) for v in cf["year"].values]:
        v = cf.sel(year=int(y) if np.issubdtype(cf["year"].dtype, np.integer) else y).values
        v = v.astype(np.float64)
        c = float(case["cash_flows_by_year"].get(y, 0.0))
        if c == 0 and not np.any(v):
            continue
        rows.append(
            {
                "key": ("cash", y),
                "note": None if note is None else note["cash_flows_by_year"].get(y, (None,))[0],
                "case": c,
                "sim": (float(v.mean()), float(v.std(ddof=1) / np.sqrt(n))),
            }
        )
    bc = case.get("business_case", {})
    for a, dd in s["net_saving"]["note_method"].items():
        rows.append(
            {
                "key": ("net_saving", a),
                "note": None if note is None else note["net_saving"].get(a, (None,))[0],
                "case": float(bc[a]["net_saving"]) if a in bc else None,
                "sim": (float(dd["mean"]), float(dd["mean_se"])),
                "p50": float(dd.get("p50", np.nan)),
            }
        )
    return {"rows": rows, "why": why, "has_note": note is not None}
