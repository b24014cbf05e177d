"""What a process plan is: `Case`, one case being worked, and `Plan`, how one process is
worked (its case volume, starter, form data, timings and bottleneck step), with the date
helpers the plans share.

A plan's methods get the case's own seeded random source, so the same seed gives the same
data; they never read the wall clock, only the simulated `now` they are given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from liucheng.calendar import BusinessCalendar
from liucheng.runtime import Engine

SHANGHAI = ZoneInfo("Asia/Shanghai")
Data = tuple[dict[str, Any], str | None]  # a step's form data and its outcome


@dataclass
class Case:
    """One case being worked: its own random source, its variables and who did what."""

    id: str
    key: str
    rng: random.Random
    vars: dict[str, Any] = field(default_factory=dict)
    done_by: dict[str, str] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)  # how often each step was done
    extra: dict[str, Any] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    scan: str = ""

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def first(self, step: str) -> bool:
        """True the first time `step` is done in this case."""
        return self.times.get(step, 0) == 0


class Plan:
    """How one process is worked: its case volume, starter, data, timings and bottleneck."""

    key = ""
    per_month = 10
    starter = ""
    bottleneck = ""
    slow = (10.0, 36.0)  # hours the bottleneck's tasks wait in the queue

    def start_vars(self, case: Case, at: datetime) -> dict[str, Any]:
        return {}

    def data(self, case: Case, step: str, now: datetime) -> Data:
        return {}, None

    def wait(self, step: str) -> tuple[float, float]:
        """Working hours a task of `step` waits before someone takes it up."""
        return self.slow if step == self.bottleneck else (0.1, 3.0)

    def work(self, step: str) -> tuple[float, float]:
        return (0.1, 1.2)

    def not_before(self, case: Case, step: str, now: datetime) -> datetime | None:
        return None

    def after(self, engine: Engine, case: Case, step: str, user: str) -> None:
        """Anything people do on the case besides completing `step` (e.g. supplements)."""

    def starts(self, rng: random.Random, cal: BusinessCalendar, begin: datetime,
               end: datetime, count: int) -> list[datetime]:
        """Start moments spread over the working time between `begin` and `end`."""
        hours = cal.working_time_between(begin, end).total_seconds() / 3600
        return sorted(cal.add_working_hours(begin, rng.uniform(0, hours)) for _ in range(count))


def today(now: datetime) -> str:
    """The day of `now` in Shanghai, as ISO text."""
    return now.astimezone(SHANGHAI).date().isoformat()


def next_working_day(day: date) -> str:
    """The working day after `day`, on the default calendar, as ISO text."""
    from liucheng.calendar import default_calendar

    return default_calendar().add_working_days(day, 1).isoformat()
