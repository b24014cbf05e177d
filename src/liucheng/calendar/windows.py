"""Day windows within a month: when something may be done, and when the next chance is.

A `Window` is the set of days, in one month, on which something is open (filing,
collecting a card, a transfer). Three shapes exist, each a function here:

* `day_range(cal, year, month, first, last, working_days_only=...)` — calendar days
  first..last of the month. With `working_days_only` (法定休息日除外) only the working
  days inside that range are open; the range itself is not stretched to make up for
  the rest days (reading (a): "the 1st to the 19th, statutory rest days excluded").
* `working_days(cal, year, month, n)` — the first `n` working days of the month, or the
  last `n` with `from_end=True` (reading (b): "the first 10 working days").
* `single_day(cal, year, month, day, roll=...)` — one day of the month, optionally moved
  to the nearest earlier or later working day (节假日提前).

Days past the month's end are clamped to its last day (the 31st of April is 30 April).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from liucheng.calendar.days import BusinessCalendar, Roll
from liucheng.calendar.errors import CalendarError
from liucheng.calendar.months import day_of_month


@dataclass(frozen=True)
class Window:
    """The open days of one window, in order; `open_date`/`close_date` bound them."""

    days: tuple[date, ...]

    def __post_init__(self) -> None:
        if not self.days:
            raise CalendarError("a window needs at least one open day")

    @property
    def open_date(self) -> date:
        return self.days[0]

    @property
    def close_date(self) -> date:
        return self.days[-1]

    def __contains__(self, day: object) -> bool:
        return day in self.days

    def contains(self, day: date) -> bool:
        """Whether `day` is an open day of the window (a rest day inside it is not)."""
        return day in self.days

    def next_open_day(self, day: date) -> date | None:
        """The first open day on or after `day`, or None if the window has closed by then."""
        return next((d for d in self.days if d >= day), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "open": self.open_date.isoformat(),
            "close": self.close_date.isoformat(),
            "days": [d.isoformat() for d in self.days],
        }

    def __str__(self) -> str:
        if len(self.days) == 1:
            return self.open_date.isoformat()
        return f"{self.open_date.isoformat()} – {self.close_date.isoformat()}"


def day_range(
    cal: BusinessCalendar,
    year: int,
    month: int,
    first_day: int,
    last_day: int,
    *,
    working_days_only: bool = False,
) -> Window:
    """Days `first_day`..`last_day` of the month; with `working_days_only`, only working days.

    `last_day` may be -1 for the month's last day. Raises CalendarError when no day in
    the range is open (e.g. 1–7 October, working days only).
    """
    start, end = day_of_month(year, month, first_day), day_of_month(year, month, last_day)
    if end < start:
        raise CalendarError(f"window {first_day}–{last_day} ends before it starts")
    span = (start + timedelta(days=i) for i in range((end - start).days + 1))
    days = tuple(d for d in span if not working_days_only or cal.is_working_day(d))
    if not days:
        raise CalendarError(
            f"no working day between {start} and {end}",
            hint="widen the window or drop working_days_only",
        )
    return Window(days)


def working_days(
    cal: BusinessCalendar, year: int, month: int, n: int, *, from_end: bool = False
) -> Window:
    """The first `n` working days of the month (the last `n` with `from_end`)."""
    all_days = cal.working_days_in_month(year, month)
    if n < 1 or n > len(all_days):
        raise CalendarError(
            f"{year}-{month:02d} has {len(all_days)} working days; cannot take {n}",
        )
    return Window(tuple(all_days[-n:] if from_end else all_days[:n]))


def single_day(
    cal: BusinessCalendar, year: int, month: int, day: int, *, roll: Roll | None = None
) -> Window:
    """Day `day` of the month (-1 = last), moved to a working day if `roll` is given.

    With roll='earlier' the 27th that is a Saturday becomes Friday the 26th; the result
    may fall in the previous or next month when the whole start or end of a month rests.
    """
    target = day_of_month(year, month, day)
    return Window((cal.roll(target, roll) if roll else target,))


def window(
    cal: BusinessCalendar,
    year: int,
    month: int,
    first_day: int,
    last_day: int,
    working_days_only: bool = False,
) -> tuple[date, date]:
    """(open_date, close_date) of days first_day..last_day of the month (see `day_range`)."""
    found = day_range(cal, year, month, first_day, last_day, working_days_only=working_days_only)
    return found.open_date, found.close_date

