"""Step visits: one per task row, with its waiting and working periods, read from events.

A visit starts when its task is created and ends when it is completed or cancelled.
Between those moments it alternates between *waiting* (nobody holds it: in a group pool)
and *working* (someone claimed it or it was assigned at creation). An unclaim returns it
to waiting; a reclaim starts working again. A task completed straight from the pool,
without a claim, was worked on from the moment it last became free, so that period counts
as working. A transfer or delegation hands the working period to the new holder (and
back to the owner when the delegate is done); a step suspended while signers added before
it sign waits until it is resumed. A visit still open is measured up to `now`.

Visits are streamed from one SQL query over the events joined to their task and case, in
(case, task, sequence) order; only one case's visits are held at a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from liucheng.analytics.measure import Measure
from liucheng.analytics.source import Filters, Tables, TimeField, task_conditions, tasks_with_cases

TASK_EVENTS = ("task_created", "task_claimed", "task_unclaimed", "task_transferred",
               "task_delegated", "task_resolved", "task_suspended", "task_resumed",
               "task_completed", "task_cancelled")
HANDED_ON = {"task_transferred": "to", "task_delegated": "to", "task_resolved": "owner"}
Kind = Literal["waiting", "working"]


@dataclass(frozen=True)
class Segment:
    """One period of a visit: waiting in the pool, or working by `actor`."""

    kind: Kind
    start: datetime
    end: datetime
    actor: str | None = None


@dataclass
class Visit:
    """One visit of a case to a step (a task row) and how its time was spent."""

    case: str
    task: str
    process: str
    definition: str
    element: str
    name: str
    role: str | None
    status: str
    created: datetime
    ended: datetime | None = None
    due_at: datetime | None = None
    completed_by: str | None = None
    segments: list[Segment] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.ended is None

    @property
    def started(self) -> datetime | None:
        """When work first began: the first working period, or the completion of a step
        done in no time; None for a step nobody worked on."""
        first = next((s.start for s in self.segments if s.kind == "working"), None)
        return first or (self.ended if self.status == "completed" else None)

    def time(self, kind: Kind, measure: Measure) -> float:
        return sum(measure.seconds(s.start, s.end) for s in self.segments if s.kind == kind)

    def total(self, measure: Measure, now: datetime) -> float:
        return measure.seconds(self.created, self.ended or max(now, self.created))


def _query(tables: Tables, filters: Filters, by: TimeField) -> sa.Select[Any]:
    ev, tk, ins = tables.events, tables.tasks, tables.instances
    return (
        sa.select(ev.c.task_id, ev.c.type, ev.c.at, ev.c.actor,
                  ev.c.data["implicit"].as_boolean().label("implicit"),
                  ev.c.data["assignee"].as_string().label("assignee"),
                  ev.c.data["to"].as_string().label("to"),
                  ev.c.data["owner"].as_string().label("owner"),
                  tk.c.instance_id, tk.c.definition_key, tk.c.element, tk.c.name, tk.c.role,
                  tk.c.status, tk.c.due_at, tk.c.created_at, tk.c.completed_by,
                  ins.c.definition_id)
        .select_from(tasks_with_cases(tables).join(ev, ev.c.task_id == tk.c.id))
        .where(ev.c.type.in_(TASK_EVENTS), *task_conditions(tables, filters, by))
        .order_by(tk.c.instance_id, tk.c.id, ev.c.seq)
    )


def _visit(rows: list[Any], now: datetime) -> Visit:
    first = rows[0]
    visit = Visit(case=first.instance_id, task=first.task_id, process=first.definition_key,
                  definition=first.definition_id, element=first.element, name=first.name,
                  role=first.role, status=first.status, created=first.created_at,
                  due_at=first.due_at, completed_by=first.completed_by)
    kind: Kind = "waiting"
    since: datetime = first.created_at
    actor: str | None = None
    held: tuple[Kind, str | None] = ("waiting", None)  # what a suspended step resumes to
    implicit: Any = None  # a claim made in passing, judged by what follows it

    def close(at: datetime) -> None:
        if at > since:
            visit.segments.append(Segment(kind, since, at, actor))

    for row in rows:
        if implicit is not None:
            if row.type == "task_completed":  # done from the pool: the free period was work
                kind, actor = "working", implicit.actor
            else:  # taken to be handed on: the claim starts at its own time
                close(implicit.at)
                kind, since, actor = "working", implicit.at, implicit.actor
            implicit = None
        if row.type == "task_created":
            since = row.at
            if row.assignee:
                kind, actor = "working", row.assignee
        elif row.type == "task_claimed" and row.implicit:
            implicit = row
        elif row.type in ("task_claimed", *HANDED_ON):
            close(row.at)
            who = row.actor if row.type == "task_claimed" else getattr(row, HANDED_ON[row.type])
            kind, since, actor = "working", row.at, who
        elif row.type == "task_unclaimed":
            close(row.at)
            kind, since, actor = "waiting", row.at, None
        elif row.type == "task_suspended":
            close(row.at)
            held, (kind, since, actor) = (kind, actor), ("waiting", row.at, None)
        elif row.type == "task_resumed":
            close(row.at)
            (kind, actor), since = held, row.at
        else:
            close(row.at)
            visit.ended = row.at
            return visit
    close(max(now, since))
    return visit


def visits(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime, *,
           by: TimeField = "created") -> Iterator[Visit]:
    """Every visit matching `filters`, ordered by case; open ones measured up to `now`.

    `by` says which time the filters' range applies to: the visit's creation or, for
    completed visits only, its completion.
    """
    result = conn.execution_options(yield_per=2000).execute(_query(tables, filters, by))
    for _, rows in itertools.groupby(result, key=lambda r: r.task_id):
        yield _visit(list(rows), now)


def case_visits(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime
                ) -> Iterator[list[Visit]]:
    """Visits grouped per case, each group in the order work started (then finished)."""
    far = datetime.max.replace(tzinfo=now.tzinfo)
    for _, group in itertools.groupby(visits(conn, tables, filters, now), key=lambda v: v.case):
        yield sorted(group, key=lambda v: (v.started or v.created, v.ended or far))
