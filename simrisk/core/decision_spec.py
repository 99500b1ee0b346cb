"""The ``[decision]`` table every kind's config may carry: which rules to apply and their inputs.

The table only states the rules; the decision layer (:mod:`simrisk.decision.rules`)
applies them to a result. It lives in the core so that every kind's schema can
include it without importing the decision layer.

.. code-block:: toml

    [decision]
    rules = ["hurdle", "expected_value", "risk_aversion", "dominance"]
    hurdle_tolerance = 0.25        # optional: the largest P(NPV at the hurdle < 0) accepted

    [decision.risk_aversion]
    r = 2e-7                       # per DKK; or the indifference question:
    # indifference = { sure = 1_000_000, gamble_high = 3_000_000 }

A rule that does not apply to the config's kind (``hurdle`` outside the
contract kind) is refused on load by :func:`decision_issues`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from simrisk.core.config import ConfigIssue, ConfigModel, PositiveMoney, Probability

__all__ = [
    "RULES",
    "RULES_BY_KIND",
    "DecisionSpec",
    "Indifference",
    "RiskAversion",
    "decision_issues",
    "r_from_indifference",
    "spec_from_text",
]

#: Every rule the decision layer knows, in the order it reports them.
RULES = ("hurdle", "expected_value", "risk_aversion", "dominance")
#: The rules that apply to each kind (DSI's hurdle is a lender's rule on an IRR).
RULES_BY_KIND = {
    "contract": RULES,
    "portfolio": ("expected_value", "risk_aversion", "dominance"),
    "wellby": ("expected_value", "risk_aversion", "dominance"),
}

RuleName = Literal["hurdle", "expected_value", "risk_aversion", "dominance"]


class Indifference(ConfigModel):
    """ "A sure ``sure`` DKK is worth as much as a 50/50 chance of 0 or ``gamble_high`` DKK".

    Under exponential utility this pins the coefficient of absolute risk
    aversion ``r`` (:func:`r_from_indifference`). A risk-averse answer has
    ``sure < gamble_high / 2``; ``sure = gamble_high / 2`` is risk neutrality
    (``r = 0``), which the expected-value rule already covers.
    """

    sure: PositiveMoney
    gamble_high: PositiveMoney

    @model_validator(mode="after")
    def _averse(self):
        if not self.sure < self.gamble_high / 2:
            raise ValueError(
                f"sure ({self.sure:,.0f}) must be below half of gamble_high "
                f"({self.gamble_high:,.0f}): otherwise r <= 0 (not risk-averse)"
            )
        return self


class RiskAversion(ConfigModel):
    """Constant absolute risk aversion: ``r`` per DKK, stated or from one indifference question."""

    r: Annotated[float, Field(gt=0, lt=1)] | None = None
    indifference: Indifference | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.r is None) == (self.indifference is None):
            raise ValueError("give exactly one of r (per DKK, > 0) and indifference")
        return self

    @property
    def value(self) -> float:
        """The coefficient ``r`` per DKK."""
        if self.r is not None:
            return float(self.r)
        return r_from_indifference(self.indifference.sure, self.indifference.gamble_high)

    @property
    def source(self) -> str:
        if self.r is not None:
            return "stated"
        i = self.indifference
        return f"a sure {i.sure:,.0f} DKK equals a 50/50 chance of 0 or {i.gamble_high:,.0f} DKK"


class DecisionSpec(ConfigModel):
    """The ``[decision]`` table: rules and their inputs (defaults: every rule that applies)."""

    rules: list[RuleName] | None = None
    hurdle_tolerance: Probability | None = None
    risk_aversion: RiskAversion | None = None


def r_from_indifference(sure: float, high: float) -> float:
    """``r`` with ``exp(-r S) = (1 + exp(-r H)) / 2``: a sure S equals a 50/50 of 0 or H.

    Solved in ``t = r S`` (scale-free) by bisection; needs ``0 < S < H / 2``.
    """
    if not (0 < sure < high / 2):
        raise ValueError(f"need 0 < sure < gamble_high / 2, got {sure:g} and {high:g}")
    k = high / sure  # > 2

    def f(t: float) -> float:  # > 0 for small t when k > 2, < 0 for large t
        return 2.0 * math.exp(-t) - 1.0 - math.exp(-k * t)

    lo, hi = 1e-12, 1.0
    while f(hi) > 0:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi) / sure


def decision_issues(spec: DecisionSpec | None, kind: str) -> list[ConfigIssue]:
    """One issue per rule the spec names that does not apply to ``kind``."""
    if spec is None or spec.rules is None:
        return []
    allowed = RULES_BY_KIND[kind]
    issues = []
    for i, r in enumerate(spec.rules):
        if r not in allowed:
            issues.append(
                ConfigIssue(
                    f"decision.rules[{i}]",
                    f"does not apply to a {kind} config; allowed: {', '.join(allowed)}",
                    r,
                )
            )
    if spec.hurdle_tolerance is not None and "hurdle" not in allowed:
        issues.append(
            ConfigIssue(
                "decision.hurdle_tolerance",
                f"the hurdle rule does not apply to a {kind} config",
                spec.hurdle_tolerance,
            )
        )
    return issues


def spec_from_text(text: str) -> DecisionSpec | None:
    """The ``[decision]`` table of a config's text (as stored with a result), or None.

    A result keeps its config's text for provenance; a config that ``extends``
    another keeps only its own lines, so a table set in the parent is not seen
    here (the summary then applies every rule with no stated r or tolerance).
    """
    import tomllib

    try:
        table = tomllib.loads(text).get("decision")
    except (tomllib.TOMLDecodeError, TypeError):
        return None
    if not isinstance(table, dict):
        return None
    try:
        return DecisionSpec.model_validate(table)
    except ValueError:
        return None
