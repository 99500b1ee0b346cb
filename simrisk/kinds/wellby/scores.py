"""Paired 0-10 scores per participant from a CSV file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from simrisk.core.errors import SimriskError

__all__ = ["read_scores"]


def read_scores(path: str | Path, scale_min: int = 0, scale_max: int = 10) -> np.ndarray:
    """Read ``before,after`` integer scores (one participant a row) into an ``[n, 2]`` array.

    The file needs a header with columns ``before`` and ``after`` (others,
    such as ``id``, are ignored). Every problem is reported with its line
    number; nothing is returned unless every row is valid.

    Examples
    --------
    A file with::

        id,before,after
        1,5,7
        2,8,8
    """
    from simrisk.core.inputs import MAX_TEXT_BYTES, regular_file

    p = regular_file(path, "--scores")  # a FIFO would block
    if not p.is_file():
        raise SimriskError(f"{path}: file not found")
    if p.stat().st_size > MAX_TEXT_BYTES:
        raise SimriskError(f"{path}: larger than 16 MiB; expected a CSV file with before,after")
    rows: list[tuple[int, int]] = []
    problems: list[str] = []
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SimriskError(
            f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})"
        ) from None
    if b"\0" in raw:
        raise SimriskError(f"{path}: a binary file; expected a CSV text file with before,after")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SimriskError(
            f"{path}: not UTF-8 text (byte {exc.start}); expected a CSV file with before,after"
        ) from None
    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            raise SimriskError(f"{path}: line 1: not valid CSV ({exc})") from None
        missing = [c for c in ("before", "after") if c not in header]
        if missing:
            raise SimriskError(
                f"{path}: line 1: the header needs columns before,after (missing "
                f"{', '.join(missing)}; found {', '.join(header) or 'nothing'})"
            )
        for row in _rows(reader, path):
            line = reader.line_num
            pair = []
            for col in ("before", "after"):
                text = (row.get(col) or "").strip()
                try:
                    value = int(text)
                except ValueError:
                    problems.append(
                        f"line {line}: {col} = {text!r}: must be a whole number "
                        f"from {scale_min} to {scale_max}"
                    )
                    continue
                if not scale_min <= value <= scale_max:
                    problems.append(
                        f"line {line}: {col} = {value}: must be from {scale_min} to {scale_max}"
                    )
                    continue
                pair.append(value)
            if len(pair) == 2:
                rows.append((pair[0], pair[1]))
    if problems:
        if len(problems) > 10:
            problems = [*problems[:10], f"... and {len(problems) - 10} more"]
        raise SimriskError(f"{path}: " + f"\n{path}: ".join(problems))
    if len(rows) < 2:
        raise SimriskError(f"{path}: needs at least 2 participants, found {len(rows)}")
    return np.array(rows, dtype=np.int64)


def _rows(reader: csv.DictReader, path):
    """The reader's rows, with a CSV syntax error as a one-line SimriskError."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SimriskError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None
        yield row
