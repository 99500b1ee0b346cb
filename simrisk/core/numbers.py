"""Numbers given on the command line: one parser for every flag that takes a number.

:func:`parse_number` reads the text a user typed after a flag (``--draws``,
``--seed``, ``--until``'s bound, ``--rates``' ends, a probability) and either
returns the number or raises :class:`~simrisk.core.errors.SimriskError` with
one line naming the flag, the text and what is allowed. Every number is
finite; ``_`` may group digits (``1_000_000``); a whole number is written
without a decimal point or exponent (``1e5`` is refused where a count
belongs, since ``1e9`` draws is rarely what was meant and never exact
beyond 2**53).
"""

from __future__ import annotations

import math
import re

from simrisk.core.errors import SimriskError

__all__ = ["parse_number"]

_D = r"[0-9](?:_?[0-9])*"  # ASCII digits, '_' between digits
_WHOLE = re.compile(rf"^[+-]?{_D}$")
_DECIMAL = re.compile(rf"^[+-]?(?:{_D}(?:\.(?:{_D})?)?|\.{_D})(?:[eE][+-]?[0-9]+)?$")


def parse_number(
    text: str,
    flag: str | None,
    *,
    whole: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    what: str | None = None,
    context: str | None = None,
) -> int | float:
    """The number ``text`` stands for, or one line naming ``flag`` and the text.

    ``whole`` asks for a whole number (an ``int`` is returned); ``low`` and
    ``high`` bound it (inclusive unless ``low_open``/``high_open``). ``what``
    says in words what is allowed (e.g. "a positive whole number");
    ``context`` is the whole argument the number came from (``--until
    'p_npv_negative:se<.5e'``), named instead of the bare text.
    """
    if not isinstance(text, str):
        text = str(text)
    named = (context if context is not None else text).strip()
    shown = f"{flag} {named!r}" if flag else repr(named)
    if named != text.strip():  # the number is part of a longer argument: name both
        shown = f"{shown}: {text.strip()!r}"
    allowed = what or _describe(whole, low, high, low_open, high_open)
    stripped = text.strip()
    pattern = _WHOLE if whole else _DECIMAL
    if not pattern.match(stripped):
        example = "e.g. 400, 10_000" if whole else "e.g. 0.001, 1e-3, 250_000"
        got = "empty" if not stripped else "not a number"
        raise SimriskError(f"{shown}: {got}; must be {allowed} ({example})")
    clean = stripped.replace("_", "")
    value: int | float
    if whole:
        value = int(clean)
    else:
        try:
            value = float(clean)
        except (ValueError, OverflowError):  # pragma: no cover - the pattern admits floats only
            raise SimriskError(f"{shown}: not a number; must be {allowed}") from None
        if not math.isfinite(value):
            raise SimriskError(f"{shown}: too large to be a finite number; must be {allowed}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise SimriskError(f"{shown}: must be {allowed}")
    return value


def _describe(whole, low, high, low_open, high_open) -> str:
    noun = "a whole number" if whole else "a number"
    fmt = (lambda x: f"{x:,}") if whole else (lambda x: f"{x:g}")
    if low is not None and high is not None:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        return f"{noun} in {left}{fmt(low)}, {fmt(high)}{right}"
    if low is not None:
        if low == 0 and low_open:
            return f"a positive {noun.removeprefix('a ')}"
        return f"{noun} {'above' if low_open else 'at least'} {fmt(low)}"
    if high is not None:
        return f"{noun} {'below' if high_open else 'at most'} {fmt(high)}"
    return noun
