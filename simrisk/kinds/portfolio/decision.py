"""The portfolio kind's decision: no pool, or one of the budget options.

Each option's payoff is its NPV with screening, staff time at the stated
wage (``npv``), which is already net of not having the pool: no pool is 0
in every world. The council is the party.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NO_POOL", "problems", "stored_spec"]

#: the do-nothing alternative's id, in ``p_best`` and in the decision summary
NO_POOL = "no_pool"


def stored_spec(ds):
    """The ``[decision]`` table of the config stored with the result (None if absent)."""
    from simrisk.core.decision_spec import spec_from_text

    return spec_from_text(ds.attrs.get("config", ""))


def problems(ds):
    """(main problem, {} , None); a problem is the keyword arguments of ``Problem``."""
    npv = ds["npv"].values.astype(np.float64)
    opts = [str(o) for o in ds["option"].values]
    main = dict(
        party="council",
        question="Region Hovedstaden's council: which budget option, or no pool?",
        alternatives=[NO_POOL, *opts],
        payoff=np.column_stack([np.zeros(npv.shape[0]), npv]),
        measure="NPV with screening, staff time at the stated wage",
        basis="staff time at the stated wage",
    )
    return main, {}, None
