"""Package attributes imported on first use (PEP 562).

A package's ``__init__`` names what it exports and where each lives; nothing
is imported until asked for, so ``simrisk --help`` and ``simrisk ledger`` do
not load numba, xarray or scipy.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable, Callable]:
    """``__getattr__`` and ``__dir__`` for ``package`` exporting ``name -> module``."""
    import sys

    def __getattr__(name: str):
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__
