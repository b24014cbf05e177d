"""B4 set-up: bulk-insert a large, realistic inbox straight into the product's tables.

Shape (defaults for 1,000,000 tasks / 100,000 open): cases of 5 user tasks of the linear
model; a case with an open task has 4 completed tasks before it, the others are
completed. `roles` roles, `users` users each holding 3 consecutive roles. An open task is
in one role's pool (its `task_candidates` row, 5% also name a candidate user); 20% are
claimed by a member of that role (its candidate rows are then not `pooled`; they carry
the task's priority and creation time, as the Engine writes them). Completed tasks carry
who, when, outcome and form data and, as the Engine leaves them, no candidate rows.
Priorities: 85% 50, 10% 70, 5% 90. Rows go in with SQLAlchemy Core executemany, 5,000 at a time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

TASKS_PER_CASE = 5
BATCH = 5000
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def role_ids(count: int) -> list[str]:
    return [f"role{r:03d}" for r in range(count)]


def user_roles(user: int, roles: list[str]) -> list[str]:
    return [roles[(user + k) % len(roles)] for k in range(3)]


def _state(case: str, open_task: str | None, element: str, at: str) -> dict[str, Any]:
    variables = {"amount": 5000, **{f"step{s:02d}": {"outcome": None, "by": "u000", "at": at}
                                    for s in range(1, TASKS_PER_CASE)}}
    if open_task is None:
        return {"schema_version": 1, "status": "completed", "variables": variables,
                "tokens": {}, "scopes": {}, "tasks": {}, "incidents": {}, "root": case,
                "seq": 12, "started_by": "u000", "started_at": at, "ended_at": at}
    token = f"t{case[1:]}"
    return {"schema_version": 1, "status": "active", "variables": variables,
            "tokens": {token: {"id": token, "element": element, "scope": case,
                               "status": "waiting", "flow": None, "seq": 10}},
            "scopes": {case: {"id": case, "element": None, "parent_token": None}},
            "tasks": {open_task: {"id": open_task, "element": element, "token": token,
                                  "name": element, "roles": [], "assignee": None,
                                  "candidate_users": [], "priority": 50, "created_at": at,
                                  "claimed_at": None}},
            "incidents": {}, "root": case, "seq": 10, "started_by": "u000", "started_at": at}


def rows(params: dict[str, Any], definition_id: str, key: str
         ) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(table name, batch of rows), instances before their tasks, tasks before candidates."""
    rng = random.Random(20250106)
    roles = role_ids(params["roles"])
    users = params["users"]
    n_cases = params["tasks"] // TASKS_PER_CASE
    n_open = params["open"]
    if n_open > n_cases:
        raise ValueError(f"at most {n_cases} open tasks with {params['tasks']} tasks")
    minutes = 365 * 24 * 60 / n_cases
    batches: dict[str, list[dict[str, Any]]] = {"instances": [], "tasks": [],
                                                 "task_candidates": []}
    for c in range(n_cases):
        case = f"c{c:031x}"
        started = BASE + timedelta(minutes=c * minutes)
        is_open = c >= n_cases - n_open  # the most recent cases are still running
        open_id = f"k{c:027x}{TASKS_PER_CASE:04x}" if is_open else None
        element = f"step{TASKS_PER_CASE:02d}"
        batches["instances"].append({
            "id": case, "definition_id": definition_id, "definition_key": key,
            "business_key": f"BK-{c:07d}", "title": f"Bench case {c}",
            "status": "active" if is_open else "completed",
            "state": _state(case, open_id, element, started.isoformat()), "version": 12,
            "started_at": started, "started_by": f"u{c % users:03d}",
            "ended_at": None if is_open else started + timedelta(days=3)})
        for s in range(1, TASKS_PER_CASE + 1):
            task = f"k{c:027x}{s:04x}"
            role = roles[rng.randrange(len(roles))]
            created = started + timedelta(hours=4 * s)
            row = {"id": task, "instance_id": case, "definition_key": key,
                   "element": f"step{s:02d}", "name": f"Step {s}", "role": role, "owner": None,
                   "priority": rng.choices((50, 70, 90), (85, 10, 5))[0], "created_at": created,
                   "due_at": created + timedelta(days=2) if rng.random() < 0.5 else None}
            member = f"u{(int(role[4:]) - rng.randrange(3)) % params['roles'] % users:03d}"
            if task == open_id:
                claimed = rng.random() < 0.2
                row.update(status="open", assignee=member if claimed else None,
                           claimed_at=created if claimed else None, completed_at=None,
                           completed_by=None, outcome=None, data=None)
                keys = {"priority": row["priority"], "created_at": created,
                        "pooled": not claimed}
                batches["task_candidates"].append({"task_id": task, "kind": "role",
                                                   "value": role, **keys})
                if rng.random() < 0.05:
                    batches["task_candidates"].append({
                        "task_id": task, "kind": "user", "value": f"u{rng.randrange(users):03d}",
                        **keys})
            else:
                done = created + timedelta(hours=2)
                row.update(status="completed", assignee=member, claimed_at=done,
                           completed_at=done, completed_by=member, outcome="approve",
                           data={"amount": 5000, "remark": "ok"})
            batches["tasks"].append(row)
        if len(batches["tasks"]) >= BATCH:
            yield from _drain(batches)
    yield from _drain(batches)


def _drain(batches: dict[str, list[dict[str, Any]]]
           ) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for name in ("instances", "tasks", "task_candidates"):
        if batches[name]:
            yield name, batches[name]
            batches[name] = []


def populate(engine: Any, params: dict[str, Any], definition_id: str, key: str) -> None:
    from liucheng.storage import tables

    role_list = role_ids(params["roles"])
    with engine.db.begin() as conn:
        conn.execute(tables.roles.insert(), [{"id": r, "name": r, "name_en": r}
                                             for r in role_list])
        conn.execute(tables.users.insert(), [
            {"id": f"u{u:03d}", "name": f"User {u}", "email": None, "is_admin": False,
             "active": True, "created_at": BASE} for u in range(params["users"])])
        conn.execute(tables.user_roles.insert(), [
            {"user_id": f"u{u:03d}", "role_id": r} for u in range(params["users"])
            for r in user_roles(u, role_list)])
    for name, batch in rows(params, definition_id, key):
        with engine.db.begin() as conn:
            conn.execute(tables.metadata.tables[name].insert(), batch)
