"""Per-step figures and the bottleneck ranking.

Counts (visits, open queue now, overdue now) are aggregated in SQL over the task rows;
waiting, working and total time come from the streamed visits (`visits.py`), measured in
calendar or working time, and are summarised per step in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from liucheng.analytics.measure import Measure, Stats, human, summarize
from liucheng.analytics.source import Filters, Tables, task_conditions, tasks_with_cases
from liucheng.analytics.visits import visits

StepKey = tuple[str, str]  # (process, element)


@dataclass(frozen=True)
class StepStats:
    """Figures for one step of one process over the visits the filters select."""

    process: str
    element: str
    name: str
    role: str | None
    visits: int
    open: int
    overdue: int
    waiting: Stats
    working: Stats
    total: Stats


@dataclass(frozen=True)
class Bottleneck:
    """A step's place in the ranking, with the sentence that explains it."""

    rank: int
    step: StepStats
    share: float  # of all waiting time in its process
    ratio: float | None  # step median wait / process median wait
    reason: str


def _counts(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime
            ) -> dict[StepKey, tuple[str, str | None, int, int, int]]:
    tk = tables.tasks
    is_open = tk.c.status == "open"
    stmt = (
        sa.select(tk.c.definition_key, tk.c.element, sa.func.max(tk.c.name),
                  sa.func.max(tk.c.role), sa.func.count(),
                  sa.func.sum(sa.case((is_open, 1), else_=0)),
                  sa.func.sum(sa.case((sa.and_(is_open, tk.c.due_at < now), 1), else_=0)))
        .select_from(tasks_with_cases(tables))
        .where(*task_conditions(tables, filters))
        .group_by(tk.c.definition_key, tk.c.element)
    )
    return {(r[0], r[1]): (r[2], r[3], r[4], int(r[5] or 0), int(r[6] or 0))
            for r in conn.execute(stmt)}


def step_stats(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
               measure: Measure) -> list[StepStats]:
    """Figures per (process, step), ordered by process and first appearance."""
    return _figures(conn, tables, filters, now, measure)[0]


def _figures(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
             measure: Measure) -> tuple[list[StepStats], dict[str, list[float]]]:
    process_waits: dict[str, list[float]] = defaultdict(list)
    waiting: dict[StepKey, list[float]] = defaultdict(list)
    working: dict[StepKey, list[float]] = defaultdict(list)
    total: dict[StepKey, list[float]] = defaultdict(list)
    first_seen: dict[StepKey, tuple[datetime, datetime]] = {}
    for v in visits(conn, tables, filters, now):
        key = (v.process, v.element)
        wait = v.time("waiting", measure)
        waiting[key].append(wait)
        process_waits[v.process].append(wait)
        working[key].append(v.time("working", measure))
        total[key].append(v.total(measure, now))
        seen = (v.created, v.ended or now)
        first_seen[key] = min(first_seen.get(key, seen), seen)
    counts = _counts(conn, tables, filters, now)
    out = []
    for key, (name, role, count, open_, overdue) in counts.items():
        out.append(StepStats(key[0], key[1], name, role, count, open_, overdue,
                             summarize(waiting[key]), summarize(working[key]),
                             summarize(total[key])))
    out.sort(key=lambda s: (s.process, first_seen.get((s.process, s.element), (now, now)),
                            s.element))
    return out, process_waits


def bottlenecks(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                measure: Measure) -> list[Bottleneck]:
    """Steps ranked by the waiting time they add up to (open steps counted up to `now`).

    The waiting time a step accumulates is the delay it puts on its cases: a long queue,
    long waits, or many visits all raise it. Steps with no waiting at all are not ranked.
    """
    stats, process_waits = _figures(conn, tables, filters, now, measure)
    process_total = {p: sum(w) for p, w in process_waits.items()}
    process_median = {p: summarize(w).median for p, w in process_waits.items()}
    ranked = sorted((s for s in stats if s.waiting.total > 0),
                    key=lambda s: (-s.waiting.total, -s.open, s.process, s.element))
    out = []
    for rank, s in enumerate(ranked, 1):
        share = s.waiting.total / process_total[s.process] if process_total[s.process] else 0.0
        median = process_median.get(s.process)
        ratio = (s.waiting.median / median
                 if median and s.waiting.median is not None else None)
        out.append(Bottleneck(rank, s, share, ratio, explain(s, share, ratio, measure)))
    return out


def explain(s: StepStats, share: float, ratio: float | None, measure: Measure) -> str:
    """'queue of 38, median wait 2.5 working days, 4× the process median; …'."""
    parts = [f"queue of {s.open}" if s.open else "no queue now",
             f"median wait {human(s.waiting.median, measure)}"]
    if ratio is not None and ratio >= 1.05:
        parts[-1] += f", {ratio:.1f}× the process median".replace(".0×", "×")
    parts.append(f"{share:.0%} of all waiting in {s.process}")
    if s.overdue:
        parts.append(f"{s.overdue} overdue")
    if s.visits > 1:
        parts.append(f"{s.visits} visits, p90 wait {human(s.waiting.p90, measure)}")
    return "; ".join(parts)
