"""B6: a worker's resident memory with many open cases, and its growth over completions.

Set-up (`load`, its own process): a SQLite file with the product's schema, the linear10
model deployed and `open` cases started — their rows written by plain sqlite3 from the
pure core's `StartInstance` decisions, the rows `Engine.start` writes (see `plan.py`).
The measurement (`run`, a fresh process each round) copies that file, opens an `Engine`
on the copy and completes `completions` tasks through it, one case after another and
round again (list the case's open tasks, complete the first), reading its resident set
size (VmRSS in /proc/self/status) at a few points. The state lives in the database, so
memory should stay flat however many cases are open and however many commands ran.
"""

from __future__ import annotations

import itertools
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import ceiling_sql, engine_client, plan
from bench.definitions import load
from bench.sqlite_sides import connect
from bench.workload import ROLES, USER, step_data

MODEL = "linear10"
POINTS = 10  # RSS samples over the completions


def rss_mib() -> float:
    """This process's resident set size, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _fresh(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def load_cases(params: dict[str, Any]) -> dict[str, object]:
    from liucheng.engine import Context, StartInstance, decide
    from liucheng.engine.commands import Actor
    from liucheng.runtime.service import Engine

    path = params["template"]
    _fresh(path)
    began = time.perf_counter()
    engine = Engine(f"sqlite:///{path}")
    key = engine_client.prepare(engine, MODEL)
    definition_id = engine.definitions(key)[-1].id
    engine.close()
    definition = load(MODEL).definition
    actor = Actor(USER, frozenset(ROLES))
    counter = itertools.count()
    sql = ceiling_sql.Statements("sqlite")
    conn = connect(path, "OFF")
    cur = conn.cursor()
    cur.execute("BEGIN")
    for index in range(params["open"]):
        ctx = Context(now=datetime(2025, 1, 6, 9, tzinfo=UTC) + timedelta(seconds=index),
                      new_id=lambda: f"{next(counter):032x}")
        decision = decide(definition, None, StartInstance(actor, {}), ctx)
        step = plan.Step(decision.state["root"], None, 0, decision.state, decision.events)
        plan._rows(step, definition.key)
        ceiling_sql.write_start(cur, sql, step, definition_id, key, key)
    cur.execute("COMMIT")
    cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"open": params["open"], "load_seconds": time.perf_counter() - began}


def run(params: dict[str, Any]) -> dict[str, object]:
    from liucheng.runtime.service import Engine

    path = params["path"]
    _fresh(path)
    shutil.copyfile(params["template"], path)
    engine = Engine(f"sqlite:///{path}")
    with engine.db.connect() as conn:
        cases = list(conn.exec_driver_sql(
            "SELECT id FROM instances WHERE status = 'active' ORDER BY id").scalars())
    total = params["completions"]
    every = max(1, total // POINTS)
    curve = [(0, rss_mib())]
    began = time.perf_counter()
    done = 0
    while done < total:
        for index, case in enumerate(cases):
            open_tasks = engine.tasks(case=case)
            if open_tasks:
                engine.complete(open_tasks[0].id, step_data(index), user=USER)
                done += 1
                if done % every == 0:
                    curve.append((done, rss_mib()))
                if done == total:
                    break
    seconds = time.perf_counter() - began
    engine.close()
    _fresh(path)
    first = curve[1][1]  # after the first tenth: imports, caches and pools have warmed up
    return {"open": len(cases), "completions": done, "seconds": seconds,
            "per_second": done / seconds, "curve": curve, "start_mib": curve[0][1],
            "end_mib": curve[-1][1], "growth_mib": curve[-1][1] - first}
