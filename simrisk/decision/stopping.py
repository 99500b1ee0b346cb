"""Precision-based stopping: targets such as ``p_npv_negative:se<0.001``.

A target names a figure of :func:`simrisk.kinds.contract.summary.summarize` by its path
(``p_npv_negative``, ``npv.mean``, ``irr.p50``, ``repayments.total.mean``)
and a bound on its Monte Carlo standard error: absolute (``se<0.001``) or
relative to the figure's size (``rse<0.01``). The run goes on in blocks of
draws until every target is met (as @RISK's and Crystal Ball's precision
control); because each draw is a pure function of seed and index, the
result is exactly the first N draws of a plain N-draw run.
"""

from __future__ import annotations

import xarray as xr

from simrisk.core.targets import Precision, lookup, parse_precision

__all__ = ["Target", "check_targets", "parse_targets", "target_status"]

#: a precision target (the grammar is :mod:`simrisk.core.targets`)
Target = Precision


def parse_targets(specs: list[str], flag: str = "--until") -> list[Target]:
    """Targets from ``STAT:se<X`` / ``STAT:rse<X`` strings (comma-separated allowed)."""
    return parse_precision(specs, flag)


def target_status(summary: dict, targets: list[Target]) -> list[dict]:
    """Each target's figure, SE and whether it is met."""
    rows = []
    for t in targets:
        value, se = lookup(summary, t.path, "--until")
        rows.append(
            {
                "target": str(t),
                "value": value,
                "se": se,
                "measure": t.measure(value, se),
                "met": t.met(value, se),
            }
        )
    return rows


def check_targets(targets: list[Target]):
    """A check for :func:`simrisk.decision._engine.simulate_until`."""
    from simrisk.kinds.contract.summary import summarize

    def check(ds: xr.Dataset) -> bool:
        return all(r["met"] for r in target_status(summarize(ds), targets))

    return check
