"""Calendar functions for the sandboxed expression language.

`calendar_functions(cal)` returns plain callables to merge into the evaluator's function
table (`liucheng.rules.expressions`). Expressions see JSON-ish values, so every function
takes dates as `date` objects or ISO texts ('2026-03-02') and returns ISO texts; numbers
may come in as int or as integral Decimal. Errors are ValueError/TypeError, which the
evaluator reports as an expression error naming the function.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from liucheng.calendar import months, windows
from liucheng.calendar.days import BusinessCalendar, Roll
from liucheng.calendar.errors import CalendarError


def to_date(value: Any, cal: BusinessCalendar | None = None) -> date:
    """A date, an aware datetime, 'YYYY-MM-DD' or an ISO datetime text → date."""
    if isinstance(value, datetime):
        moment: datetime = value
        if moment.tzinfo is not None and cal is not None:
            moment = moment.astimezone(cal.zone)
        return moment.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return to_date(datetime.fromisoformat(text), cal)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date like '2026-03-02'")


def to_datetime(value: Any, cal: BusinessCalendar) -> datetime:
    """An aware datetime or an ISO datetime text; without an offset, the calendar's zone."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a date-time like '2026-03-02T09:00'") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{value!r} is not a date-time")
    return value if value.tzinfo is not None else value.replace(tzinfo=cal.zone)


def to_int(value: Any, what: str = "count") -> int:
    """An int or an integral Decimal/float → int; anything else is a ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, (Decimal, float)) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    raise ValueError(f"{what} must be a whole number, not {value!r}")


def _roll(value: Any) -> Roll:
    if value == "earlier":
        return "earlier"
    if value == "later":
        return "later"
    raise ValueError(f"direction must be 'earlier' or 'later', not {value!r}")


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Report calendar errors as ValueError, which the evaluator turns into its own error."""

    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except CalendarError as exc:
            raise ValueError(str(exc)) from None

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call


def calendar_functions(cal: BusinessCalendar) -> dict[str, Callable[..., Any]]:
    """The calendar's functions by the names expressions use."""

    def is_working_day(day: Any) -> bool:
        return cal.is_working_day(to_date(day, cal))

    def add_working_days(day: Any, n: Any) -> str:
        return cal.add_working_days(to_date(day, cal), to_int(n)).isoformat()

    def working_days_between(start: Any, end: Any) -> int:
        return cal.working_days_between(to_date(start, cal), to_date(end, cal))

    def roll_to_working_day(day: Any, direction: Any = "later") -> str:
        return cal.roll(to_date(day, cal), _roll(direction)).isoformat()

    def add_months(day: Any, n: Any) -> str:
        return months.add_months(to_date(day, cal), to_int(n)).isoformat()

    def month_start(day: Any) -> str:
        return months.month_start(to_date(day, cal)).isoformat()

    def month_end(day: Any) -> str:
        return months.month_end(to_date(day, cal)).isoformat()

    def nth_working_day(*args: Any) -> str:
        """nth_working_day(date, n) in that date's month, or nth_working_day(year, month, n)."""
        if len(args) == 2:
            day = to_date(args[0], cal)
            year, month, n = day.year, day.month, to_int(args[1])
        elif len(args) == 3:
            year, month, n = (to_int(a, "year, month and n") for a in args)
        else:
            raise TypeError("nth_working_day takes (date, n) or (year, month, n)")
        return cal.nth_working_day(year, month, n).isoformat()

    def month_day(day: Any, n: Any, direction: Any = None) -> str:
        """Day n (-1 = last) of the month of `day`, rolled 'earlier'/'later' if given."""
        ref = to_date(day, cal)
        roll = None if direction in (None, "", "none") else _roll(direction)
        found = windows.single_day(cal, ref.year, ref.month, to_int(n, "day"), roll=roll)
        return found.open_date.isoformat()

    def add_working_hours(moment: Any, hours: Any) -> str:
        amount = hours if isinstance(hours, (int, Decimal, float)) else Decimal(str(hours))
        return cal.add_working_hours(to_datetime(moment, cal), amount).isoformat()

    def working_hours_between(start: Any, end: Any) -> Decimal:
        span = cal.working_time_between(to_datetime(start, cal), to_datetime(end, cal))
        return Decimal(span // timedelta(microseconds=1)) / Decimal(3_600_000_000)

    def hours_between(start: Any, end: Any) -> Decimal:
        """Elapsed (calendar) hours between two moments, as a decimal."""
        span = to_datetime(end, cal) - to_datetime(start, cal)
        return Decimal(span // timedelta(microseconds=1)) / Decimal(3_600_000_000)

    found: list[Callable[..., Any]] = [
        is_working_day, add_working_days, working_days_between, roll_to_working_day,
        add_months, month_start, month_end, nth_working_day, month_day,
        add_working_hours, working_hours_between, hours_between,
    ]
    return {fn.__name__: _guard(fn) for fn in found}
