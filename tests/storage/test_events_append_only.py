"""The audit trail is append-only in the database: a raw UPDATE or DELETE of `events`, as
any database user could send it, is refused by the triggers of migration 0007 (SQLite and
PostgreSQL) and nothing changes; new events are still appended."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from liucheng.runtime import Engine
from liucheng.storage.tables import events

PROCESS = """
process: audit
roles: {clerk: 文员}
steps:
  - {id: a, role: clerk}
  - {id: b, role: clerk}
"""
CHANGES = ["UPDATE events SET actor = 'mallory'",
           "UPDATE events SET data = '{}' WHERE seq = (SELECT min(seq) FROM events)",
           "DELETE FROM events",
           "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)"]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = Engine(database_url)
    engine.add_user("wang", roles=["clerk"])
    engine.deploy(PROCESS)
    yield engine
    engine.close()


def _trail(engine: Engine) -> list[tuple[object, ...]]:
    with engine.db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(events).order_by(events.c.seq))]


@pytest.mark.parametrize("sql", CHANGES)
def test_raw_changes_to_events_are_refused(engine: Engine, sql: str) -> None:
    case = engine.start("audit", {"amount": 1}, user="wang")
    before = _trail(engine)
    assert before
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.db.begin() as conn:
        conn.exec_driver_sql(sql)
    assert _trail(engine) == before
    task = engine.tasks(case=case.id)[0]
    engine.complete(task.id, user="wang")  # appending still works
    assert len(_trail(engine)) > len(before)
