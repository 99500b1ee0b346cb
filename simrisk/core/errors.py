"""Errors that simrisk reports to users without a traceback."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "Interrupted",
    "SimriskError",
    "Stopped",
    "write_failure",
    "writing",
]


class SimriskError(Exception):
    """Base of every error the CLI shows as a clean one-line message (exit 2)."""


class Interrupted(KeyboardInterrupt):
    """A stop asked for by a signal; ``signum`` gives the exit status 128 + signum.

    Defined here, not beside the writers in :mod:`simrisk.core.dataset` (which
    re-exports it), so the CLI can install its signal handlers without
    importing xarray.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class Stopped(KeyboardInterrupt):
    """A run stopped by Ctrl-C or a signal; ``message`` says what was kept and how to resume.

    The command line prints the message and exits 128 + ``signum`` (130 for Ctrl-C).
    """

    def __init__(self, message: str, signum: int = 2):
        super().__init__(message)
        self.message = message
        self.signum = signum


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a config: where, what was found, what is allowed."""

    path: str
    message: str
    value: object = None
    has_value: bool = True

    def format(self, source: str | None = None) -> str:
        """One line: ``file: key.path = value: message``."""
        where = f"{source}: " if source else ""
        if not self.path and not self.has_value:
            return f"{where}{self.message}"
        key = self.path or "(top level)"
        if self.has_value:
            return f"{where}{key} = {_show(self.value)}: {self.message}"
        return f"{where}{key}: {self.message}"


def _show(value: object) -> str:
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class ConfigError(SimriskError):
    """A config that cannot be used, with every issue found in it.

    ``origins`` (key path -> file, from a config read with ``extends``) lets
    each issue name the file that set the key: a bad value in a base config
    names the base, "extended by" the file the user gave.
    """

    def __init__(
        self,
        issues: list[ConfigIssue],
        source: str | None = None,
        origins: dict[str, str] | None = None,
    ):
        self.issues = list(issues)
        self.source = source
        super().__init__("\n".join(i.format(_source(i, source, origins)) for i in self.issues))


def _source(issue: ConfigIssue, source: str | None, origins: dict[str, str] | None):
    if not origins or not issue.path:
        return source
    path = issue.path
    cuts = [i for i, c in enumerate(path) if c in ".["] + [len(path)]
    for cut in reversed(cuts):
        found = origins.get(path[:cut])
        if found is not None:
            return found if found == source else f"{found} (extended by {source})"
    return source


#: set once HDF5 has failed a write: its library is then left in a state that can crash
#: the interpreter's exit, so the command line ends the process at once (``os._exit``)
HDF5_WRITE_FAILED = [False]


def write_failure(exc: BaseException) -> str | None:
    """Why a write failed, in a few words, if ``exc`` is a file-system error; else None.

    An :class:`OSError` (disk full, ``ulimit -f``, read-only, name too long, a
    folder in the way), also when wrapped by a library (XlsxWriter's
    ``FileCreateError``), and HDF5's errors, which h5py raises as
    ``RuntimeError``/``OSError`` with ``errno = N`` inside a many-line message.
    """
    import errno as _errno
    import os
    import re

    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        m = re.search(r"errno = (\d+)", str(e))
        if m and int(m.group(1)) in _errno.errorcode:
            HDF5_WRITE_FAILED[0] = True
            return os.strerror(int(m.group(1)))
        if isinstance(e, OSError) and e.errno and e.errno in _errno.errorcode:
            return os.strerror(e.errno)
        if isinstance(e, OSError):
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            return first[:120] or e.__class__.__name__
        e = e.__cause__ or e.__context__
    return None


class writing:
    """Turn a file-system error inside the block into one line naming ``path``.

    ``flag`` (``--out``, ``-o``) is named too when given. The writer's own
    ``finally`` removes its temporary file; ``cleanup`` lists more files to
    remove on failure (a partial output written in place).
    """

    def __init__(self, path, flag: str | None = None, cleanup=()):
        self.path, self.flag, self.cleanup = path, flag, list(cleanup)

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, SimriskError | KeyboardInterrupt):
            return False
        why = write_failure(exc)
        if why is None:
            return False
        from pathlib import Path

        for f in self.cleanup:
            Path(f).unlink(missing_ok=True)
        where = f"{self.flag} {self.path}" if self.flag else str(self.path)
        raise SimriskError(f"{where}: cannot write ({why})") from None
