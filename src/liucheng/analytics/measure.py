"""How durations are measured (calendar or working time) and summarised.

`Measure.calendar()` counts elapsed time; `Measure.working(cal)` counts only working time
of a business calendar — anything with `working_time_between(start, end) -> timedelta`,
such as `liucheng.calendar.BusinessCalendar`. A "day" is 24 hours in calendar time and one
working day (7.5 hours by default) in working time, so "2.5 working days" reads naturally.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol


class WorkingTime(Protocol):
    """A business calendar that can measure working time between two aware moments."""

    def working_time_between(self, start: datetime, end: datetime) -> timedelta: ...


@dataclass(frozen=True)
class Measure:
    """Calendar or working time; `seconds(start, end)` is the one way durations are taken."""

    kind: Literal["calendar", "working"]
    calendar: WorkingTime | None = None
    day: timedelta = timedelta(days=1)

    @classmethod
    def elapsed(cls) -> Measure:
        return cls("calendar")

    @classmethod
    def working(cls, calendar: WorkingTime,
                day: timedelta = timedelta(hours=7, minutes=30)) -> Measure:
        return cls("working", calendar, day)

    @property
    def day_word(self) -> str:
        return "working days" if self.kind == "working" else "days"

    def seconds(self, start: datetime, end: datetime) -> float:
        """Duration from `start` to `end` in seconds (negative when `end` is earlier)."""
        if self.calendar is None:
            return (end - start).total_seconds()
        return self.calendar.working_time_between(start, end).total_seconds()


@dataclass(frozen=True)
class Stats:
    """count, sum, mean, median, 90th percentile, min and max of durations in seconds."""

    count: int = 0
    total: float = 0.0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    min: float | None = None
    max: float | None = None


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of sorted values, linear between ranks (numpy's default)."""
    if not ordered:
        raise ValueError("percentile of no values")
    rank = (len(ordered) - 1) * q
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(values: Sequence[float]) -> Stats:
    if not values:
        return Stats()
    ordered = sorted(values)
    total = math.fsum(ordered)
    return Stats(len(ordered), total, total / len(ordered), percentile(ordered, 0.5),
                 percentile(ordered, 0.9), ordered[0], ordered[-1])


def human(seconds: float | None, measure: Measure) -> str:
    """'2.5 working days', '3.2 h', '12 min' — for sentences and tables."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    value = abs(seconds)
    if value >= measure.day.total_seconds():
        return f"{sign}{value / measure.day.total_seconds():.1f} {measure.day_word}"
    if value >= 3600:
        return f"{sign}{value / 3600:.1f} h"
    if value >= 60:
        return f"{sign}{value / 60:.0f} min"
    return f"{sign}{value:.0f} s"
