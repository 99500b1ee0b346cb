"""The portfolio config (``configs/regionh_ai_pool.toml``), validated.

A portfolio config describes a pool of money that buys and implements
uncertain investments (here: AI algorithms for Region Hovedstaden): the
budget options with their yearly figures, the pipeline of candidate
algorithms (generic ones and named cases), the screening step, the benefit
model in three currencies, the priors of the world-level parameters, the
horizon and the discount rate. Validation is declarative (pydantic,
``extra="forbid"``, strict types) plus cross-checks; every problem is one
line naming the file, the key, the value and what is allowed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from simrisk.core.config import (
    Identifier,
    Money,
    PositiveInt,
    PositiveMoney,
    Prior,
    Probability,
    load_toml,
    origins_of,
    validate_model,
)
from simrisk.core.errors import ConfigError, ConfigIssue
from simrisk.core.priors import prior_issues

__all__ = [
    "KIND",
    "PARAMETERS",
    "Algorithms",
    "Analysis",
    "Benefits",
    "Case",
    "Horizon",
    "Option",
    "PortfolioConfig",
    "PortfolioSimulation",
    "load_portfolio",
    "parse_portfolio",
]

#: The world-level parameters, drawn once per simulated world, in this order
#: (the Dataset's ``parameter`` coordinate), with the support each must keep.
#: a portfolio result's ``kind`` and ``simrisk_kind`` attribute (here, not in the
#: driver, so that summarising a result does not import the Numba kernel)
KIND = "simrisk.portfolio"

PARAMETERS: dict[str, tuple[float, float, str]] = {
    "p_gain": (0.0, 1.0, "a probability in [0, 1]"),
    "p_workload": (0.0, 1.0, "a probability in [0, 1]"),
    "readiness_correlation": (0.0, 0.99, "a correlation in [0, 0.99]"),
    "screen_sensitivity": (0.0, 1.0, "a probability in [0, 1]"),
    "screen_specificity": (0.0, 1.0, "a probability in [0, 1]"),
    "ramp_years": (0.0, 10.0, "a number of years in [0, 10]"),
    "running_cost_share": (0.0, 1.0, "a yearly share of the cost in [0, 1]"),
    "benefit_scale": (0.0, math.inf, "a positive multiplier"),
}
_ALLOWED_DISTS = ("fixed", "normal", "truncnormal", "lognormal", "beta", "uniform", "pert")


def _half_years(v: float) -> float:
    if not math.isfinite(v) or v < 0 or abs(v * 2 - round(v * 2)) > 1e-9:
        raise ValueError("must be a non-negative number of years in steps of 0.5")
    return v


HalfYears = Annotated[float, AfterValidator(_half_years)]
PositiveFinite = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class ConfigModel(BaseModel):
    # strict: TOML already has types; "0.5" in quotes is a mistake, not a number.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Horizon(ConfigModel):
    """The years counted and how they are discounted."""

    first_year: Annotated[int, Field(ge=2000, le=2100)]
    last_year: Annotated[int, Field(ge=2000, le=2100)]
    discount_rate: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
    #: "carry_over": money not committed in a year stays in the pool for later
    #: years; "lapse": it returns to the region at the end of each year.
    unspent_money: Literal["carry_over", "lapse"] = "carry_over"


class Option(ConfigModel):
    """One budget option, as the proposal's table gives it (DKK per year)."""

    id: Identifier
    name: str
    name_da: str = ""
    years: list[int] = Field(min_length=1)
    wages: list[Money] = Field(min_length=1)
    other_running: list[Money] = Field(min_length=1)
    staff_fte: list[NonNegative] = Field(min_length=1)
    #: the algorithms the proposal says the option funds (low, high)
    stated_algorithms: list[Annotated[int, Field(ge=0)]] = Field(min_length=2, max_length=2)


class Algorithms(ConfigModel):
    """Generic candidates in the pipeline and the steps each goes through."""

    candidates: Annotated[int, Field(ge=1, le=200)]
    cost_low: PositiveMoney
    cost_high: PositiveMoney
    wage_share: Probability
    algorithms_per_consultant: PositiveFinite
    validation_share: Probability
    validation_years: HalfYears
    implementation_years: HalfYears
    lifetime_years: HalfYears
    late_stop_years: HalfYears


class Case(ConfigModel):
    """A named candidate at the head of the pipeline."""

    id: Identifier
    name: str
    name_da: str = ""
    cost_low: PositiveMoney
    cost_high: PositiveMoney
    validation_cost: Money | None = None
    benefit_scale: PositiveFinite = 1.0


class Benefits(ConfigModel):
    """Yearly benefit of an algorithm with a measurable gain, at full ramp.

    Each currency is lognormal across algorithms (``*_median``, ``*_sd_log``)
    and multiplied by the world's ``benefit_scale``.
    """

    money_median: Money
    money_sd_log: NonNegative
    staff_fte_median: NonNegative
    staff_fte_sd_log: NonNegative
    patient_hours_median: NonNegative
    patient_hours_sd_log: NonNegative
    workload_fte_median: NonNegative
    workload_fte_sd_log: NonNegative
    wage_per_fte: Money
    hours_per_fte: PositiveFinite
    patient_hour_value: Money
    include_patient_time: bool = False


class Analysis(ConfigModel):
    """Grids of the outputs."""

    staff_hour_values: list[Money] = Field(min_length=1)


class PortfolioSimulation(ConfigModel):
    """Defaults of ``simrisk run``."""

    draws: PositiveInt = 100_000
    seed: Annotated[int, Field(ge=0)] = 0
    chunk_size: PositiveInt = 8192


class PortfolioConfig(ConfigModel):
    """A validated portfolio config."""

    kind: Literal["portfolio"]
    schema_version: Literal[1]
    name: str
    description: str = ""
    currency: Literal["DKK"] = "DKK"
    horizon: Horizon
    options: list[Option] = Field(min_length=1)
    algorithms: Algorithms
    cases: list[Case] = Field(default_factory=list)
    benefits: Benefits
    priors: dict[str, Prior]
    analysis: Analysis
    simulation: PortfolioSimulation = PortfolioSimulation()

    @property
    def years(self) -> list[int]:
        """Every year of the horizon."""
        return list(range(self.horizon.first_year, self.horizon.last_year + 1))

    @property
    def pool_years(self) -> list[int]:
        """The years the options fund (the proposal's table)."""
        return list(self.options[0].years)


# ---------------------------------------------------------------------------
# Cross-checks
# ---------------------------------------------------------------------------


def _prior_issues(p: Prior, path: str, lo: float, hi: float, what: str) -> list[ConfigIssue]:
    """Keys, parameters and support of one prior (the core's checks; no pilot priors here)."""
    if p.dist not in _ALLOWED_DISTS:
        return [ConfigIssue(f"{path}.dist", f"must be one of {', '.join(_ALLOWED_DISTS)}", p.dist)]
    return prior_issues(p, path, lo, hi, what)


def _cross_checks(c: PortfolioConfig) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    h = c.horizon
    if h.last_year < h.first_year:
        issues.append(
            ConfigIssue(
                "horizon.last_year", f"must not be before first_year = {h.first_year}", h.last_year
            )
        )
    years0 = c.options[0].years
    seen: set[str] = set()
    for i, o in enumerate(c.options):
        path = f"options[{i}]"
        if o.id in seen:
            issues.append(ConfigIssue(f"{path}.id", "is used twice; ids must be unique", o.id))
        seen.add(o.id)
        if o.years != years0:
            issues.append(
                ConfigIssue(f"{path}.years", f"must equal options[0].years = {years0}", o.years)
            )
        elif o.years != list(range(years0[0], years0[0] + len(years0))):
            issues.append(ConfigIssue(f"{path}.years", "must be consecutive years", o.years))
        elif not (h.first_year <= years0[0] and years0[-1] <= h.last_year):
            issues.append(
                ConfigIssue(
                    f"{path}.years",
                    f"must lie in the horizon {h.first_year}-{h.last_year}",
                    o.years,
                )
            )
        for key in ("wages", "other_running", "staff_fte"):
            v = getattr(o, key)
            if len(v) != len(o.years):
                issues.append(
                    ConfigIssue(
                        f"{path}.{key}", f"must have one value per year ({len(o.years)})", v
                    )
                )
        lo, hi = o.stated_algorithms
        if lo > hi:
            issues.append(
                ConfigIssue(
                    f"{path}.stated_algorithms", "must be [low, high]", o.stated_algorithms
                )
            )
    a = c.algorithms
    if a.cost_high < a.cost_low:
        issues.append(
            ConfigIssue(
                "algorithms.cost_high",
                f"must be at least cost_low = {a.cost_low:,.0f}",
                a.cost_high,
            )
        )
    for key in ("validation_years", "implementation_years", "lifetime_years"):
        if getattr(a, key) <= 0:
            issues.append(
                ConfigIssue(f"algorithms.{key}", "must be at least 0.5 (years)", getattr(a, key))
            )
    ids = set()
    for i, case in enumerate(c.cases):
        path = f"cases[{i}]"
        if case.id in ids:
            issues.append(ConfigIssue(f"{path}.id", "is used twice; ids must be unique", case.id))
        ids.add(case.id)
        if case.cost_high < case.cost_low:
            issues.append(
                ConfigIssue(
                    f"{path}.cost_high",
                    f"must be at least cost_low = {case.cost_low:,.0f}",
                    case.cost_high,
                )
            )
        if case.validation_cost is not None and case.validation_cost > case.cost_low:
            issues.append(
                ConfigIssue(
                    f"{path}.validation_cost",
                    f"must not exceed cost_low = {case.cost_low:,.0f}",
                    case.validation_cost,
                )
            )
    if len(c.cases) > a.candidates:
        issues.append(
            ConfigIssue(
                "algorithms.candidates",
                f"must be at least the number of named cases ({len(c.cases)})",
                a.candidates,
            )
        )
    for name in c.priors:
        if name not in PARAMETERS:
            issues.append(
                ConfigIssue(
                    f"priors.{name}",
                    "unknown parameter; allowed: " + ", ".join(PARAMETERS),
                    has_value=False,
                )
            )
    for name, (lo, hi, what) in PARAMETERS.items():
        if name not in c.priors:
            issues.append(ConfigIssue(f"priors.{name}", "is required", has_value=False))
        else:
            issues += _prior_issues(c.priors[name], f"priors.{name}", lo, hi, what)
    return issues


def parse_portfolio(data: dict, source: str | None = None) -> PortfolioConfig:
    """Validate a portfolio config given as a dict (as read from TOML).

    Raises
    ------
    ConfigError
        With one :class:`~simrisk.core.errors.ConfigIssue` per problem found.
    """
    cfg = validate_model(PortfolioConfig, data, source)
    issues = _cross_checks(cfg)
    if issues:
        raise ConfigError(issues, source, origins=origins_of(data))
    return cfg


def load_portfolio(path: str | Path) -> tuple[PortfolioConfig, str]:
    """Read and validate a portfolio TOML file.

    Parameters
    ----------
    path : str or Path
        The TOML file (top-level ``kind = "portfolio"``); ``extends =
        "base.toml"`` takes the base's tables and changes only the keys given
        (:func:`simrisk.core.config.load_toml`).

    Returns
    -------
    config : PortfolioConfig
    text : str
        The file's text, kept for provenance in results.

    Raises
    ------
    ConfigError
        When the file is missing, is not TOML, or does not validate.
    """
    data, text = load_toml(path)
    return parse_portfolio(data, str(path)), text
