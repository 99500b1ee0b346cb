"""The fund config (``configs/dsi_fund.toml``), validated.

Declarative validation (pydantic, ``extra="forbid"``, strict types) and
cross-checks; every problem is one line naming the file, the key, the value
and what is allowed.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from simrisk.core.config import (
    ConfigModel,
    Identifier,
    PositiveInt,
    PositiveMoney,
    Prior,
    Probability,
    load_toml,
    validate_model,
)
from simrisk.core.errors import ConfigError, ConfigIssue
from simrisk.core.priors import prior_issues, prior_support

__all__ = [
    "KIND",
    "Copula",
    "Deal",
    "Fund",
    "FundConfig",
    "Guarantee",
    "Judgement",
    "LoadedFund",
    "Sector",
    "load_fund",
]

#: a fund result's ``simrisk_kind`` attribute
KIND = "simrisk.fund"


class Judgement(ConfigModel):
    """A three-point judgement of the share of capital repaid, with a chance of total loss.

    In the credit analyst's terms: with probability ``p_total_loss`` nothing
    is repaid; with probability ``p_shortfall`` part is, the share repaid
    being Beta-PERT(``min``, ``mode``, ``max``) (``min == max``: that share);
    otherwise the capital comes back in full. ``p_shortfall = 1`` (the
    default) makes the share repaid the three-point distribution itself.
    Shares lie in [0, 1]: the capital lost is ``1 - share``. ``multiple`` is
    the money multiple paid on the capital repaid (its return, for the fund's
    NPV and IRR; 1 = capital only).
    """

    min: Probability
    mode: Probability
    max: Probability
    p_total_loss: Probability = 0.0
    p_shortfall: Probability = 1.0
    multiple: float = Field(default=1.0, ge=1, le=10, allow_inf_nan=False)
    source: str = ""


class Guarantee(ConfigModel):
    """A third party covering the deal's first loss up to ``amount`` (DKK)."""

    by: str
    amount: PositiveMoney
    source: str = ""


class Deal(ConfigModel):
    """One investment of the fund.

    Exactly one of ``result`` (a simrisk contract result file), ``config`` (a
    contract config, simulated with ``draws`` draws at the fund's seed) or
    ``judgement``. ``capital``, ``start`` and ``end`` are required for a
    judgement (capital paid out at ``start``, the share repaid at ``end``);
    for a simulated deal they come from its cash flows.
    """

    id: Identifier
    name: str = ""
    #: the deal's name in Danish, for ``simrisk report --lang da`` (default: ``name``)
    name_da: str = ""
    sector: str | None = None
    result: str | None = None
    config: str | None = None
    draws: PositiveInt = 20_000
    judgement: Judgement | None = None
    capital: PositiveMoney | None = None
    start: _dt.date | None = None
    end: _dt.date | None = None
    guarantee: Guarantee | None = None
    source: str = ""


class Sector(ConfigModel):
    """A sector factor shared by the deals that name it; ``rho`` is its share of variance."""

    name: Identifier
    rho: float = Field(ge=0, lt=1, allow_inf_nan=False)
    source: str = ""


class Copula(ConfigModel):
    """The one-factor copula: the factor's correlation ``rho`` (a prior), its family."""

    family: Literal["gaussian", "t"] = "gaussian"
    df: PositiveInt | None = None
    rho: Prior
    sectors: list[Sector] = Field(default_factory=list)


class Fund(ConfigModel):
    name: str
    #: the fund's name in Danish, for ``simrisk report --lang da`` (default: ``name``)
    name_da: str = ""
    capital: PositiveMoney
    start: _dt.date
    end: _dt.date
    discount_rate: float = Field(ge=0, lt=1, allow_inf_nan=False)
    loss_grid: list[Probability] = Field(default_factory=lambda: [0.01, 0.025, 0.05, 0.1, 0.2])
    candidate: str | None = None
    source: str = ""


class Simulation(ConfigModel):
    draws: PositiveInt = 100_000
    seed: int = Field(default=20261206, ge=0)


class FundConfig(ConfigModel):
    kind: Literal["fund"]
    fund: Fund
    copula: Copula
    deals: list[Deal] = Field(min_length=1)
    simulation: Simulation = Simulation()


@dataclass(frozen=True)
class LoadedFund:
    """A validated fund config with the deals' paths made absolute."""

    config: FundConfig
    path: Path
    paths: dict[str, Path]  # deal id -> result or config file

    @property
    def deals(self) -> list[Deal]:
        return self.config.deals


def _deal_issues(d: Deal, i: int, fund: Fund, base: Path) -> tuple[list[ConfigIssue], Path | None]:
    at = f"deals[{i}]"
    issues: list[ConfigIssue] = []
    given = [k for k in ("result", "config", "judgement") if getattr(d, k) is not None]
    if len(given) != 1:
        issues.append(
            ConfigIssue(
                at,
                "give exactly one of result (a simrisk result file), config (a contract "
                f"config) or judgement (a three-point share repaid); found {given or 'none'}",
                has_value=False,
            )
        )
        return issues, None
    path = None
    if d.judgement is not None:
        j = d.judgement
        for k in ("capital", "start", "end"):
            if getattr(d, k) is None:
                issues.append(ConfigIssue(f"{at}.{k}", "is required for a judgement", False))
        if j.p_total_loss + j.p_shortfall > 1.0 + 1e-12:
            issues.append(
                ConfigIssue(
                    f"{at}.judgement.p_shortfall",
                    f"plus p_total_loss ({j.p_total_loss:g}) must be at most 1",
                    j.p_shortfall,
                )
            )
        if not j.min <= j.mode <= j.max:
            issues.append(
                ConfigIssue(
                    f"{at}.judgement",
                    "must have min <= mode <= max (shares of capital repaid)",
                    {"min": j.min, "mode": j.mode, "max": j.max},
                )
            )
    else:
        key = "result" if d.result is not None else "config"
        path = Path(getattr(d, key))
        if not path.is_absolute():
            path = base / path
        for k in ("capital", "start", "end"):
            if getattr(d, k) is not None:
                issues.append(
                    ConfigIssue(
                        f"{at}.{k}",
                        f"comes from the deal's {key}'s cash flows; give it only for a judgement",
                        getattr(d, k),
                    )
                )
    if d.start is not None and d.end is not None:
        if d.end <= d.start:
            issues.append(ConfigIssue(f"{at}.end", f"must be after start ({d.start})", d.end))
        if d.start < fund.start or d.end > fund.end:
            issues.append(
                ConfigIssue(
                    f"{at}.start" if d.start < fund.start else f"{at}.end",
                    f"must lie within the fund's dates {fund.start} to {fund.end}",
                    d.start if d.start < fund.start else d.end,
                )
            )
    if d.guarantee is not None and d.capital is not None and d.guarantee.amount > d.capital:
        issues.append(
            ConfigIssue(
                f"{at}.guarantee.amount",
                f"is larger than the deal's capital ({d.capital:,.0f}); a first-loss "
                "guarantee covers at most the capital",
                d.guarantee.amount,
            )
        )
    return issues, path


def parse_fund(data: dict, path: Path, source: str) -> LoadedFund:
    cfg = validate_model(FundConfig, data, source)
    issues: list[ConfigIssue] = []
    f = cfg.fund
    if f.end <= f.start:
        issues.append(ConfigIssue("fund.end", f"must be after fund.start ({f.start})", f.end))
    if f.end.year > 9000:
        issues.append(ConfigIssue("fund.end", "must be no later than 9000-12-31", f.end))
    c = cfg.copula
    issues += prior_issues(c.rho, "copula.rho", 0.0, 1.0, "a correlation")
    lo, hi = prior_support(c.rho) if not issues else (0.0, 0.0)
    if not issues and not (0.0 <= lo and hi < 1.0):
        issues.append(
            ConfigIssue(
                "copula.rho",
                f"must keep the correlation in [0, 1); its support is [{lo}, {hi}]",
                c.rho.dist,
            )
        )
    if c.family == "t" and c.df is None:
        issues.append(ConfigIssue("copula.df", "is required for family 't'", has_value=False))
    if c.family == "gaussian" and c.df is not None:
        issues.append(ConfigIssue("copula.df", "only applies to family 't'", c.df))
    if c.df is not None and c.df > 200:
        issues.append(ConfigIssue("copula.df", "must be at most 200", c.df))
    sectors = {s.name: s for s in c.sectors}
    for i, s in enumerate(c.sectors):
        if not issues and hi + s.rho >= 1.0:
            issues.append(
                ConfigIssue(
                    f"copula.sectors[{i}].rho",
                    f"plus the factor's largest correlation ({hi:g}) must stay below 1",
                    s.rho,
                )
            )
    base = path.parent
    paths: dict[str, Path] = {}
    seen: set[str] = set()
    for i, d in enumerate(cfg.deals):
        if d.id in seen:
            issues.append(ConfigIssue(f"deals[{i}].id", "is used by an earlier deal", d.id))
        seen.add(d.id)
        if d.sector is not None and d.sector not in sectors:
            allowed = ", ".join(sectors) or "none declared in [[copula.sectors]]"
            issues.append(
                ConfigIssue(f"deals[{i}].sector", f"is not a sector; allowed: {allowed}", d.sector)
            )
        found, p = _deal_issues(d, i, f, base)
        issues += found
        if p is not None:
            paths[d.id] = p
    if f.candidate is not None and f.candidate not in seen:
        issues.append(
            ConfigIssue("fund.candidate", f"is not a deal; deals: {', '.join(seen)}", f.candidate)
        )
    if issues:
        raise ConfigError(issues, source)
    return LoadedFund(config=cfg, path=path, paths=paths)


def load_fund(path) -> tuple[LoadedFund, str]:
    """The validated fund config and its text (with ``extends`` merged)."""
    data, text = load_toml(path)
    return parse_fund(data, Path(path).resolve(), str(path)), text
