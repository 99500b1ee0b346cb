"""Input files: refuse what is not a regular file before opening it, and read text bounded.

Opening a FIFO blocks until someone writes to it, and reading ``/dev/zero``
never ends; both were given as configs and attachments and hung the
command. :func:`regular_file` looks at the path with ``stat`` (which does
not open it) and refuses anything but a regular file in one line;
:func:`read_text` reads at most :data:`MAX_TEXT_BYTES`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from simrisk.core.errors import SimriskError

__all__ = ["MAX_TEXT_BYTES", "TextTooLarge", "read_text", "regular_file", "special_kind"]

#: the largest config or CSV read as text (the shipped configs are 20-30 KB)
MAX_TEXT_BYTES = 16 * 2**20


class TextTooLarge(SimriskError):
    """A text input larger than :data:`MAX_TEXT_BYTES`."""


def special_kind(path: str | Path) -> str | None:
    """What ``path`` is if it exists and is not a regular file or folder (a FIFO, a device)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def regular_file(path: str | Path, what: str) -> Path:
    """``path`` if it is not a special file; one line naming ``what`` and the path if it is.

    Missing files and folders are left to the caller's own message.
    """
    kind = special_kind(path)
    if kind is not None:
        raise SimriskError(f"{what} {path}: is {kind}, not a regular file; give a file")
    return Path(path)


def read_text(path: str | Path, what: str, limit: int = MAX_TEXT_BYTES) -> str:
    """A UTF-8 text file, at most ``limit`` bytes (a regular file; OSError as the caller's)."""
    regular_file(path, what)
    with open(path, "rb") as fh:
        raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise TextTooLarge(
            f"{what} {path}: larger than {limit // 2**20} MiB; a config or table of scores is "
            "text of a few kilobytes"
        )
    return raw.decode("utf-8")
