"""The named reports: each runs its figures and lays them out as a `Report`.

These are what the CLI and the Excel export show; the functions they call (`step_stats`,
`bottlenecks`, `cycle_report`, …) return typed figures for programs that want numbers.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

import sqlalchemy as sa

from liucheng.analytics.cycle import SHANGHAI, Period, cycle_report
from liucheng.analytics.flows import directly_follows
from liucheng.analytics.measure import Measure, Stats, human
from liucheng.analytics.measures import Source, measure, progress
from liucheng.analytics.people import By, rework, workload
from liucheng.analytics.report import Column, Kind, Report
from liucheng.analytics.source import Filters, Hide, Tables, show_all
from liucheng.analytics.steps import bottlenecks, step_stats

D: Kind = "duration"
N: Kind = "int"


def _stats(prefix: str, s: Stats) -> dict[str, float | None]:
    return {f"{prefix}_mean": s.mean, f"{prefix}_median": s.median, f"{prefix}_p90": s.p90}


def _stat_columns(prefix: str, label: str, wide_mean: bool = True,
                  wide_p90: bool = False) -> list[Column]:
    return [Column(f"{prefix}_mean", f"{label} mean", D, wide=wide_mean),
            Column(f"{prefix}_median", f"{label} median", D),
            Column(f"{prefix}_p90", f"{label} p90", D, wide=wide_p90)]


def steps_report(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                 measure: Measure) -> Report:
    rows = []
    for s in step_stats(conn, tables, filters, now, measure):
        rows.append({"process": s.process, "step": s.element, "name": s.name, "role": s.role,
                     "visits": s.visits, "open": s.open, "overdue": s.overdue,
                     **_stats("wait", s.waiting), **_stats("work", s.working),
                     **_stats("total", s.total)})
    columns = [Column("process", "process"), Column("step", "step", wide=True),
               Column("name", "name"), Column("role", "role", wide=True),
               Column("visits", "visits", N),
               Column("open", "open now", N), Column("overdue", "overdue now", N),
               *_stat_columns("wait", "wait"), *_stat_columns("work", "work", wide_p90=True),
               *_stat_columns("total", "total")]
    return Report("steps", f"Steps ({measure.kind} time)", columns, rows, measure,
                  [f"open steps are measured up to {now.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"])


def bottleneck_report(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                      measure: Measure) -> Report:
    rows = [{"rank": b.rank, "process": b.step.process, "step": b.step.element,
             "name": b.step.name, "open": b.step.open, "wait_median": b.step.waiting.median,
             "wait_total": b.step.waiting.total, "share": b.share, "ratio": b.ratio,
             "why": b.reason} for b in bottlenecks(conn, tables, filters, now, measure)]
    columns = [Column("rank", "#", N), Column("process", "process"),
               Column("step", "step", wide=True), Column("name", "name"),
               Column("open", "queue", N, wide=True),
               Column("wait_median", "median wait", D, wide=True),
               Column("wait_total", "waiting in all", D),
               Column("share", "share of waiting", "percent", wide=True),
               Column("ratio", "× process median", "number", wide=True), Column("why", "why")]
    return Report("bottlenecks", f"Bottlenecks ({measure.kind} time)", columns, rows, measure,
                  ["ranked by the waiting time each step adds up to; open steps count to now"])


def cycle_time_report(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                      measure: Measure, period: Period = "week",
                      zone: tzinfo = SHANGHAI) -> Report:
    result = cycle_report(conn, tables, filters, now, measure, period, zone)
    rows = [{"period": p.period, "started": p.started, "completed": p.completed,
             "cancelled": p.cancelled, **_stats("cycle", p.cycle)}
            for p in result.periods]
    columns = [Column("period", period), Column("started", "started", N),
               Column("completed", "finished", N), Column("cancelled", "cancelled", N),
               *_stat_columns("cycle", "cycle time", wide_mean=False)]
    notes = [f"{result.overall.count} finished cases, median cycle time "
             f"{human(result.overall.median, measure)}",
             result.trend(measure, period),
             f"{result.open_cases} cases still running, median age "
             f"{human(result.open_age.median, measure)}"]
    return Report("cycle", f"Cycle time and throughput per {period} ({measure.kind} time)",
                  columns, rows, measure, notes, zone)


def workload_report(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                    measure: Measure, by: By = "person") -> Report:
    rows = [{"who": w.who or "—", "steps": w.steps, "cases": w.cases, "working": w.working,
             "people": w.people} for w in workload(conn, tables, filters, now, measure, by)]
    columns = [Column("who", by), Column("steps", "steps done", N), Column("cases", "cases", N),
               Column("working", "working time", D)]
    if by == "role":
        columns.append(Column("people", "people", N))
    return Report("workload", f"Workload per {by} ({measure.kind} time)", columns, rows,
                  measure, ["steps count by the time they were completed"])


def rework_report(conn: sa.Connection, tables: Tables, filters: Filters) -> Report:
    rows = [{"process": r.process, "step": r.element, "name": r.name, "cases": r.cases,
             "repeated": r.repeated, "rate": r.repeated / r.cases if r.cases else 0.0,
             "extra": r.extra_visits, "max": r.max_visits}
            for r in rework(conn, tables, filters)]
    columns = [Column("process", "process"), Column("step", "step", wide=True),
               Column("name", "name"), Column("cases", "cases", N),
               Column("repeated", "cases with rework", N),
               Column("rate", "rework rate", "percent"), Column("extra", "extra visits", N),
               Column("max", "most visits in a case", N)]
    return Report("rework", "Rework (steps visited more than once in a case)", columns, rows)


def measure_report(conn: sa.Connection, tables: Tables, filters: Filters, field: str, *,
                   group_by: str | None = None, source: Source = "case",
                   step: str | None = None, hide: Hide = show_all) -> Report:
    rows = [{"group": m.group if m.group is not None else "—", "count": m.count, "sum": m.sum,
             "mean": m.mean, "min": m.min, "max": m.max}
            for m in measure(conn, tables, filters, field, group_by=group_by, source=source,
                             step=step, hide=hide)]
    where = f"step {step}'s form" if source == "task" else "the case"
    columns = [Column("group", group_by or "all"), Column("count", "count", N),
               Column("sum", "sum", "number"), Column("mean", "average", "number"),
               Column("min", "min", "number"), Column("max", "max", "number")]
    return Report("measures", f"{field} per {group_by or 'all cases'}", columns, rows,
                  notes=[f"{field} is read from {where}; cases count by their start"])


def progress_report(conn: sa.Connection, tables: Tables, filters: Filters, group_by: str, *,
                    remarks: str | None = None, active_only: bool = True,
                    hide: Hide = show_all) -> Report:
    rows = [{"group": p.group if p.group is not None else "—", "case": p.case[:8],
             "business_key": p.business_key, "title": p.title, "status": p.status,
             "started": p.started_at, "current": p.current, "since": p.since,
             "assignee": p.assignee, "remarks": p.remarks}
            for p in progress(conn, tables, filters, group_by, remarks=remarks,
                              active_only=active_only, hide=hide)]
    columns = [Column("group", group_by), Column("case", "case"),
               Column("business_key", "business key"), Column("title", "title", wide=True),
               Column("status", "status", wide=True), Column("started", "started", "time"),
               Column("current", "current step"), Column("since", "since", "time"),
               Column("assignee", "with"), Column("remarks", "remarks")]
    return Report("progress", f"Progress per {group_by}", columns, rows)


def flow_report(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                measure: Measure) -> Report:
    rows = [{"process": f.process, "from": f.source, "to": f.target, "count": f.time.count,
             "mean": f.time.mean, "median": f.time.median, "min": f.time.min, "max": f.time.max}
            for f in directly_follows(conn, tables, filters, now, measure)]
    columns = [Column("process", "process"), Column("from", "from"), Column("to", "to"),
               Column("count", "count", N), Column("mean", "mean", D),
               Column("median", "median", D), Column("min", "min", D, wide=True),
               Column("max", "max", D, wide=True)]
    return Report("flows", f"Directly-follows flow times ({measure.kind} time)", columns, rows,
                  measure, ["from the completion of one step to the start of the next"])
