"""The one registry of model kinds: by name, by a result's ``simrisk_kind``, and third parties'.

The built-in kinds are listed here; another package adds a kind through the
entry point group ``simrisk.kinds`` (as xarray's backends do), naming a
module or object with the members of :class:`~simrisk.kinds._interface.ModelKind`::

    [project.entry-points."simrisk.kinds"]
    fund = "simrisk_fund.kind"

Nothing is imported until asked for: a built-in kind's module is imported
when first used, and the entry points are read only for a name or a result
attribute that no built-in kind has.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simrisk.kinds._interface import ModelKind

__all__ = ["BUILTIN", "ENTRY_POINT_GROUP", "get", "kinds", "name_of_result", "names"]

ENTRY_POINT_GROUP = "simrisk.kinds"

#: built-in kind name -> (the module with its interface, its results' ``simrisk_kind``)
BUILTIN: dict[str, tuple[str, str]] = {
    "contract": ("simrisk.kinds.contract.kind", "simrisk.run"),
    "wellby": ("simrisk.kinds.wellby.kind", "simrisk.wellby"),
    "portfolio": ("simrisk.kinds.portfolio.kind", "simrisk.portfolio"),
    "fund": ("simrisk.kinds.fund.kind", "simrisk.fund"),
}


@functools.cache
def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILTIN}


def names() -> list[str]:
    """Every kind's name: the built-in ones, then the entry points' in name order."""
    return [*BUILTIN, *sorted(_entry_points())]


@functools.cache
def get(name: str) -> ModelKind:
    """The interface of kind ``name`` (imported on first use); KeyError if unknown."""
    if name in BUILTIN:
        kind = importlib.import_module(BUILTIN[name][0])
    else:
        kind = _entry_points()[name].load()
    found = getattr(kind, "NAME", None)
    if found != name:
        raise TypeError(f"kind {name!r}: its interface names itself {found!r}")
    return kind  # type: ignore[return-value]


def kinds() -> list[ModelKind]:
    """Every registered kind's interface (third parties' are imported)."""
    return [get(n) for n in names()]


def name_of_result(attr: object) -> str | None:
    """The kind whose results carry ``simrisk_kind = attr``, or None."""
    for name, (_, result_kind) in BUILTIN.items():
        if attr == result_kind:
            return name
    for name in _entry_points():
        if get(name).RESULT_KIND == attr:
            return name
    return None
