"""Model kinds, each over the shared core (:mod:`simrisk.core`).

- :mod:`simrisk.kinds.contract`: an outcome contract (DSI's loan);
- :mod:`simrisk.kinds.wellby`: WELLBY bands for a small pilot (OPI-AIMS);
- :mod:`simrisk.kinds.portfolio`: a portfolio of uncertain purchases (Region H's AI pool).

Each kind's ``kind`` module has the members of
:class:`~simrisk.kinds._interface.ModelKind` and says what it supports in
its :class:`~simrisk.kinds._interface.Capabilities`. :func:`get`,
:func:`for_config` and :func:`for_result` find a kind through the one
registry (:mod:`simrisk.kinds.registry`), which third parties extend through
the entry point group ``simrisk.kinds``.
"""

from __future__ import annotations

from typing import Any

from simrisk.kinds._interface import COMMANDS, Capabilities, Config, ModelKind, RunOptions
from simrisk.kinds.registry import get, kinds, names

__all__ = [
    "COMMANDS",
    "Capabilities",
    "Config",
    "ModelKind",
    "RunOptions",
    "for_config",
    "for_result",
    "get",
    "kinds",
    "names",
]


def for_config(path: Any) -> tuple[str, ModelKind]:
    """The kind a config file names (``kind = "..."``, default ``contract``) and its interface."""
    from simrisk.core.config import config_kind, load_toml
    from simrisk.kinds.registry import BUILTIN

    data, _ = load_toml(path)
    asked = data.get("kind", "contract")
    known = list(BUILTIN) if asked in BUILTIN else names()
    name = config_kind(data, str(path), known=known)
    return name, get(name)


def for_result(ds: Any, source: str = "result") -> tuple[str, ModelKind]:
    """The kind of a result Dataset (its ``simrisk_kind`` attribute) and its interface."""
    from simrisk.core.errors import SimriskError
    from simrisk.kinds.registry import name_of_result

    found = ds.attrs.get("simrisk_kind")
    name = name_of_result(found)
    if name is None:
        raise SimriskError(f"{source}: not a simrisk result (simrisk_kind = {found!r})")
    return name, get(name)
