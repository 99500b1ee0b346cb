"""The calendar a config's dates must stay in, so that no date arithmetic leaves it.

Python's dates end on 9999-12-31. The model adds months to a config's dates
(a cohort's follow-up, a gate's look: at most 600 months) and the report
draws a few months past the last cash flow, so a date near the end of the
calendar would end in ``ValueError: year 10000 is out of range`` part-way
through ``ledger``, ``run`` or ``report``. Every date in a config file is
therefore checked when the file is read: the latest allowed is
:data:`LATEST`, 50 years and one year of margin before the calendar's end.
The start of the calendar, 0001-01-01, is allowed: nothing subtracts from a
config's dates (the tests run ``ledger``, ``run``, ``report`` and ``export``
on a config dated from 0001-01-01).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

__all__ = ["EARLIEST", "LATEST", "MAX_OFFSET_MONTHS", "add_months", "late_dates"]

#: the most months the model adds to a config's date (follow_up_months, a gate's months)
MAX_OFFSET_MONTHS = 600
#: the first date a config may give (the calendar's first day)
EARLIEST = dt.date(1, 1, 1)
#: the last date a config may give: 9999-12-31 less 600 months and a year of margin
LATEST = dt.date(9999 - MAX_OFFSET_MONTHS // 12 - 1, 12, 31)


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` plus whole ``months``, the day clipped to the month's end.

    ValueError (naming the date) if the result is off the calendar.
    """
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    if not 1 <= year <= 9999:
        raise ValueError(f"{d.isoformat()} plus {months} months is off the calendar")
    days_in_month = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(d.day, days_in_month[month - 1]))


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def late_dates(data: Any, path: str = "") -> Iterator[tuple[str, dt.date]]:
    """Every date (or datetime) in a config's data later than :data:`LATEST`, with its key."""
    if isinstance(data, dt.date):  # a datetime is a date too
        day = data.date() if isinstance(data, dt.datetime) else data
        if day > LATEST:
            yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from late_dates(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from late_dates(v, f"{path}[{i}]")
