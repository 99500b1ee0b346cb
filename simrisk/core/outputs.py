"""Output files: refuse an unwritable output before any work, clean what a killed writer left.

Every function raises :class:`~simrisk.core.errors.SimriskError` with one line
naming the flag (or argument), the path and what is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from simrisk.core.errors import SimriskError

__all__ = ["check_figures_folder", "check_out", "clean_leftovers", "epoch_time", "writable_folder"]


def writable_folder(folder: Path, what: str) -> None:
    """Refuse a folder this process cannot create files in (root ignores chmod, not chattr +i)."""
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


def check_out(path: str | Path, flag: str) -> Path:
    """An output file's path: not empty, not a folder, in a folder that exists and is writable."""
    if not str(path).strip():
        raise SimriskError(f"{flag} {str(path)!r}: empty; give a file name")
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


def check_figures_folder(path: str | Path, flag: str = "--figures") -> Path:
    """A folder for figures: made if missing, so its nearest existing parent must be writable."""
    if not str(path).strip():
        raise SimriskError(f"{flag} {str(path)!r}: empty; give a folder")
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise SimriskError(f"{flag} {folder}: is a file; give a folder (made if missing)")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise SimriskError(f"{flag} {folder}: {existing} is a file, not a folder")
    writable_folder(existing, f"{flag} {folder}")
    return folder


def clean_leftovers(out: Path, notify: Callable[[str], None] | None = None) -> None:
    """Remove the temporary files a killed writer of ``out`` left (the caller holds its lock)."""
    from simrisk.core.dataset import stale_parts

    for part in stale_parts(out):
        part.unlink(missing_ok=True)
        if notify is not None:
            notify(f"removed {part}, left by an interrupted write of {out}")


def epoch_time(epoch: str) -> str:
    """``SOURCE_DATE_EPOCH`` as a ``created_at`` attribute (ValueError, OverflowError if bad)."""
    import datetime as dt

    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat(timespec="seconds")
