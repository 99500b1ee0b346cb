"""What the command modules share: argparse types and parser, output checks, printing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simrisk.core.errors import SimriskError

EXIT_USAGE = 2


def add_json_out(p, what: str) -> None:
    """``--json`` and ``--out PATH`` of the decision commands."""
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", metavar="PATH", help=f"write the {what} Dataset to NetCDF")


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``simrisk ledger: error: ... (see --help)``."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a probability in [0, 1], got {text!r}"
        ) from None
    if not (0.0 <= value <= 1.0):
        raise argparse.ArgumentTypeError(f"must be a probability in [0, 1], got {text!r}")
    return value


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
        "see docs/scale.md)",
    )


def dask_flag(args: argparse.Namespace) -> str | None:
    """The dask flag given (``--workers`` or ``--scheduler``), or None."""
    if getattr(args, "workers", None):
        return "--workers"
    return "--scheduler" if getattr(args, "scheduler", None) else None


class DaskBackend:
    """The backend ``--workers``/``--scheduler`` ask for, closed on leaving; None without."""

    def __init__(self, args: argparse.Namespace, threads: int | None = None):
        self.args = args
        self.threads = threads
        self.backend = None

    def __enter__(self):
        if dask_flag(self.args):
            from simrisk.core.backends import dask_backend

            self.backend = dask_backend(
                workers=self.args.workers, scheduler=self.args.scheduler, threads=self.threads
            )
        return self.backend

    def __exit__(self, *exc) -> None:
        if self.backend is not None:
            self.backend.close()


def rate_grid(text: str):
    import numpy as np

    try:
        lo, hi, step = (float(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must look like LO:HI:STEP, got {text!r}") from None
    if not (-1 < lo <= hi and step > 0):
        raise argparse.ArgumentTypeError(
            f"must have -1 < LO <= HI and STEP > 0 (fractions, e.g. 0:0.15:0.005), got {text!r}"
        )
    return np.round(np.arange(lo, hi + step / 2, step), 10)


def emit(ds, obj: dict, text: str, args) -> None:
    """Write the Dataset if asked, then print JSON or the table."""
    if args.out:
        from simrisk.core.dataset import write_netcdf

        write_netcdf(ds, args.out)
    print(json.dumps(obj, indent=2, ensure_ascii=False) if args.json else text)


def contract_result(path: str, command: str):
    """Open a result that must be a contract run (the decision commands need one)."""
    from simrisk import kinds
    from simrisk.core.dataset import open_result

    ds = open_result(path)
    name, _ = kinds.for_result(ds, path)
    if name != "contract":
        raise SimriskError(f"{path}: a {name} result; 'simrisk {command}' takes a contract run")
    return ds


def contract_configs(paths, command: str) -> None:
    """Refuse configs of another kind before a decision command simulates them."""
    from simrisk import kinds

    for path in paths:
        name, _ = kinds.for_config(path)
        if name != "contract":
            raise SimriskError(f"{path}: a {name} config; 'simrisk {command}' takes contracts")


def parse_groups(items: list[str] | None) -> dict | None:
    if not items:
        return None
    groups = {}
    for it in items:
        name, sep, members = it.partition("=")
        if not sep or not name or not members:
            raise SimriskError(f"--group {it!r}: must look like NAME=P1,P2")
        groups[name] = [m.strip() for m in members.split(",") if m.strip()]
    return groups


def kernel_notice(quiet: bool = False) -> None:
    """The one-line notice on a cold Numba cache, before a command simulates a contract."""
    from simrisk.kinds.contract.kind import compile_notice

    compile_notice(quiet)


def int_at_least(minimum: int, what: str):
    """An argparse type: a whole number >= ``minimum`` ('1_000_000' allowed)."""

    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"must be a {what} whole number, got {text!r}")
        return value

    return parse


positive_int = int_at_least(1, "positive")
non_negative_int = int_at_least(0, "non-negative")


def seed_value(text: str) -> int:
    """A seed: a whole number in [0, 2**64) (results store it as an unsigned 64-bit integer)."""
    value = non_negative_int(text)
    if value >= 2**64:
        raise argparse.ArgumentTypeError(f"must be below 2**64 = {2**64}, got {text!r}")
    return value


def default_out(config: str) -> Path:
    return Path("results") / (Path(config).stem + ".nc")


def check_draws(
    kind, cfg, draws: int | None, config: str, streamed_to: Path | None = None
) -> int | None:
    """The run's draw count, refused before simulating when too few or too many for memory.

    A run streamed to a file (``streamed_to``) holds one chunk in memory, so
    it is checked against the disk space of the file's folder instead.
    """
    from simrisk.core.driver import check_disk, check_memory

    per_draw = getattr(kind, "bytes_per_draw", None)
    if streamed_to is not None:
        per_draw = None
        on_disk = kind.file_bytes_per_draw(cfg)
    # first, so a config that cannot be simulated at all says so before the draws
    per_draw = per_draw(cfg) if per_draw is not None else None
    given = draws is not None
    # a kind without simulation.draws (or MIN_DRAWS, bytes_per_draw) is not checked here
    n = draws if given else getattr(getattr(cfg, "simulation", None), "draws", None)
    if n is None:
        return None
    where = "--draws" if given else f"{config}: simulation.draws ="
    least = getattr(kind, "MIN_DRAWS", 1)
    if n < least:
        why = getattr(kind, "MIN_DRAWS_WHY", "the summary needs them")
        raise SimriskError(f"{where} {n:,}: must be at least {least:,} ({why})")
    if n > 2**31 - 1:
        raise SimriskError(f"{where} {n:,}: must be at most {2**31 - 1:,}")
    if per_draw is not None:
        check_memory(per_draw, n, where)
    if streamed_to is not None:
        folder = streamed_to.parent if streamed_to.parent.is_dir() else Path(".")
        check_disk(on_disk, n, folder, where)
    return n


def check_result_draws(kind, ds, path: str) -> None:
    least = getattr(kind, "MIN_DRAWS", 1)
    n = ds.sizes.get("draw", least)
    if n < least:
        raise SimriskError(
            f"{path}: holds {n:,} draws; a summary needs at least {least:,} "
            "(rerun with more --draws)"
        )


def stop_status(exc: BaseException) -> int:
    """Exit status of an interruption: 128 + the signal (130 for Ctrl-C)."""
    return 128 + getattr(exc, "signum", 2)


def clean_leftovers(out: Path, command: str) -> None:
    """Remove the temporary files a killed writer of ``out`` left (we hold its lock)."""
    from simrisk.core.dataset import stale_parts

    for part in stale_parts(out):
        part.unlink(missing_ok=True)
        print(
            f"simrisk {command}: removed {part}, left by an interrupted write of {out}",
            file=sys.stderr,
        )


def epoch_time(epoch: str) -> str:
    """``SOURCE_DATE_EPOCH`` as the ``created_at`` attribute (ValueError, OverflowError if bad)."""
    import datetime as dt

    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat(timespec="seconds")


def print_summary(kind, summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(kind.format_summary(summary))


def writable_folder(folder: Path, what: str) -> None:
    """Refuse a folder this process cannot create files in (root ignores chmod, not chattr +i)."""
    import os
    import uuid

    probe = folder / f".simrisk-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise SimriskError(
            f"{what}: cannot write in folder {folder} ({exc.strerror or exc.__class__.__name__})"
        ) from None
    os.close(fd)
    probe.unlink(missing_ok=True)


def check_out(path: str, flag: str) -> Path:
    if not path.strip():
        raise SimriskError(f"{flag} {path!r}: empty; give a file name")
    out = Path(path)
    if out.is_dir():
        raise SimriskError(f"{flag} {out}: is a folder; give a file name")
    if out.exists() and not out.is_file():
        raise SimriskError(f"{flag} {out}: exists and is not a regular file")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise SimriskError(f"{flag} {out}: folder {out.parent} does not exist")
    writable_folder(folder, f"{flag} {out}")
    return out


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


def check_scores(path: str) -> None:
    """Read a --scores file once before simulating, so a bad one stops the run at once."""
    from simrisk.kinds.wellby.scores import read_scores

    read_scores(path)


def check_figures_folder(path: str) -> None:
    if not path.strip():
        raise SimriskError(f"--figures {path!r}: empty; give a folder")
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise SimriskError(f"--figures {folder}: is a file; give a folder (made if missing)")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise SimriskError(f"--figures {folder}: {existing} is a file, not a folder")
    writable_folder(existing, f"--figures {folder}")
