"""Workload per person and per role, and rework (steps a case went through more than once).

Steps done and cases are counted in SQL over completed task rows; a step counts in the
range by its completion time. Working hours are the working periods of those visits,
each credited to the person who held the task during it (so a step claimed by one person,
returned to the pool and finished by another is split between them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa

from liucheng.analytics.measure import Measure
from liucheng.analytics.source import Filters, Tables, task_conditions, tasks_with_cases
from liucheng.analytics.visits import visits

By = Literal["person", "role"]


@dataclass(frozen=True)
class Workload:
    who: str  # a user id, or a role id
    steps: int
    cases: int
    working: float  # seconds
    people: int  # distinct people (1 for a person)


@dataclass(frozen=True)
class Rework:
    process: str
    element: str
    name: str
    cases: int  # cases that visited the step
    repeated: int  # cases that visited it more than once
    extra_visits: int  # visits beyond the first, summed over cases
    max_visits: int


def workload(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
             measure: Measure, by: By = "person") -> list[Workload]:
    """Completed steps, distinct cases and working time per person or role, busiest first."""
    tk = tables.tasks
    group = tk.c.completed_by if by == "person" else sa.func.coalesce(tk.c.role, "")
    stmt = (sa.select(group.label("who"), sa.func.count(),
                      sa.func.count(sa.distinct(tk.c.instance_id)),
                      sa.func.count(sa.distinct(tk.c.completed_by)))
            .select_from(tasks_with_cases(tables))
            .where(*task_conditions(tables, filters, "completed"))
            .group_by(group))
    counts = {r[0] or "": (int(r[1]), int(r[2]), int(r[3])) for r in conn.execute(stmt)}
    hours: dict[str, float] = defaultdict(float)
    for v in visits(conn, tables, filters, now, by="completed"):
        for s in v.segments:
            if s.kind == "working":
                who = (s.actor or v.completed_by or "") if by == "person" else (v.role or "")
                hours[who] += measure.seconds(s.start, s.end)
    out = []
    for who in set(counts) | set(hours):
        steps, cases, people = counts.get(who, (0, 0, 0))
        out.append(Workload(who, steps, cases, hours.get(who, 0.0),
                            people if by == "role" else 1))
    return sorted(out, key=lambda w: (-w.steps, -w.working, w.who))


def rework(conn: sa.Connection, tables: Tables, filters: Filters) -> list[Rework]:
    """Per step: how many cases went through it more than once, and how many extra times."""
    tk = tables.tasks
    per_case = (sa.select(tk.c.definition_key, tk.c.element, sa.func.max(tk.c.name).label("name"),
                          sa.func.count().label("n"))
                .select_from(tasks_with_cases(tables))
                .where(*task_conditions(tables, filters))
                .group_by(tk.c.instance_id, tk.c.definition_key, tk.c.element)
                .subquery())
    stmt = (sa.select(per_case.c.definition_key, per_case.c.element, sa.func.max(per_case.c.name),
                      sa.func.count(), sa.func.sum(sa.case((per_case.c.n > 1, 1), else_=0)),
                      sa.func.sum(per_case.c.n - 1), sa.func.max(per_case.c.n))
            .group_by(per_case.c.definition_key, per_case.c.element)
            .order_by(sa.func.sum(per_case.c.n - 1).desc(), per_case.c.definition_key,
                      per_case.c.element))
    return [Rework(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5]), int(r[6]))
            for r in conn.execute(stmt)]
