"""B2 on SQLite (WAL): the Engine, and its ceiling in plain sqlite3, one file per round.

Both start their cases before the clock starts, then work them to the end: list the open
tasks of the case, complete each in its own transaction, repeat. Timed: that loop.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from bench import ceiling_sql, engine_client, plan
from bench.definitions import load
from bench.timing import Stopwatch, result, settle

COUNT_EVENTS = "SELECT count(*) FROM events"


def _fresh(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def _engine(path: str, synchronous: str) -> Any:
    from liucheng.runtime.service import Engine
    from liucheng.storage.database import create_engine

    return Engine(db=create_engine(f"sqlite:///{path}", synchronous=synchronous))


def _count(engine: Any, sql: str) -> int:
    with engine.db.connect() as conn:
        return int(conn.exec_driver_sql(sql).scalar_one())


def run_engine(params: dict[str, Any]) -> dict[str, object]:
    path = params["path"]
    _fresh(path)
    engine = _engine(path, params["synchronous"])
    key = engine_client.prepare(engine, params["model"])
    for index, case_id in enumerate(engine_client.start_cases(engine, key, params["warmup"])):
        engine_client.work_case(engine, case_id, index)
    cases = engine_client.start_cases(engine, key, params["cases"])
    events_before = _count(engine, COUNT_EVENTS)
    settle()
    watch = Stopwatch()
    completions = 0
    for index, case_id in enumerate(cases):
        with watch.measure():
            completions += engine_client.work_case(engine, case_id, index)
    events = _count(engine, COUNT_EVENTS) - events_before
    engine.close()
    _fresh(path)
    return result(completions, watch.seconds, event_rows=events)


def connect(path: str, synchronous: str) -> sqlite3.Connection:
    """A plain connection with the product's pragmas (WAL, busy timeout, foreign keys,
    checkpoint interval)."""
    from liucheng.storage.database import sqlite_pragmas

    conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    for pragma in sqlite_pragmas(synchronous):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def run_ceiling(params: dict[str, Any]) -> dict[str, object]:
    path = params["path"]
    _fresh(path)
    engine = _engine(path, params["synchronous"])  # the product's schema, user, definition
    key = engine_client.prepare(engine, params["model"])
    definition_id = engine.definitions(key)[-1].id
    engine.close()
    loaded = load(params["model"])
    cases = plan.build(loaded, params["cases"])
    sql = ceiling_sql.Statements("sqlite")
    conn = connect(path, params["synchronous"])
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    for case in cases:
        ceiling_sql.write_start(cur, sql, case.start, definition_id, key, key)
    cur.execute("COMMIT")
    settle()
    watch = Stopwatch()
    completions = events = 0
    for case in cases:
        with watch.measure():
            for round_ in case.rounds:
                cur.execute(sql.lookup, (case.id,)).fetchall()
                for step in round_:
                    cur.execute("BEGIN IMMEDIATE")
                    events += ceiling_sql.write_completion(cur, sql, step, json.loads)
                    cur.execute("COMMIT")
                    completions += 1
    conn.close()
    _fresh(path)
    return result(completions, watch.seconds, event_rows=events)
