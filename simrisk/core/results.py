"""Typed summaries: :class:`Estimate` (a figure with its Monte Carlo SE) and :class:`Summary`.

A kind's summary is a JSON object (``simrisk summary --json``) whose figures
carry their standard error in a sibling key ``<name>_se``. :class:`Summary`
reads it as a mapping (``summary["options"]``), gives any figure as an
:class:`Estimate` by its dotted key (the grammar of :mod:`simrisk.core.targets`),
and :meth:`Summary.to_dict` gives the JSON object unchanged. Each kind
subclasses it with properties for its headline figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["Estimate", "Summary"]


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate: its value and its standard error."""

    value: float
    se: float

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """The normal-approximation interval ``value -/+ z * se`` (95% by default)."""
        return (self.value - z * self.se, self.value + z * self.se)

    @property
    def rse(self) -> float:
        """The standard error relative to the value's size (inf at zero)."""
        return self.se / abs(self.value) if self.value else math.inf

    def __str__(self) -> str:
        return f"{self.value:.6g} (SE {self.se:.3g})"


class Summary(Mapping[str, Any]):
    """A kind's summary: a read-only mapping over its JSON object, with typed figures."""

    #: the kind the summary is of
    kind: ClassVar[str] = ""

    def __init__(self, data: Mapping[str, Any]):
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._data)})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``simrisk summary --json`` prints, unchanged."""
        return self._data

    def estimate(self, key: str) -> Estimate:
        """The figure at dotted ``key`` (e.g. ``npv.mean``) with its SE; SimriskError if none."""
        from simrisk.core.targets import lookup

        return Estimate(*lookup(self._data, key, "summary key"))

    def estimates(self) -> dict[str, Estimate]:
        """Every figure that has a standard error, by dotted key."""
        from simrisk.core.targets import estimate_of, flat_keys

        out = {}
        for key in flat_keys(self._data):
            found = estimate_of(self._data, key)
            if found is not None:
                out[key] = Estimate(*found)
        return out
