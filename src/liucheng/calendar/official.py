"""The bridge to the `holidays` package: official days off and swapped working weekends.

The package publishes, per country and year, the public holidays and — for countries
that swap days, like China (调休) — the weekend days that are working days (its
`weekend_workdays` set, filled from the State Council schedule). This module reads both
for one year at a time and says which years the package really knows: for China that
is the years with a published schedule (the package's `special_public_holidays`);
later years only get the statutory festival days estimated from the lunar calendar,
with no swapped working weekends, so the calendar warns about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import holidays

from liucheng.calendar.errors import CalendarError


@cache
def subdivisions(country: str) -> tuple[str, ...] | None:
    """The subdivisions the holidays package knows for a country code, None if it knows
    no such country. Only that country's module is imported (`list_supported_countries`
    imports all of them, which costs every process a noticeable start-up delay)."""
    if not (len(country) == 2 and country.isascii() and country.isupper()):
        return None
    try:
        return tuple(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class OfficialYear:
    """One year of official data: days off and weekend days that are working days."""

    days_off: dict[date, str]
    working_weekends: dict[date, str]


class OfficialCalendar:
    """Reads one country's (and optionally one subdivision's) public calendar."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        known = subdivisions(country)
        if known is None:
            raise CalendarError(f"country '{country}' is not known to the holidays package")
        if subdivision is not None and subdivision not in known:
            raise CalendarError(
                f"subdivision '{subdivision}' is not known for country '{country}'",
                hint="known: " + ", ".join(known) if known else None,
            )
        self.country = country
        self.subdivision = subdivision
        probe = self._load(())
        self.language = probe.default_language
        self.first_year: int = probe.start_year
        self.last_year: int = probe.end_year
        self.scheduled_years = _scheduled_years(probe)

    def _load(self, years: int | tuple[int, ...]) -> Any:
        return holidays.country_holidays(
            self.country, subdiv=self.subdivision, years=years, language=None
        )

    def has_data(self, year: int) -> bool:
        """Whether the package has the real schedule for `year`, not an estimate."""
        if self.scheduled_years is not None:
            return year in self.scheduled_years
        return self.first_year <= year <= self.last_year

    def year(self, year: int) -> OfficialYear:
        """The days off and working weekends of `year` (empty outside the package's range)."""
        if not self.first_year <= year <= self.last_year:
            return OfficialYear({}, {})
        data = holidays.country_holidays(
            self.country, subdiv=self.subdivision, years=year, language=self.language
        )
        days_off = {d: str(name) for d, name in data.items() if d.year == year}
        swapped: set[date] = set(getattr(data, "weekend_workdays", set()))
        working = {d: _working_label(d, days_off) for d in swapped if d.year == year}
        return OfficialYear(days_off, working)


def _scheduled_years(probe: Any) -> frozenset[int] | None:
    """Years with a published schedule, for countries whose calendar is set year by year.

    Countries with swapped working days (China and a few others) only know a year once the
    government publishes its schedule; the package keeps those as `special_public_holidays`.
    For other countries the rules are fixed, so every supported year counts as known.
    """
    if not getattr(probe, "has_substituted_holidays", False):
        return None
    special = getattr(probe, "special_public_holidays", None)
    if not isinstance(special, dict):
        return None
    return frozenset(year for year in special if isinstance(year, int))


def _working_label(day: date, days_off: dict[date, str]) -> str:
    """Name a swapped working day after the day off it pays for.

    The package labels the weekday off '休息日（由 2026-02-14 调休）'; the Saturday it
    came from is then '调休上班（2026-02-20 休息）'.
    """
    stamp = day.isoformat()
    for off_day, name in sorted(days_off.items()):
        if stamp in name:
            return f"调休上班（{off_day.isoformat()} 休息）"
    return "调休上班"
