"""The business calendar: which days are working days, and counting in working days.

A `BusinessCalendar` combines three layers, the later winning:
1. weekends (Saturday and Sunday unless configured otherwise);
2. the official calendar from the `holidays` package — public holidays as days off and
   swapped working weekends (调休) as working days;
3. the organisation's overrides — its own days off and working days.

It also carries the working hours, so deadlines in working hours are asked here too. The
calendar never reads the clock: every question names its date. Years the official data
does not cover yet are answered with an estimate, and `warnings_for` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from liucheng.calendar import hours as _hours
from liucheng.calendar.config import CalendarConfig, parse_calendar_config
from liucheng.calendar.errors import CalendarError
from liucheng.calendar.hours import WorkingHours
from liucheng.calendar.months import days_in_month
from liucheng.calendar.official import OfficialCalendar
from liucheng.errors import Problem

Roll = Literal["earlier", "later"]


@dataclass(frozen=True)
class _Year:
    days_off: frozenset[date]
    working: frozenset[date]
    names: Mapping[date, str]


class BusinessCalendar:
    """Working days and working hours of one organisation; safe to share between threads."""

    def __init__(self, config: CalendarConfig | None = None) -> None:
        self.config = config or CalendarConfig()
        self.zone = ZoneInfo(self.config.timezone)
        self.hours = WorkingHours(self.config.working_hours, self.zone)
        self.official = (
            OfficialCalendar(self.config.country, self.config.subdivision)
            if self.config.country
            else None
        )
        self._years: dict[int, _Year] = {}

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, source: str | None = None) -> BusinessCalendar:
        """A calendar from the override format (see `parse_calendar_config`)."""
        return cls(parse_calendar_config(data, source=source))

    @property
    def name(self) -> str:
        return self.config.name

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.name!r}, country={self.config.country!r})"

    # -- data coverage -------------------------------------------------------------------

    def has_data(self, year: int) -> bool:
        """Whether `year`'s days off are known rather than estimated.

        True for years with an official schedule in the `holidays` package and for years
        the organisation lists under `complete_years`.
        """
        if year in self.config.complete_years or self.official is None:
            return True
        return self.official.has_data(year)

    def warnings_for(self, *days: date) -> list[Problem]:
        """One warning per distinct year among `days` that has no calendar data."""
        problems = []
        for year in sorted({_as_day(d, self.zone).year for d in days}):
            if not self.has_data(year):
                problems.append(Problem(
                    f"calendar '{self.name}' has no official holiday schedule for {year}; "
                    f"working days in {year} are estimated from the statutory holidays, "
                    "without the official swapped working weekends",
                    hint=f"add {year}'s days off and working days to the organisation "
                    f"calendar and list {year} under complete_years",
                ))
        return problems

    # -- single days ---------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        names: dict[date, str] = {}
        days_off: set[date] = set()
        working: set[date] = set()
        if self.official is not None:
            data = self.official.year(year)
            days_off |= set(data.days_off)
            working |= set(data.working_weekends)
            names.update(data.days_off)
            names.update(data.working_weekends)
        own_off = {d: n for d, n in self.config.holidays.items() if d.year == year}
        own_working = {d: n for d, n in self.config.working_days.items() if d.year == year}
        days_off = (days_off - set(own_working)) | set(own_off)
        working = (working - set(own_off)) | set(own_working)
        names.update(own_off)
        names.update(own_working)
        result = _Year(frozenset(days_off), frozenset(working), names)
        self._years[year] = result  # a race computes the same value twice, harmlessly
        return result

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day (a swapped working Saturday is; a holiday is not)."""
        day = _as_day(day, self.zone)
        data = self._year(day.year)
        if day in data.working:
            return True
        if day in data.days_off:
            return False
        return day.weekday() not in self.config.weekend

    def day_name(self, day: date) -> str | None:
        """The name of the holiday or swapped working day on `day`, None for ordinary days."""
        day = _as_day(day, self.zone)
        return self._year(day.year).names.get(day)

    def roll(self, day: date, direction: Roll) -> date:
        """`day` itself if it is a working day, else the nearest earlier or later one."""
        day = _as_day(day, self.zone)
        step = _step(direction)
        for _ in range(_hours.MAX_IDLE_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=step)
        raise CalendarError(f"no working day within {_hours.MAX_IDLE_DAYS} days of {day}")

    def add_working_days(self, day: date, n: int) -> date:
        """The working day `n` working days after `day` (before it, if `n` is negative).

        The first working day after `day` is 1, whether or not `day` itself is a working
        day: one working day after Saturday is Monday. `n == 0` returns `day` unchanged.
        """
        day = _as_day(day, self.zone)
        step = 1 if n > 0 else -1
        for _ in range(abs(n)):
            day = self.roll(day + timedelta(days=step), "later" if step > 0 else "earlier")
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative if `end` < `start`.

        So working_days_between(d, add_working_days(d, n)) == n for n >= 0 from any day,
        and for negative n from a working day.
        """
        start, end = _as_day(start, self.zone), _as_day(end, self.zone)
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            self.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )

    def working_days_in_month(self, year: int, month: int) -> list[date]:
        """All working days of the month, in order."""
        days = (date(year, month, d) for d in range(1, days_in_month(year, month) + 1))
        return [d for d in days if self.is_working_day(d)]

    def nth_working_day(self, year: int, month: int, n: int) -> date:
        """The `n`-th working day of the month; negative `n` counts from the end (-1 = last)."""
        days = self.working_days_in_month(year, month)
        if n == 0 or abs(n) > len(days):
            raise CalendarError(
                f"{year}-{month:02d} has {len(days)} working days; there is no working day {n}",
                hint="use 1 for the first working day, -1 for the last",
            )
        return days[n - 1] if n > 0 else days[n]

    # -- working hours -------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """Whether the aware `moment` is inside working hours on a working day."""
        return _hours.is_working_time(self.hours, self.is_working_day, moment)

    def add_working_hours(self, start: datetime, amount: _hours.Amount) -> datetime:
        """The moment `amount` working hours (a number or a timedelta) after `start`."""
        return _hours.add_working_time(self.hours, self.is_working_day, start, amount)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two aware moments (negative if `end` is earlier)."""
        return _hours.working_time_between(self.hours, self.is_working_day, start, end)


def _step(direction: str) -> int:
    if direction == "earlier":
        return -1
    if direction == "later":
        return 1
    raise CalendarError(f"roll must be 'earlier' or 'later', not {direction!r}")


def _as_day(value: date, zone: ZoneInfo) -> date:
    """Dates stay; an aware datetime becomes its local date in the calendar's zone."""
    if isinstance(value, datetime):
        return (value.astimezone(zone) if value.tzinfo else value).date()
    if not isinstance(value, date):
        raise CalendarError(f"{value!r} is not a date")
    return value


@lru_cache(maxsize=1)
def default_calendar() -> BusinessCalendar:
    """The shared mainland-China calendar with default working hours and no overrides."""
    return BusinessCalendar()
