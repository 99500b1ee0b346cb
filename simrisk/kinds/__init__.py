"""Model kinds, each over the shared core (:mod:`simrisk.core`).

- :mod:`simrisk.kinds.contract`: an outcome contract (DSI's loan);
- :mod:`simrisk.kinds.wellby`: WELLBY bands for a small pilot (OPI-AIMS);
- :mod:`simrisk.kinds.portfolio`: a portfolio of uncertain purchases (Region H's AI pool).

Each provides a config schema, a deterministic expected case, a simulation
(a Numba kernel with a NumPy reference) and its report pages;
:func:`get` finds a kind's uniform interface (its ``kind`` module).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["KIND_MODULES", "RESULT_KINDS", "for_config", "for_result", "get"]

#: kind name -> the module with its uniform interface (``load``, ``ledger``,
#: ``simulate``, ``summarize``, ``format_summary``, ``report``)
KIND_MODULES = {
    "contract": "simrisk.kinds.contract.kind",
    "wellby": "simrisk.kinds.wellby.kind",
    "portfolio": "simrisk.kinds.portfolio.kind",
    "fund": "simrisk.kinds.fund.kind",
}
#: a result Dataset's ``simrisk_kind`` attribute -> kind name
RESULT_KINDS = {
    "simrisk.run": "contract",
    "simrisk.wellby": "wellby",
    "simrisk.portfolio": "portfolio",
    "simrisk.fund": "fund",
}


def get(name: str) -> ModuleType:
    """The interface module of kind ``name`` (imported on first use)."""
    return importlib.import_module(KIND_MODULES[name])


def for_config(path) -> tuple[str, ModuleType]:
    """The kind a config file names (``kind = "..."``, default ``contract``) and its module."""
    from simrisk.core.config import config_kind, load_toml

    data, _ = load_toml(path)
    name = config_kind(data, str(path))
    return name, get(name)


def for_result(ds, source: str = "result") -> tuple[str, ModuleType]:
    """The kind of a result Dataset and its module."""
    from simrisk.core.errors import SimriskError

    found = ds.attrs.get("simrisk_kind")
    if found not in RESULT_KINDS:
        raise SimriskError(f"{source}: not a simrisk result (simrisk_kind = {found!r})")
    name = RESULT_KINDS[found]
    return name, get(name)
