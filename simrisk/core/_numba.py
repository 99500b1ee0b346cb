"""Numba decorators, defined once for the whole package; numba is imported only when needed.

Every compiled function in simrisk uses :func:`jit` (serial) or
:func:`jit_parallel` so that caching and the error model are the same
everywhere. ``error_model="numpy"`` makes division by zero give inf/nan
instead of raising, as NumPy does, and lets Numba vectorise the loops.

Arithmetic that both a kernel and a plain Python caller need (the ledger's
IRR, NPV and caps) is written once as a plain Python function and marked
:func:`jitable`. Marking it does not import numba: the ledger calls the very
same function as ordinary Python and ``simrisk ledger`` starts without
numba. The first :func:`jit` (a kernel module being imported) imports numba
and registers every marked function with ``numba.extending.register_jitable``,
so kernels call it compiled, with the same options as :func:`jit`.
:func:`compiled` gives a marked function as a stand-alone compiled function
(the tests check that it agrees with the plain one).

:func:`cache_is_cold` tells whether a kernel's first call will compile (10-30 s)
rather than load Numba's cache, so that the CLI can say so before it stalls.
"""

from __future__ import annotations

__all__ = ["cache_is_cold", "compile_notice", "compiled", "jit", "jit_parallel", "jitable"]

_OPTIONS = {"nopython": True, "cache": True, "error_model": "numpy", "nogil": True}
# register_jitable's options: cache belongs to the kernel that calls the function
# (the compiled function is part of that kernel's cached library).
_JITABLE_OPTIONS = {"error_model": "numpy", "nogil": True}

_pending: list = []  # functions marked jitable before numba was imported
_registered = False


def cache_fallback() -> str | None:
    """Point ``NUMBA_CACHE_DIR`` at a private temporary folder when Numba could not cache.

    Numba caches a kernel in ``__pycache__`` beside its source, or else in the
    user's cache folder under ``HOME``. A system-wide install (read-only
    package folder) run without a usable ``HOME`` (cron, containers) has
    neither, and every ``cache=True`` kernel fails with "cannot cache function
    ...: no locator available". Called before numba is imported (Numba reads
    the variable once); returns the folder set, or None when nothing was needed.
    """
    import os
    import sys
    import tempfile
    from pathlib import Path

    if "numba" in sys.modules or os.environ.get("NUMBA_CACHE_DIR"):
        return None
    package = Path(__file__).resolve().parents[1]
    if os.access(package, os.W_OK):
        return None  # the in-tree locator writes __pycache__ beside the kernels
    home = os.environ.get("HOME")
    if home and Path(home).is_dir() and os.access(home, os.W_OK):
        return None  # the user-wide locator writes under HOME
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    folder = Path(tempfile.gettempdir()) / f"simrisk-numba-cache-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    return str(folder)


def _numba():
    """Import numba and register every function marked :func:`jitable` so far."""
    global _registered
    cache_fallback()
    import numba
    from numba.extending import register_jitable

    if not _registered:
        _registered = True
        while _pending:
            register_jitable(**_JITABLE_OPTIONS)(_pending.pop(0))
    return numba


def jitable(func):
    """Mark a plain Python function as callable from compiled kernels.

    Returns ``func`` itself, unchanged: Python callers run it as Python and
    nothing imports numba. Once numba is loaded (by :func:`jit`), Numba
    compiles it wherever a kernel calls it.
    """
    if _registered:
        from numba.extending import register_jitable

        register_jitable(**_JITABLE_OPTIONS)(func)
    else:
        _pending.append(func)
    return func


def jit(func=None, **overrides):
    """Compile ``func`` with simrisk's Numba options (serial)."""
    numba = _numba()
    opts = {**_OPTIONS, **overrides}
    if func is None:
        return lambda f: numba.jit(**opts)(f)
    return numba.jit(**opts)(func)


def jit_parallel(func=None, **overrides):
    """Compile ``func`` with simrisk's Numba options and ``parallel=True``."""
    return jit(func, parallel=True, **overrides)


def compiled(func, **overrides):
    """A function marked :func:`jitable` compiled on its own (not cached), for tests."""
    numba = _numba()
    opts = {**_OPTIONS, "cache": False, **overrides}
    return numba.jit(**opts)(func)


def cache_is_cold(dispatcher) -> bool:
    """Whether the first call of ``dispatcher`` (compiled with ``cache=True``) will compile.

    True when this process has not compiled or loaded it yet and Numba's
    cache index (in ``__pycache__`` beside the module, or under
    ``NUMBA_CACHE_DIR``) has no entry for this machine and this version of
    the function: it is missing, was written by another Numba version, or
    the source file has changed since. False when the cache will be used,
    and also when Numba's internals cannot be read (then nothing is said
    rather than something wrong).
    """
    if dispatcher.overloads:
        return False
    try:
        cache = dispatcher._cache
        index = cache._cache_file._load_index()
        current = cache._index_key(None, dispatcher.targetctx.codegen())[1:]
    except Exception:
        return False
    return not any(tuple(key[1:]) == current for key in index)


def compile_notice(kernel, seconds: int) -> None:
    """Say on stderr, in one line, that ``kernel``'s first call will compile for a while.

    Nothing when Numba's cache is warm. ``seconds`` is the measured compile time,
    given by the kind that owns the kernel.

    Said whether or not stderr is a terminal, unlike the progress bar: it is
    one line, not a redrawn one, and a first run's pause of 20 s or more looks
    like a hang in a CI job's or a batch script's log just as on a terminal.
    ``--quiet`` turns it off (the kinds' ``compile_notice`` does not call this).
    """
    if cache_is_cold(kernel):
        import sys

        print(
            f"simrisk: compiling the simulation kernel (first run only, about {seconds} s)",
            file=sys.stderr,
            flush=True,
        )
