"""The WELLBY pilot config (``configs/opi_aims_wellby.toml``), validated."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from simrisk.core.config import (
    ConfigModel,
    Finite,
    Money,
    PositiveInt,
    PositiveMoney,
    Prior,
    Probability,
    load_toml,
    origins_of,
    validate_model,
)
from simrisk.core.decision_spec import DecisionSpec, decision_issues
from simrisk.core.errors import ConfigError, ConfigIssue
from simrisk.core.priors import prior_issues

__all__ = ["Pilot", "Projection", "WellbyConfig", "load_wellby"]


def _rate(v: float) -> float:
    if not math.isfinite(v) or not (0.0 <= v < 1.0):
        raise ValueError("must be a rate in [0, 1) (0.015 = 1.5%)")
    return v


Rate01 = Annotated[float, AfterValidator(_rate)]


class Pilot(ConfigModel):
    """What the pilot reported."""

    recruited: PositiveInt
    completers: PositiveInt
    total_change: Finite | None = None
    mean_change: Finite | None = None
    sd_change: Annotated[float, Field(gt=0)] | None = None
    investment: Money
    scores: str | None = None


class Valuation(ConfigModel):
    """Value of one WELLBY."""

    currency: Literal["GBP", "DKK"]
    low: PositiveMoney
    central: PositiveMoney
    high: PositiveMoney
    dkk_per_unit: PositiveMoney = 1.0
    distribution: Literal["pert", "triangular", "uniform"] = "pert"


class Uncertainty(ConfigModel):
    """Priors for what the pilot did not publish."""

    sd_change: Prior
    completion_prior: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: [1.0, 1.0], min_length=2, max_length=2
    )
    persistence_years: Prior
    decay: Rate01 = 0.0
    discount_rate: Rate01 = 0.0
    no_intervention_change: Prior | None = None


class Goal3(ConfigModel):
    """Turning the mean change into P(strict rise) on an integer 0-10 scale."""

    scale_min: int = 0
    scale_max: int = 10
    start_distribution: list[Probability]
    dsi_assumed: Probability


class Projection(ConfigModel):
    """One of the source's scaling scenarios."""

    scenario: str
    completion: Probability | Literal["pilot"]
    mean_change: Finite | Literal["pilot"]
    recruited: list[PositiveInt] = Field(min_length=1)
    investment_per_recruited: Money


class Simulation(ConfigModel):
    draws: PositiveInt = 200_000
    #: numpy's SeedSequence takes any non-negative integer; results store it as uint64
    seed: Annotated[int, Field(ge=0, lt=2**64)] = 0


class WellbyConfig(ConfigModel):
    """A WELLBY evaluation: pilot facts, valuation, priors, projections."""

    #: the model kind (optional for a WELLBY config read by ``simrisk wellby``)
    kind: Literal["wellby"] = "wellby"
    schema_version: Literal[1]
    name: str
    description: str = ""
    pilot: Pilot
    valuation: Valuation
    uncertainty: Uncertainty
    goal3: Goal3 | None = None
    projections: list[Projection] = Field(default_factory=list)
    simulation: Simulation = Field(default_factory=Simulation)
    #: the decision rules the summary applies (docs/scenario-format.md#decision)
    decision: DecisionSpec | None = None

    @property
    def mean_change(self) -> float:
        """The pilot's mean change per completer."""
        p = self.pilot
        return p.mean_change if p.mean_change is not None else p.total_change / p.completers


def _checks(c: WellbyConfig, base: Path) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    p = c.pilot
    if p.completers > p.recruited:
        issues.append(
            ConfigIssue(
                "pilot.completers", f"must not exceed recruited ({p.recruited})", p.completers
            )
        )
    given = [k for k in ("total_change", "mean_change") if getattr(p, k) is not None]
    if p.scores is None and len(given) != 1:
        issues.append(
            ConfigIssue(
                "pilot",
                "give exactly one of total_change or mean_change (or scores)",
                has_value=False,
            )
        )
    if p.scores is not None and not (base / p.scores).is_file():
        issues.append(
            ConfigIssue("pilot.scores", f"file not found (relative to {base})", p.scores)
        )
    # A mean change per completer is a difference of two scores on the scale,
    # so it lies within +-(scale_max - scale_min): 10 points on the 0-10 scale.
    lo, hi = (c.goal3.scale_min, c.goal3.scale_max) if c.goal3 is not None else (0, 10)
    width = max(hi - lo, 1)
    means = [("pilot.mean_change", p.mean_change, p.mean_change)]
    if p.total_change is not None:
        means.append(("pilot.total_change", p.total_change / p.completers, p.total_change))
    means += [
        (f"projections[{j}].mean_change", pr.mean_change, pr.mean_change)
        for j, pr in enumerate(c.projections)
        if pr.mean_change != "pilot"
    ]
    for key, mean, value in means:
        if mean is not None and abs(mean) > width:
            per = " per completer" if key == "pilot.total_change" else ""
            issues.append(
                ConfigIssue(
                    key,
                    f"gives a mean change of {mean:,.4g}{per}; a change on a {lo}-{hi} scale "
                    f"lies in [-{width}, {width}]",
                    value,
                )
            )
    v = c.valuation
    if not v.low <= v.central <= v.high or v.low == v.high:
        issues.append(
            ConfigIssue(
                "valuation.central", "must satisfy low <= central <= high, low < high", v.central
            )
        )
    u = c.uncertainty
    issues += prior_issues(
        u.sd_change, "uncertainty.sd_change", 1e-9, math.inf, "an SD, so positive"
    )
    issues += prior_issues(
        u.persistence_years, "uncertainty.persistence_years", 0.0, 100.0, "a duration in years"
    )
    if u.no_intervention_change is not None:
        issues += prior_issues(
            u.no_intervention_change, "uncertainty.no_intervention_change", -math.inf, math.inf, ""
        )
    if c.goal3 is not None:
        g = c.goal3
        n = g.scale_max - g.scale_min + 1
        if n < 2:
            issues.append(ConfigIssue("goal3.scale_max", "must be above scale_min", g.scale_max))
        elif len(g.start_distribution) != n:
            issues.append(
                ConfigIssue(
                    "goal3.start_distribution",
                    f"must have {n} probabilities",
                    len(g.start_distribution),
                )
            )
        elif abs(sum(g.start_distribution) - 1) > 1e-6:
            issues.append(
                ConfigIssue(
                    "goal3.start_distribution",
                    "must sum to 1",
                    round(sum(g.start_distribution), 9),
                )
            )
    issues += decision_issues(c.decision, "wellby")
    return issues


def load_wellby(path: str | Path) -> tuple[WellbyConfig, str]:
    """Read and validate a WELLBY config; errors name file, key, value and what is allowed."""
    data, text = load_toml(path)
    cfg = validate_model(WellbyConfig, data, str(path))
    issues = _checks(cfg, Path(path).resolve().parent)
    if issues:
        raise ConfigError(issues, str(path), origins=origins_of(data))
    return cfg, text
