"""Errors that simrisk reports to users without a traceback."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

__all__ = ["ConfigError", "ConfigIssue", "SimriskError"]


class SimriskError(Exception):
    """Base of every error the CLI shows as a clean one-line message (exit 2)."""


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
    """A config that cannot be used, with every issue found in it."""

    def __init__(self, issues: list[ConfigIssue], source: str | None = None):
        self.issues = list(issues)
        self.source = source
        super().__init__("\n".join(i.format(source) for i in self.issues))
