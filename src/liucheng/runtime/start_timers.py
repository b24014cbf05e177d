"""Timer start events: a job per timer start of the newest version of each process.

Deploying version N+1 replaces the start jobs of the process: the old version's
schedules stop and the new version's begin (called by `Engine.deploy` in its
transaction). When a start job fires, a case of that version starts and the job is moved
to the next occurrence — both in one transaction, so a crash can neither skip nor
double a start. A job whose version is no longer the newest is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from liucheng.calendar import BusinessCalendar
from liucheng.engine import StartInstance, decide
from liucheng.engine.commands import SYSTEM
from liucheng.engine.schedule import anchor_of, first_due, next_due, parse_moment
from liucheng.model import ProcessDefinition, TimerStartEvent
from liucheng.runtime.definitions import compile_source
from liucheng.storage.jobs import delete_jobs, insert_job, lock_held, reschedule, start_jobs

if TYPE_CHECKING:
    from liucheng.runtime.service import Engine
    from liucheng.storage.repository import Repository

Row = dict[str, Any]


def timer_starts(definition: ProcessDefinition) -> list[TimerStartEvent]:
    return [e for e in definition.elements if isinstance(e, TimerStartEvent)]


def schedule_start_timers(repo: Repository, definition: ProcessDefinition, row: Row,
                          now: datetime, cal: BusinessCalendar,
                          new_id: Callable[[], str]) -> None:
    """Replace the start jobs of `definition.key` by those of the version in `row`."""
    conn = repo.conn
    delete_jobs(conn, [j["id"] for j in start_jobs(conn)
                       if j["payload"].get("key") == definition.key])
    for start in timer_starts(definition):
        due, fired = first_due(start.timer, now, cal)
        anchor = anchor_of(start.timer, now, cal)
        insert_job(conn, {
            "id": new_id(), "instance_id": None, "kind": "start_timer", "due_at": due,
            "payload": {"key": definition.key, "definition_id": row["id"],
                        "version": row["version"], "element": start.id, "fired": fired,
                        "anchor": anchor.isoformat() if anchor else None},
            "attempts": 0, "created_at": now})


def fire_start_timer(engine: Engine, job: Row, owner: str) -> str:
    """Start a case for a due start job; returns 'fired', 'dropped' or 'lost'."""
    with engine.transaction() as repo:
        held = lock_held(repo.conn, job["id"], owner)
        if held is None:
            return "lost"
        payload = dict(held["payload"])
        latest = repo.latest_definition(payload["key"])
        if latest is None or latest["id"] != payload["definition_id"]:
            delete_jobs(repo.conn, [job["id"]])
            return "dropped"
        definition = compile_source(latest["source"], latest["format"], latest["key"])
        start = next(s for s in timer_starts(definition) if s.id == payload["element"])
        due = held["due_at"]
        ctx = engine._context(repo)
        variables = {"timer_due_at": due.isoformat()}
        key = due_key(due, engine.calendar.zone)
        decision = decide(definition, None, StartInstance(SYSTEM, variables, key), ctx)
        case_id = decision.state["root"]
        repo.insert_instance({
            "id": case_id, "definition_id": latest["id"], "definition_key": latest["key"],
            "business_key": key, "title": f"{definition.name.get()} {key}"[:200],
            "status": "active",
            "state": decision.state, "version": 0, "started_at": ctx.now,
            "started_by": SYSTEM.user})
        engine._persist(repo, case_id, latest["key"], 0, decision, definition)
        fired = int(payload.get("fired", 0)) + 1
        anchor = payload.get("anchor")
        following = next_due(start.timer, due, fired, engine.calendar,
                             parse_moment(anchor, engine.calendar) if anchor else None)
        if following is None:
            delete_jobs(repo.conn, [job["id"]])
        else:
            reschedule(repo.conn, job["id"], owner, following, {**payload, "fired": fired},
                       attempts=0)
        return "fired"


def due_key(due: datetime, zone: tzinfo) -> str:
    """A timer-started case's business key: the moment it was due, in local time
    (`2026-09-24 09:00`), so each month's run is told apart in lists and titles."""
    return due.astimezone(zone).strftime("%Y-%m-%d %H:%M")
