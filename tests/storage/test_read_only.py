"""On SQLite a read (`Engine.reading`) refuses to write, whatever ran on its connection
before (reads and commands in any order): the read fails at its end and its writes are
rolled back; a command after a read writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from liucheng.errors import ConfigurationError
from liucheng.runtime import Engine
from liucheng.storage.tables import roles


def _rename(conn: sa.Connection, name: str) -> None:
    conn.execute(roles.update().where(roles.c.id == "clerk").values(name=name))


def test_reads_refuse_writes_and_commands_write(tmp_path: Path) -> None:
    engine = Engine(f"sqlite:///{tmp_path / 'one.db'}")
    engine.add_user("wang", roles=["clerk"])
    for step in ("read", "read", "write", "write", "read", "write", "read"):
        if step == "read":
            with pytest.raises(ConfigurationError, match="read-only transaction wrote"), \
                    engine.reading() as repo:
                _rename(repo.conn, "read")
                assert repo.conn.execute(  # inside the read, its own write shows
                    sa.select(roles.c.name).where(roles.c.id == "clerk")).scalar_one() == "read"
        else:
            with engine.transaction() as repo:
                _rename(repo.conn, step)
    with engine.reading() as repo:
        name = repo.conn.execute(sa.select(roles.c.name).where(roles.c.id == "clerk"))
        assert name.scalar_one() == "write"
    assert engine.db.pool.checkedin() == 1  # all of it ran on one connection
    engine.close()
