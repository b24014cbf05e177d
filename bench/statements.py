"""What the Engine sends to SQLite for one completion, counted from SQLAlchemy's own events.

Not timed: a few cases of each model are worked through `engine.tasks(case=...)` and
`engine.complete(...)` while every cursor execution and commit is recorded; the result
is the average per call and the statements of one typical `complete()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import engine_client
from bench.workload import USER, step_data


def _short(sql: str) -> str:
    words = " ".join(sql.split())
    return words if len(words) <= 70 else words[:67] + "..."


def run(params: dict[str, Any]) -> dict[str, object]:
    import sqlalchemy as sa

    from liucheng.runtime.service import Engine
    from liucheng.storage.database import create_engine

    path = params["path"]
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    engine = Engine(db=create_engine(f"sqlite:///{path}"))
    key = engine_client.prepare(engine, params["model"])
    cases = engine_client.start_cases(engine, key, params["cases"])
    log: list[str] = []

    @sa.event.listens_for(engine.db, "before_cursor_execute")
    def _execute(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                 executemany: bool) -> None:
        log.append(("executemany " if executemany else "") + _short(statement))

    @sa.event.listens_for(engine.db, "commit")
    def _commit(conn: Any) -> None:
        log.append("COMMIT")

    completes: list[list[str]] = []
    lookups: list[list[str]] = []
    for index, case_id in enumerate(cases):
        while True:
            mark = len(log)
            open_tasks = engine.tasks(case=case_id)
            lookups.append(log[mark:])
            for task in open_tasks:
                mark = len(log)
                view = engine.complete(task.id, step_data(index), user=USER)
                completes.append(log[mark:])
            if view.status != "active":
                break
    engine.close()
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)

    def average(calls: list[list[str]], what: str) -> float:
        return sum(sum(1 for s in c if s.startswith(what)) for c in calls) / len(calls)

    def summary(calls: list[list[str]]) -> dict[str, float]:
        return {"statements": sum(len(c) for c in calls) / len(calls) - average(calls, "COMMIT")
                - average(calls, "BEGIN"),
                "transactions": average(calls, "BEGIN"), "commits": average(calls, "COMMIT")}

    return {"complete": summary(completes), "lookup": summary(lookups),
            "sample": completes[1] if len(completes) > 1 else completes[0]}
