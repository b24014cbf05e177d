"""B4: the latency of a user's first inbox page, `Engine.tasks(user=...)`, on a large inbox.

The inbox is bulk-loaded once by `load_inbox` (see `inbox_data`); then `run` makes
`rounds` rounds of `queries` calls
each cycle over ten users holding 3 roles. Each call is timed on its own; the result
gives every round's p50 and p99, the rows returned and the database's query plan.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from bench import inbox_data
from bench.definitions import load

QUERY_USERS = [f"u{u:03d}" for u in range(0, 100, 10)]


def _engine(url: str) -> Any:
    from liucheng.runtime.service import Engine

    return Engine(url)


def _plan(engine: Any, user: str) -> list[str]:
    """The database's plan for the page statement of `engine.tasks(user=…)`: its last read,
    which runs straight on the driver (`liucheng.storage.direct.read`, taken as it passes)."""
    from liucheng.storage import direct

    captured: list[tuple[Any, dict[str, Any]]] = []
    read = direct.read

    def grab(conn: Any, stmt: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        captured.append((stmt, params))
        return read(conn, stmt, params)

    direct.read = grab
    try:
        engine.tasks(user=user)
    finally:
        direct.read = read
    stmt, params = captured[-1]
    with engine.db.connect() as conn:
        compiled = stmt.compile(dialect=conn.dialect)
        values = compiled.construct_params(params)
        parameters = (tuple(values[k] for k in compiled.positiontup) if compiled.positional
                      else values)
        prefix = ("EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite"
                  else "EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF, TIMING OFF) ")
        result = conn.exec_driver_sql(prefix + compiled.string, parameters).fetchall()
        return [" | ".join(str(v) for v in row) for row in result]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _fresh_sqlite(url: str) -> None:
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)


def load_inbox(params: dict[str, Any]) -> dict[str, object]:
    """Set-up: the product's schema, the linear model deployed, the inbox bulk-loaded."""
    _fresh_sqlite(params["url"])
    engine = _engine(params["url"])
    loaded = load("linear10")
    view = engine.deploy(loaded.source, source_name=loaded.source_name)
    began = time.perf_counter()
    inbox_data.populate(engine, params, view.id, view.key)
    if engine.db.dialect.name == "postgresql":
        with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does soon after a load
    seconds = time.perf_counter() - began
    engine.close()
    return {"load_seconds": seconds, "tasks": params["tasks"], "open": params["open"]}


def run(params: dict[str, Any]) -> dict[str, object]:
    """The measurement, on a database `load_inbox` has filled."""
    engine = _engine(params["url"])
    for user in QUERY_USERS[:3]:
        engine.tasks(user=user)
    rounds: list[dict[str, float]] = []
    returned: list[int] = []
    for _ in range(params["rounds"]):
        samples = []
        for i in range(params["queries"]):
            user = QUERY_USERS[i % len(QUERY_USERS)]
            start = time.perf_counter()
            page = engine.tasks(user=user)
            samples.append((time.perf_counter() - start) * 1000)
            returned.append(len(page))
        rounds.append({"p50_ms": percentile(samples, 0.50), "p99_ms": percentile(samples, 0.99),
                       "mean_ms": statistics.fmean(samples)})
    visible = _visible(engine, params)
    plan = _plan(engine, QUERY_USERS[0])
    engine.close()
    _fresh_sqlite(params["url"])
    return {"rounds": rounds, "page_rows": min(returned), "visible_open_tasks": visible,
            "plan": plan}


def _visible(engine: Any, params: dict[str, Any]) -> int:
    """How many open tasks the first query user may see (the pool the page is cut from)."""
    import sqlalchemy as sa

    roles = inbox_data.user_roles(0, inbox_data.role_ids(params["roles"]))
    sql = sa.text("SELECT count(*) FROM tasks WHERE status = 'open' AND (assignee = 'u000' OR "
                  "(assignee IS NULL AND id IN (SELECT task_id FROM task_candidates WHERE "
                  "(kind = 'role' AND value IN :roles) OR (kind = 'user' AND value = 'u000'))))"
                  ).bindparams(sa.bindparam("roles", expanding=True))
    with engine.db.connect() as conn:
        return int(conn.execute(sql, {"roles": roles}).scalar_one())
