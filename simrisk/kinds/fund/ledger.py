"""The fund's expected case: each deal's capital and expected repayment, no simulation.

A contract config's deal uses the contract's own expected case (its ledger:
the source's success rates and retention); a result file's deal the mean of
its simulated worlds; a judgement the mean of its distribution,
``p_shortfall (min + 4 mode + max) / 6 + (1 - p_total_loss - p_shortfall)``
of capital, times its ``multiple``. Correlation
does not change an expected value, so the fund's expected result is the sum.
"""

from __future__ import annotations

import numpy as np

from simrisk.kinds.fund.config import LoadedFund

__all__ = ["format_ledger", "run_ledger"]


def _contract_case(path) -> tuple[float, float, dict]:
    from simrisk.kinds import get

    kind = get("contract")
    cfg, _ = kind.load(path)
    res, _ = kind.ledger(cfg)
    flows = {int(y): float(v) for y, v in res["cash_flows_by_year"].items()}
    capital = -sum(v for v in flows.values() if v < 0)
    repaid = sum(v for v in flows.values() if v > 0)
    return capital, repaid, flows


def _result_case(path) -> tuple[float, float, dict]:
    from simrisk.core.dataset import open_result

    ds = open_result(path, "simrisk.run")
    try:
        cf = np.asarray(ds["cash_flow_by_year"].values, dtype=np.float64)
        years = [int(y) for y in ds["year"].values]
    finally:
        ds.close()
    capital = float(np.clip(-cf, 0, None).sum(axis=1).mean())
    repaid = float(np.clip(cf, 0, None).sum(axis=1).mean())
    return capital, repaid, dict(zip(years, map(float, cf.mean(axis=0)), strict=True))


def run_ledger(loaded: LoadedFund) -> dict:
    """Each deal's expected case and the fund's totals, JSON-ready."""
    cfg = loaded.config
    deals = []
    for d in cfg.deals:
        if d.judgement is not None:
            j = d.judgement
            pert = (j.min + 4 * j.mode + j.max) / 6.0
            rest = 1.0 - j.p_total_loss - j.p_shortfall
            share = (j.p_shortfall * pert + rest) * j.multiple
            capital, repaid = float(d.capital), float(d.capital) * share
            basis = "judgement: mean of the three-point distribution"
            flows = {d.start.year: -capital}
            flows[d.end.year] = flows.get(d.end.year, 0.0) + repaid
        elif d.config is not None:
            capital, repaid, flows = _contract_case(loaded.paths[d.id])
            basis = "the contract's expected case (simrisk ledger)"
        else:
            capital, repaid, flows = _result_case(loaded.paths[d.id])
            basis = "mean of the result's simulated worlds"
        deals.append(
            {
                "id": d.id,
                "name": d.name or d.id,
                "capital": capital,
                "expected_repaid": repaid,
                "expected_share_repaid": repaid / capital,
                "guarantee": (
                    {"by": d.guarantee.by, "amount": float(d.guarantee.amount)}
                    if d.guarantee
                    else None
                ),
                "cash_flows_by_year": {str(y): v for y, v in sorted(flows.items())},
                "basis": basis,
            }
        )
    invested = sum(x["capital"] for x in deals)
    repaid = sum(x["expected_repaid"] for x in deals)
    shares = np.array([x["capital"] for x in deals]) / invested
    return {
        "fund": cfg.fund.name,
        "fund_capital": float(cfg.fund.capital),
        "capital_invested": invested,
        "expected_repaid": repaid,
        "expected_net": repaid - invested,
        "herfindahl": float((shares**2).sum()),
        "deals": deals,
        "note": "undiscounted; guarantees not counted (they move losses, not expected "
        "repayments, except where a deal loses more than its guarantee)",
    }


def format_ledger(res: dict) -> str:
    """The expected case as a terminal table."""
    w = max(len(x["name"]) for x in res["deals"]) + 2
    lines = [
        f"{res['fund']}: fund capital {res['fund_capital']:,.0f} DKK",
        f"{'deal':<{w}}{'capital':>14}{'exp. repaid':>14}{'share':>8}  basis",
    ]
    for x in res["deals"]:
        lines.append(
            f"{x['name']:<{w}}{x['capital']:>14,.0f}{x['expected_repaid']:>14,.0f}"
            f"{100 * x['expected_share_repaid']:>7.1f}%  {x['basis']}"
        )
    lines.append(
        f"{'total':<{w}}{res['capital_invested']:>14,.0f}{res['expected_repaid']:>14,.0f}"
        f"{100 * res['expected_repaid'] / res['capital_invested']:>7.1f}%"
    )
    lines.append(f"Herfindahl index of capital: {res['herfindahl']:.3f}")
    return "\n".join(lines)
