"""How a client works a case through the Engine: list its open tasks, complete each, repeat.

Shared by B2 (SQLite) and B3 (PostgreSQL); each `tasks` and `complete` call is one
command of the Engine with its own transaction(s).
"""

from __future__ import annotations

from typing import Any

from bench.definitions import load
from bench.workload import ROLES, USER, step_data


def prepare(engine: Any, model: str) -> str:
    """Deploy the model and add the bench user (holding every role); returns the key."""
    loaded = load(model)
    engine.add_user(USER, roles=list(ROLES))
    return str(engine.deploy(loaded.source, source_name=loaded.source_name).key)


def start_cases(engine: Any, key: str, count: int) -> list[str]:
    return [engine.start(key, user=USER).id for _ in range(count)]


def work_case(engine: Any, case_id: str, index: int) -> int:
    """Complete the case to its end; returns the number of completions."""
    data = step_data(index)
    done = 0
    while True:
        open_tasks = engine.tasks(case=case_id)
        if not open_tasks:
            raise RuntimeError(f"case {case_id} has no open task but has not ended")
        for task in open_tasks:
            view = engine.complete(task.id, data, user=USER)
            done += 1
        if view.status != "active":
            return done
