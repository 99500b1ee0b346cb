"""What the command modules share: argparse types and parser, output checks, printing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simrisk.core.errors import SimriskError
from simrisk.core.outputs import (
    check_figures_folder,
    check_out,
    config_inputs,
    guard_outputs,
    writable_folder,
)

__all__ = [
    "EXIT_USAGE",
    "Parser",
    "add_dask_flags",
    "add_json_out",
    "check_figure",
    "check_figures_folder",
    "check_out",
    "config_inputs",
    "dask_flag",
    "dask_spec",
    "emit",
    "goal_rate",
    "guard_outputs",
    "int_at_least",
    "non_negative_int",
    "notify",
    "parse_groups",
    "positive_int",
    "print_json",
    "print_summary",
    "probability",
    "rate_grid",
    "seed_value",
    "stop_status",
    "writable_folder",
]

EXIT_USAGE = 2


def add_json_out(p, what: str) -> None:
    """``--json`` and ``--out PATH`` of the decision commands."""
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", metavar="PATH", help=f"write the {what} Dataset to NetCDF")


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``simrisk ledger: error: ... (see --help)``."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _number(text: str, **rules):
    """:func:`simrisk.core.numbers.parse_number` as an argparse type (argparse names the flag)."""
    from simrisk.core.numbers import parse_number

    try:
        return parse_number(text, None, **rules)
    except SimriskError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def probability(text: str) -> float:
    return _number(text, low=0.0, high=1.0, what="a probability in [0, 1]")


def goal_rate(text: str) -> tuple[str, float]:
    goal, sep, rate = text.partition("=")
    if not sep or not goal:
        raise argparse.ArgumentTypeError(f"must look like GOAL=RATE, got {text!r}")
    return goal, probability(rate)


def add_dask_flags(p, what: str) -> None:
    """``--workers N`` / ``--scheduler ADDRESS`` (one or the other), as on every command."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help=f"{what} on N local dask worker processes (needs simrisk[dask]); results "
        "are bit-identical to a run in this process",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=f"{what} on the dask.distributed cluster at ADDRESS (e.g. tcp://host:8786; "
        "see docs/scale.md in simrisk's source)",
    )


def dask_flag(args: argparse.Namespace) -> str | None:
    """The dask flag given (``--workers`` or ``--scheduler``), or None."""
    if getattr(args, "workers", None):
        return "--workers"
    return "--scheduler" if getattr(args, "scheduler", None) else None


def dask_spec(args: argparse.Namespace) -> dict | None:
    """The backend ``--workers``/``--scheduler`` ask for, as :func:`simrisk.api.run` takes it."""
    if not dask_flag(args):
        return None
    return {"workers": args.workers, "scheduler": args.scheduler}


def notify(command: str):
    """A callback printing the library's notes on stderr as ``simrisk <command>: ...``."""

    def say(line: str) -> None:
        print(f"simrisk {command}: {line}", file=sys.stderr)

    return say


#: most rates ``--rates`` may ask for (each is a pass over every draw's cash flows)
MAX_RATES = 10_000


def rate_grid(text: str):
    import numpy as np

    parts = text.split(":")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"must look like LO:HI:STEP, got {text!r}")
    lo, hi, step = (_number(x, what="a number (a fraction, e.g. 0.05)") for x in parts)
    if not (-1 < lo <= hi and step > 0):
        raise argparse.ArgumentTypeError(
            f"must have -1 < LO <= HI and STEP > 0 (fractions, e.g. 0:0.15:0.005), got {text!r}"
        )
    n = (hi - lo) / step + 1
    if n > MAX_RATES:
        raise argparse.ArgumentTypeError(
            f"{text!r} asks for {n:,.0f} rates; at most {MAX_RATES:,} (a larger STEP)"
        )
    return np.round(np.arange(lo, hi + step / 2, step), 10)


def emit(ds, obj: dict, text: str, args, out=None) -> None:
    """Write the Dataset to ``out`` if given, then print JSON or the table."""
    if out is not None:
        from simrisk.core.dataset import write_netcdf

        write_netcdf(ds, out)
    if args.json:
        print_json(obj)
    else:
        print(text)


#: the standard output JSON goes to: with ``--json``, :func:`simrisk.cli.main` points
#: ``sys.stdout`` at stderr while a command runs (a library's stray print, such as
#: pygam's "did not converge", must not break the JSON) and keeps the real one here
JSON_STDOUT: list = []


def print_json(obj) -> None:
    """Print ``obj`` as strict JSON: no NaN/Infinity, ``null_reasons`` says why a value is null."""
    from simrisk.core.jsonout import dumps

    stream = JSON_STDOUT[-1] if JSON_STDOUT else sys.stdout
    print(dumps(obj), file=stream)


def parse_groups(items: list[str] | None) -> dict | None:
    if not items:
        return None
    groups = {}
    for it in items:
        name, sep, members = it.partition("=")
        if not sep or not name or not members:
            raise SimriskError(f"--group {it!r}: must look like NAME=P1,P2")
        if name in groups:
            raise SimriskError(
                f"--group {it!r}: a group named {name!r} is already given; each name once"
            )
        groups[name] = [m.strip() for m in members.split(",") if m.strip()]
    return groups


def int_at_least(minimum: int, what: str):
    """An argparse type: a whole number >= ``minimum`` ('1_000_000' allowed)."""

    def parse(text: str) -> int:
        return _number(text, whole=True, low=minimum, what=f"a {what} whole number")

    return parse


positive_int = int_at_least(1, "positive")
non_negative_int = int_at_least(0, "non-negative")


def seed_value(text: str) -> int:
    """A seed: a whole number in [0, 2**64) (results store it as an unsigned 64-bit integer)."""
    return _number(
        text, whole=True, low=0, high=2**64, high_open=True,
        what=f"a non-negative whole number below 2**64 = {2**64}",
    )  # fmt: skip


def stop_status(exc: BaseException) -> int:
    """Exit status of an interruption: 128 + the signal (130 for Ctrl-C)."""
    return 128 + getattr(exc, "signum", 2)


def print_summary(kind, summary: dict, as_json: bool) -> None:
    if as_json:
        print_json(summary)
    else:
        print(kind.format_summary(summary))
        if "decision" in summary:
            from simrisk.decision.rules import format_decision

            print()
            print(format_decision(summary["decision"]))


def check_figure(path: str, flag: str) -> Path:
    """An output figure: a writable file whose suffix is a format matplotlib can write."""
    from matplotlib.backend_bases import FigureCanvasBase

    out = check_out(path, flag)
    formats = sorted(FigureCanvasBase.get_supported_filetypes())
    ext = out.suffix.lower().lstrip(".")
    if ext not in formats:
        got = f"format {ext!r}" if ext else "no suffix"
        raise SimriskError(
            f"{flag} {out}: {got}; the name must end in one of .{', .'.join(formats)}"
        )
    return out


def keep_prefix(out, config, command: str) -> Path | None:
    """Where a long decision command keeps its completed work: next to ``--out``, or here.

    In the working folder (named after ``config``) when there is no output
    file and the folder can be written; else nowhere (None).
    """
    import os

    if out:
        out = Path(out)
        return out.with_name(f".{out.name}.{command}.keep")
    if not os.access(".", os.W_OK | os.X_OK):
        return None
    return Path(f".simrisk-{Path(config).stem}.{command}.keep")


def said_kept(keep, command: str, unit: str, scenarios: int = 0) -> list:
    """Print what an interrupted run's kept work gave back; the stores to remove after."""
    from simrisk.core.driver import checkpoint_for
    from simrisk.decision import store_for

    if keep is None:
        return []
    found = [store_for(keep)] + [checkpoint_for(f"{keep}.{i}") for i in range(scenarios)]
    found = [f for f in found if f is not None]
    for f in found:
        for note in f.notes:
            print(f"simrisk {command}: {note}", file=sys.stderr)
        reused = getattr(f, "kept", 0) or getattr(f, "resumed_from", 0)
        if reused:
            what = unit if getattr(f, "kept", 0) else "draws"
            print(
                f"simrisk {command}: reused {reused:,} {what} kept by an interrupted run "
                f"({f.path})",
                file=sys.stderr,
            )
    return found


class busy:
    """An elapsed-time line on stderr while a long step runs (tqdm), only on a terminal.

    Quiet with ``quiet`` or when stderr is not a terminal (a pipe, a file, a test).
    """

    def __init__(self, what: str, quiet: bool = False):
        self.what, self.quiet, self.bar, self._stop = what, quiet, None, None

    def __enter__(self):
        if self.quiet or not sys.stderr.isatty():
            return self
        import threading

        from tqdm import tqdm

        self.bar = tqdm(
            desc=self.what, bar_format="{desc}: {elapsed}", file=sys.stderr, leave=False
        )
        self._stop = threading.Event()

        def tick():
            while not self._stop.wait(0.5):
                self.bar.refresh()

        threading.Thread(target=tick, daemon=True).start()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self._stop.set()
            self.bar.close()
        return False


def add_quiet(parser) -> None:
    """The ``--quiet`` flag: no progress on stderr."""
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


class without_dask:
    """While active, xarray sees dask as not installed, for commands that never use it.

    xarray imports ``dask.array`` (and through it ``scipy.fftpack``) the first
    time it makes a Variable or decodes one, whenever dask is installed, to ask
    whether an array is a dask array: 1.0-1.3 s of CPU in ``simrisk export``
    of a 300,000-draw result, a fifth of the command (issue 24). A ``None``
    in ``sys.modules`` is Python's documented way to say "not importable":
    ``importlib.util.find_spec`` then answers None, and xarray treats every
    array as a NumPy one. A no-op when dask is already imported. On exit the
    entry is removed and xarray's cached answer for dask (a private cache, so
    looked up defensively) is dropped, so that a later command in the same
    process (the tests call ``main`` in-process) finds dask again.
    """

    def __enter__(self) -> without_dask:
        self.active = "dask" not in sys.modules
        if self.active:
            sys.modules["dask"] = None  # type: ignore[assignment]
        return self

    def __exit__(self, *exc) -> None:
        if not self.active:
            return
        if sys.modules.get("dask", 0) is None:
            del sys.modules["dask"]
        pycompat = sys.modules.get("xarray.namedarray.pycompat")
        cache = getattr(pycompat, "_cached_duck_array_modules", None)
        if isinstance(cache, dict):
            found = cache.get("dask")
            if found is not None and not getattr(found, "available", True):
                del cache["dask"]
