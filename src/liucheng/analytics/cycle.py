"""Cycle time (case start to end) and throughput by day, week or month, with the trend.

A case counts in the period in which it ended (cycle time is known only then); cases
started in each period are counted too. Periods are local dates in the report's time zone
(Asia/Shanghai by default): days 'YYYY-MM-DD', ISO weeks 'YYYY-Www', months 'YYYY-MM'.
Cancelled cases are left out of the cycle figures and counted separately.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from liucheng.analytics.measure import Measure, Stats, human, summarize
from liucheng.analytics.source import Filters, Tables, case_conditions, in_range

Period = Literal["day", "week", "month"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class PeriodStats:
    period: str
    started: int
    completed: int
    cancelled: int
    cycle: Stats


@dataclass(frozen=True)
class CycleReport:
    periods: list[PeriodStats]
    overall: Stats
    open_cases: int
    open_age: Stats  # age of the cases still running, up to now
    cycle_slope: float | None  # change of the period median per period, seconds
    throughput_slope: float | None  # change of completed cases per period

    def trend(self, measure: Measure, period: Period) -> str:
        """A sentence on the direction of cycle time and throughput."""
        if self.cycle_slope is None:
            return "too few periods with finished cases for a trend"
        word = "longer" if self.cycle_slope > 0 else "shorter"
        text = (f"median cycle time {word} by {human(abs(self.cycle_slope), measure)} "
                f"per {period} over {len(self.periods)} {period}s")
        if self.throughput_slope is not None:
            more = "more" if self.throughput_slope >= 0 else "fewer"
            text += f"; {abs(self.throughput_slope):.1f} {more} finished cases per {period}"
        return text


def period_of(moment: datetime, period: Period, zone: tzinfo = SHANGHAI) -> str:
    local = moment.astimezone(zone).date()
    if period == "day":
        return local.isoformat()
    if period == "month":
        return f"{local.year}-{local.month:02d}"
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def slope(values: list[float]) -> float | None:
    """Least-squares slope of values at x = 0, 1, 2, …; None for fewer than two."""
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def cycle_report(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                 measure: Measure, period: Period = "week",
                 zone: tzinfo = SHANGHAI) -> CycleReport:
    """Cases ended in the filters' range, per period; open cases are aged up to `now`."""
    ins = tables.instances
    cases = (sa.select(ins.c.started_at, ins.c.ended_at, ins.c.status)
             .where(*case_conditions(tables, filters)))
    ended = cases.where(ins.c.ended_at.is_not(None), *in_range(ins.c.ended_at, filters))
    started_q = (sa.select(ins.c.started_at).where(*case_conditions(tables, filters),
                                                   *in_range(ins.c.started_at, filters)))
    cycles: dict[str, list[float]] = defaultdict(list)
    cancelled: dict[str, int] = defaultdict(int)
    started: dict[str, int] = defaultdict(int)
    every: list[float] = []
    for row in conn.execution_options(yield_per=5000).execute(ended):
        key = period_of(row.ended_at, period, zone)
        if row.status == "cancelled":
            cancelled[key] += 1
            continue
        value = measure.seconds(row.started_at, row.ended_at)
        cycles[key].append(value)
        every.append(value)
    for row in conn.execution_options(yield_per=5000).execute(started_q):
        started[period_of(row.started_at, period, zone)] += 1
    ages = [measure.seconds(r.started_at, max(now, r.started_at)) for r in conn.execute(
        cases.where(ins.c.ended_at.is_(None)))]
    rows = [PeriodStats(p, started.get(p, 0), len(cycles.get(p, [])), cancelled.get(p, 0),
                        summarize(cycles.get(p, [])))
            for p in sorted(set(cycles) | set(cancelled) | set(started))]
    medians = [r.cycle.median for r in rows if r.cycle.median is not None]
    return CycleReport(rows, summarize(every), len(ages), summarize(ages), slope(medians),
                       slope([float(r.completed) for r in rows]) if len(rows) > 1 else None)
