"""What a model kind is: :class:`ModelKind`, :class:`RunOptions` and :class:`Capabilities`.

A kind is a module (``simrisk/kinds/<kind>/kind.py``, or a third party's,
registered through the entry point group ``simrisk.kinds``) with the
members of :class:`ModelKind`. What it does not support it says in its
:class:`Capabilities`, so the library and the command line ask the kind
rather than probing it; ``tests/test_kinds.py`` checks every registered kind
against this protocol and against ``docs/cli.md``'s command-by-kind table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import xarray as xr

    from simrisk.core.results import Summary

__all__ = [
    "COMMANDS",
    "FLAGS",
    "METHODS",
    "OPTIONS",
    "Capabilities",
    "Config",
    "ModelKind",
    "RunOptions",
    "refuse_options",
]

#: the commands a kind may support (``simrisk <command>``); ``run``,
#: ``summary`` and ``example`` are every kind's
COMMANDS = (
    "ledger",
    "run",
    "summary",
    "wellby",
    "report",
    "export",
    "design",
    "sensitivity",
    "voi",
    "acceptability",
    "variance",
    "compare",
    "monitor",
    "evsi",
)
#: the run options a kind may honour beyond draws and seed (:class:`RunOptions` fields)
OPTIONS = (
    "chunk_size",
    "threads",
    "fixed_parameters",
    "scores",
    "checkpoint",
    "stream",
    "until",
    "backend",
)
#: decision methods a kind may support beyond a command's default
METHODS = ("voi.nested",)
#: the command-line flag of each option, for one-line refusals
FLAGS = {
    "chunk_size": "--chunk-size",
    "threads": "--threads",
    "fixed_parameters": "--fixed-parameters",
    "scores": "--scores",
    "until": "--until",
    "backend": "--workers/--scheduler",
}


@dataclass(frozen=True)
class Config:
    """A validated config of some model kind, with its text and where it was read from."""

    kind: str
    #: the kind's validated model (a pydantic model: ``Scenario``, ``WellbyConfig``, ...)
    model: Any = field(repr=False)
    #: the config's text as read (kept in results for provenance)
    text: str = field(repr=False)
    #: the path as given (errors name it so)
    source: str = ""

    @property
    def path(self) -> Path | None:
        return Path(self.source) if self.source else None


@dataclass(frozen=True)
class Capabilities:
    """Which commands take a kind's configs or results, and which run options it honours."""

    commands: frozenset[str]
    options: frozenset[str] = frozenset()
    #: decision methods beyond a command's default (``"voi.nested"``: nested Monte Carlo EVPPI)
    methods: frozenset[str] = frozenset()
    #: how one-line errors name the kind ("WELLBY", "portfolio", "contract")
    title: str = ""
    #: command -> the one line that refuses it, where a kind can say more than "not for me"
    why_not: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = (self.commands - set(COMMANDS)) | (self.options - set(OPTIONS))
        unknown |= {m for m in self.methods if m not in METHODS}
        if unknown:
            raise ValueError(f"Capabilities: unknown names {sorted(unknown)}")

    def supports(self, command: str) -> bool:
        """Whether ``simrisk <command>`` takes this kind's configs or results."""
        return command in self.commands

    def honours(self, option: str) -> bool:
        """Whether a run of this kind honours ``option`` (a name in :data:`OPTIONS`)."""
        return option in self.options


@dataclass(frozen=True)
class RunOptions:
    """How to run a config: one object from the library down to the kind's engine.

    ``draws``, ``seed`` and ``chunk_size`` default to the config's
    ``[simulation]``; a kind refuses what its :class:`Capabilities` do not
    honour (the library checks before calling it).
    """

    draws: int | None = None
    seed: int | None = None
    chunk_size: int | None = None
    threads: int | None = None
    fixed_parameters: bool = False
    #: a WELLBY run's paired before/after scores (CSV)
    scores: str | Path | None = None
    #: where the config was read from (a kind resolves files it names against it)
    config_path: str | Path | None = None
    #: the config's text, kept in the result for provenance
    config_text: str = ""
    #: say on stderr when the kernel must first be compiled, and show progress
    quiet: bool = True
    #: a folder prefix for an in-memory run's checkpoint (None: no checkpoint)
    checkpoint_path: Path | None = None
    #: where the chunks run (:mod:`simrisk.core.backends`; None: threads here)
    backend: Any = None
    #: the result's ``created_at`` (reproducible files: ``SOURCE_DATE_EPOCH``)
    created_at: str | None = None
    #: contracts: cell counts per cohort instead of citizens (None: from 2,000 referred on)
    aggregate: bool | None = None

    def given(self) -> list[str]:
        """The options of :data:`OPTIONS` this run asks for (those a kind may refuse)."""
        return [
            f.name
            for f in fields(self)
            if f.name in OPTIONS and getattr(self, f.name) not in (None, False)
        ]


@runtime_checkable
class ModelKind(Protocol):
    """The functions and constants every kind provides (a module satisfies it)."""

    #: the kind's name, as a config's ``kind = "..."`` names it
    NAME: str
    #: the ``simrisk_kind`` attribute of the kind's result Datasets
    RESULT_KIND: str
    CAPABILITIES: Capabilities
    #: the fewest draws a summary can use, and why
    MIN_DRAWS: int
    MIN_DRAWS_WHY: str
    #: the shipped example config (a name under ``configs/``)
    EXAMPLE: str

    def load(self, path: str | Path) -> tuple[Any, str]:
        """The validated config and its text."""
        ...

    def ledger(self, cfg: Any, **overrides: Any) -> tuple[dict[str, Any], str]:
        """The deterministic expected case as (JSON dict, text)."""
        ...

    #: the kind's typed summary (a :class:`simrisk.core.results.Summary` subclass)
    Summary: type[Summary]

    def check(self, cfg: Any, options: RunOptions) -> None:
        """Refuse, before any work, inputs a run would read (e.g. a scores file)."""
        ...

    def compile_notice(self, quiet: bool = False) -> None:
        """Unless ``quiet``, say on stderr when the kernel must first be compiled."""
        ...

    def simulate(self, cfg: Any, options: RunOptions) -> xr.Dataset:
        """The Monte Carlo run in memory."""
        ...

    def simulate_to_file(self, cfg: Any, out: Path, options: RunOptions) -> Any:
        """The run written to ``out``.

        A kind with the ``stream`` option writes it a chunk at a time and
        returns the :class:`~simrisk.core.dataset.PartialFile` (its ``notes``,
        ``resumed_from``, ``draws`` and ``path`` say what happened); the
        library then holds the output's lock and resumes from the partial
        file. Another kind writes it whole and returns None.
        """
        ...

    def summarize(self, ds: xr.Dataset) -> dict[str, Any]:
        """Every figure of a run with its Monte Carlo error (the JSON of ``simrisk summary``)."""
        ...

    def format_summary(self, summary: Mapping[str, Any]) -> str:
        """The summary as the terminal table."""
        ...

    def bytes_per_draw(self, cfg: Any) -> float | None:
        """Peak memory per draw of an in-memory run (None: not checked)."""
        ...

    def file_bytes_per_draw(self, cfg: Any) -> float | None:
        """Bytes per draw of a result file (None: not checked)."""
        ...


def refuse_options(options: dict, title: str, what: str) -> None:
    """One line naming every option given (not None, False or empty) that a kind's
    ``what`` ("config", "result") does not take: ``--flags: does not apply to a
    <title> <what>``."""
    from simrisk.core.errors import SimriskError

    given = sorted(k for k, v in options.items() if v not in (None, False, [], {}))
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise SimriskError(f"{flags}: does not apply to a {title} {what}")
