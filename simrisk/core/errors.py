"""Errors that simrisk reports to users without a traceback."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

__all__ = ["ConfigError", "ConfigIssue", "Interrupted", "SimriskError", "Stopped"]


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
