"""One grammar for targets on a summary's figures: ``--until`` and ``design --target``.

A key names a figure of a kind's summary by its dotted path (``p_npv_negative``,
``npv.mean``, ``net_saving.modelled.region.p_negative``,
``options.pool_3.p_net_benefit_positive``); its Monte Carlo standard error is
the sibling ``<last part>_se``, or the ``se`` beside a figure given as
``{"value": ..., "se": ...}`` or beside a ``mean``. Two forms:

- a precision target, ``KEY:se<X`` or ``KEY:rse<X`` (``simrisk run --until``):
  the figure's SE (absolute, or relative to the figure) must fall below X;
- a bound, ``KEY<=V`` or ``KEY>=V`` (``simrisk design --target``; ``<`` and
  ``>`` read the same): the figure must hold the bound by a margin of SEs.

Numbers are decimal (``0.001``, ``1e-3``, ``1_000``). Malformed text is one
:class:`~simrisk.core.errors.SimriskError` line naming the flag, the text and
what is allowed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simrisk.core.errors import SimriskError

__all__ = [
    "Bound",
    "Precision",
    "estimate_of",
    "flat_keys",
    "lookup",
    "parse_bound",
    "parse_number",
    "parse_precision",
]

_KEY = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*"
_PRECISION = re.compile(rf"^\s*({_KEY})\s*:\s*(se|rse)\s*<\s*(\S+)\s*$")
_BOUND = re.compile(rf"^\s*({_KEY})\s*(<=|>=|<|>)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Precision:
    """A bound on one summary figure's Monte Carlo SE: ``path:se<bound`` or ``path:rse<bound``."""

    path: str
    kind: str  # "se" or "rse"
    bound: float

    def measure(self, value: float, se: float) -> float:
        """The SE the bound applies to (relative to ``|value|`` for ``rse``)."""
        if self.kind == "se":
            return se
        return se / abs(value) if value else math.inf

    def met(self, value: float, se: float) -> bool:
        m = self.measure(value, se)
        return bool(math.isfinite(m) and m < self.bound)

    def __str__(self) -> str:
        return f"{self.path}:{self.kind}<{self.bound:g}"


@dataclass(frozen=True)
class Bound:
    """An inequality on a summary figure, e.g. ``p_npv_negative<=0.25``."""

    key: str
    op: str
    value: float

    @property
    def upper(self) -> bool:
        """Whether the figure must stay below the value."""
        return self.op in ("<=", "<")

    def margin(self, value: float, se: float, k: float = 2.0) -> float:
        """How far the bound holds after a margin of ``k`` SEs (>= 0: met)."""
        if self.upper:
            return self.value - (value + k * se)
        return (value - k * se) - self.value

    def __str__(self) -> str:
        return f"{self.key}{self.op}{self.value:g}"


def parse_number(text: str, flag: str, whole: str) -> float:
    """A decimal number (``1e-3``, ``1_000``), or one line naming ``flag`` and ``whole``."""
    from simrisk.core.numbers import parse_number as number

    return float(number(text, flag, context=whole))


def parse_precision(specs: list[str] | str, flag: str = "--until") -> list[Precision]:
    """Precision targets from ``KEY:se<X`` / ``KEY:rse<X`` strings (comma-separated allowed)."""
    out = []
    for spec in [specs] if isinstance(specs, str) else specs:
        for part in spec.split(","):
            m = _PRECISION.match(part)
            if not m:
                raise SimriskError(
                    f"{flag} {part.strip()!r}: must look like STAT:se<X or STAT:rse<X, "
                    "e.g. p_npv_negative:se<0.001"
                )
            bound = parse_number(m.group(3), flag, part)
            if not bound > 0:
                raise SimriskError(f"{flag} {part.strip()!r}: the bound must be positive")
            out.append(Precision(m.group(1), m.group(2), bound))
    if not out:
        raise SimriskError(f"{flag}: give at least one target")
    return out


def parse_bound(text: str, flag: str = "--target") -> Bound:
    """``KEY<=V`` or ``KEY>=V`` (``<`` and ``>`` read the same: a margin is strict anyway)."""
    m = _BOUND.match(text)
    if not m:
        raise SimriskError(
            f"{flag} {text!r}: must look like KEY<=VALUE or KEY>=VALUE, with KEY a summary "
            "key such as p_npv_negative or net_saving.modelled.region.p_negative"
        )
    return Bound(m.group(1), m.group(2), parse_number(m.group(3), flag, text))


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _estimate_node(node: object) -> bool:
    """A figure given as ``{"value": v, "se": s}``."""
    return isinstance(node, Mapping) and _number(node.get("value")) and _number(node.get("se"))


def _se_of(parent: Mapping[str, Any], last: str) -> object:
    se = parent.get(f"{last}_se")
    if se is None and last == "mean":
        se = parent.get("se")
    return se


def flat_keys(summary: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every numeric figure's dotted key (not the SEs beside them)."""
    out = []
    for k, v in summary.items():
        key = f"{prefix}{k}"
        if _estimate_node(v):
            out.append(key)
        elif isinstance(v, Mapping):
            out += flat_keys(v, key + ".")
        elif _number(v) and not k.endswith("_se") and k != "se":
            out.append(key)
    return out


def estimate_of(summary: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    """The figure at ``key`` and its SE, or None if there is no such figure with an SE."""
    node: Any = summary
    parent: Any = summary
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        parent, node = node, node[part]
    if _estimate_node(node):
        return float(node["value"]), float(node["se"])
    se = _se_of(parent, key.rpartition(".")[2])
    if _number(node) and _number(se):
        return float(node), float(se)  # type: ignore[arg-type]
    return None


def lookup(summary: Mapping[str, Any], key: str, flag: str) -> tuple[float, float]:
    """A summary figure's value and its Monte Carlo SE (the sibling ``KEY_se``)."""
    from simrisk.core.config import suggest

    node: Any = summary
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            keys = flat_keys(summary)
            hint = suggest(key, keys) or ("; e.g. " + ", ".join(keys[:4]) if keys else "")
            raise SimriskError(
                f"{flag} {key}: not a summary figure with a standard error "
                f"(see 'simrisk summary --json'){hint}"
            )
        node = node[part]
    found = estimate_of(summary, key)
    if found is not None:
        return found
    if isinstance(node, Mapping):
        raise SimriskError(
            f"{flag} {key}: is a group, not a number; pick one of "
            f"{', '.join(k for k in node if not k.endswith('_se'))}"
        )
    raise SimriskError(
        f"{flag} {key}: has no Monte Carlo SE in the summary, so a target on it cannot "
        "be checked; use a key with a sibling KEY_se"
    )
