"""B4 what-if: the inbox page read from an ordered pool index — a proposed fix, in plain SQL.

Not product code. On the same loaded data, a scratch table `bench_pool` holds what
`task_candidates` would hold if it carried the sort keys and only unclaimed open tasks
(`kind, value, priority, created_at, task_id`, indexed in that order). The page is then
one short index range per role (and the user's candidacies and own tasks), each cut to
100, merged and cut to 100 again. Every query user's page is checked to be the Engine's
own page; each call runs in an Engine transaction with the same role lookup as
`Engine.tasks`.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

ORDER = "ORDER BY priority DESC, created_at, task_id LIMIT 100"


def _sql(roles: int) -> sa.TextClause:
    pool = "SELECT task_id, priority, created_at FROM bench_pool WHERE kind = '{}' AND value = {}"
    branches = [f"SELECT * FROM ({pool.format('role', f':r{i}')} {ORDER}) b{i}"
                for i in range(roles)]
    branches.append(f"SELECT * FROM ({pool.format('user', ':u')} {ORDER}) bu")
    branches.append("SELECT * FROM (SELECT id AS task_id, priority, created_at FROM tasks "
                    "WHERE assignee = :u AND status = 'open' "
                    "ORDER BY priority DESC, created_at, id LIMIT 100) ba")
    return sa.text("SELECT t.* FROM (SELECT DISTINCT task_id, priority, created_at FROM ("
                   + " UNION ALL ".join(branches) + f") u {ORDER}) p "
                   "JOIN tasks t ON t.id = p.task_id ORDER BY t.priority DESC, t.created_at, t.id")


def build(engine: Any) -> None:
    with engine.db.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE bench_pool AS SELECT c.task_id, c.kind, c.value, t.priority, "
            "t.created_at FROM task_candidates c JOIN tasks t ON t.id = c.task_id "
            "WHERE t.status = 'open' AND t.assignee IS NULL")
        conn.exec_driver_sql("CREATE INDEX ix_bench_pool ON bench_pool "
                             "(kind, value, priority DESC, created_at, task_id)")
        conn.exec_driver_sql("ANALYZE bench_pool")


def page(engine: Any, user: str) -> list[str]:
    with engine.transaction() as repo:
        roles = sorted(repo.user_roles(user))
        params = {"u": user, **{f"r{i}": r for i, r in enumerate(roles)}}
        return [row[0] for row in repo.conn.execute(_sql(len(roles)), params)]


def measure(engine: Any, users: list[str], rounds: int, queries: int,
            percentile: Any) -> dict[str, Any]:
    build(engine)
    same = all(page(engine, u) == [t.id for t in engine.tasks(user=u)] for u in users)
    out = []
    for _ in range(rounds):
        samples = []
        for i in range(queries):
            start = time.perf_counter()
            page(engine, users[i % len(users)])
            samples.append((time.perf_counter() - start) * 1000)
        out.append({"p50_ms": percentile(samples, 0.5), "p99_ms": percentile(samples, 0.99)})
    with engine.db.begin() as conn:
        conn.exec_driver_sql("DROP TABLE bench_pool")
    return {"rounds": out, "same_page": same}
