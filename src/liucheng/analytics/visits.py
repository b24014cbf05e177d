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
from operator import itemgetter
from typing import Any, Literal

import sqlalchemy as sa

from liucheng.analytics.measure import Measure
from liucheng.analytics.source import Filters, Tables, TimeField, task_conditions, tasks_with_cases

TASK_EVENTS = ("task_created", "task_claimed", "task_unclaimed", "task_transferred",
               "task_delegated", "task_resolved", "task_suspended", "task_resumed",
               "task_completed", "task_cancelled")
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


# the field of an event's data naming who it gives the step to; no other event's JSON is read
GIVEN_TO = {"task_created": "assignee", "task_transferred": "to", "task_delegated": "to",
            "task_resolved": "owner"}
HANDED_ON = ("task_transferred", "task_delegated", "task_resolved")


def _stored(column: Any) -> Any:
    """A time column as the driver returns it, for `_moment` to convert once."""
    return sa.type_coerce(column, sa.types.NullType())


def _moment(value: str | datetime) -> datetime:
    """A stored time as an aware datetime: SQLite gives the text of a UTC time without its
    zone (parsed with the zone appended: many times faster than `replace(tzinfo=…)`),
    PostgreSQL's driver an aware datetime."""
    return datetime.fromisoformat(value + "+00:00") if isinstance(value, str) else value


def _query(tables: Tables, filters: Filters, by: TimeField) -> sa.Select[Any]:
    """One row per task event: (task, type, at, actor, implicit, given_to), then the task's
    columns (case, process, element, name, role, status, due, created, completed by,
    definition)."""
    ev, tk, ins = tables.events, tables.tasks, tables.instances
    kind, data = ev.c.type, ev.c.data
    implicit = sa.case((kind == "task_claimed", data["implicit"].as_boolean()))
    given_to = sa.case(*((kind == t, data[f].as_string()) for t, f in GIVEN_TO.items()))
    return (
        sa.select(ev.c.task_id, kind, _stored(ev.c.at), ev.c.actor, implicit, given_to,
                  tk.c.instance_id, tk.c.definition_key, tk.c.element, tk.c.name, tk.c.role,
                  tk.c.status, _stored(tk.c.due_at), _stored(tk.c.created_at),
                  tk.c.completed_by, ins.c.definition_id)
        .select_from(tasks_with_cases(tables).join(ev, ev.c.task_id == tk.c.id))
        .where(ev.c.type.in_(TASK_EVENTS), *task_conditions(tables, filters, by))
        .order_by(tk.c.instance_id, tk.c.id, ev.c.seq)
    )


def _visit(rows: list[Any], now: datetime) -> Visit:
    """The visit of one task from its event rows (in `_query`'s layout), in order."""
    (task, _, _, _, _, _, case, process, element, name, role, status, due_at, created_at,
     completed_by, definition) = rows[0]
    created = _moment(created_at)
    visit = Visit(case=case, task=task, process=process, definition=definition,
                  element=element, name=name, role=role, status=status, created=created,
                  due_at=None if due_at is None else _moment(due_at), completed_by=completed_by)
    kind: Kind = "waiting"
    since = created
    actor: str | None = None
    held: tuple[Kind, str | None] = ("waiting", None)  # what a suspended step resumes to
    implicit: tuple[datetime, str | None] | None = None  # a claim in passing: (at, by)

    def close(at: datetime) -> None:
        if at > since:
            visit.segments.append(Segment(kind, since, at, actor))

    for row in rows:
        type_, stored_at, by, in_passing, given_to = row[1:6]
        at = _moment(stored_at)
        if implicit is not None:
            if type_ == "task_completed":  # done from the pool: the free period was work
                kind, actor = "working", implicit[1]
            else:  # taken to be handed on: the claim starts at its own time
                close(implicit[0])
                kind, since, actor = "working", implicit[0], implicit[1]
            implicit = None
        if type_ == "task_created":
            since = at
            if given_to:
                kind, actor = "working", given_to
        elif type_ == "task_claimed" and in_passing:
            implicit = (at, by)  # judged by what follows it
        elif type_ == "task_claimed" or type_ in HANDED_ON:
            close(at)
            kind, since, actor = "working", at, by if type_ == "task_claimed" else given_to
        elif type_ == "task_unclaimed":
            close(at)
            kind, since, actor = "waiting", at, None
        elif type_ == "task_suspended":
            close(at)
            held, (kind, since, actor) = (kind, actor), ("waiting", at, None)
        elif type_ == "task_resumed":
            close(at)
            (kind, actor), since = held, at
        else:
            close(at)
            visit.ended = at
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
    for _, rows in itertools.groupby(result, key=itemgetter(0)):
        yield _visit(list(rows), now)


def case_visits(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime
                ) -> Iterator[list[Visit]]:
    """Visits grouped per case, each group in the order work started (then finished)."""
    far = datetime.max.replace(tzinfo=now.tzinfo)
    for _, group in itertools.groupby(visits(conn, tables, filters, now), key=lambda v: v.case):
        yield sorted(group, key=lambda v: (v.started or v.created, v.ended or far))
