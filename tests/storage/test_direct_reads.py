"""`direct.read` gives the rows SQLAlchemy's own execution gives: the same keys, JSON
decoded with exact decimals, times timezone-aware in UTC, booleans, NULLs (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from liucheng.runtime import Engine
from liucheng.storage.direct import read
from liucheng.storage.tables import instances, tasks, users

PROCESS = """
process: amounts
roles: {clerk: 文员}
steps:
  - {id: a, role: clerk}
  - {id: b, role: clerk}
"""
OPEN_OF_CASE = (sa.select(tasks, users.c.is_admin)
                .join(users, users.c.id == sa.bindparam("u"), isouter=True)
                .where(tasks.c.instance_id == sa.bindparam("case"),
                       tasks.c.status.in_([sa.literal("open"), sa.literal("suspended")])))
CASE = sa.select(instances).where(instances.c.id == sa.bindparam("case"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    shanghai = timezone(timedelta(hours=8))
    engine = Engine(database_url, clock=lambda: datetime(2026, 3, 2, 9, 30, tzinfo=shanghai))
    engine.add_user("wang", roles=["clerk"])
    engine.deploy(PROCESS)
    yield engine
    engine.close()


def test_read_gives_what_sqlalchemy_gives(engine: Engine) -> None:
    case = engine.start("amounts", {"amount": Decimal("12345678901234567.89"), "note": None},
                        user="wang").id
    with engine.db.connect() as conn:
        for stmt, params in ((CASE, {"case": case}),
                             (OPEN_OF_CASE, {"case": case, "u": "wang"}),
                             (OPEN_OF_CASE, {"case": case, "u": "nobody"})):
            expected = [dict(r) for r in conn.execute(stmt, params).mappings()]
            assert read(conn, stmt, params) == expected
        (row,) = read(conn, CASE, {"case": case})
        assert row["state"]["variables"]["amount"] == Decimal("12345678901234567.89")
        assert row["started_at"] == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
        assert row["started_at"].tzinfo is not None and row["ended_at"] is None
        (task,) = read(conn, OPEN_OF_CASE, {"case": case, "u": "wang"})
        assert task["element"] == "a" and task["is_admin"] is False
        assert read(conn, CASE, {"case": "no-such-case"}) == []


def test_read_refuses_an_expanding_in_list(engine: Engine) -> None:
    stmt = sa.select(tasks.c.id).where(tasks.c.status.in_(("open", "suspended")))
    with engine.db.connect() as conn, pytest.raises(ValueError, match="plain parameters"):
        read(conn, stmt, {})
