"""The contract kind's decisions: the lender invests on these terms or not; each
authority signs or not.

- DSI: ``do_not_invest`` (it keeps its capital at its own rate: NPV 0 at that
  rate) or ``invest`` (the run's NPV at ``investor.discount_rate``). The
  hurdle rule also needs the expected case's IRR (the ledger) and the NPV at
  the hurdle rate (the decision layer recomputes it if the rates differ).
- Each authority, on each saving basis: ``do_not_sign`` (0) or ``sign`` (its
  net saving on that basis: the note's method, undiscounted; modelled,
  discounted at its own rate).
"""

from __future__ import annotations

import numpy as np

__all__ = ["problems", "scenario_of", "stored_spec"]

_BASIS = {
    "note_method": ("authority_net_saving_note", "net saving by the note's method"),
    "modelled": ("authority_net_saving_modelled", "modelled net saving (discounted)"),
}


def scenario_of(ds):
    """The validated scenario stored with a contract result."""
    from simrisk.kinds.contract.config import Scenario

    return Scenario.model_validate_json(ds.attrs["scenario_json"])


def stored_spec(ds):
    """The result's ``[decision]`` table (None if the config had none)."""
    return scenario_of(ds).decision


def problems(ds):
    """(DSI's problem, {"<authority>.<basis>": its problem}, hurdle inputs).

    Problems are the keyword arguments of ``simrisk.decision.rules.Problem``;
    hurdle inputs are (expected case IRR, hurdle rate, None: NPV at the hurdle
    to be computed by the decision layer unless it equals the discount rate).
    """
    from simrisk.kinds.contract.ledger import run_ledger

    s = scenario_of(ds)
    npv = ds["npv"].values.astype(np.float64)
    rate = float(ds.attrs["discount_rate"])
    main = dict(
        party="dsi",
        question=f"{s.investor.name}: invest on these terms?",
        alternatives=["do_not_invest", "invest"],
        payoff=np.column_stack([np.zeros_like(npv), npv]),
        measure=f"NPV at {rate:.1%}",
        basis="investor",
    )
    others = {}
    for i, a in enumerate(ds["authority"].values):
        name = s.payer(str(a)).name
        for basis, (var, measure) in _BASIS.items():
            x = ds[var].isel(authority=i).values.astype(np.float64)
            others[f"{a}.{basis}"] = dict(
                party=str(a),
                question=f"{name}: sign the contract?",
                alternatives=["do_not_sign", "sign"],
                payoff=np.column_stack([np.zeros_like(x), x]),
                measure=measure,
                basis=basis,
            )
    led = run_ledger(s)
    irr = None if not np.isfinite(led.irr) else float(led.irr)
    hurdle_rate = float(ds.attrs["hurdle_rate"])
    at_hurdle = npv if hurdle_rate == rate else None
    return main, others, (irr, hurdle_rate, at_hurdle)
