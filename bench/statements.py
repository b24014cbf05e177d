"""What the Engine sends to SQLite for one completion, counted from SQLite's trace callback.

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

    # SQLite's own trace of what it runs (the Engine writes some statements on the driver's
    # cursor, past SQLAlchemy's events); an executemany shows as one line per row, and a
    # run of the same statement counts as one
    def _trace(statement: str) -> None:
        line = _short(statement)
        if line in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT"):
            log.append(line)
        elif log and log[-1].removeprefix("executemany ") == line:
            log[-1] = "executemany " + line
        else:
            log.append(line)

    @sa.event.listens_for(engine.db, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.set_trace_callback(_trace)

    engine.db.dispose()  # connect again, traced

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
