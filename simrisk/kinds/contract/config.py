"""Scenario configs: TOML files validated into a typed :class:`Scenario`.

A scenario describes one outcome contract: the investor's capital and its
disbursements, the payers with their caps, the payment goals, the referral
cohorts with their measurement and repayment dates, and the authorities'
cost basis. Validation is declarative (pydantic, ``extra="forbid"``), plus
cross-checks that need several fields (shares that sum to one, dates in
order, references between sections). Every problem is reported as a
:class:`~simrisk.core.errors.ConfigIssue` naming the file, the key path, the value
and what is allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, model_validator

from simrisk.core.config import (
    ConfigModel,
    Correlation,
    FractionOpen,
    Identifier,
    Money,
    PositiveInt,
    PositiveMoney,
    Prior,
    Probability,
    Rate,
    suggest,
)
from simrisk.core.decision_spec import DecisionSpec, decision_issues
from simrisk.core.errors import ConfigIssue

__all__ = [
    "DESIGN_KEYS",
    "BusinessCase",
    "Cohort",
    "Design",
    "DesignTerm",
    "Disbursement",
    "DiseaseGroup",
    "Floor",
    "Gate",
    "Goal",
    "GoalModel",
    "Grant",
    "Investor",
    "LedgerOptions",
    "ModelSpec",
    "ModelledSaving",
    "PayColumn",
    "Payer",
    "Population",
    "PriceIncrease",
    "RetentionClause",
    "Scenario",
    "Simulation",
    "Stage",
    "StageModel",
]

SHARE_TOLERANCE = 1e-9
ROUNDING_TOLERANCE = 1.0  # DKK: published tables round each figure to the krone
#: A goal's payment per success may be at most this many times the capital.
PAYMENT_PER_CAPITAL = 1.0


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------


class Disbursement(ConfigModel):
    """One instalment of the investor's capital."""

    date: dt.date
    amount: PositiveMoney
    note: str = ""


class Investor(ConfigModel):
    """The party that lends the capital and carries the downside."""

    name: str
    capital: PositiveMoney
    discount_rate: Rate
    hurdle_rate: Rate
    valuation_date: dt.date | None = None
    disbursements: list[Disbursement] = Field(min_length=1)


class Payer(ConfigModel):
    """A party that pays for outcomes."""

    id: Identifier
    name: str
    kind: Literal["authority", "foundation", "investor", "other"]
    cap: Money | None = None
    discount_rate: Rate | None = None


class PriceIncrease(ConfigModel):
    """A contracted price change (INDIGO's contracted increases): from ``date`` on."""

    date: dt.date
    price_per_unit: Money


class Stage(ConfigModel):
    """One payable stage of a ``staged`` goal (a rate card's line).

    A measured citizen reaches stage ``k`` only if they reached stage
    ``k - 1``; ``success_rate`` is the contract's expected rate *given* the
    previous stage (the first stage's: given measured). The stage is measured
    ``months`` after a citizen's start and paid on the cohort's
    ``repayment_date`` moved by ``months - population.follow_up_months``
    months (the last stage at ``follow_up_months`` is paid on the cohort's
    repayment date, a stage 6 months earlier 6 months before it), by its own
    ``payer`` (default: the goal's).
    """

    id: Identifier
    name: str = ""
    #: the stage's name in Danish, for ``--lang da`` reports (default: ``name``)
    name_da: str = ""
    payer: str | None = None
    months: Annotated[int, Field(ge=0, le=600)]
    success_rate: Probability
    payment_per_success: Money | None = None
    price_per_unit: Money | None = None
    maximum_price: Money | None = None
    price_increases: list[PriceIncrease] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _price(cls, data):
        if isinstance(data, dict) and "payment_per_success" not in data:
            data = dict(data)
            if "price_per_unit" in data:
                data["payment_per_success"] = data.pop("price_per_unit")
        return data


class Goal(ConfigModel):
    """A payment goal, measured per citizen.

    Prices follow the INDIGO data standard's names where they fit:
    ``price_per_unit`` (the same as ``payment_per_success``),
    ``maximum_price`` (the most the goal pays in all, before the payer's cap)
    and ``price_increases`` (a cohort measured on or after an increase's date
    is paid its price).
    """

    id: Identifier
    name: str
    #: the goal's name in Danish, for ``--lang da`` reports (default: ``name``)
    name_da: str = ""
    payer: str
    outcome: Literal["resource_use_fall", "score_increase", "binary", "staged"]
    #: resource_use_fall: the relative fall that counts as success (0.15 = 15 %)
    threshold: FractionOpen | None = None
    #: resource_use_fall: which cost basis (business_case column) the goal measures
    resource: str | None = None
    #: score_increase: the integer scale of the score
    scale_min: int | None = None
    scale_max: int | None = None
    #: the contract's expected success among measured citizens (not for a staged goal:
    #: each stage has its own)
    success_rate: Probability | None = None
    #: what the payer pays per success; INDIGO's ``price_per_unit`` is the same thing
    #: (give one of the two)
    payment_per_success: Money | None = None
    price_per_unit: Money | None = None
    maximum_price: Money | None = None
    price_increases: list[PriceIncrease] = Field(default_factory=list)
    #: staged goals: the payable stages in order (each conditional on the previous)
    stages: list[Stage] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _price(cls, data):
        if isinstance(data, dict):
            data = dict(data)
            if "payment_per_success" not in data and "price_per_unit" in data:
                data["payment_per_success"] = data.pop("price_per_unit")
        return data


class Population(ConfigModel):
    """Who is referred and how many can be measured."""

    referred: PositiveInt
    retention: Probability
    #: at most 50 years: a follow-up beyond a working life is a typo (and dates
    #: past year 9999 cannot be represented)
    follow_up_months: Annotated[int, Field(gt=0, le=600)] = 12


class Cohort(ConfigModel):
    """A referral cohort and the dates that belong to it."""

    id: Identifier
    referral_start: dt.date
    referral_end: dt.date
    share: Probability
    measurement_date: dt.date
    repayment_date: dt.date


class Grant(ConfigModel):
    """Money given to the project that is never repaid (informational)."""

    funder: str
    amount: Money
    date: dt.date
    purpose: str = ""


class DiseaseGroup(ConfigModel):
    """One row of the authorities' cost basis (excess cost per person)."""

    name: str
    total: Money
    costs: dict[str, Money]


class ModelledSaving(ConfigModel):
    """How ``simrisk run`` counts the authorities' modelled caused saving.

    A measured citizen's caused fall in use (counterfactual less treated, from
    the per-citizen model) saves, in year ``t = 0, 1, ...`` after the start,
    ``cost / business_case.horizon_years * fall * persistence**t`` for
    ``horizon_years`` years, where ``cost`` is the citizen's disease group's
    excess cost over the cost basis's horizon. Each year's saving is
    discounted at the payer's own ``discount_rate`` from the middle of the
    year (the year counted from the middle of the cohort's referral window)
    to the investor's valuation date, as are the payer's repayments.
    """

    horizon_years: PositiveInt
    persistence: Probability


class BusinessCase(ConfigModel):
    """The authorities' business case by the source's method, and the modelled one."""

    method: Literal["threshold_times_mean_excess_cost"] = "threshold_times_mean_excess_cost"
    #: at most 100 years (a business case over a longer horizon is a typo)
    horizon_years: Annotated[int, Field(gt=0, le=100)]
    reductions: list[FractionOpen] = Field(min_length=1)
    authorities: dict[str, str]
    disease_groups: list[DiseaseGroup] = Field(min_length=1)
    stated_mean: DiseaseGroup | None = None
    modelled: ModelledSaving | None = None


class LedgerOptions(ConfigModel):
    """Options of the deterministic expected-case calculation."""

    success_rate_goals: list[str] = Field(default_factory=list)


class StageModel(ConfigModel):
    """How one stage of a ``staged`` goal arises: a measured citizen who reached the
    previous stage reaches this one with ``probability`` (drawn per world); without the
    intervention with ``counterfactual``, on the same uniform, so a stage reached is
    deadweight when it would have been reached without the intervention too."""

    probability: Prior
    counterfactual: Prior
    calibrated: bool = True


class GoalModel(ConfigModel):
    """How one goal's outcome arises per citizen (see :mod:`simrisk.kinds.contract`).

    resource_use_fall goals: log change in use = drift + effect + sigma * noise,
    success if the use falls by at least the goal's threshold. ``zero_share``
    of citizens use nothing at start; ``zero_baseline`` says whether they
    count as a success (``"success"``) or cannot succeed (``"fail"``).

    score_increase goals: start score from ``start_distribution``; change =
    drift (``drift_low`` for starts <= ``low_max``, else ``drift_high``) +
    effect + sigma * noise, rounded and clipped to the scale; success on a
    strict increase.

    binary goals: a measured citizen achieves the outcome with ``probability``
    (drawn per world); without the intervention with ``counterfactual``, on
    the same uniform, so a success is deadweight when the uniform is below
    both.

    ``calibrated`` (default true): the priors' central values must imply the
    goal's contract ``success_rate`` (one source of truth, checked on load);
    false marks a deliberate departure, e.g. an effect taken from other evidence.
    """

    drift: Prior | None = None
    effect: Prior | None = None
    sigma: Prior | None = None
    zero_share: Prior | None = None
    zero_baseline: Literal["fail", "success"] | None = None
    start_distribution: list[Probability] | None = None
    drift_low: Prior | None = None
    drift_high: Prior | None = None
    low_max: int | None = None
    #: binary goals: P(outcome | measured) with the intervention and without it
    probability: Prior | None = None
    counterfactual: Prior | None = None
    calibrated: bool = True
    #: staged goals: per stage id, P(stage | previous stage) with and without the
    #: intervention
    stages: dict[str, StageModel] | None = None


class ModelSpec(ConfigModel):
    """Priors for the Monte Carlo engine."""

    recruitment: Prior
    retention: Prior
    outcome_correlation: Prior
    goals: dict[str, GoalModel]
    cost_weights: list[Probability] | None = None
    correlations: list[Correlation] = Field(default_factory=list)


class Floor(ConfigModel):
    """A capital floor: payers guarantee DSI a share of its capital back.

    On ``date`` (no earlier than every cohort's repayment date and the
    retention clause's date) the guarantors pay the investor the top-up
    ``max(0, share x investor.capital - received)``, where ``received`` is
    everything the payers have paid the investor under the contract:
    outcome repayments after caps plus any retention-clause payment. The
    top-up is split between the guarantors by ``payers`` (shares summing to
    1) and does not count against their caps.
    """

    share: Probability
    date: dt.date
    payers: dict[str, Probability] = Field(min_length=1)


class RetentionClause(ConfigModel):
    """A minimum-retention clause: the payers carry part of the retention risk.

    ``measured`` is the number of citizens measured in the cohorts whose
    measurement date is on or before that of cohort ``check_after`` (default:
    the last cohort, i.e. everyone). When ``measured < minimum_measured``:

    - ``remedy = "per_missing"``: the payers pay the investor
      ``payment_per_missing x (minimum_measured - measured)`` on ``date``;
      the contract goes on;
    - ``remedy = "early_end"``: the contract ends after ``check_after``; the
      cohorts measured later earn no outcome repayments and the payers pay
      the investor ``settlement`` on ``date`` instead. The investor's
      disbursements are unchanged.

    Payments are split between the payers by ``payers`` (shares summing to
    1) and do not count against their caps.
    """

    minimum_measured: Annotated[int, Field(ge=0)]
    remedy: Literal["per_missing", "early_end"]
    payment_per_missing: Money | None = None
    settlement: Money | None = None
    check_after: str | None = None
    date: dt.date
    payers: dict[str, Probability] = Field(min_length=1)


class Gate(ConfigModel):
    """A stop/go gate: an early look at retention, with the right to stop lending.

    On ``date`` the investor counts, in the cohorts whose referral window
    ended at least ``months`` before it, the referred citizens still engaged
    ``months`` after their start. If the share engaged is below ``threshold``,
    the investor pays none of its disbursements dated after ``date`` and the
    contract ends, settled as ``settlement`` says:

    - ``"completed_cohorts"``: the payers still pay, as the contract says
      (caps as always), for the cohorts whose referral window ended on or
      before ``date``; a cohort whose window is still open, and every later
      one, is not followed up and earns nothing;
    - ``"nothing"``: no outcome payment falls due after ``date``.

    The interim count comes from a dropout model: a constant hazard over the
    year, so a referred citizen is still engaged at ``m`` months with
    probability ``retention ** (m / 12)``; everyone measured at the end was
    engaged throughout (docs/model.md, an assumption).
    """

    date: dt.date
    months: Annotated[int, Field(ge=1, le=600)]
    threshold: Probability
    settlement: Literal["completed_cohorts", "nothing"] = "completed_cohorts"


#: The terms ``simrisk design`` can vary: key pattern -> what it is.
DESIGN_KEYS = {
    "goals.<id>.payment_per_success": "DKK per success of the goal",
    "goals.<id>.threshold": "the relative fall that counts as success (resource goals)",
    "payers.<id>.cap": "the payer's cap, DKK",
    "floor.share": "share of the capital the floor guarantees",
    "retention_clause.minimum_measured": "the clause's minimum number measured (R)",
    "retention_clause.payment_per_missing": "DKK per missing citizen",
    "retention_clause.settlement": "DKK paid on an early end",
    "gate.threshold": "the share engaged below which the gate stops the contract",
    "gate.date": "the gate's date, in whole months after the investor's valuation date",
}


class DesignTerm(ConfigModel):
    """One free term of a contract design and its range."""

    key: str
    low: Annotated[float, Field(ge=0)]
    high: Annotated[float, Field(ge=0)]


class Design(ConfigModel):
    """The free terms ``simrisk design`` searches, their ranges and the search's size.

    ``floor`` and ``retention_clause`` are templates used when the scenario
    itself has no such clause but a term varies it (today's contract then
    counts as share 0 / minimum 0: no clause).
    """

    terms: list[DesignTerm] = Field(min_length=1)
    draws: PositiveInt = 20_000
    candidates: PositiveInt = 32
    refine: Annotated[int, Field(ge=0)] = 16
    rescore_draws: PositiveInt = 100_000
    floor: Floor | None = None
    retention_clause: RetentionClause | None = None
    gate: Gate | None = None


class Simulation(ConfigModel):
    """Defaults of ``simrisk run``."""

    draws: PositiveInt = 100_000
    #: numpy's SeedSequence takes any non-negative integer; results store it as uint64
    seed: Annotated[int, Field(ge=0, lt=2**64)] = 0
    chunk_size: PositiveInt = 8192


@dataclass(frozen=True)
class PayColumn:
    """One payable column of the contract: an unstaged goal, or one stage of a staged goal.

    The ledger, the kernel and the result's ``goal`` axis count, price, cap and
    date per column; a scenario without staged goals has one column per goal,
    with the goal's own id.
    """

    id: str  # the goal's id, or "<goal id>.<stage id>"
    name: str
    goal: int  # index into Scenario.goals
    stage: int  # index into the goal's stages, -1 for an unstaged goal
    payer: str
    outcome: str
    #: the contract's expected rate; for a stage, given the previous stage
    success_rate: float
    payment_per_success: float
    maximum_price: float | None
    price_increases: tuple
    #: months after a citizen's start when the column is measured
    months: int
    #: the previous stage's column (index), -1 for a first stage or an unstaged goal
    previous: int
    #: the name in Danish (the goal's, and the stage's after ": ")
    name_da: str = ""

    def label(self, lang: str = "en") -> str:
        """The column's name in ``lang`` (Danish where the config gives it)."""
        return (self.name_da or self.name) if lang == "da" else self.name


class Scenario(ConfigModel):
    """A validated scenario: everything the ledger and the engine need."""

    #: the model kind (optional in the file: a config without ``kind`` is a contract)
    kind: Literal["contract"] = "contract"
    schema_version: Literal[1]
    name: str
    #: the name in Danish, for ``simrisk report --lang da`` (default: ``name``)
    name_da: str = ""
    description: str = ""
    currency: Literal["DKK"] = "DKK"
    investor: Investor
    payers: list[Payer] = Field(min_length=1)
    goals: list[Goal] = Field(min_length=1)
    population: Population
    cohorts: list[Cohort] = Field(min_length=1)
    grants: list[Grant] = Field(default_factory=list)
    business_case: BusinessCase | None = None
    ledger: LedgerOptions = Field(default_factory=LedgerOptions)
    floor: Floor | None = None
    retention_clause: RetentionClause | None = None
    gate: Gate | None = None
    design: Design | None = None
    model: ModelSpec | None = None
    #: the decision rules the summary applies (docs/scenario-format.md#decision)
    decision: DecisionSpec | None = None
    simulation: Simulation = Field(default_factory=Simulation)

    # Convenience lookups -------------------------------------------------
    def payer(self, payer_id: str) -> Payer:
        """The payer with id ``payer_id``."""
        return next(p for p in self.payers if p.id == payer_id)

    def goal(self, goal_id: str) -> Goal:
        """The goal with id ``goal_id``."""
        return next(g for g in self.goals if g.id == goal_id)

    @property
    def has_stages(self) -> bool:
        """Whether any goal is ``staged``."""
        return any(g.outcome == "staged" for g in self.goals)

    @property
    def columns(self) -> list[PayColumn]:
        """The contract's payable columns: each unstaged goal, and each stage of a
        staged goal (in config order)."""
        out: list[PayColumn] = []
        follow = self.population.follow_up_months
        for j, g in enumerate(self.goals):
            if g.outcome != "staged":
                out.append(
                    PayColumn(
                        id=g.id,
                        name=g.name,
                        goal=j,
                        stage=-1,
                        payer=g.payer,
                        outcome=g.outcome,
                        success_rate=float(g.success_rate),
                        payment_per_success=float(g.payment_per_success),
                        maximum_price=g.maximum_price,
                        price_increases=tuple(g.price_increases),
                        months=follow,
                        previous=-1,
                        name_da=g.name_da,
                    )
                )
                continue
            for k, st in enumerate(g.stages):
                out.append(
                    PayColumn(
                        id=f"{g.id}.{st.id}",
                        name=f"{g.name}: {st.name or st.id}",
                        goal=j,
                        stage=k,
                        payer=st.payer or g.payer,
                        outcome="staged",
                        success_rate=float(st.success_rate),
                        payment_per_success=float(st.payment_per_success or 0.0),
                        maximum_price=st.maximum_price,
                        price_increases=tuple(st.price_increases),
                        months=st.months,
                        previous=len(out) - 1 if k else -1,
                        name_da=f"{g.name_da or g.name}: {st.name_da or st.name or st.id}",
                    )
                )
        return out

    def column_payment_date(self, col: PayColumn, cohort: Cohort) -> dt.date:
        """The date a column of ``cohort`` is paid: the cohort's repayment date, moved by
        ``months - follow_up_months`` for a stage."""
        return _add_months(cohort.repayment_date, col.months - self.population.follow_up_months)

    def column_measurement_date(self, col: PayColumn, cohort: Cohort) -> dt.date:
        """The date a column of ``cohort`` is measured (a price increase dated on or before
        it applies)."""
        return _add_months(cohort.measurement_date, col.months - self.population.follow_up_months)

    @property
    def valuation_date(self) -> dt.date:
        """The investor's valuation date (default: the first disbursement)."""
        inv = self.investor
        return inv.valuation_date or min(d.date for d in inv.disbursements)


# ---------------------------------------------------------------------------
# Cross-field checks
# ---------------------------------------------------------------------------


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    days_in_month = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(d.day, days_in_month[month - 1]))


#: the public name of :func:`_add_months` (the contract's stage dates use it)
add_months = _add_months


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _unique(items, field: str, section: str, issues: list[ConfigIssue]) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        key = getattr(item, field)
        if key in seen:
            issues.append(ConfigIssue(f"{section}[{i}].{field}", f"duplicate {field}", key))
        seen.add(key)


def _must_ref(value: str, allowed: list[str], path: str, what: str, issues: list[ConfigIssue]):
    if value not in allowed:
        hint = suggest(value, allowed)
        issues.append(
            ConfigIssue(path, f"unknown {what}; allowed: {', '.join(allowed)}{hint}", value)
        )


def cross_checks(s: Scenario) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    _unique(s.payers, "id", "payers", issues)
    _unique(s.goals, "id", "goals", issues)
    _unique(s.cohorts, "id", "cohorts", issues)
    payer_ids = [p.id for p in s.payers]
    goal_ids = [g.id for g in s.goals]

    # Investor: disbursements in date order, adding up to the capital.
    disb = s.investor.disbursements
    for i in range(1, len(disb)):
        if disb[i].date <= disb[i - 1].date:
            issues.append(
                ConfigIssue(
                    f"investor.disbursements[{i}].date",
                    f"must be after the previous disbursement ({disb[i - 1].date})",
                    disb[i].date,
                )
            )
    total = sum(d.amount for d in disb)
    if abs(total - s.investor.capital) > 0.005:
        issues.append(
            ConfigIssue(
                "investor.capital",
                f"disbursements add up to {total:,.2f}; they must equal the capital",
                s.investor.capital,
            )
        )

    # Goals: payer references and outcome-specific fields.
    for i, g in enumerate(s.goals):
        _must_ref(g.payer, payer_ids, f"goals[{i}].payer", "payer", issues)
        if g.outcome == "staged":
            staged_issues(s, i, g, payer_ids, issues)
            continue
        if g.stages:
            issues.append(
                ConfigIssue(
                    f"goals[{i}].stages",
                    f"only applies to outcome 'staged' (this goal's is '{g.outcome}')",
                    f"{len(g.stages)} stages",
                )
            )
        if g.success_rate is None:
            issues.append(ConfigIssue(f"goals[{i}].success_rate", "is required", has_value=False))
        if g.payment_per_success is None:
            issues.append(
                ConfigIssue(
                    f"goals[{i}].payment_per_success",
                    "is required (or its INDIGO name price_per_unit)",
                    has_value=False,
                )
            )
            continue
        if g.price_per_unit is not None:
            issues.append(
                ConfigIssue(
                    f"goals[{i}].price_per_unit",
                    "give payment_per_success or price_per_unit, not both (the same thing)",
                    g.price_per_unit,
                )
            )
        for k in range(1, len(g.price_increases)):
            if g.price_increases[k].date <= g.price_increases[k - 1].date:
                issues.append(
                    ConfigIssue(
                        f"goals[{i}].price_increases[{k}].date",
                        "must be after the previous increase's date",
                        g.price_increases[k].date,
                    )
                )
        if g.payment_per_success > PAYMENT_PER_CAPITAL * s.investor.capital:
            issues.append(
                ConfigIssue(
                    f"goals[{i}].payment_per_success",
                    f"must not exceed the investor's capital ({s.investor.capital:,.0f} DKK): "
                    "an outcome contract pays a small share of the capital per success (DSI: "
                    "24,220 of 5,450,000), so more is a typo or a unit error",
                    g.payment_per_success,
                )
            )
        if g.outcome == "resource_use_fall":
            if g.threshold is None:
                issues.append(
                    ConfigIssue(
                        f"goals[{i}].threshold",
                        "is required for outcome 'resource_use_fall' (0.15 = a 15% fall)",
                        has_value=False,
                    )
                )
            for extra in ("scale_min", "scale_max"):
                if getattr(g, extra) is not None:
                    issues.append(
                        ConfigIssue(
                            f"goals[{i}].{extra}",
                            "only applies to outcome 'score_increase'",
                            getattr(g, extra),
                        )
                    )
        elif g.outcome == "binary":
            for extra in ("threshold", "resource", "scale_min", "scale_max"):
                if getattr(g, extra) is not None:
                    issues.append(
                        ConfigIssue(
                            f"goals[{i}].{extra}",
                            "does not apply to outcome 'binary'",
                            getattr(g, extra),
                        )
                    )
        else:
            if g.scale_min is None or g.scale_max is None:
                issues.append(
                    ConfigIssue(
                        f"goals[{i}]",
                        "outcome 'score_increase' needs scale_min and scale_max",
                        has_value=False,
                    )
                )
            elif g.scale_min >= g.scale_max:
                issues.append(
                    ConfigIssue(
                        f"goals[{i}].scale_max",
                        f"must be greater than scale_min ({g.scale_min})",
                        g.scale_max,
                    )
                )
            for extra in ("threshold", "resource"):
                if getattr(g, extra) is not None:
                    issues.append(
                        ConfigIssue(
                            f"goals[{i}].{extra}",
                            "only applies to outcome 'resource_use_fall'",
                            getattr(g, extra),
                        )
                    )

    # Cohorts: shares, dates in order.
    share_sum = sum(c.share for c in s.cohorts)
    if abs(share_sum - 1.0) > SHARE_TOLERANCE:
        issues.append(
            ConfigIssue(
                "cohorts[*].share",
                "the cohorts' shares must sum to 1",
                round(share_sum, 12),
            )
        )
    follow = s.population.follow_up_months
    first_disb = min(d.date for d in disb)
    for i, c in enumerate(s.cohorts):
        p = f"cohorts[{i}]"
        if c.referral_end < c.referral_start:
            issues.append(
                ConfigIssue(
                    f"{p}.referral_end",
                    f"must not be before referral_start ({c.referral_start})",
                    c.referral_end,
                )
            )
        earliest = _add_months(c.referral_end, follow)
        if c.measurement_date < earliest:
            issues.append(
                ConfigIssue(
                    f"{p}.measurement_date",
                    f"must be at least {follow} months after referral_end "
                    f"({c.referral_end}), i.e. on or after {earliest}",
                    c.measurement_date,
                )
            )
        if c.repayment_date < c.measurement_date:
            issues.append(
                ConfigIssue(
                    f"{p}.repayment_date",
                    f"must not be before the cohort's measurement_date ({c.measurement_date})",
                    c.repayment_date,
                )
            )
        if c.repayment_date <= first_disb:
            issues.append(
                ConfigIssue(
                    f"{p}.repayment_date",
                    f"must be after the first disbursement ({first_disb})",
                    c.repayment_date,
                )
            )
        if i > 0 and c.referral_start < s.cohorts[i - 1].referral_start:
            issues.append(
                ConfigIssue(
                    f"{p}.referral_start",
                    "cohorts must be listed in order of referral_start",
                    c.referral_start,
                )
            )

    clause_issues(s, payer_ids, issues)
    design_issues(s, payer_ids, goal_ids, issues)

    # a staged goal's rates are its stages': the ledger's goals name those columns
    rate_ids = [c.id for c in s.columns] if s.has_stages and not issues else goal_ids
    for i, gid in enumerate(s.ledger.success_rate_goals):
        _must_ref(gid, rate_ids, f"ledger.success_rate_goals[{i}]", "goal", issues)

    bc = s.business_case
    if bc is not None:
        for payer_id, goal_id in bc.authorities.items():
            _must_ref(
                payer_id, payer_ids, f"business_case.authorities.{payer_id}", "payer", issues
            )
            if (
                bc.modelled is not None
                and payer_id in payer_ids
                and s.payer(payer_id).discount_rate is None
            ):
                i = payer_ids.index(payer_id)
                issues.append(
                    ConfigIssue(
                        f"payers[{i}].discount_rate",
                        "is required for an authority when business_case.modelled is given "
                        "(its modelled saving and repayments are discounted at its own rate)",
                        has_value=False,
                    )
                )
            _must_ref(goal_id, goal_ids, f"business_case.authorities.{payer_id}", "goal", issues)
            if goal_id in goal_ids and s.goal(goal_id).outcome == "staged":
                issues.append(
                    ConfigIssue(
                        f"business_case.authorities.{payer_id}",
                        "names a staged goal; an authority's saving is measured on a "
                        "resource_use_fall goal",
                        goal_id,
                    )
                )
        columns = sorted(bc.authorities)
        rows = list(bc.disease_groups) + ([bc.stated_mean] if bc.stated_mean else [])
        for i, row in enumerate(rows):
            p = (
                f"business_case.disease_groups[{i}]"
                if i < len(bc.disease_groups)
                else "business_case.stated_mean"
            )
            if sorted(row.costs) != columns:
                issues.append(
                    ConfigIssue(
                        f"{p}.costs",
                        f"must have exactly the keys {', '.join(columns)} "
                        "(the authorities of business_case.authorities)",
                        sorted(row.costs),
                    )
                )
                continue
            parts = sum(row.costs.values())
            if abs(parts - row.total) > ROUNDING_TOLERANCE:
                issues.append(
                    ConfigIssue(
                        f"{p}.total",
                        f"differs from the sum of costs ({parts:,.0f}) by more than "
                        f"{ROUNDING_TOLERANCE:.0f} DKK of rounding",
                        row.total,
                    )
                )
        if bc.stated_mean is not None and not issues:
            n = len(bc.disease_groups)
            for col in columns:
                mean = sum(r.costs[col] for r in bc.disease_groups) / n
                stated = bc.stated_mean.costs[col]
                if abs(mean - stated) > ROUNDING_TOLERANCE:
                    issues.append(
                        ConfigIssue(
                            f"business_case.stated_mean.costs.{col}",
                            f"differs from the mean of the disease groups ({mean:,.2f}) by "
                            f"more than {ROUNDING_TOLERANCE:.0f} DKK of rounding",
                            stated,
                        )
                    )
        for i, g in enumerate(s.goals):
            if g.outcome == "resource_use_fall" and g.resource is not None:
                _must_ref(
                    g.resource,
                    columns,
                    f"goals[{i}].resource",
                    "resource (a business_case cost column)",
                    issues,
                )
    issues += decision_issues(s.decision, "contract")
    return issues


def _price_issues(p: str, x, capital: float, issues: list[ConfigIssue]) -> None:
    """A goal's or stage's price: given once, increases in date order, at most the capital."""
    if x.payment_per_success is None:
        issues.append(
            ConfigIssue(
                f"{p}.payment_per_success",
                "is required (or its INDIGO name price_per_unit)",
                has_value=False,
            )
        )
        return
    if x.price_per_unit is not None:
        issues.append(
            ConfigIssue(
                f"{p}.price_per_unit",
                "give payment_per_success or price_per_unit, not both (the same thing)",
                x.price_per_unit,
            )
        )
    for k in range(1, len(x.price_increases)):
        if x.price_increases[k].date <= x.price_increases[k - 1].date:
            issues.append(
                ConfigIssue(
                    f"{p}.price_increases[{k}].date",
                    "must be after the previous increase's date",
                    x.price_increases[k].date,
                )
            )
    if x.payment_per_success > PAYMENT_PER_CAPITAL * capital:
        issues.append(
            ConfigIssue(
                f"{p}.payment_per_success",
                f"must not exceed the investor's capital ({capital:,.0f} DKK): an outcome "
                "contract pays a small share of the capital per success, so more is a typo "
                "or a unit error",
                x.payment_per_success,
            )
        )


def staged_issues(s: Scenario, i: int, g: Goal, payer_ids, issues: list[ConfigIssue]) -> None:
    """Checks of a ``staged`` goal: its stages carry the rates, prices, payers and months."""
    p = f"goals[{i}]"
    for key in ("success_rate", "payment_per_success", "price_per_unit", "maximum_price",
                "threshold", "resource", "scale_min", "scale_max"):  # fmt: skip
        if getattr(g, key) is not None:
            issues.append(
                ConfigIssue(
                    f"{p}.{key}",
                    "does not apply to outcome 'staged' (each of its stages has its own)",
                    getattr(g, key),
                )
            )
    if g.price_increases:
        issues.append(
            ConfigIssue(
                f"{p}.price_increases",
                "does not apply to outcome 'staged' (each of its stages has its own)",
                f"{len(g.price_increases)} increases",
            )
        )
    if not g.stages:
        issues.append(
            ConfigIssue(
                f"{p}.stages",
                "outcome 'staged' needs at least one [[goals.stages]] (id, months, "
                "success_rate, price_per_unit)",
                has_value=False,
            )
        )
        return
    _unique(g.stages, "id", f"{p}.stages", issues)
    follow = s.population.follow_up_months
    first_disb = min(d.date for d in s.investor.disbursements)
    for k, st in enumerate(g.stages):
        q = f"{p}.stages[{k}]"
        if st.payer is not None:
            _must_ref(st.payer, payer_ids, f"{q}.payer", "payer", issues)
        _price_issues(q, st, s.investor.capital, issues)
        if st.months > follow:
            issues.append(
                ConfigIssue(
                    f"{q}.months",
                    f"must be at most population.follow_up_months ({follow}): the cohorts' "
                    "measurement and repayment dates are the last stage's",
                    st.months,
                )
            )
        if k > 0 and st.months < g.stages[k - 1].months:
            issues.append(
                ConfigIssue(
                    f"{q}.months",
                    f"must not be before the previous stage's ({g.stages[k - 1].months}): "
                    "a stage is reached after the one before it",
                    st.months,
                )
            )
        for c in s.cohorts:
            paid = _add_months(c.repayment_date, st.months - follow)
            if paid <= first_disb:
                issues.append(
                    ConfigIssue(
                        f"{q}.months",
                        f"pays cohort {c.id} on {paid} ({follow - st.months} months before "
                        f"its repayment_date), not after the first disbursement ({first_disb})",
                        st.months,
                    )
                )
                break
    if s.gate is not None:
        issues.append(
            ConfigIssue(
                "gate",
                f"cannot be combined with a staged goal ({p}): a stage paid before the gate's "
                "date is not modelled with a stop; use one or the other",
                has_value=False,
            )
        )


def _payer_shares(shares: dict, path: str, payer_ids: list[str], issues: list[ConfigIssue]):
    for pid in shares:
        _must_ref(pid, payer_ids, f"{path}.{pid}", "payer", issues)
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        issues.append(ConfigIssue(path, "the payers' shares must sum to 1", round(total, 12)))


def _clause_issues(s: Scenario, fl, rc, prefix: str, payer_ids, issues) -> None:
    cohort_ids = [c.id for c in s.cohorts]
    last_repay = max(c.repayment_date for c in s.cohorts)
    if rc is not None:
        p = f"{prefix}retention_clause"
        _payer_shares(rc.payers, f"{p}.payers", payer_ids, issues)
        need = "payment_per_missing" if rc.remedy == "per_missing" else "settlement"
        other = "settlement" if rc.remedy == "per_missing" else "payment_per_missing"
        if getattr(rc, need) is None:
            issues.append(
                ConfigIssue(
                    f"{p}.{need}", f"is required for remedy '{rc.remedy}'", has_value=False
                )
            )
        if getattr(rc, other) is not None:
            issues.append(
                ConfigIssue(
                    f"{p}.{other}", f"does not apply to remedy '{rc.remedy}'", getattr(rc, other)
                )
            )
        check = s.cohorts[-1]
        if rc.check_after is not None:
            _must_ref(rc.check_after, cohort_ids, f"{p}.check_after", "cohort", issues)
            if rc.check_after in cohort_ids:
                check = s.cohorts[cohort_ids.index(rc.check_after)]
        if rc.date < check.measurement_date:
            issues.append(
                ConfigIssue(
                    f"{p}.date",
                    f"must not be before the measurement of cohort {check.id} "
                    f"({check.measurement_date}), when the number measured is known",
                    rc.date,
                )
            )
    if fl is not None:
        p = f"{prefix}floor"
        _payer_shares(fl.payers, f"{p}.payers", payer_ids, issues)
        if fl.date < last_repay:
            issues.append(
                ConfigIssue(
                    f"{p}.date",
                    f"must not be before the last cohort repayment ({last_repay}): the floor "
                    "tops up what the contract has paid",
                    fl.date,
                )
            )
        if rc is not None and fl.date < rc.date:
            issues.append(
                ConfigIssue(
                    f"{p}.date", f"must not be before retention_clause.date ({rc.date})", fl.date
                )
            )


def clause_issues(s: Scenario, payer_ids: list[str], issues: list[ConfigIssue]) -> None:
    """Checks of ``[floor]``, ``[retention_clause]``, ``[gate]`` and the design's templates."""
    _clause_issues(s, s.floor, s.retention_clause, "", payer_ids, issues)
    d = s.design
    if d is not None and (d.floor is not None or d.retention_clause is not None):
        _clause_issues(s, d.floor, d.retention_clause, "design.", payer_ids, issues)
    for prefix, gate in (("", s.gate), ("design.", d.gate if d is not None else None)):
        if gate is not None:
            gate_issues(s, gate, f"{prefix}gate", issues)


def gate_counted(s: Scenario, gate: Gate) -> list[bool]:
    """Per cohort: whether the gate's interim count includes it (its referral window
    ended at least ``gate.months`` before the gate's date)."""
    return [_add_months(c.referral_end, gate.months) <= gate.date for c in s.cohorts]


def gate_issues(s: Scenario, gate: Gate, p: str, issues: list[ConfigIssue]) -> None:
    """Checks of a ``[gate]``: a count to look at, an instalment to stop, no clause it
    is not modelled with."""
    follow = s.population.follow_up_months
    if gate.months > follow:
        issues.append(
            ConfigIssue(
                f"{p}.months",
                f"must be at most population.follow_up_months ({follow}): the interim count "
                "comes before the measurement",
                gate.months,
            )
        )
        return
    if not any(gate_counted(s, gate)):
        first = _add_months(s.cohorts[0].referral_end, gate.months)
        issues.append(
            ConfigIssue(
                f"{p}.date",
                f"counts no cohort: the first cohort's citizens are all {gate.months} months "
                f"past their start only on {first}; the date must be on or after it",
                gate.date,
            )
        )
    last = max(d.date for d in s.investor.disbursements)
    if gate.date >= last:
        issues.append(
            ConfigIssue(
                f"{p}.date",
                f"must be before the last disbursement ({last}): after it the gate has no "
                "instalment left to stop",
                gate.date,
            )
        )
    if s.retention_clause is not None:
        issues.append(
            ConfigIssue(
                p,
                "cannot be combined with a [retention_clause] (the two are not modelled "
                "together); use one or the other",
                has_value=False,
            )
        )


def design_key_issue(s: Scenario, key: str) -> str | None:
    """Why ``key`` is not a term :mod:`simrisk design <simrisk.kinds.contract.design>` can vary."""
    parts = key.split(".")
    allowed = ", ".join(DESIGN_KEYS)
    if len(parts) == 3 and parts[0] == "goals":
        ids = [g.id for g in s.goals]
        if parts[1] not in ids:
            return f"unknown goal {parts[1]!r}; goals: {', '.join(ids)}"
        if s.goal(parts[1]).outcome == "staged":
            return "a staged goal's prices are its stages'; design does not vary them"
        if parts[2] == "threshold" and s.goal(parts[1]).outcome != "resource_use_fall":
            return "threshold only applies to a resource_use_fall goal"
        if parts[2] in ("payment_per_success", "threshold"):
            return None
    elif len(parts) == 3 and parts[0] == "payers":
        ids = [p.id for p in s.payers]
        if parts[1] not in ids:
            return f"unknown payer {parts[1]!r}; payers: {', '.join(ids)}"
        if parts[2] == "cap":
            return None
    elif len(parts) == 2 and parts[0] in ("floor", "retention_clause", "gate"):
        table = parts[0]
        if key in DESIGN_KEYS:
            have = getattr(s, table) or (getattr(s.design, table) if s.design else None)
            if have is None:
                return f"needs a [{table}] or [design.{table}] table to vary"
            if table == "retention_clause":
                wrong = "settlement" if have.remedy == "per_missing" else "payment_per_missing"
                if parts[1] == wrong:
                    return f"does not apply to remedy '{have.remedy}'"
            return None
    return f"not a term that can vary; allowed: {allowed}"


def design_issues(s: Scenario, payer_ids, goal_ids, issues: list[ConfigIssue]) -> None:
    """Checks of ``[design]``: known keys, ranges in order and within each key's domain."""
    d = s.design
    if d is None:
        return
    seen: set[str] = set()
    for i, t in enumerate(d.terms):
        p = f"design.terms[{i}]"
        why = design_key_issue(s, t.key)
        if why:
            issues.append(ConfigIssue(f"{p}.key", why, t.key))
            continue
        if t.key in seen:
            issues.append(ConfigIssue(f"{p}.key", "duplicate key", t.key))
        seen.add(t.key)
        if not t.low < t.high:
            issues.append(ConfigIssue(f"{p}.high", f"must be greater than low ({t.low})", t.high))
        last = t.key.rsplit(".", 1)[1]
        if last in ("share",) and t.high > 1:
            issues.append(ConfigIssue(f"{p}.high", "a share must be at most 1", t.high))
        if last == "threshold" and t.high >= 1:
            issues.append(ConfigIssue(f"{p}.high", "a threshold must be below 1", t.high))
        if last == "threshold" and t.low <= 0 and t.key != "gate.threshold":
            issues.append(ConfigIssue(f"{p}.low", "a threshold must be above 0", t.low))
        if t.key == "gate.threshold" and t.high > 1:
            issues.append(ConfigIssue(f"{p}.high", "a share must be at most 1", t.high))
        if t.key == "gate.date":
            gate = s.gate or d.gate
            for end in ("low", "high"):
                v = getattr(t, end)
                moved = gate.model_copy(update={"date": gate_date(s, v)})
                found: list[ConfigIssue] = []
                gate_issues(s, moved, "gate", found)
                if found:
                    issues.append(
                        ConfigIssue(
                            f"{p}.{end}",
                            f"{v:g} months after the valuation date ({moved.date}): "
                            f"{found[0].message}",
                            v,
                        )
                    )


def gate_date(s: Scenario, months: float) -> dt.date:
    """The date ``months`` (rounded to whole months) after the investor's valuation date."""
    return _add_months(s.valuation_date, int(round(months)))
