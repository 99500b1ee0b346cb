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
    _check_name(out, flag)
    if out.is_dir():
        raise SimriskError(f"{flag} {out}: is a folder; give a file name")
    if out.exists() and not out.is_file():
        raise SimriskError(f"{flag} {out}: exists and is not a regular file")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise SimriskError(f"{flag} {out}: folder {out.parent} does not exist")
    writable_folder(folder, f"{flag} {out}")
    return out


#: bytes the temporary files beside an output add to its name (``.NAME.<pid>.<hex>.part``,
#: ``.NAME.<digest>.part.nc``, ``.NAME.<command>.keep``)
NAME_MARGIN = 40


def _check_name(out: Path, flag: str) -> None:
    """Refuse a name the file system cannot hold, with room for the temporary files beside it."""
    folder = out.parent if str(out.parent) else Path(".")
    try:
        most = os.pathconf(folder if folder.is_dir() else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        most = 255
    size = len(os.fsencode(out.name))
    if size + NAME_MARGIN > most:
        shown = out.name if len(out.name) <= 40 else out.name[:37] + "..."
        raise SimriskError(
            f"{flag} {shown}: the file name is {size} bytes; at most {most - NAME_MARGIN} here "
            f"(the file system allows {most}, and the temporary file beside it adds "
            f"{NAME_MARGIN})"
        )
    try:
        path_max = os.pathconf(folder if folder.is_dir() else ".", "PC_PATH_MAX")
    except (OSError, ValueError):
        path_max = 4096
    if len(os.fsencode(str(out.absolute()))) + NAME_MARGIN > path_max:
        raise SimriskError(f"{flag} {str(out)[:40]}...: the path is longer than {path_max} bytes")


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
