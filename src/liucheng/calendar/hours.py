"""Working hours: adding working time to a moment and measuring working time between two.

Working hours are the same periods on every working day (by default 08:30–12:00 and
13:30–17:30) in one time zone. Which days are working days is passed in as a predicate,
so this module knows nothing about holidays. All arithmetic is done in UTC, so a zone
with daylight saving still counts real elapsed time; results come back in the time zone
of the moment given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from liucheng.calendar.errors import CalendarError

IsWorkingDay = Callable[[date], bool]
Amount = timedelta | int | float | Decimal
MAX_IDLE_DAYS = 3660  # a calendar with no working day for ten years is a broken calendar


def as_duration(amount: Amount) -> timedelta:
    """Hours (int, float, Decimal) or a timedelta → timedelta, exact to the microsecond."""
    if isinstance(amount, timedelta):
        return amount
    if isinstance(amount, bool) or not isinstance(amount, (int, float, Decimal)):
        raise CalendarError(f"{amount!r} is not a number of hours")
    micros = Decimal(str(amount)) * 3_600_000_000
    return timedelta(microseconds=int(micros.to_integral_value()))


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(
            f"{what} {moment.isoformat()} has no time zone",
            hint="pass an aware datetime, e.g. with tzinfo=ZoneInfo('Asia/Shanghai')",
        )
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class WorkingHours:
    """The daily working periods and the zone they are in."""

    periods: tuple[tuple[time, time], ...]
    zone: ZoneInfo

    @property
    def per_day(self) -> timedelta:
        """Working time in one full working day (7 h 30 min by default)."""
        day = date(2000, 1, 3)
        return sum(
            (datetime.combine(day, b) - datetime.combine(day, a) for a, b in self.periods),
            timedelta(),
        )

    def on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of `day` as UTC datetimes (whether or not it is a working day)."""
        return [
            (
                datetime.combine(day, a, tzinfo=self.zone).astimezone(UTC),
                datetime.combine(day, b, tzinfo=self.zone).astimezone(UTC),
            )
            for a, b in self.periods
        ]

    def local_day(self, moment_utc: datetime) -> date:
        return moment_utc.astimezone(self.zone).date()


def _days(hours: WorkingHours, is_working: IsWorkingDay, first: date, step: int) -> Iterator[date]:
    """Working days from `first` on, forward (step 1) or backward (step -1)."""
    day, idle = first, 0
    while True:
        if is_working(day):
            idle = 0
            yield day
        else:
            idle += 1
            if idle > MAX_IDLE_DAYS:
                raise CalendarError(f"no working day within {MAX_IDLE_DAYS} days of {first}")
        day += timedelta(days=step)


def is_working_time(hours: WorkingHours, is_working: IsWorkingDay, moment: datetime) -> bool:
    """Whether `moment` falls inside a working period of a working day (start inclusive)."""
    at = _aware(moment, "moment")
    day = hours.local_day(at)
    return is_working(day) and any(a <= at < b for a, b in hours.on(day))


def add_working_time(
    hours: WorkingHours, is_working: IsWorkingDay, start: datetime, amount: Amount
) -> datetime:
    """The moment `amount` of working time after `start` (before it, if negative).

    Time outside working periods does not count: 4 working hours from Friday 16:00 is
    Monday 11:00 (1.5 h on Friday, 2.5 h from 08:30 on Monday). A result that lands
    exactly on the end of a period is that end (12:00, not 13:30): the work is done then.
    """
    at = _aware(start, "start")
    remaining = as_duration(amount)
    if not remaining:
        return start
    forward = remaining > timedelta()
    remaining = abs(remaining)
    for day in _days(hours, is_working, hours.local_day(at), 1 if forward else -1):
        periods = hours.on(day) if forward else list(reversed(hours.on(day)))
        for a, b in periods:
            if forward:
                if b <= at:
                    continue
                begin = max(a, at)
                available = b - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(start.tzinfo)
            else:
                if a >= at:
                    continue
                begin = min(b, at)
                available = begin - a
                if remaining <= available:
                    return (begin - remaining).astimezone(start.tzinfo)
            remaining -= available
    raise AssertionError("unreachable: _days never ends")  # pragma: no cover


def working_time_between(
    hours: WorkingHours, is_working: IsWorkingDay, start: datetime, end: datetime
) -> timedelta:
    """Working time between two aware moments; negative when `end` is before `start`.

    Each working day wholly inside the span counts `per_day` at once.
    """
    first, last = _aware(start, "start"), _aware(end, "end")
    if last < first:
        return -working_time_between(hours, is_working, end, start)
    day, last_day = hours.local_day(first), hours.local_day(last)
    total = timedelta()
    full = hours.per_day
    while day <= last_day:
        if is_working(day):
            periods = hours.on(day)
            if periods[0][0] >= first and periods[-1][1] <= last:
                total += full
            else:
                for a, b in periods:
                    overlap = min(b, last) - max(a, first)
                    if overlap > timedelta():
                        total += overlap
        day += timedelta(days=1)
    return total
