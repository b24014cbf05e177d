"""Month arithmetic on plain dates: month starts and ends, adding months, day clamping.

Pure calendar-day arithmetic with no notion of working days; the business calendar and
the date rules build on it. Adding months keeps the day of the month where it exists and
clamps to the month's last day where it does not (31 January + 1 month = 28 February).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date


def days_in_month(year: int, month: int) -> int:
    """How many days the month has (28–31)."""
    return _stdlib_calendar.monthrange(year, month)[1]


def shift_month(year: int, month: int, offset: int) -> tuple[int, int]:
    """The (year, month) `offset` months after (or before, if negative) the given one."""
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of the month of `day`."""
    return day.replace(day=days_in_month(day.year, day.month))


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` months, clamped to the target month's last day.

    add_months(date(2026, 1, 31), 1) == date(2026, 2, 28); months may be negative.
    """
    year, month = shift_month(day.year, day.month, months)
    return date(year, month, min(day.day, days_in_month(year, month)))


def day_of_month(year: int, month: int, day: int) -> date:
    """Day `day` of the month, clamped to the month's last day; -1 is the last day.

    Negative days count from the end (-1 = last day, -2 = the day before it), so a rule
    can say "the last day" without knowing the month's length.
    """
    length = days_in_month(year, month)
    if day == 0 or day > 31 or day < -length:
        raise ValueError(f"day {day} is not a day of a month (use 1..31, or -1 for the last)")
    if day < 0:
        return date(year, month, length + day + 1)
    return date(year, month, min(day, length))
