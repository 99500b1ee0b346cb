"""Acceptability over the investor's required rate: P(IRR >= r) and P(NPV at r >= 0).

The stored ``npv`` is at the config's rate only. At another rate the NPV is
recomputed from the investor's dated cash flows, which the result holds
exactly: the disbursements (dates and amounts in the ``scenario_json``
attribute) and the repayments per cohort (``repayments`` summed over goals)
on each cohort's ``repayment_date``, discounted actual/365 to the
``valuation_date`` as the engine does. (``cash_flow_by_year`` is by calendar
year only and would misplace flows within a year.) The recomputation at the
config's own rate is checked against the stored ``npv``; the largest
difference is kept as an attribute.

``P(IRR >= r)`` counts draws whose IRR is undefined as not meeting ``r``.
For the DSI contract every disbursement precedes every repayment, so the
two curves agree up to draws within rounding of the threshold.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import xarray as xr

from simrisk.core.errors import SimriskError
from simrisk.decision._common import (
    base_attrs,
    dkk,
    pct,
    prob_se,
    require,
    strict_json,
    var,
)

__all__ = [
    "acceptability",
    "acceptability_json",
    "cash_flows",
    "format_acceptability",
    "npv_at_rates",
]

DEFAULT_RATES = np.round(np.arange(0.0, 0.15 + 1e-9, 0.005), 4)


def _date(s: str) -> dt.date:
    return dt.date.fromisoformat(str(s)[:10])


def cash_flows(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The investor's flows per draw and their times: ``cf[draw, flow]``, ``t[flow]``.

    ``t`` is in years (actual/365) from the result's ``valuation_date``.
    """
    require(ds, ("repayments",), "acceptability")
    for a in ("valuation_date", "scenario_json"):
        if a not in ds.attrs:
            raise SimriskError(f"result lacks the attribute {a!r} needed to recompute the NPV")
    origin = _date(ds.attrs["valuation_date"])
    disb = json.loads(ds.attrs["scenario_json"])["investor"]["disbursements"]
    d_t = np.array([(_date(d["date"]) - origin).days / 365.0 for d in disb])
    d_amt = np.array([float(d["amount"]) for d in disb])
    r_t = np.array([(_date(d) - origin).days / 365.0 for d in ds["repayment_date"].values])
    rep = ds["repayments"].values.astype(np.float64).sum(axis=2)  # [draw, cohort]
    N = rep.shape[0]
    cf = np.concatenate([np.broadcast_to(-d_amt, (N, len(d_amt))), rep], axis=1)
    return cf, np.concatenate([d_t, r_t])


def npv_at_rates(ds: xr.Dataset, rates) -> np.ndarray:
    """NPV ``[draw, rate]`` of the investor's flows at each annual rate."""
    rates = np.atleast_1d(np.asarray(rates, dtype=np.float64))
    if np.any(rates <= -1):
        raise SimriskError(f"rates must be above -100%, got {rates.min():g}")
    cf, t = cash_flows(ds)
    df = (1.0 + rates[None, :]) ** (-t[:, None])  # [flow, rate]
    return cf @ df


def acceptability(ds: xr.Dataset, rates=None) -> xr.Dataset:
    """P(IRR >= r) and P(NPV at r >= 0) over investor rates ``r``.

    Parameters
    ----------
    ds : xarray.Dataset
        A ``simrisk run`` result.
    rates : array-like, optional
        Annual rates as fractions (default 0% to 15% in steps of 0.5%).

    Returns
    -------
    xarray.Dataset
        Over dimension ``rate``: ``p_irr_at_least``, ``p_npv_nonnegative``,
        their binomial SEs, ``mean_npv`` and its SE. Attribute
        ``npv_check_max_abs_diff``: the recomputed NPV at the config's rate
        against the stored one (DKK).
    """
    require(ds, ("irr", "npv"), "acceptability")
    rates = DEFAULT_RATES if rates is None else np.atleast_1d(np.asarray(rates, float))
    own = float(ds.attrs.get("discount_rate", np.nan))
    npv_r = npv_at_rates(ds, np.append(rates, own))
    check = float(np.abs(npv_r[:, -1] - ds["npv"].values.astype(np.float64)).max())
    npv_r = npv_r[:, :-1]
    N = npv_r.shape[0]
    irr = ds["irr"].values.astype(np.float64)
    # IRR is stored as float32: compare in float32 so r = 4% is the same number.
    irr_ok = np.isfinite(irr)
    p_irr = np.array(
        [(irr_ok & (irr >= float(np.float32(r)))).mean() for r in rates], dtype=np.float64
    )
    p_npv = (npv_r >= 0).mean(axis=0)
    mean = npv_r.mean(axis=0)
    mean_se = npv_r.std(axis=0, ddof=1) / np.sqrt(N)
    data = {
        "p_irr_at_least": var(("rate",), p_irr, "1", "P(IRR >= r)"),
        "p_irr_at_least_se": var(("rate",), prob_se(p_irr, N), "1", "Monte Carlo SE"),
        "p_npv_nonnegative": var(("rate",), p_npv, "1", "P(NPV at rate r >= 0)"),
        "p_npv_nonnegative_se": var(("rate",), prob_se(p_npv, N), "1", "Monte Carlo SE"),
        "mean_npv": var(("rate",), mean, "DKK", "mean NPV at rate r"),
        "mean_npv_se": var(("rate",), mean_se, "DKK", "Monte Carlo SE of the mean NPV"),
    }
    attrs = base_attrs(ds, "acceptability")
    attrs.update(
        npv_check_max_abs_diff=check,
        irr_undefined_share=float(1 - irr_ok.mean()),
        note="NPV at r recomputed from dated flows (disbursements, repayments by cohort), "
        "actual/365 from the valuation date; undefined IRR counts as below r",
    )
    return xr.Dataset(data, coords={"rate": var(("rate",), rates, "1", "investor's annual rate")},
                      attrs=attrs)  # fmt: skip


def acceptability_json(a: xr.Dataset) -> dict:
    """JSON form: one row per rate, and the NPV check."""
    rows = [
        {
            "rate": float(r),
            **{
                v: float(a[v].values[i])
                for v in (
                    "p_irr_at_least",
                    "p_irr_at_least_se",
                    "p_npv_nonnegative",
                    "p_npv_nonnegative_se",
                    "mean_npv",
                    "mean_npv_se",
                )
            },
        }
        for i, r in enumerate(a["rate"].values)
    ]
    return strict_json(
        {
            "scenario": a.attrs.get("scenario", ""),
            "draws": a.attrs["source_draws"],
            "npv_check_max_abs_diff": a.attrs["npv_check_max_abs_diff"],
            "irr_undefined_share": a.attrs["irr_undefined_share"],
            "rates": rows,
        }
    )


def format_acceptability(a: xr.Dataset) -> str:
    """The acceptability curve as a table."""
    j = acceptability_json(a)
    lines = [
        f"{j['scenario']}: {j['draws']:,} draws. NPV at each rate recomputed from the dated "
        f"flows (check at the config's rate: largest difference {j['npv_check_max_abs_diff']:.2f} "
        "DKK).",
        "",
        f"{'rate':>6}{'P(IRR >= r)':>16}{'P(NPV at r >= 0)':>20}{'mean NPV at r (DKK)':>22}",
    ]
    for r in j["rates"]:
        lines.append(
            f"{pct(r['rate'], 1):>6}{pct(r['p_irr_at_least'], 2):>10}"
            f" ({pct(r['p_irr_at_least_se'], 2)})"
            f"{pct(r['p_npv_nonnegative'], 2):>12} ({pct(r['p_npv_nonnegative_se'], 2)})"
            f"{dkk(r['mean_npv']):>14} ({dkk(r['mean_npv_se'])})"
        )
    return "\n".join(lines)
