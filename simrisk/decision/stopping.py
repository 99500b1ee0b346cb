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

import math
import re
from dataclasses import dataclass

import xarray as xr

from simrisk.core.errors import SimriskError

__all__ = ["Target", "check_targets", "parse_targets", "target_status"]

_RE = re.compile(r"^\s*([A-Za-z0-9_.]+)\s*:\s*(se|rse)\s*<\s*([0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class Target:
    """A bound on one summary figure's Monte Carlo SE."""

    path: str
    kind: str  # "se" or "rse"
    bound: float

    def __str__(self) -> str:
        return f"{self.path}:{self.kind}<{self.bound:g}"


def parse_targets(specs: list[str], flag: str = "--until") -> list[Target]:
    """Targets from ``STAT:se<X`` / ``STAT:rse<X`` strings (comma-separated allowed)."""
    out = []
    for spec in specs:
        for part in spec.split(","):
            m = _RE.match(part)
            if not m:
                raise SimriskError(
                    f"{flag} {part.strip()!r}: must look like STAT:se<X or STAT:rse<X, "
                    "e.g. p_npv_negative:se<0.001"
                )
            bound = float(m.group(3))
            if not bound > 0:
                raise SimriskError(f"{flag} {part.strip()!r}: the bound must be positive")
            out.append(Target(m.group(1), m.group(2), bound))
    if not out:
        raise SimriskError(f"{flag}: give at least one target")
    return out


def _lookup(summary: dict, path: str) -> tuple[float, float]:
    node = summary
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.get(k) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            break
    last = keys[-1]
    if not isinstance(node, dict) or f"{last}_se" not in node:
        raise SimriskError(
            f"--until {path}: not a summary figure with a standard error (try p_npv_negative, "
            "p_loss_nominal, p_irr_below_hurdle, npv.mean, npv.p50, irr.p50, "
            "repayments.total.mean, es5_npv)"
        )
    return float(node[last]), float(node[f"{last}_se"])


def target_status(summary: dict, targets: list[Target]) -> list[dict]:
    """Each target's figure, SE and whether it is met."""
    rows = []
    for t in targets:
        value, se = _lookup(summary, t.path)
        measure = se if t.kind == "se" else (se / abs(value) if value else math.inf)
        rows.append(
            {
                "target": str(t),
                "value": value,
                "se": se,
                "measure": measure,
                "met": bool(math.isfinite(measure) and measure < t.bound),
            }
        )
    return rows


def check_targets(targets: list[Target]):
    """A check for :func:`simrisk.decision._engine.simulate_until`."""
    from simrisk.kinds.contract.summary import summarize

    def check(ds: xr.Dataset) -> bool:
        return all(r["met"] for r in target_status(summarize(ds), targets))

    return check
