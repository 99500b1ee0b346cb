"""Strict JSON for ``--json``: no NaN or Infinity, and a field saying why a value is null.

Python's :func:`json.dumps` writes ``NaN`` and ``Infinity``, which are not
JSON: ``jq``, JavaScript's ``JSON.parse`` and most other readers refuse
them. :func:`dumps` replaces every non-finite number with ``null`` and adds
one top-level field, ``null_reasons``, mapping each such value's path
(``irr.mean``, ``rows[3].se``) to what it was and why it is null. Numpy
scalars and arrays are written as plain numbers and lists.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["NULL_REASONS", "dumps", "strict"]

#: the top-level field that lists the values written as null, and why
NULL_REASONS = "null_reasons"

_WHY = {
    "nan": "NaN: not defined for these draws (e.g. no draw has an IRR, or an SE of one value)",
    "inf": "+Infinity: unbounded (e.g. a ratio over zero)",
    "-inf": "-Infinity: unbounded (e.g. a ratio over zero)",
}


def _plain(x: Any) -> Any:
    """Numpy scalars and arrays as Python numbers and lists; anything else unchanged."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        return x
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


def strict(obj: Any, why: dict[str, str] | None = None) -> Any:
    """``obj`` with every non-finite number null and ``null_reasons`` added at the top level.

    ``why`` maps a field's name (the last key of its path) to the reason it is
    not finite in this result (``{"se_ratio": "the paired difference is 0 ..."}``);
    other fields get the general reason of their value.
    """
    reasons: dict[str, str] = {}
    why = why or {}

    def walk(x: Any, path: str) -> Any:
        x = _plain(x)
        if isinstance(x, float) and not math.isfinite(x):
            field = path.rsplit(".", 1)[-1].split("[", 1)[0]
            reason = _WHY["nan" if x != x else ("inf" if x > 0 else "-inf")]
            if field in why:
                reason = f"{reason.split(':', 1)[0]}: {why[field]}"
            reasons[path or "(top level)"] = reason
            return None
        if isinstance(x, dict):
            return {
                (k if isinstance(k, str) else str(_plain(k))): walk(
                    v, f"{path}.{k}" if path else str(k)
                )
                for k, v in x.items()
            }
        if isinstance(x, list | tuple):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(x)]
        return x

    out = walk(obj, "")
    if reasons and isinstance(out, dict):
        out[NULL_REASONS] = {**out.get(NULL_REASONS, {}), **reasons}
    return out


def _default(x: Any) -> Any:
    y = _plain(x)
    if y is not x:
        return y
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return str(x)


def dumps(obj: Any, indent: int | None = 2) -> str:
    """``obj`` as strict JSON (``allow_nan=False``), non-ASCII characters kept."""
    return json.dumps(
        strict(obj), indent=indent, ensure_ascii=False, allow_nan=False, default=_default
    )
