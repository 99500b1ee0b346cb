"""The numbers behind the committee's pages, from a run's Dataset (NumPy only).

Nothing here draws a figure: the page builders (:mod:`simrisk.report.contract._pages`)
and the workbook (:mod:`simrisk.workbook`) both read these.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

from simrisk.core.summary import expected_shortfall, prob, quantile_se

__all__ = [
    "DatedFlows",
    "Decision",
    "acceptability",
    "dated_cash_flows",
    "decision",
    "drivers",
    "expected_case",
    "payback",
    "scenario_comparison",
    "scenario_of",
    "value_of_information",
]


def scenario_of(ds: xr.Dataset):
    """The validated scenario stored in a run's ``scenario_json`` attribute."""
    from simrisk.kinds.contract.config import Scenario

    return Scenario.model_validate_json(ds.attrs["scenario_json"], strict=False)


def expected_case(ds: xr.Dataset):
    """DSI's own expected case (the source's ledger) of the scenario a run used."""
    from simrisk.kinds.contract.ledger import run_ledger

    return run_ledger(scenario_of(ds))


@dataclass(frozen=True)
class DatedFlows:
    """DSI's net cash flow per draw on each date (dates merged, in order).

    Attributes
    ----------
    dates : list of datetime.date
    t : float64[date]
        Years (actual/365) from the valuation date, as the engine counts them.
    cf : float64[draw, date]
        Disbursements negative, repayments positive.
    """

    dates: list[dt.date]
    t: np.ndarray
    cf: np.ndarray

    def npv(self, rate: float) -> np.ndarray:
        """NPV per draw at ``rate`` (the engine's formula, ``sum cf (1 + r)^-t``)."""
        return self.cf @ (1.0 + rate) ** (-self.t)

    def position(self) -> np.ndarray:
        """Cumulative nominal cash position per draw after each date, [draw, date]."""
        return np.cumsum(self.cf, axis=1)


def dated_cash_flows(ds: xr.Dataset) -> DatedFlows:
    """Rebuild each draw's dated cash flows from the repayments and the scenario.

    The Dataset keeps repayments per cohort and goal; each cohort repays on its
    ``repayment_date`` (a stage of a staged goal on its own date,
    :attr:`~simrisk.kinds.contract.contract.ContractArrays.pay_event`) and the
    disbursements are fixed by the scenario, so the dated flows are exact
    (``tests/test_report.py`` checks that they give the run's own NPV).
    """
    from simrisk.kinds.contract.contract import compile_contract

    c = compile_contract(scenario_of(ds))
    n = ds.sizes["draw"]
    rep = ds["repayments"].values
    if c.dated:
        # staged goals paid on dates apart: one entry per payment event
        by_cohort = np.zeros((n, c.repay_t.size))
        for k in range(rep.shape[1]):
            for g in range(rep.shape[2]):
                by_cohort[:, c.pay_event[k, g]] += rep[:, k, g]
    else:
        by_cohort = rep.sum(axis=2, dtype=np.float64)  # [draw, cohort]
    parts = [np.broadcast_to(-c.disb_amount, (n, c.disb_amount.size)), by_cohort]
    # The retention clause's payment and the floor's top-up, on their own dates.
    for flow, name in ((c.ret_flow, "retention_clause_payment"), (c.floor_flow, "floor_payment")):
        if flow >= 0:
            parts.append(ds[name].values.sum(axis=1, dtype=np.float64)[:, None])
    flows = np.concatenate(parts, axis=1)
    dates = sorted(set(c.flow_dates))
    col = np.array([dates.index(d) for d in c.flow_dates])
    cf = np.zeros((n, len(dates)))
    for j, k in enumerate(col):
        cf[:, k] += flows[:, j]
    t = np.array([(d - c.valuation_date).days / 365.0 for d in dates])
    return DatedFlows(dates=dates, t=t, cf=cf)


def acceptability(ds: xr.Dataset, rates=None) -> dict:
    """P(IRR >= r) over a grid of rates, with binomial Monte Carlo errors.

    Draws with no defined IRR count as not reaching ``r``. DSI's flows change
    sign once (disbursements, then repayments), so IRR >= r is the same event
    as NPV at r >= 0; ``npv_check`` holds the latter from the dated flows.
    """
    rates = np.linspace(0.0, 0.15, 31) if rates is None else np.asarray(rates, dtype=float)
    irr = ds["irr"].values.astype(np.float64)
    n = irr.size
    ok = np.isfinite(irr)
    p = np.array([float((ok & (irr >= r - 1e-9)).mean()) for r in rates])
    flows = dated_cash_flows(ds)
    p_npv = np.array([float((flows.npv(r) >= 0).mean()) for r in rates])
    return {"rates": rates, "p": p, "se": np.sqrt(p * (1 - p) / n), "npv_check": p_npv}


def payback(ds: xr.Dataset, probs=(0.05, 0.25, 0.5, 0.75, 0.95)) -> dict:
    """DSI's cumulative cash position over time: percentiles per date and P(whole).

    ``p_whole[k]`` is the share of draws whose cumulative nominal position is
    at least zero after date ``k``; its last entry is P(repayments >= capital).
    """
    flows = dated_cash_flows(ds)
    pos = flows.position()
    n = pos.shape[0]
    q = np.quantile(pos, probs, axis=0)
    whole = (pos >= -0.5).mean(axis=0)  # half a krone: float sums of whole amounts
    return {
        "dates": flows.dates,
        "probs": tuple(probs),
        "quantiles": q,
        "mean": pos.mean(axis=0),
        "p_whole": whole,
        "p_whole_se": np.sqrt(whole * (1 - whole) / n),
        "repayment_dates": sorted(
            {dt.date.fromisoformat(str(d)) for d in ds["repayment_date"].values}
        ),
    }


def drivers(ds: xr.Dataset, top: int = 8) -> list[dict]:
    """The tornado of P(NPV < 0), from the decision layer's sensitivity analysis.

    :func:`simrisk.decision.sensitivity` splits each varying parameter's draws
    into deciles; ``low`` and ``high`` are P(NPV < 0) in the lowest and highest
    decile, ``se_low``/``se_high`` their binomial Monte Carlo errors (``se``
    the larger). Rows come in the decision layer's ranking (the correlation
    ratio of the loss indicator, the same order ``simrisk sensitivity``
    prints), most influential first. The bootstrap intervals and PAWN are not
    needed for the tornado and are switched off, so this costs about a second
    even on 300,000 draws.
    """
    from simrisk.decision import sensitivity

    s = sensitivity(ds, n_boot=0, pawn_boot=0)
    base = float(s.attrs["p_npv_negative"])
    rows = []
    for i, name in enumerate(s["parameter"].values[:top]):
        p = s["p_npv_negative"].values[i]
        se = s["p_npv_negative_se"].values[i]
        rows.append(
            {
                "parameter": str(name),
                "low": float(p[0]),
                "high": float(p[-1]),
                "se_low": float(se[0]),
                "se_high": float(se[-1]),
                "se": float(max(se[0], se[-1])),
                "swing": float(abs(p[-1] - p[0])),
                "base": base,
                "low_value": float(s["decile_median"].values[i, 0]),
                "high_value": float(s["decile_median"].values[i, -1]),
                "eta2": float(s["eta2_npv_negative"].values[i]),
            }
        )
    return rows


#: The value-of-information page's regression runs on at most this many draws
#: (the first ones: draws are independent, so they are a random subsample) and
#: with this many posterior draws of the regression's coefficients for its SE.
VOI_DRAWS = 50_000
VOI_POSTERIOR = 50


def value_of_information(
    ds: xr.Dataset, max_draws: int = VOI_DRAWS, n_post: int = VOI_POSTERIOR
) -> xr.Dataset:
    """EVPI and EVPPI per parameter for DSI's lend-or-not decision (:func:`simrisk.decision.voi`).

    Runs on the first ``max_draws`` draws (a random subsample, as draws are
    independent) with ``n_post`` coefficient draws for the regression's SE:
    on 300,000 draws with the default 100 the GAMs take minutes, on 50,000
    with 50 a few seconds, and the SEs the page prints include the
    subsample's Monte Carlo error. Named groups are left to ``simrisk voi``.
    """
    from simrisk.decision import voi

    n = min(int(ds.sizes["draw"]), int(max_draws))
    v = voi(ds.isel(draw=slice(0, n)), groups={}, n_post=n_post, seed=0)
    v.attrs["subsample"] = n
    return v


def scenario_comparison(ds: xr.Dataset, others) -> xr.Dataset:
    """The base run against other runs on common random numbers (:func:`simrisk.decision.compare`).

    ``others`` are ``(name, Dataset)`` pairs of runs with the base's seed and
    draw count; the differences' SEs are paired.
    """
    from simrisk.decision import compare

    return compare([("base", ds), *others])


@dataclass(frozen=True)
class Decision:
    """The figures page 1 states, each with its Monte Carlo standard error."""

    capital: float
    rate: float
    p_nominal_loss: float
    p_nominal_loss_se: float
    p_npv_negative: float
    p_npv_negative_se: float
    npv_mean: float
    npv_mean_se: float
    npv_median: float
    npv_median_se: float
    case_irr: float
    case_npv: float
    p_beat_case_irr: float
    p_beat_case_irr_se: float
    p_beat_case_npv: float
    p_beat_case_npv_se: float
    moic_p95: float
    moic_p95_se: float
    moic_max: float
    npv_p1: float
    npv_p1_se: float
    npv_es1: float
    npv_es1_se: float
    loss_given_loss: float
    loss_given_loss_se: float
    max_se_prob: float
    max_se_money: float


def decision(ds: xr.Dataset, summary: dict) -> Decision:
    """Page 1's figures from a run and its :func:`~simrisk.kinds.contract.summary.summarize`."""
    case = expected_case(ds)
    irr = ds["irr"].values.astype(np.float64)
    npv = ds["npv"].values.astype(np.float64)
    from simrisk.kinds.contract.summary import received_total

    total = received_total(ds)  # repayments plus any floor / retention-clause payments
    moic = np.sort(ds["moic"].values.astype(np.float64))
    capital = float(ds.attrs["capital"])
    p_irr, p_irr_se = prob(np.isfinite(irr) & (irr >= case.irr))
    p_npv, p_npv_se = prob(npv >= case.npv)
    npv_sorted = np.sort(npv)
    _, es1, es1_se = expected_shortfall(npv, 0.01)
    short = capital - total[total < capital]
    if short.size > 1:
        lgl, lgl_se = float(short.mean()), float(short.std(ddof=1) / math.sqrt(short.size))
    else:
        lgl, lgl_se = float(short.mean()) if short.size else 0.0, float("nan")
    s = summary
    probs_se = [s["p_loss_nominal_se"], s["p_npv_negative_se"], p_irr_se, p_npv_se]
    money_se = [s["npv"]["mean_se"], s["npv"]["p50_se"], quantile_se(npv_sorted, 0.01), es1_se]
    if np.isfinite(lgl_se):
        money_se.append(lgl_se)
    # every other figure page 1 shows: repayments, net savings, deadweight share
    money_se += [v["mean_se"] for v in s["repayments"].values() if "mean_se" in v]
    money_se += [
        v["mean_se"]
        for basis in ("note_method", "modelled")
        for v in s["net_saving"][basis].values()
        if "mean_se" in v
    ]
    probs_se.append(s["deadweight_share"].get("mean_se", 0.0))
    return Decision(
        capital=capital,
        rate=float(ds.attrs["discount_rate"]),
        p_nominal_loss=s["p_loss_nominal"],
        p_nominal_loss_se=s["p_loss_nominal_se"],
        p_npv_negative=s["p_npv_negative"],
        p_npv_negative_se=s["p_npv_negative_se"],
        npv_mean=s["npv"]["mean"],
        npv_mean_se=s["npv"]["mean_se"],
        npv_median=s["npv"]["p50"],
        npv_median_se=s["npv"]["p50_se"],
        case_irr=float(case.irr),
        case_npv=float(case.npv),
        p_beat_case_irr=p_irr,
        p_beat_case_irr_se=p_irr_se,
        p_beat_case_npv=p_npv,
        p_beat_case_npv_se=p_npv_se,
        moic_p95=s["moic"]["p95"],
        moic_p95_se=s["moic"]["p95_se"],
        moic_max=float(moic[-1]),
        npv_p1=float(np.quantile(npv, 0.01)),
        npv_p1_se=quantile_se(npv_sorted, 0.01),
        npv_es1=es1,
        npv_es1_se=es1_se,
        loss_given_loss=lgl,
        loss_given_loss_se=lgl_se,
        max_se_prob=float(max(probs_se)),
        max_se_money=float(max(money_se)),
    )
