"""The statements of the ceilings, written once for sqlite3 (`?`) and psycopg (`%s`).

They touch exactly the columns the Engine writes, in the product's own tables. Where the
Engine issues two statements for one row (it updates a task row for the implicit claim
and again for the completion) the ceiling issues one: a ceiling is the least work that
leaves the same rows behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bench.plan import Step
from bench.workload import USER

LOOKUP = ("SELECT * FROM tasks WHERE instance_id = ? AND status = 'open' "
          "ORDER BY priority DESC, created_at, id LIMIT 100")
READ_INSTANCE = "SELECT state, version FROM instances WHERE id = ?"
UPDATE_INSTANCE = ("UPDATE instances SET state = {json}, status = ?, ended_at = ?, version = ? "
                   "WHERE id = ? AND version = ?")
INSERT_INSTANCE = ("INSERT INTO instances (id, definition_id, definition_key, business_key, "
                   "title, status, state, version, started_at, started_by) "
                   "VALUES (?, ?, ?, NULL, ?, ?, {json}, ?, ?, ?)")
INSERT_EVENT = ("INSERT INTO events (instance_id, at, type, element, task_id, actor, data) "
                "VALUES (?, ?, ?, ?, ?, ?, {json})")
END_TASK = ("UPDATE tasks SET status = ?, assignee = ?, claimed_at = ?, completed_at = ?, "
            "completed_by = ?, outcome = ?, data = {json} WHERE id = ?")
DROP_CANDIDATES = "DELETE FROM task_candidates WHERE task_id = ?"
INSERT_TASK = ("INSERT INTO tasks (id, instance_id, definition_key, element, name, status, "
               "role, assignee, priority, created_at, claimed_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_CANDIDATE = "INSERT INTO task_candidates (task_id, kind, value) VALUES (?, ?, ?)"


class Statements:
    """The statements in one driver's parameter style."""

    def __init__(self, dialect: str) -> None:
        pg = dialect == "postgresql"

        def sql(template: str) -> str:
            text = template.replace("?", "%s") if pg else template
            return text.replace("{json}", "%s::jsonb" if pg else "?")

        self.lookup = sql(LOOKUP)
        self.read_instance = sql(READ_INSTANCE) + (" FOR UPDATE" if pg else "")
        self.update_instance = sql(UPDATE_INSTANCE)
        self.insert_instance = sql(INSERT_INSTANCE)
        self.insert_event = sql(INSERT_EVENT)
        self.end_task = sql(END_TASK)
        self.drop_candidates = sql(DROP_CANDIDATES)
        self.insert_task = sql(INSERT_TASK)
        self.insert_candidate = sql(INSERT_CANDIDATE)


def event_rows(step: Step) -> list[tuple[Any, ...]]:
    return [(step.case, e["at"], e["type"], e.get("element"), e.get("task"), e.get("actor"),
             json.dumps(e)) for e in step.events]


def task_rows(step: Step) -> list[tuple[Any, ...]]:
    return [(t["id"], t["instance_id"], t["definition_key"], t["element"], t["name"],
             t["status"], t["role"], t["assignee"], t["priority"], t["created_at"],
             t["claimed_at"]) for t in step.created]


def write_completion(cur: Any, sql: Statements, step: Step,
                     loads: Callable[[Any], Any]) -> int:
    """Inside an open transaction: read and lock the instance, write everything back.

    Returns the number of event rows written.
    """
    cur.execute(sql.read_instance, (step.case,))
    state, version = cur.fetchone()
    loads(state)  # every engine has to decode the state it reads
    if version != step.version:
        raise RuntimeError(f"case {step.case} is at version {version}, "
                           f"the script expected {step.version}")
    state = step.state
    cur.execute(sql.update_instance, (json.dumps(state), state["status"],
                                      state.get("ended_at"), version + 1, step.case, version))
    if cur.rowcount != 1:
        raise RuntimeError(f"case {step.case} changed meanwhile")
    events = event_rows(step)
    cur.executemany(sql.insert_event, events)
    for t in step.ended:
        cur.execute(sql.end_task, (t["status"], t["assignee"], t["claimed_at"], t["completed_at"],
                                   t["completed_by"], t["outcome"], json.dumps(t["data"]),
                                   t["id"]))
        cur.execute(sql.drop_candidates, (t["id"],))
    if step.created:
        cur.executemany(sql.insert_task, task_rows(step))
    if step.candidates:
        cur.executemany(sql.insert_candidate, step.candidates)
    return len(events)


def write_start(cur: Any, sql: Statements, step: Step, definition_id: str, key: str,
                title: str) -> None:
    """Set-up only (not timed): the rows of a started case, as `Engine.start` leaves them."""
    state = step.state
    cur.execute(sql.insert_instance, (step.case, definition_id, key, title, state["status"],
                                      json.dumps(state), 1, state["started_at"], USER))
    cur.executemany(sql.insert_event, event_rows(step))
    if step.created:
        cur.executemany(sql.insert_task, task_rows(step))
    if step.candidates:
        cur.executemany(sql.insert_candidate, step.candidates)

