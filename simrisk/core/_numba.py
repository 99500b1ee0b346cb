"""Numba decorators, defined once for the whole package.

Every compiled function in simrisk uses :func:`jit` (serial) or
:func:`jit_parallel` so that caching and the error model are the same
everywhere. ``error_model="numpy"`` makes division by zero give inf/nan
instead of raising, as NumPy does, and lets Numba vectorise the loops.
"""

from __future__ import annotations

import numba

__all__ = ["jit", "jit_parallel"]

_OPTIONS = {"nopython": True, "cache": True, "error_model": "numpy", "nogil": True}


def jit(func=None, **overrides):
    """Compile ``func`` with simrisk's Numba options (serial)."""
    opts = {**_OPTIONS, **overrides}
    if func is None:
        return lambda f: numba.jit(**opts)(f)
    return numba.jit(**opts)(func)


def jit_parallel(func=None, **overrides):
    """Compile ``func`` with simrisk's Numba options and ``parallel=True``."""
    return jit(func, parallel=True, **overrides)
