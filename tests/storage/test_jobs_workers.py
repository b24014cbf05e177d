"""Several worker processes on one database: every due timer fires exactly once, and the
jobs of a worker killed while holding them run once after their lease expires.

On PostgreSQL: 2,000 due timers and 4 worker processes (SKIP LOCKED). On SQLite a
smaller run (its writers are serialised by BEGIN IMMEDIATE). Workers run as separate
processes with an injected clock, so no test waits for real time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from liucheng.engine import StartInstance, decide
from liucheng.engine.commands import SYSTEM
from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor
from liucheng.storage.tables import events, instances, jobs

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DUE = T0 + timedelta(hours=2)
PROCESS = """
process: cool_off
steps:
  - {id: cool_off, type: timer, wait: PT1H}
  - {id: filed, set: {filed: "true"}}
"""
WORKER = r"""
import json, sys, time
from datetime import datetime, timedelta
from liucheng.engine import StartInstance, decide
from liucheng.engine.commands import SYSTEM
from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor
from liucheng.storage.jobs import take

url, now, name, mode = sys.argv[1:5]
at = datetime.fromisoformat(now)
engine = Engine(url, clock=lambda: at, migrate_schema=False)
executor = JobExecutor(engine, worker=name, batch=50, lease=timedelta(seconds=60))
if mode == "run":
    done = executor.run_until_idle()
    print(json.dumps({"fired": done.fired, "stale": done.stale, "lost": done.lost,
                      "errors": done.errors}), flush=True)
else:  # claim ten jobs, start firing the first, and wait to be killed mid-transaction
    held = executor.claim(10)
    with engine.transaction() as repo:
        repo.lock_instance(held[0]["instance_id"])
        take(repo.conn, held[0]["id"], name)
        print(json.dumps({"held": len(held)}), flush=True)
        time.sleep(120)
"""


def seed(url: str, count: int) -> Engine:
    """`count` cases waiting on a timer, started 50 to a transaction to save time."""
    engine = Engine(url, clock=lambda: T0)
    engine.deploy(PROCESS)
    definition = engine.process("cool_off")

    def start_many(n: int) -> None:
        with engine.transaction() as repo:
            for _ in range(n):
                decision = decide(definition, None, StartInstance(SYSTEM), engine._context(repo))
                case = decision.state["root"]
                repo.insert_instance({
                    "id": case, "definition_id": "cool_off:1", "definition_key": "cool_off",
                    "title": "cool off", "status": "active", "state": decision.state,
                    "version": 0, "started_at": T0, "started_by": "system"})
                engine._persist(repo, case, "cool_off", 0, decision, definition)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(start_many, [50] * (count // 50) + [count % 50]))
    return engine


def worker(url: str, name: str, at: datetime, mode: str = "run") -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WORKER, url, at.isoformat(), name, mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def firings(engine: Engine) -> dict[str, int]:
    with engine.db.connect() as conn:
        rows = conn.execute(sa.select(events.c.instance_id, sa.func.count()).where(
            events.c.type == "timer_fired").group_by(events.c.instance_id)).all()
    return {r[0]: r[1] for r in rows}


def count(engine: Engine, table: sa.Table) -> int:
    with engine.db.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_every_due_timer_fires_exactly_once_with_four_workers(database_url: str) -> None:
    postgres = database_url.startswith("postgresql")
    n, workers = (2000, 4) if postgres else (100, 2)
    started = time.monotonic()
    engine = seed(database_url, n)
    seeded = time.monotonic()
    assert count(engine, jobs) == n
    procs = [worker(database_url, f"w{i}", DUE) for i in range(workers)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    finished = time.monotonic()
    fired = [r["fired"] for r in results]
    print(f"\n{n} timers, {workers} workers on {engine.db.dialect.name}: fired {fired}, seeding "
          f"{seeded - started:.1f} s, firing {finished - seeded:.1f} s "
          f"({n / (finished - seeded):.0f} timers/s)")
    assert sum(fired) == n
    assert all(r["errors"] == [] for r in results)
    per_case = firings(engine)
    assert len(per_case) == n and set(per_case.values()) == {1}
    assert count(engine, jobs) == 0
    with engine.db.connect() as conn:  # every case moved on past its timer, once
        ended = conn.execute(sa.select(sa.func.count()).select_from(instances).where(
            instances.c.status == "completed")).scalar_one()
    assert ended == n
    if postgres:
        assert sum(1 for f in fired if f > 0) >= 2  # the work really was shared
    engine.close()


def test_jobs_of_a_killed_worker_run_once_after_the_lease(database_url: str) -> None:
    engine = seed(database_url, 30)
    holder = worker(database_url, "doomed", DUE, mode="hold")
    assert holder.stdout is not None
    line = holder.stdout.readline()
    assert json.loads(line) == {"held": 10}, holder.stderr.read() if holder.stderr else ""
    holder.kill()  # SIGKILL in the middle of firing: its transaction rolls back
    holder.wait(timeout=30)
    survivor = JobExecutor(engine, worker="survivor", lease=timedelta(seconds=60),
                           clock=lambda: DUE)
    assert survivor.run_until_idle().fired == 20  # the 10 leased ones are left alone
    later = JobExecutor(engine, worker="later", clock=lambda: DUE + timedelta(seconds=61))
    assert later.run_until_idle().fired == 10
    per_case = firings(engine)
    assert len(per_case) == 30 and set(per_case.values()) == {1}
    assert count(engine, jobs) == 0
    engine.close()


@pytest.fixture(autouse=True)
def _no_leftover_processes() -> None:
    """Workers are started per test and always waited for or killed in it."""
