"""B3 on PostgreSQL: the Engine and its ceiling (plain psycopg), with N concurrent clients.

Each client is its own process with its own connection and its own cases, started before
the clock. All clients pass a barrier together, then work their cases to the end (list
the open tasks of a case, complete each in its own transaction, repeat). Throughput is
all completions over the time from the barrier to the last client's end.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any

from bench import ceiling_sql, engine_client, plan
from bench.definitions import load
from bench.timing import settle

TABLES = "events, task_candidates, tasks, incidents, jobs, instances"


def _engine(url: str, migrate: bool = False) -> Any:
    from liucheng.runtime.service import Engine

    return Engine(url, migrate_schema=migrate)


def _reset(url: str, model: str) -> tuple[str, str]:
    """The product's schema, emptied of cases; returns (definition key, definition id)."""
    engine = _engine(url, migrate=True)
    with engine.db.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {TABLES} CASCADE")  # and whatever refers to them
    key = engine_client.prepare(engine, model)
    definition_id = engine.definitions(key)[-1].id
    engine.close()
    return key, definition_id


def _engine_client(params: dict[str, Any], key: str, client: int, barriers: Any,
                   results: Any) -> None:
    engine = _engine(params["url"])
    cases = engine_client.start_cases(engine, key, params["cases_per_client"])
    settle()
    for barrier in barriers:
        barrier.wait()
    start = time.monotonic()
    done = sum(engine_client.work_case(engine, case_id, i) for i, case_id in enumerate(cases))
    results.put((client, done, start, time.monotonic(), 0))
    engine.close()


def _ceiling_client(params: dict[str, Any], key: str, definition_id: str, client: int,
                    barriers: Any, results: Any) -> None:
    import psycopg

    cases = plan.build(load(params["model"]), params["cases_per_client"], client + 1)
    sql = ceiling_sql.Statements("postgresql")
    with psycopg.connect(params["url"], autocommit=True) as conn:
        cur = conn.cursor()
        with conn.transaction():
            for case in cases:
                ceiling_sql.write_start(cur, sql, case.start, definition_id, key, key)
        settle()
        for barrier in barriers:
            barrier.wait()
        start = time.monotonic()
        done = events = 0
        for case in cases:
            for round_ in case.rounds:
                cur.execute(sql.lookup, (case.id,))
                cur.fetchall()
                for step in round_:
                    with conn.transaction():
                        events += ceiling_sql.write_completion(cur, sql, step, lambda v: v)
                    done += 1
        results.put((client, done, start, time.monotonic(), events))


def _count_events(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0


def _run(params: dict[str, Any], target: Any, extra: tuple[Any, ...]) -> dict[str, object]:
    ctx = mp.get_context("spawn")
    clients = params["clients"]
    # ready: every client has started its cases; then the runner counts the event rows
    # so far (the starts'), and go: the clock starts.
    ready, go, results = ctx.Barrier(clients + 1), ctx.Barrier(clients + 1), ctx.Queue()
    procs = [ctx.Process(target=target, args=(params, *extra, c, (ready, go), results))
             for c in range(clients)]
    for p in procs:
        p.start()
    ready.wait(timeout=1800)
    before = _count_events(params["url"])
    go.wait(timeout=60)
    rows = [results.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a client failed with exit code {p.exitcode}")
    completions = sum(r[1] for r in rows)
    seconds = max(r[3] for r in rows) - min(r[2] for r in rows)
    return {"completions": completions, "seconds": seconds,
            "per_second": completions / seconds, "clients": clients,
            "event_rows": _count_events(params["url"]) - before}


def run_engine(params: dict[str, Any]) -> dict[str, object]:
    key, _ = _reset(params["url"], params["model"])
    warm = _engine(params["url"])
    for i, case_id in enumerate(engine_client.start_cases(warm, key, params["warmup"])):
        engine_client.work_case(warm, case_id, i)
    warm.close()
    return _run(params, _engine_client, (key,))


def run_ceiling(params: dict[str, Any]) -> dict[str, object]:
    key, definition_id = _reset(params["url"], params["model"])
    return _run(params, _ceiling_client, (key, definition_id))
