"""The contract kind's parameters: their names, bounds and cross-checks.

The engine draws one value per parameter per simulated world. Parameters
are named ``recruitment``, ``retention``, ``outcome_correlation`` and
``<goal id>.<parameter>`` (for example ``region_use.effect``); their priors
and copula come from :mod:`simrisk.core.priors`.
"""

from __future__ import annotations

import math

import numpy as np

# The WELLBY kind defines the ``dist = "pilot"`` prior family that goal 3 can use.
import simrisk.kinds.wellby.prior  # noqa: F401
from simrisk.core.config import Prior, suggest
from simrisk.core.errors import ConfigIssue
from simrisk.core.priors import (
    ParameterSpace,
    build_space,
    correlation_issues,
    correlation_matrix,
    prior_issues,
)
from simrisk.kinds.contract.config import GoalModel, Scenario

__all__ = ["build_parameter_space", "model_issues", "parameter_names"]

RESOURCE_PARAMS = ("drift", "effect", "sigma", "zero_share")
SCORE_PARAMS = ("drift_low", "drift_high", "effect", "sigma")
BINARY_PARAMS = ("probability", "counterfactual")
#: binary goals and stages take one random word each per citizen, after the normals
MAX_EVENT_COLUMNS = 64
GOAL_PARAMS = {
    "resource_use_fall": RESOURCE_PARAMS,
    "score_increase": SCORE_PARAMS,
    "binary": BINARY_PARAMS,
}


_BOUNDS = {
    "recruitment": (1e-9, 10.0, "recruitment is a fraction of population.referred"),
    "retention": (0.0, 1.0, "retention is a probability"),
    "outcome_correlation": (-1.0, 1.0, "a correlation"),
    "drift": (-math.inf, math.inf, ""),
    "effect": (-math.inf, math.inf, ""),
    "drift_low": (-math.inf, math.inf, ""),
    "drift_high": (-math.inf, math.inf, ""),
    "sigma": (1e-12, math.inf, "sigma is a standard deviation, so positive"),
    "zero_share": (0.0, 1.0, "zero_share is a probability"),
    "probability": (0.0, 1.0, "a probability"),
    "counterfactual": (0.0, 1.0, "a probability"),
}


def parameter_names(s: Scenario) -> list[str]:
    """Names of every model parameter, in the engine's order."""
    names = ["recruitment", "retention", "outcome_correlation"]
    for g in s.goals:
        if g.outcome == "staged":
            for st in g.stages:
                names += [f"{g.id}.{st.id}.{p}" for p in BINARY_PARAMS]
            continue
        names += [f"{g.id}.{p}" for p in GOAL_PARAMS[g.outcome]]
    return names


def _goal_prior(gm: GoalModel, name: str) -> Prior:
    p = getattr(gm, name)
    if p is None and name == "zero_share":
        return Prior(dist="fixed", value=0.0)
    return p


def model_issues(s: Scenario) -> list[ConfigIssue]:
    """Cross-checks of the ``[model]`` section against the scenario."""
    m = s.model
    if m is None:
        return []
    issues: list[ConfigIssue] = []
    for name in ("recruitment", "retention", "outcome_correlation"):
        lo, hi, what = _BOUNDS[name]
        issues += prior_issues(getattr(m, name), f"model.{name}", lo, hi, what)
    goal_ids = [g.id for g in s.goals]
    for gid in m.goals:
        if gid not in goal_ids:
            issues.append(
                ConfigIssue(
                    f"model.goals.{gid}",
                    f"unknown goal; allowed: {', '.join(goal_ids)}{suggest(gid, goal_ids)}",
                    has_value=False,
                )
            )
    for g in s.goals:
        path = f"model.goals.{g.id}"
        gm = m.goals.get(g.id)
        if gm is None:
            issues.append(
                ConfigIssue(path, "is required: every goal needs a model", has_value=False)
            )
            continue
        binary = ("probability", "counterfactual")
        if g.outcome == "staged":
            issues += _stage_model_issues(g, gm, path)
            continue
        if gm.stages is not None:
            issues.append(
                ConfigIssue(
                    f"{path}.stages", f"does not apply to outcome '{g.outcome}'", has_value=False
                )
            )
            continue
        if g.outcome == "resource_use_fall":
            wanted, unwanted = (
                ("drift", "effect", "sigma"),
                ("start_distribution", "drift_low", "drift_high", "low_max", *binary),
            )
            if gm.zero_share is not None and gm.zero_baseline is None:
                issues.append(
                    ConfigIssue(
                        f"{path}.zero_baseline",
                        "is required with zero_share: say whether a citizen with no use "
                        "at start counts as 'success' or 'fail'",
                        has_value=False,
                    )
                )
        elif g.outcome == "binary":
            wanted = binary
            unwanted = ("drift", "effect", "sigma", "zero_share", "zero_baseline",
                        "start_distribution", "drift_low", "drift_high", "low_max")  # fmt: skip
        else:
            wanted = ("start_distribution", "drift_low", "drift_high", "low_max", "effect")
            wanted += ("sigma",)
            unwanted = ("drift", "zero_share", "zero_baseline", *binary)
        for k in wanted:
            if getattr(gm, k) is None:
                issues.append(
                    ConfigIssue(
                        f"{path}.{k}", f"is required for outcome '{g.outcome}'", has_value=False
                    )
                )
        for k in unwanted:
            if getattr(gm, k) is not None:
                issues.append(
                    ConfigIssue(
                        f"{path}.{k}", f"does not apply to outcome '{g.outcome}'", getattr(gm, k)
                    )
                )
        if any(i.path.startswith(path) for i in issues):
            continue
        for name in GOAL_PARAMS[g.outcome]:
            lo, hi, what = _BOUNDS[name]
            issues += prior_issues(_goal_prior(gm, name), f"{path}.{name}", lo, hi, what)
        if g.outcome == "score_increase":
            n = g.scale_max - g.scale_min + 1
            sd = gm.start_distribution
            if len(sd) != n:
                issues.append(
                    ConfigIssue(
                        f"{path}.start_distribution",
                        f"must have {n} probabilities, one per score {g.scale_min}..{g.scale_max}",
                        f"{len(sd)} values",
                    )
                )
            elif abs(sum(sd) - 1.0) > 1e-6:
                issues.append(
                    ConfigIssue(f"{path}.start_distribution", "must sum to 1", round(sum(sd), 9))
                )
            if not g.scale_min <= gm.low_max < g.scale_max:
                issues.append(
                    ConfigIssue(
                        f"{path}.low_max",
                        f"must lie in [{g.scale_min}, {g.scale_max - 1}]",
                        gm.low_max,
                    )
                )
    if s.business_case is not None and s.business_case.modelled is None:
        issues.append(
            ConfigIssue(
                "business_case.modelled",
                "is required with [model]: simrisk run reports the authorities' modelled "
                "saving beside the note's and needs its horizon_years and persistence",
                has_value=False,
            )
        )
    n_words = sum(g.outcome == "binary" for g in s.goals) + sum(
        len(g.stages) for g in s.goals if g.outcome == "staged"
    )
    if n_words > MAX_EVENT_COLUMNS:
        issues.append(
            ConfigIssue(
                "goals",
                f"the engine supports at most {MAX_EVENT_COLUMNS} binary goals and stages "
                "together (one random word each per citizen)",
                n_words,
            )
        )
    n_res = sum(g.outcome == "resource_use_fall" for g in s.goals)
    if n_res > 4:
        issues.append(
            ConfigIssue("goals", "the engine supports at most 4 resource_use_fall goals", n_res)
        )
    if s.business_case is not None and m.cost_weights is not None:
        n = len(s.business_case.disease_groups)
        if len(m.cost_weights) != n:
            issues.append(
                ConfigIssue(
                    "model.cost_weights",
                    f"must have {n} weights, one per business_case.disease_groups row",
                    f"{len(m.cost_weights)} values",
                )
            )
        elif abs(sum(m.cost_weights) - 1.0) > 1e-6:
            issues.append(
                ConfigIssue("model.cost_weights", "must sum to 1", round(sum(m.cost_weights), 9))
            )
    issues += correlation_issues(m.correlations, "model.correlations")
    if not issues:
        names = parameter_names(s)
        seen: dict[frozenset, int] = {}
        for i, c in enumerate(m.correlations):
            pair = frozenset((c.a, c.b))
            if pair in seen and c.a != c.b:
                issues.append(
                    ConfigIssue(
                        f"model.correlations[{i}]",
                        f"repeats the pair {c.a}, {c.b} of model.correlations[{seen[pair]}] "
                        "(in either order); give each pair once",
                        c.rho,
                    )
                )
            seen.setdefault(pair, i)
            for key in ("a", "b"):
                v = getattr(c, key)
                if v not in names:
                    issues.append(
                        ConfigIssue(
                            f"model.correlations[{i}].{key}",
                            f"unknown parameter{suggest(v, names)}",
                            v,
                        )
                    )
            if c.a == c.b:
                issues.append(ConfigIssue(f"model.correlations[{i}].b", "must differ from a", c.b))
        if not issues and m.correlations:
            try:
                np.linalg.cholesky(correlation_matrix(names, m.correlations))
            except np.linalg.LinAlgError:
                issues.append(
                    ConfigIssue(
                        "model.correlations",
                        "the correlations do not form a positive-definite matrix",
                        has_value=False,
                    )
                )
    return issues


def _stage_model_issues(g, gm: GoalModel, path: str) -> list[ConfigIssue]:
    """A staged goal's model: a probability and a counterfactual per stage, nothing else."""
    issues: list[ConfigIssue] = []
    for k in ("drift", "effect", "sigma", "zero_share", "zero_baseline", "start_distribution",
              "drift_low", "drift_high", "low_max", "probability", "counterfactual"):  # fmt: skip
        if getattr(gm, k) is not None:
            issues.append(
                ConfigIssue(
                    f"{path}.{k}",
                    "does not apply to outcome 'staged' (give each stage's under "
                    f"{path}.stages.<stage id>)",
                    getattr(gm, k),
                )
            )
    ids = [st.id for st in g.stages]
    models = gm.stages or {}
    for sid in models:
        if sid not in ids:
            issues.append(
                ConfigIssue(
                    f"{path}.stages.{sid}",
                    f"unknown stage; allowed: {', '.join(ids)}{suggest(sid, ids)}",
                    has_value=False,
                )
            )
    for sid in ids:
        sm = models.get(sid)
        if sm is None:
            issues.append(
                ConfigIssue(
                    f"{path}.stages.{sid}",
                    "is required: every stage needs a probability and a counterfactual",
                    has_value=False,
                )
            )
            continue
        for name in BINARY_PARAMS:
            lo, hi, what = _BOUNDS[name]
            issues += prior_issues(getattr(sm, name), f"{path}.stages.{sid}.{name}", lo, hi, what)
    return issues


def build_parameter_space(s: Scenario) -> ParameterSpace:
    """The parameter space of a scenario with a ``[model]`` section."""
    m = s.model
    names = parameter_names(s)
    priors: list[Prior] = [m.recruitment, m.retention, m.outcome_correlation]
    for g in s.goals:
        if g.outcome == "staged":
            for st in g.stages:
                sm = m.goals[g.id].stages[st.id]
                priors += [getattr(sm, p) for p in BINARY_PARAMS]
            continue
        priors += [_goal_prior(m.goals[g.id], p) for p in GOAL_PARAMS[g.outcome]]
    return build_space(names, priors, m.correlations)
