"""Closed-form success probabilities of the engine's per-citizen model.

Given one draw's parameters, the chance that a measured citizen meets each
goal (with and without the intervention) has a closed form. Tests use it as
the exact binomial ``p``; ``simrisk run`` reports it at the priors' central
values beside the source's assumed rates, so tensions between assumptions
are visible.
"""

from __future__ import annotations

import math

import numpy as np

from simrisk.kinds.contract._inputs import KIND_BINARY, KIND_RESOURCE, KIND_STAGED, EngineInputs

__all__ = ["success_probabilities"]


def _phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def success_probabilities(inp: EngineInputs, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(success) per goal for a measured citizen, with and without the intervention.

    For a stage of a staged goal: P(reaching it), the product of its and the
    earlier stages' conditional probabilities.

    Parameters
    ----------
    inp : EngineInputs
    params : ndarray of float, shape (P,)
        One draw's parameter values, in ``inp.space.names`` order.

    Returns
    -------
    p_treated, p_counterfactual : ndarray of float, shape (G,)
    """
    G = inp.n_goals
    p1 = np.zeros(G)
    p0 = np.zeros(G)
    prev = inp.contract.stage_prev
    for g in range(G):
        ix = inp.pidx[g]
        if inp.goal_kind[g] == KIND_STAGED:
            # reached: this stage given the previous, times the previous reached
            p1[g] = params[ix[0]] * (p1[prev[g]] if prev[g] >= 0 else 1.0)
            p0[g] = params[ix[1]] * (p0[prev[g]] if prev[g] >= 0 else 1.0)
            continue
        if inp.goal_kind[g] == KIND_BINARY:
            p1[g] = params[ix[0]]
            p0[g] = params[ix[1]]
            continue
        eff = params[ix[1]]
        sig = params[ix[2]]
        if inp.goal_kind[g] == KIND_RESOURCE:
            drift = params[ix[0]]
            zero = params[ix[3]]
            keep = inp.log_keep[g]
            z_part = zero * inp.zero_success[g]
            p1[g] = (1 - zero) * _phi((keep - drift - eff) / sig) + z_part
            p0[g] = (1 - zero) * _phi((keep - drift) / sig) + z_part
        else:
            top = inp.score_top[g]
            w = np.diff(np.concatenate([[0.0], inp.start_cdf[g, : top + 1]]))
            for s in range(top):  # the top score cannot rise
                mu = params[ix[4]] if s <= inp.low_max[g] else params[ix[5]]
                p1[g] += w[s] * _phi((mu + eff - 0.5) / sig)
                p0[g] += w[s] * _phi((mu - 0.5) / sig)
    return p1, p0
