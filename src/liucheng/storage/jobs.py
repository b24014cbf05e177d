"""The `jobs` table and open subscriptions: written from the core's events, read by workers.

`timer_armed` becomes a job (its id is the timer's id), `timer_cancelled` / `timer_fired`
delete it; `subscription_opened` / `_closed` keep `message_subscriptions`. Workers take
due jobs with `claim_due`: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED`, so two
workers never take the same job; on SQLite the transaction's `BEGIN IMMEDIATE` already
serialises them. A claim is a lease (`locked_by`, `locked_until`): a job whose worker
died is taken again once its lease has expired.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa

from liucheng.storage.tables import incidents, jobs, message_subscriptions, tasks

Row = dict[str, Any]


class _HasConn(Protocol):
    conn: sa.Connection


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


# -- from events ---------------------------------------------------------------------------
def _timer_armed(repo: _HasConn, instance_id: str, key: str, e: Row) -> None:
    repo.conn.execute(jobs.insert().values(
        id=e["timer"], instance_id=instance_id, kind="timer", due_at=_time(e["due_at"]),
        payload={"timer": e["timer"], "element": e["element"], "token": e["token"],
                 "process": key},
        attempts=0, created_at=_time(e["at"])))


def _timer_gone(repo: _HasConn, instance_id: str, key: str, e: Row) -> None:
    repo.conn.execute(jobs.delete().where(jobs.c.id == e["timer"]))


def _event_incident(repo: _HasConn, instance_id: str, key: str, e: Row) -> None:
    if e.get("timer"):
        _timer_gone(repo, instance_id, key, e)
    repo.conn.execute(incidents.insert().values(
        id=e["incident"], instance_id=instance_id, element=e["element"], reason=e["reason"],
        created_at=_time(e["at"])))


def _subscribed(repo: _HasConn, instance_id: str, key: str, e: Row) -> None:
    repo.conn.execute(message_subscriptions.insert().values(
        id=e["subscription"], instance_id=instance_id, kind=e["kind"], name=e["name"],
        correlation_key=e.get("key"), element=e["element"], created_at=_time(e["at"])))


def _unsubscribed(repo: _HasConn, instance_id: str, key: str, e: Row) -> None:
    repo.conn.execute(message_subscriptions.delete().where(
        message_subscriptions.c.id == e["subscription"]))


def _migrated(repo: _HasConn, instance_id: str, key: str, e: Row) -> None:
    for task_id, element in (e.get("task_moves") or {}).items():
        repo.conn.execute(tasks.update().where(tasks.c.id == task_id).values(element=element))


MATERIALISE: dict[str, Any] = {
    "timer_armed": _timer_armed,
    "timer_cancelled": _timer_gone,
    "timer_fired": _timer_gone,
    "event_incident": _event_incident,
    "subscription_opened": _subscribed,
    "subscription_closed": _unsubscribed,
    "instance_migrated": _migrated,
}
# An ending case has disarmed everything first (the core cancels a token's timers and
# subscriptions whenever it leaves), so nothing is left to delete when it ends; a job
# that were left anyway would fire as stale and be dropped.


# -- for workers -------------------------------------------------------------------------
def claim_due(conn: sa.Connection, now: datetime, owner: str, lease: timedelta,
              limit: int) -> list[Row]:
    """Lease up to `limit` due jobs to `owner` (call in a transaction of its own)."""
    free = sa.or_(jobs.c.locked_until.is_(None), jobs.c.locked_until < now)
    stmt = (sa.select(jobs.c.id).where(jobs.c.due_at <= now, free)
            .order_by(jobs.c.due_at, jobs.c.id).limit(limit))
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(conn.execute(stmt).scalars())
    if not ids:
        return []
    conn.execute(jobs.update().where(jobs.c.id.in_(ids)).values(
        locked_by=owner, locked_until=now + lease))
    rows = conn.execute(sa.select(jobs).where(jobs.c.id.in_(ids))
                        .order_by(jobs.c.due_at, jobs.c.id)).mappings()
    return [dict(r) for r in rows]


def take(conn: sa.Connection, job_id: str, owner: str) -> bool:
    """Remove the job if `owner` still holds it; False when another worker took it over."""
    done = conn.execute(jobs.delete().where(jobs.c.id == job_id, jobs.c.locked_by == owner))
    return done.rowcount == 1


def extend_lease(conn: sa.Connection, job_id: str, owner: str, until: datetime) -> bool:
    """Keep the job ours until `until` (a long call); False when another worker has it."""
    done = conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.locked_by == owner)
                        .values(locked_until=until))
    return done.rowcount == 1


def lock_held(conn: sa.Connection, job_id: str, owner: str) -> Row | None:
    """The job row, locked for this transaction, if `owner` still holds its lease."""
    stmt = sa.select(jobs).where(jobs.c.id == job_id, jobs.c.locked_by == owner)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def reschedule(conn: sa.Connection, job_id: str, owner: str, due: datetime,
               payload: Mapping[str, Any] | None = None, *, attempts: int | None = None,
               error: str | None = None) -> bool:
    """Release the job to fire again at `due` (a retry, or a cycle's next occurrence)."""
    values: Row = {"due_at": due, "locked_by": None, "locked_until": None, "error": error}
    if payload is not None:
        values["payload"] = dict(payload)
    if attempts is not None:
        values["attempts"] = attempts
    done = conn.execute(jobs.update().where(jobs.c.id == job_id, jobs.c.locked_by == owner)
                        .values(**values))
    return done.rowcount == 1


def insert_job(conn: sa.Connection, row: Row) -> None:
    conn.execute(jobs.insert().values(**row))


def delete_jobs(conn: sa.Connection, ids: list[str]) -> None:
    if ids:
        conn.execute(jobs.delete().where(jobs.c.id.in_(ids)))


def start_jobs(conn: sa.Connection) -> list[Row]:
    """The jobs that start cases on a schedule (few: one per timer start event)."""
    rows = conn.execute(sa.select(jobs).where(jobs.c.kind == "start_timer")).mappings()
    return [dict(r) for r in rows]


def subscribers(conn: sa.Connection, kind: str, name: str, key: str | None) -> list[Row]:
    """Open subscriptions for a message (matching key, or waiting for any) or a signal."""
    stmt = sa.select(message_subscriptions).where(message_subscriptions.c.kind == kind,
                                                  message_subscriptions.c.name == name)
    if kind == "message":
        stmt = stmt.where(sa.or_(message_subscriptions.c.correlation_key == key,
                                 message_subscriptions.c.correlation_key.is_(None)))
    rows = conn.execute(stmt.order_by(message_subscriptions.c.created_at,
                                      message_subscriptions.c.id)).mappings()
    return [dict(r) for r in rows]
