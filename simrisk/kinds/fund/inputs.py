"""Each deal's marginal distribution, ready for the copula.

A simulated deal (a contract result, or a contract config run here) is kept
as its worlds sorted from the worst net cash flow to the best: the copula's
uniform ``u`` picks the world at rank ``floor(u M)``, with all its yearly
flows, so a deal's timing stays that of one coherent world. A judgement deal
is a share of capital repaid: 0 with probability ``p_total_loss``, otherwise
Beta-PERT(min, mode, max) at the rescaled uniform.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simrisk.core.errors import SimriskError
from simrisk.kinds.fund.config import Deal, LoadedFund

__all__ = ["FundInputs", "Marginal", "build_inputs"]

#: The contract kind's result attribute; a fund takes investor cash flows from it.
_CONTRACT_RESULT = "simrisk.run"


@dataclass
class Marginal:
    """One deal's distribution of investor cash flows by calendar year."""

    id: str
    name: str
    origin: str  # "result", "config" or "judgement"
    years: np.ndarray  # calendar years of ``flows``' columns
    flows: np.ndarray | None = None  # [M, Y] sorted by net flow (simulated deals)
    capital: float = 0.0  # nominal capital (mean outflow for simulated deals)
    judgement: tuple[float, ...] | None = (
        None  # min, mode, max, p_total_loss, p_shortfall, multiple
    )
    guarantee: float = 0.0
    guarantor: str = ""
    sector: int = -1
    detail: dict = field(default_factory=dict)
    name_da: str = ""  # the name in Danish (default: name)

    @property
    def last_year(self) -> int:
        return int(self.years[-1])


@dataclass
class FundInputs:
    loaded: LoadedFund
    deals: list[Marginal]
    years: np.ndarray  # the fund's calendar years
    sectors: list[str]

    @property
    def config(self):
        return self.loaded.config


def _from_dataset(ds, deal: Deal, where: str) -> tuple[np.ndarray, np.ndarray]:
    kind = ds.attrs.get("simrisk_kind")
    if kind != _CONTRACT_RESULT:
        raise SimriskError(
            f"{where}: a {kind!r} result; a fund deal needs a contract result "
            f"(simrisk_kind {_CONTRACT_RESULT!r}) with investor cash flows by year"
        )
    if "cash_flow_by_year" not in ds:
        raise SimriskError(f"{where}: has no variable cash_flow_by_year")
    flows = np.asarray(ds["cash_flow_by_year"].values, dtype=np.float64)
    years = np.asarray(ds["year"].values, dtype=np.int64)
    if flows.ndim != 2 or flows.shape[0] < 100:
        raise SimriskError(f"{where}: needs at least 100 draws, has {flows.shape[0]}")
    bad = int((~np.isfinite(flows)).sum())
    if bad:
        raise SimriskError(f"{where}: cash_flow_by_year has {bad} values that are NaN or inf")
    return flows, years


def _simulated(deal: Deal, path: Path, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from simrisk.core.dataset import open_result
    from simrisk.kinds import RunOptions, for_config

    if deal.result is not None:
        ds = open_result(path)
        try:
            return _from_dataset(ds, deal, f"deal {deal.id}: {deal.result}")
        finally:
            ds.close()
    name, kind = for_config(path)
    if name != "contract":
        raise SimriskError(
            f"deal {deal.id}: config {deal.config} is of kind {name!r}; a fund deal's "
            "config must be a contract"
        )
    cfg, text = kind.load(path)
    options = RunOptions(draws=deal.draws, seed=seed, config_text=text, quiet=True)
    ds = kind.simulate(cfg, options)
    return _from_dataset(ds, deal, f"deal {deal.id}: {deal.config}")


def _mid_year(y: int) -> _dt.date:
    return _dt.date(int(y), 7, 1)


def build_inputs(loaded: LoadedFund, seed: int) -> FundInputs:
    """Every deal's marginal, on the fund's calendar years."""
    cfg = loaded.config
    f = cfg.fund
    sectors = [s.name for s in cfg.copula.sectors]
    deals: list[Marginal] = []
    for d in cfg.deals:
        g = d.guarantee
        common = {
            "id": d.id,
            "name": d.name or d.id,
            "name_da": d.name_da or d.name or d.id,
            "guarantee": float(g.amount) if g else 0.0,
            "guarantor": g.by if g else "",
            "sector": sectors.index(d.sector) if d.sector else -1,
        }
        if d.judgement is not None:
            j = d.judgement
            years = np.arange(d.start.year, d.end.year + 1, dtype=np.int64)
            m = Marginal(
                origin="judgement",
                years=years,
                capital=float(d.capital),
                judgement=(j.min, j.mode, j.max, j.p_total_loss, j.p_shortfall, j.multiple),
                **common,
            )
        else:
            flows, years = _simulated(d, loaded.paths[d.id], seed)
            if years[0] < f.start.year or years[-1] > f.end.year:
                raise SimriskError(
                    f"deal {d.id}: its cash flows run {years[0]}-{years[-1]}, outside the "
                    f"fund's years {f.start.year}-{f.end.year} (fund.start, fund.end)"
                )
            net = flows.sum(axis=1)
            order = np.argsort(net, kind="stable")
            out = np.clip(-flows, 0.0, None).sum(axis=1)
            if not (out > 0).all():
                raise SimriskError(
                    f"deal {d.id}: some worlds pay no capital out; not an investment"
                )
            cap = float(out.mean())
            if g is not None and g.amount > cap:
                raise SimriskError(
                    f"deal {d.id}: guarantee.amount = {g.amount:,.0f} is larger than the "
                    f"deal's capital ({cap:,.0f}); a first-loss guarantee covers at most it"
                )
            m = Marginal(
                origin="result" if d.result is not None else "config",
                years=years,
                flows=np.ascontiguousarray(flows[order]),
                capital=cap,
                detail={"draws": int(flows.shape[0])},
                **common,
            )
        deals.append(m)
    years = np.arange(f.start.year, f.end.year + 1, dtype=np.int64)
    return FundInputs(loaded=loaded, deals=deals, years=years, sectors=sectors)


def year_times(years: np.ndarray, origin: _dt.date) -> np.ndarray:
    """Year fractions (actual/365) from ``origin`` to the middle (1 July) of each year."""
    return np.array([(_mid_year(y) - origin).days / 365.0 for y in years])
