"""Scenario configs: TOML files validated into a typed :class:`Scenario`.

A scenario describes one outcome contract: the investor's capital and its
disbursements, the payers with their caps, the payment goals, the referral
cohorts with their measurement and repayment dates, and the authorities'
cost basis. Validation is declarative (pydantic, ``extra="forbid"``), plus
cross-checks that need several fields (shares that sum to one, dates in
order, references between sections). Every problem is reported as a
:class:`~simrisk.errors.ConfigIssue` naming the file, the key path, the value
and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import tomllib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from simrisk.errors import ConfigError, ConfigIssue

__all__ = [
    "BusinessCase",
    "Cohort",
    "Correlation",
    "Disbursement",
    "DiseaseGroup",
    "Goal",
    "GoalModel",
    "Grant",
    "Investor",
    "LedgerOptions",
    "ModelSpec",
    "Payer",
    "Population",
    "Prior",
    "Scenario",
    "Simulation",
    "load_scenario",
    "parse_scenario",
    "read_toml",
    "validate_model",
]

SHARE_TOLERANCE = 1e-9
ROUNDING_TOLERANCE = 1.0  # DKK: published tables round each figure to the krone


# ---------------------------------------------------------------------------
# Field types with messages that say what is allowed
# ---------------------------------------------------------------------------


def _finite(v: float) -> float:
    if not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


def _probability(v: float) -> float:
    if not (0.0 <= v <= 1.0) or not math.isfinite(v):
        raise ValueError("must be a probability in [0, 1]")
    return v


def _money(v: float) -> float:
    if not math.isfinite(v) or v < 0:
        raise ValueError("must be a non-negative amount of money (DKK)")
    return v


def _positive_money(v: float) -> float:
    if not math.isfinite(v) or v <= 0:
        raise ValueError("must be a positive amount of money (DKK)")
    return v


def _rate(v: float) -> float:
    if not math.isfinite(v) or not (-0.5 < v < 1.0):
        raise ValueError("must be an annual rate between -0.5 and 1 (0.04 = 4%)")
    return v


def _fraction_open(v: float) -> float:
    if not math.isfinite(v) or not (0.0 < v <= 1.0):
        raise ValueError("must be a fraction in (0, 1]")
    return v


def _identifier(v: str) -> str:
    if not v or not (v[0].isalpha() and all(c.isalnum() or c == "_" for c in v)):
        raise ValueError("must be an identifier: a letter, then letters, digits or '_'")
    return v


Probability = Annotated[float, AfterValidator(_probability)]
Money = Annotated[float, AfterValidator(_money)]
PositiveMoney = Annotated[float, AfterValidator(_positive_money)]
Rate = Annotated[float, AfterValidator(_rate)]
FractionOpen = Annotated[float, AfterValidator(_fraction_open)]
Finite = Annotated[float, AfterValidator(_finite)]
Identifier = Annotated[str, AfterValidator(_identifier)]
PositiveInt = Annotated[int, Field(gt=0)]


class _Model(BaseModel):
    # strict: TOML already has types; "0.5" in quotes is a mistake, not a number.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------


class Disbursement(_Model):
    """One instalment of the investor's capital."""

    date: dt.date
    amount: PositiveMoney
    note: str = ""


class Investor(_Model):
    """The party that lends the capital and carries the downside."""

    name: str
    capital: PositiveMoney
    discount_rate: Rate
    hurdle_rate: Rate
    valuation_date: dt.date | None = None
    disbursements: list[Disbursement] = Field(min_length=1)


class Payer(_Model):
    """A party that pays for outcomes."""

    id: Identifier
    name: str
    kind: Literal["authority", "foundation", "investor", "other"]
    cap: Money | None = None
    discount_rate: Rate | None = None


class Goal(_Model):
    """A payment goal, measured per citizen."""

    id: Identifier
    name: str
    payer: str
    outcome: Literal["resource_use_fall", "score_increase"]
    #: resource_use_fall: the relative fall that counts as success (0.15 = 15 %)
    threshold: FractionOpen | None = None
    #: resource_use_fall: which cost basis (business_case column) the goal measures
    resource: str | None = None
    #: score_increase: the integer scale of the score
    scale_min: int | None = None
    scale_max: int | None = None
    success_rate: Probability
    payment_per_success: Money


class Population(_Model):
    """Who is referred and how many can be measured."""

    referred: PositiveInt
    retention: Probability
    follow_up_months: PositiveInt = 12


class Cohort(_Model):
    """A referral cohort and the dates that belong to it."""

    id: Identifier
    referral_start: dt.date
    referral_end: dt.date
    share: Probability
    measurement_date: dt.date
    repayment_date: dt.date


class Grant(_Model):
    """Money given to the project that is never repaid (informational)."""

    funder: str
    amount: Money
    date: dt.date
    purpose: str = ""


class DiseaseGroup(_Model):
    """One row of the authorities' cost basis (excess cost per person)."""

    name: str
    total: Money
    costs: dict[str, Money]


class BusinessCase(_Model):
    """The authorities' business case by the source's method."""

    method: Literal["threshold_times_mean_excess_cost"] = "threshold_times_mean_excess_cost"
    horizon_years: PositiveInt
    reductions: list[FractionOpen] = Field(min_length=1)
    authorities: dict[str, str]
    disease_groups: list[DiseaseGroup] = Field(min_length=1)
    stated_mean: DiseaseGroup | None = None


class LedgerOptions(_Model):
    """Options of the deterministic expected-case calculation."""

    success_rate_goals: list[str] = Field(default_factory=list)


class Prior(_Model):
    """A prior for one model parameter (one draw per simulated world).

    ``dist`` picks the family and which keys it takes:

    ==============  ==========================================
    dist            keys
    ==============  ==========================================
    ``fixed``       ``value``
    ``normal``      ``mean``, ``sd``
    ``truncnormal`` ``mean``, ``sd``, ``low``, ``high``
    ``lognormal``   ``median``, ``sd_log``
    ``beta``        ``mean``, ``sd`` (on [0, 1])
    ``uniform``     ``low``, ``high``
    ``pert``        ``min``, ``mode``, ``max`` (Beta-PERT, shape 4)
    ``pilot``       ``config`` (a WELLBY config, relative to this
                    file), ``part`` (``"gross"``: the pilot's mean
                    change; ``"net"``: less its no-intervention change)
    ==============  ==========================================

    ``central`` is the value ``--fixed-parameters`` uses (default: the mean;
    for ``pilot``, the pilot's own central figure).
    """

    dist: Literal[
        "fixed", "normal", "truncnormal", "lognormal", "beta", "uniform", "pert", "pilot"
    ]
    value: Finite | None = None
    mean: Finite | None = None
    sd: Finite | None = None
    low: Finite | None = None
    high: Finite | None = None
    median: Finite | None = None
    sd_log: Finite | None = None
    min: Finite | None = None
    mode: Finite | None = None
    max: Finite | None = None
    central: Finite | None = None
    config: str | None = None
    part: Literal["gross", "net"] | None = None
    source: str = ""


class GoalModel(_Model):
    """How one goal's outcome arises per citizen (see :mod:`simrisk.engine`).

    resource_use_fall goals: log change in use = drift + effect + sigma * noise,
    success if the use falls by at least the goal's threshold. ``zero_share``
    of citizens use nothing at start; ``zero_baseline`` says whether they
    count as a success (``"success"``) or cannot succeed (``"fail"``).

    score_increase goals: start score from ``start_distribution``; change =
    drift (``drift_low`` for starts <= ``low_max``, else ``drift_high``) +
    effect + sigma * noise, rounded and clipped to the scale; success on a
    strict increase.
    """

    drift: Prior | None = None
    effect: Prior
    sigma: Prior
    zero_share: Prior | None = None
    zero_baseline: Literal["fail", "success"] | None = None
    start_distribution: list[Probability] | None = None
    drift_low: Prior | None = None
    drift_high: Prior | None = None
    low_max: int | None = None


class Correlation(_Model):
    """A rank correlation between two parameters (Gaussian copula)."""

    a: str
    b: str
    rho: Annotated[float, AfterValidator(lambda v: _corr(v))]


def _corr(v: float) -> float:
    if not math.isfinite(v) or not (-1.0 < v < 1.0):
        raise ValueError("must be a correlation in (-1, 1)")
    return v


class ModelSpec(_Model):
    """Priors for the Monte Carlo engine."""

    recruitment: Prior
    retention: Prior
    outcome_correlation: Prior
    goals: dict[str, GoalModel]
    cost_weights: list[Probability] | None = None
    correlations: list[Correlation] = Field(default_factory=list)


class Simulation(_Model):
    """Defaults of ``simrisk run``."""

    draws: PositiveInt = 100_000
    seed: Annotated[int, Field(ge=0)] = 0
    chunk_size: PositiveInt = 8192


class Scenario(_Model):
    """A validated scenario: everything the ledger and the engine need."""

    schema_version: Literal[1]
    name: str
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
    model: ModelSpec | None = None
    simulation: Simulation = Field(default_factory=Simulation)

    # Convenience lookups -------------------------------------------------
    def payer(self, payer_id: str) -> Payer:
        """The payer with id ``payer_id``."""
        return next(p for p in self.payers if p.id == payer_id)

    def goal(self, goal_id: str) -> Goal:
        """The goal with id ``goal_id``."""
        return next(g for g in self.goals if g.id == goal_id)

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
        hint = _suggest(value, allowed)
        issues.append(
            ConfigIssue(path, f"unknown {what}; allowed: {', '.join(allowed)}{hint}", value)
        )


def _cross_checks(s: Scenario) -> list[ConfigIssue]:
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

    for i, gid in enumerate(s.ledger.success_rate_goals):
        _must_ref(gid, goal_ids, f"ledger.success_rate_goals[{i}]", "goal", issues)

    bc = s.business_case
    if bc is not None:
        for payer_id, goal_id in bc.authorities.items():
            _must_ref(
                payer_id, payer_ids, f"business_case.authorities.{payer_id}", "payer", issues
            )
            _must_ref(goal_id, goal_ids, f"business_case.authorities.{payer_id}", "goal", issues)
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
    return issues


# ---------------------------------------------------------------------------
# Turning pydantic's errors into ConfigIssues
# ---------------------------------------------------------------------------


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unwrap(tp: Any) -> Any:
    """The model class inside Optional[...] / list[...] / dict[str, ...] / Annotated."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0]
        else:
            return tp


def _model_at(loc: tuple, root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class addressed by a pydantic error location (for key suggestions)."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        tp = _unwrap(field.annotation)
        while typing.get_origin(tp) in (list, dict):
            tp = _unwrap(typing.get_args(tp)[-1])
        model = tp
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_TYPE_MESSAGES = {
    "float_type": "must be a number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be a text string in quotes",
    "bool_type": "must be true or false",
    "date_type": "must be a TOML date such as 2026-02-01 (written without quotes)",
    "list_type": "must be a list ([...] or [[...]] tables)",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "too_short": "must not be empty",
}


def _issue_from_error(err: dict, root: type[BaseModel]) -> ConfigIssue:
    loc = tuple(err["loc"])
    typ = err["type"]
    path = _path(loc)
    if typ == "missing":
        return ConfigIssue(path, "is required", has_value=False)
    if typ == "extra_forbidden":
        parent = _model_at(loc[:-1], root)
        allowed = sorted(parent.model_fields) if parent else []
        key = str(loc[-1])
        hint = _suggest(key, allowed)
        msg = f"unknown key{hint}" if hint else f"unknown key; allowed: {', '.join(allowed)}"
        return ConfigIssue(path, msg, err.get("input"))
    if typ == "value_error":
        msg = str(err["msg"]).removeprefix("Value error, ")
        return ConfigIssue(path, msg, err.get("input"))
    if typ == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return ConfigIssue(path, f"must be one of {expected}", err.get("input"))
    if typ == "greater_than":
        return ConfigIssue(path, f"must be greater than {err['ctx']['gt']}", err.get("input"))
    if typ in _TYPE_MESSAGES:
        return ConfigIssue(path, _TYPE_MESSAGES[typ], err.get("input"))
    return ConfigIssue(path, str(err["msg"]), err.get("input"))


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def parse_scenario(data: dict, source: str | None = None) -> Scenario:
    """Validate a scenario given as a dict (as read from TOML).

    Parameters
    ----------
    data : dict
        The parsed TOML document.
    source : str, optional
        Name of the file, used in error messages.

    Returns
    -------
    Scenario

    Raises
    ------
    ConfigError
        With one :class:`ConfigIssue` per problem found.
    """
    base = Path(source).resolve().parent if source else Path.cwd()
    scenario = validate_model(Scenario, _absolute_pilot_paths(data, base), source)
    issues = _cross_checks(scenario)
    if not issues:
        from simrisk.priors import model_issues

        issues = model_issues(scenario)
    if issues:
        raise ConfigError(issues, source)
    return scenario


def load_scenario(path: str | Path) -> tuple[Scenario, str]:
    """Read and validate a TOML scenario file.

    Parameters
    ----------
    path : str or Path
        The TOML file.

    Returns
    -------
    scenario : Scenario
    text : str
        The file's text, kept for provenance in results.

    Raises
    ------
    ConfigError
        When the file is missing, is not TOML, or does not validate.
    """
    data, text = read_toml(path)
    if "extends" in data:
        data, text = _extend(Path(path), data, text)
    return parse_scenario(data, str(path)), text


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        deep = isinstance(v, dict) and isinstance(out.get(k), dict) and "dist" not in v
        out[k] = _merge(out[k], v) if deep else v
    return out


def _extend(path: Path, data: dict, text: str) -> tuple[dict, str]:
    """``extends = "base.toml"``: the base's tables, deep-merged with this file's.

    Tables merge key by key; lists, values and whole priors (tables with a
    ``dist`` key) replace the base's. The text kept for provenance is both
    files'.
    """
    parent = data.pop("extends")
    if not isinstance(parent, str):
        raise ConfigError(
            [ConfigIssue("extends", "must be a file name in quotes", parent)], str(path)
        )
    base_path = path.resolve().parent / parent
    if base_path.resolve() == path.resolve():
        raise ConfigError(
            [ConfigIssue("extends", "must not name the file itself", parent)], str(path)
        )
    base_data, base_text = read_toml(base_path)
    if "extends" in base_data:
        base_data, base_text = _extend(base_path, base_data, base_text)
    merged = _merge(base_data, data)
    return merged, f"# ---- {base_path.name} ----\n{base_text}\n# ---- {path.name} ----\n{text}"


def _absolute_pilot_paths(data, base: Path):
    """Copy of ``data`` with every ``dist = "pilot"`` prior's config made absolute."""
    if isinstance(data, dict):
        out = {k: _absolute_pilot_paths(v, base) for k, v in data.items()}
        if out.get("dist") == "pilot" and isinstance(out.get("config"), str):
            out["config"] = str((base / out["config"]).resolve())
        return out
    if isinstance(data, list):
        return [_absolute_pilot_paths(v, base) for v in data]
    return data


def validate_model(cls: type[BaseModel], data: dict, source: str | None = None):
    """Validate ``data`` as ``cls``; pydantic's errors become :class:`ConfigIssue` lines."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_issue_from_error(e, cls) for e in exc.errors()], source) from None


def read_toml(path: str | Path) -> tuple[dict, str]:
    """A TOML file's data and text, with one-line errors for unreadable files."""
    p = Path(path)
    source = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue("", "file not found", has_value=False)], source) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [ConfigIssue("", f"cannot be read: {exc.__class__.__name__}", has_value=False)],
            source,
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            [ConfigIssue("", f"is not valid TOML: {exc}", has_value=False)], source
        ) from None
    return data, text
