"""One source of truth: the ledger's numbers and the priors' central values must agree.

The deterministic ledger reads ``population.referred``, ``population.retention``
and each goal's ``success_rate``; the Monte Carlo engine reads the priors in
``[model]``. A config in which they disagree would give a ledger and a run
that describe two different projects with no warning, so it is refused, and
the message names both values:

- ``population.retention`` must equal the central value of ``model.retention``;
- ``model.recruitment`` (a fraction of ``population.referred``) must have
  central value 1, so the run's central referrals equal the ledger's;
- each goal's ``success_rate`` must equal the success probability the
  model implies at the priors' central values, unless the goal's model says
  ``calibrated = false`` (a deliberate departure, e.g. an effect taken from
  other evidence; the run then reports both rates side by side).

Under ``--fixed-parameters`` the engine uses exactly ``population.retention``
and a recruitment of 1 (see :attr:`EngineInputs.fixed_values
<simrisk.kinds.contract._inputs.EngineInputs.fixed_values>`).
"""

from __future__ import annotations

from simrisk.core.errors import ConfigIssue
from simrisk.core.priors import prior_central
from simrisk.kinds.contract.config import Scenario

__all__ = ["RATE_TOLERANCE", "VALUE_TOLERANCE", "source_of_truth_issues"]

#: retention and recruitment: equal up to float rounding of the prior's mean
VALUE_TOLERANCE = 1e-6
#: success rates: the effect priors are calibrated to 4 decimals (0.05 percentage points)
RATE_TOLERANCE = 5e-4


def source_of_truth_issues(s: Scenario) -> list[ConfigIssue]:
    """Disagreements between the ledger's inputs and the priors' central values."""
    m = s.model
    if m is None:
        return []
    issues: list[ConfigIssue] = []
    ret = prior_central(m.retention)
    if abs(ret - s.population.retention) > VALUE_TOLERANCE:
        issues.append(
            ConfigIssue(
                "population.retention",
                f"disagrees with the central value of its prior model.retention ({ret:.6g}); "
                "the ledger uses the first, simrisk run the second: make them equal",
                s.population.retention,
            )
        )
    rec = prior_central(m.recruitment)
    if abs(rec - 1.0) > VALUE_TOLERANCE:
        issues.append(
            ConfigIssue(
                "model.recruitment",
                f"has central value {rec:.6g}, so the run's central referrals "
                f"({rec * s.population.referred:,.6g}) disagree with population.referred "
                f"({s.population.referred:,}); the central value must be 1 "
                "(set central = 1 or centre the prior on 1)",
                m.recruitment.dist,
            )
        )
    if issues:
        return issues
    # Lazy: the engine's inputs are only needed (and only valid) once the above holds.
    from simrisk.kinds.contract._inputs import build_inputs
    from simrisk.kinds.contract.analytic import success_probabilities

    inp = build_inputs(s)
    p1, _ = success_probabilities(inp, inp.space.central)
    for j, col in enumerate(s.columns):
        g = s.goals[col.goal]
        if col.stage >= 0:
            sm = m.goals[g.id].stages[g.stages[col.stage].id]
            central = float(inp.space.central[inp.pidx[j, 0]])
            if sm.calibrated and abs(central - col.success_rate) > RATE_TOLERANCE:
                issues.append(
                    ConfigIssue(
                        f"goals[{col.goal}].stages[{col.stage}].success_rate",
                        f"disagrees with the central value of its probability prior "
                        f"({central:.4f}, model.goals.{g.id}.stages.{g.stages[col.stage].id}); "
                        "make them equal, or set calibrated = false there if the model departs "
                        "from the contract's rate on purpose",
                        col.success_rate,
                    )
                )
            continue
        gm = m.goals[g.id]
        if gm.calibrated and abs(p1[j] - g.success_rate) > RATE_TOLERANCE:
            issues.append(
                ConfigIssue(
                    f"goals[{j}].success_rate",
                    f"disagrees with the success rate the model implies at its priors' central "
                    f"values ({p1[j]:.4f}, model.goals.{g.id}); recalibrate the effect prior, "
                    f"or set model.goals.{g.id}.calibrated = false if the model departs from "
                    "the contract's rate on purpose",
                    g.success_rate,
                )
            )
    return issues
