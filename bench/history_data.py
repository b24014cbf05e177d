"""B5 set-up: a large history, made by the Engine and then replicated.

A seed of `seed_cases` cases of the gateway model is worked through the `Engine` on
SQLite with an injected clock (whole seconds): each task waits in its pool 5 minutes to
8 hours, is claimed by one of five users (15% are completed straight from the pool),
worked 1 minute to 4 hours and completed; 10% of the cases are left running after their
first round of tasks. The seed's `instances`, `tasks`, `task_candidates` and `events`
rows are then copied with plain sqlite3 until the `events` table holds `events` rows:
copy k rewrites every 32-hex id (in the columns and inside the JSON) with k in its
first six digits and shifts every time column by k × the seed's time span, so the
copies follow one another. Times inside the JSON case state are not shifted (analytics
never read them). The result is the shape the Engine writes, at a size the Engine would
take hours to write. The history is exported once as XES, the log PM4Py reads.
"""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.workload import ROLES, step_data

MODEL = "gateway"
KEY = "bench_gateway"  # its process id
BASE = datetime(2025, 1, 6, 1, tzinfo=UTC)
USERS = [f"w{u}" for u in range(5)]
ID = re.compile(r"\b[0-9a-f]{6}([0-9a-f]{26})\b")
TABLES = {"instances": ("started_at", "ended_at"),
          "tasks": ("due_at", "created_at", "claimed_at", "completed_at"),
          "task_candidates": (), "events": ("at",)}


class Clock:
    def __init__(self) -> None:
        self.now = BASE

    def __call__(self) -> datetime:
        return self.now


def seed(path: str, cases: int) -> Any:
    """The seed history through the Engine; returns the engine (still open)."""
    from bench.definitions import load
    from liucheng.runtime.service import Engine

    rng = random.Random(20250106)
    clock = Clock()
    engine = Engine(f"sqlite:///{path}", clock=clock)
    loaded = load(MODEL)
    for user in USERS:
        engine.add_user(user, roles=list(ROLES))
    key = engine.deploy(loaded.source, source_name=loaded.source_name).key
    for index in range(cases):
        clock.now = BASE + timedelta(minutes=20 * index)
        case = engine.start(key, user=USERS[index % len(USERS)]).id
        rounds = 1 if rng.random() < 0.1 else None  # a case left running after one round
        while rounds != 0 and (open_tasks := engine.tasks(case=case)):
            rounds = None if rounds is None else rounds - 1
            for task in open_tasks:
                clock.now += timedelta(seconds=rng.randrange(300, 8 * 3600))
                user = rng.choice(USERS)
                if rng.random() >= 0.15:
                    engine.claim(task.id, user=user)
                    clock.now += timedelta(seconds=rng.randrange(60, 4 * 3600))
                engine.complete(task.id, step_data(index), user=user)
    return engine


def _shift(value: str | None, by: timedelta) -> str | None:
    if value is None:
        return None
    moved = datetime.fromisoformat(value) + by
    return moved.isoformat(sep=" ", timespec="microseconds")


def replicate(path: str, events: int) -> dict[str, int]:
    """Copy the seed until `events` event rows; returns the row counts."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    seed_rows = {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
    columns = {t: [d[1] for d in conn.execute(f"PRAGMA table_info({t})")] for t in TABLES}
    first, last = conn.execute("SELECT min(at), max(at) FROM events").fetchone()
    span = datetime.fromisoformat(last) - datetime.fromisoformat(first) + timedelta(hours=1)
    per_copy = len(seed_rows["events"])
    copies = -(-events // per_copy)
    for k in range(1, copies):
        by = span * k
        prefix = f"{k:06x}\\1"  # the replacement of ID: k, then the id's last 26 digits
        conn.execute("BEGIN")
        for table, times in TABLES.items():
            cols = columns[table]
            at = [cols.index(c) for c in times]
            rows = []
            for row in seed_rows[table]:
                out = list(row)
                for i, value in enumerate(out):
                    if isinstance(value, str):
                        out[i] = ID.sub(prefix, value)
                for i in at:
                    out[i] = _shift(out[i], by)
                if table == "events":
                    out[cols.index("seq")] = None  # a new sequence number
                rows.append(out)
            marks = ", ".join("?" * len(cols))
            conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
        conn.execute("COMMIT")
    conn.execute("ANALYZE")
    counts = {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}
    conn.close()
    return counts


def build(params: dict[str, Any]) -> dict[str, object]:
    """Seed, replicate, export the XES log; the figures `now` and the sizes for the README."""
    import time

    from liucheng.analytics import Filters, Tables, export_xes
    from liucheng.storage.tables import events, instances, tasks

    path, xes = params["path"], Path(params["xes"])
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    began = time.perf_counter()
    engine = seed(path, params["seed_cases"])
    engine.close()
    seeded = time.perf_counter() - began
    counts = replicate(path, params["events"])
    conn = sqlite3.connect(path)
    (last,) = conn.execute("SELECT max(at) FROM events").fetchone()
    conn.close()
    now = datetime.fromisoformat(last).replace(tzinfo=UTC) + timedelta(days=1)
    from liucheng.runtime.service import Engine

    engine = Engine(f"sqlite:///{path}")
    with engine.db.connect() as db, xes.open("w", encoding="utf-8") as out:
        for chunk in export_xes(db, Tables(instances, tasks, events), Filters(KEY), now):
            out.write(chunk)
    engine.close()
    with xes.open(encoding="utf-8") as log:
        xes_events = sum(line.count("<event>") for line in log)
    return {"rows": counts, "seed_cases": params["seed_cases"], "seed_seconds": seeded,
            "build_seconds": time.perf_counter() - began, "now": now.isoformat(),
            "xes_events": xes_events, "xes_bytes": xes.stat().st_size}
