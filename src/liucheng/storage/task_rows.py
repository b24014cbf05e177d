"""The inbox rows of one batch of events: `tasks` and `task_candidates`, each row written once.

A completion of an unclaimed task emits `task_claimed` then `task_completed`; both land in
one UPDATE of the task row. A task created and changed in the same batch is inserted as
it ends up. Candidate rows carry their task's `priority` and `created_at` and a `pooled`
flag (the task is open and nobody holds it), so an inbox page of a role's pool is one
ordered range of `ix_task_candidates_pool` (org/inbox.py). Candidate rows of ended tasks
are deleted.

Statements are built once (with bind parameters) and reused: building SQLAlchemy
statements per call cost more than running them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from liucheng.storage.direct import write
from liucheng.storage.tables import task_candidates, tasks

Row = dict[str, Any]
_tc = task_candidates.c

_POOLED = sa.and_(tasks.c.assignee.is_(None), tasks.c.status == "open")
INSERT_TASK = tasks.insert()
INSERT_CANDIDATE = task_candidates.insert()
DELETE_CANDIDATES = task_candidates.delete().where(_tc.task_id == sa.bindparam("t"))
UNPOOL = task_candidates.update().where(_tc.task_id == sa.bindparam("t")).values(pooled=False)
# after the task row is written: pooled exactly when the task is open and unassigned
REPOOL = task_candidates.update().where(_tc.task_id == sa.bindparam("t")).values(
    pooled=sa.select(_POOLED).where(tasks.c.id == sa.bindparam("t")).scalar_subquery())
COPY_ROLE = task_candidates.insert().from_select(
    ["task_id", "kind", "value", "priority", "created_at", "pooled"],
    sa.select(tasks.c.id, sa.literal("role"), sa.bindparam("role", type_=sa.String),
              tasks.c.priority, tasks.c.created_at, _POOLED)
    .where(tasks.c.id == sa.bindparam("t")))
UPDATE_TASK = tasks.update().where(tasks.c.id == sa.bindparam("t"))  # SET: the values given


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


class TaskRows:
    """Collects what events do to task rows; `flush` writes it (once per row)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.created: dict[str, Row] = {}
        self.candidates: dict[str, list[Row]] = {}
        self.updates: dict[str, Row] = {}
        self.roles: dict[str, list[str]] = {}  # escalated to new roles: candidates replaced
        self.pool: dict[str, bool] = {}  # False: out of the pool; True: work it out again
        self.ended: set[str] = set()

    def create(self, instance_id: str, key: str, e: Row) -> None:
        at = _time(e["at"])
        row = {"id": e["task"], "instance_id": instance_id, "definition_key": key,
               "element": e["element"], "name": e.get("name") or e["element"],
               "status": e.get("status", "open"), "role": (e.get("roles") or [None])[0],
               "assignee": e.get("assignee"), "owner": e.get("owner") or e.get("assignee"),
               "priority": e.get("priority", 50), "created_at": at,
               "claimed_at": at if e.get("assignee") else None,
               "due_at": _time(e["due_at"]) if e.get("due_at") else None,
               "kind": e.get("kind", "main"), "on_behalf_of": e.get("on_behalf_of")}
        self.created[e["task"]] = row
        self.candidates[e["task"]] = (
            [{"kind": "role", "value": r} for r in e.get("roles") or []]
            + [{"kind": "user", "value": u} for u in e.get("candidate_users") or []])

    def update(self, task_id: str, pool: bool | None = None, **values: Any) -> None:
        """Change columns of a task row; `pool` False takes it out of the pool, True
        makes the pool flag follow the row (for changes that may put it back)."""
        (self.created.get(task_id) or self.updates.setdefault(task_id, {})).update(values)
        if pool is not None:
            self.pool[task_id] = pool

    def offer(self, task_id: str, roles: list[str]) -> None:
        """Offer the task to these roles instead of its candidates until now."""
        if task_id in self.created:
            self.candidates[task_id] = [{"kind": "role", "value": r} for r in roles]
        else:
            self.roles[task_id] = roles

    def end(self, task_id: str, **values: Any) -> None:
        self.update(task_id, **values)
        self.ended.add(task_id)

    def flush(self, conn: sa.Connection) -> None:
        by_columns: dict[tuple[str, ...], list[Row]] = {}
        for row in self.created.values():
            by_columns.setdefault(tuple(row), []).append(row)
        for rows in by_columns.values():
            write(conn, INSERT_TASK, rows)
        if self.created:
            candidates = [{"task_id": t, **c, "priority": row["priority"],
                     "created_at": row["created_at"],
                     "pooled": row["assignee"] is None and row["status"] == "open"}
                    for t, row in self.created.items() if t not in self.ended
                    for c in self.candidates[t]]
            if candidates:
                write(conn, INSERT_CANDIDATE, candidates)
        for task_id, values in self.updates.items():
            write(conn, UPDATE_TASK, {"t": task_id, **values})
        for task_id in self.ended - self.created.keys():
            write(conn, DELETE_CANDIDATES, {"t": task_id})
        for task_id, roles in self.roles.items():
            if task_id not in self.ended:
                write(conn, DELETE_CANDIDATES, {"t": task_id})
                write(conn, COPY_ROLE, [{"t": task_id, "role": r} for r in roles])
        for task_id, follow in self.pool.items():
            if task_id not in self.ended and task_id not in self.created \
                    and task_id not in self.roles:
                write(conn, REPOOL if follow else UNPOOL, {"t": task_id})
        self.clear()


# -- what each event does to the task rows ---------------------------------------------------
def _created(rows: TaskRows, instance_id: str, key: str, e: Row) -> None:
    rows.create(instance_id, key, e)


def _claimed(rows: TaskRows, instance_id: str, key: str, e: Row) -> None:
    rows.update(e["task"], pool=False, assignee=e["actor"], owner=e["actor"],
                claimed_at=_time(e["at"]))


def _unclaimed(rows: TaskRows, instance_id: str, key: str, e: Row) -> None:
    rows.update(e["task"], pool=True, assignee=None, claimed_at=None)


def _moved(rows: TaskRows, instance_id: str, key: str, e: Row) -> None:
    """Transferred (ownership moves) or delegated (the owner stays)."""
    if e["type"] == "task_transferred":
        rows.update(e["task"], pool=False, assignee=e["to"], owner=e["to"],
                    claimed_at=_time(e["at"]), on_behalf_of=None)
    else:
        rows.update(e["task"], pool=False, assignee=e["to"], owner=e["owner"])


def _escalated(rows: TaskRows, instance_id: str, key: str, e: Row) -> None:
    if e.get("to"):
        rows.update(e["task"], pool=False, assignee=e["to"], owner=e["to"],
                    claimed_at=_time(e["at"]))
        return
    rows.update(e["task"], pool=True, assignee=None, owner=None, claimed_at=None,
                role=e["roles"][0])
    rows.offer(e["task"], list(e["roles"]))


def _resolved(rows: TaskRows, instance_id: str, key: str, e: Row) -> None:
    rows.update(e["task"], pool=True, assignee=e["owner"])


def _suspended(rows: TaskRows, instance_id: str, key: str, e: Row) -> None:
    rows.update(e["task"], pool=True,
                status="suspended" if e["type"] == "task_suspended" else "open")


def _ended(rows: TaskRows, instance_id: str, key: str, e: Row) -> None:
    completed = e["type"] == "task_completed"
    rows.end(e["task"], status="completed" if completed else "cancelled",
             completed_at=_time(e["at"]), completed_by=e.get("actor") if completed else None,
             outcome=e.get("outcome"), data=e.get("data"))


TASK_EVENTS = {
    "task_created": _created,
    "task_claimed": _claimed,
    "task_unclaimed": _unclaimed,
    "task_transferred": _moved,
    "task_delegated": _moved,
    "task_resolved": _resolved,
    "task_escalated": _escalated,
    "task_suspended": _suspended,
    "task_resumed": _suspended,
    "task_completed": _ended,
    "task_cancelled": _ended,
}
