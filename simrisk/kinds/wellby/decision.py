"""The WELLBY kind's decision: scale the intervention to each projection size, or do not scale.

One problem per projection scenario (the scenarios are beliefs about
completion and effect, not choices); the first scenario's is the main one.
The payoff of scaling to ``n`` recruited is the projection's value net of the
no-intervention change and of the investment (``draws_projection_net``);
not scaling is 0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["problems", "stored_spec"]


def stored_spec(ds):
    """The ``[decision]`` table of the config stored with the result (None if absent)."""
    from simrisk.core.decision_spec import spec_from_text

    return spec_from_text(ds.attrs.get("config", ""))


def problems(ds):
    """(main problem, {label: other problem}, hurdle inputs = None); a problem is the
    keyword arguments of :class:`simrisk.decision.rules.Problem`."""
    from simrisk.core.errors import SimriskError

    if "draws_projection_net" not in ds:
        raise SimriskError(
            "result lacks draws_projection_net (written by simrisk >= issue 21): rerun it"
        )
    net = ds["draws_projection_net"].values.astype(np.float64)
    sizes = [int(n) for n in ds["recruited"].values]
    out = []
    for i, scen in enumerate(ds["scenario"].values):
        cols = [k for k in range(len(sizes)) if np.isfinite(net[:, i, k]).all()]
        nb = np.column_stack([np.zeros(net.shape[0]), *(net[:, i, k] for k in cols)])
        out.append(
            (
                str(scen),
                dict(
                    party="funder",
                    question=f"Scale the intervention (projection {scen})?",
                    alternatives=["do_not_scale", *(f"scale_to_{sizes[k]}" for k in cols)],
                    payoff=nb,
                    measure="WELLBY value net of no intervention and investment",
                    basis=str(scen),
                ),
            )
        )
    main = out[0][1]
    return main, dict(out[1:]), None
