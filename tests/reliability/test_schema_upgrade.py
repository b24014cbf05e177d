"""Schema upgrades keep the data: a database created at each earlier Alembic revision, with
data in every table that revision has, is upgraded to the newest one — on SQLite and
PostgreSQL — and afterwards every row is still there with the same values, and the
Engine carries on with the cases (state == replay of the history, tasks complete).

The data is real: a web world (organisations, people with passwords, API tokens,
sessions, a leave request waiting for a manager, a case stopped on an incident) built with
the newest schema on SQLite, then copied table by table, in the columns each revision
has, into the database at the old revision.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from liucheng.engine import replay
from liucheng.runtime import Engine
from liucheng.storage.database import _alembic_config, create_engine, migrate, schema_is_current

API_TESTS = Path(__file__).resolve().parents[1] / "api"
if str(API_TESTS) not in sys.path:
    sys.path.insert(0, str(API_TESTS))

from webworld import build_world  # noqa: E402

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "liucheng" / "storage" / "migrations"


def _revisions() -> list[str]:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


REVISIONS = _revisions()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table of a lived-in database at the newest revision."""
    folder = tmp_path_factory.mktemp("upgrade-source")
    world = build_world(f"sqlite:///{folder / 'source.db'}", folder)
    engine = world.svc.engine
    engine.add_user("erin", "Erin", roles=["manager"])
    engine.comment(world.case, "请尽快处理", user="alice")
    engine.carbon_copy(world.case, ["erin"], user="alice")
    engine.urge(world.task, user="alice")
    engine.upload(world.case, b"%PDF-1.4\n%%EOF\n", "证明.pdf", user="alice")
    with engine.db.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        rows = {name: [dict(r) for r in conn.execute(sa.select(table)).mappings()]
                for name, table in meta.tables.items() if name != "alembic_version"}
    engine.close()
    return rows


def _clean(url: str) -> None:
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        path = Path(sa.make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def _copy_in(db: sa.Engine, source: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Insert the source rows into the tables (and columns) this revision has."""
    copied: dict[str, int] = {}
    with db.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        for table in meta.sorted_tables:
            rows = source.get(table.name)
            if not rows:
                continue
            names = set(table.c.keys())
            keys = [c.name for c in table.primary_key.columns]
            seeded = {tuple(r) for r in conn.execute(sa.select(*[table.c[k] for k in keys]))}
            fresh = [{k: v for k, v in r.items() if k in names} for r in rows
                     if tuple(r[k] for k in keys) not in seeded]  # a migration seeded it
            if fresh:
                conn.execute(table.insert(), fresh)
            copied[table.name] = len(rows)
            serial = [c for c in table.primary_key.columns
                      if isinstance(c.type, sa.Integer) and conn.dialect.name == "postgresql"]
            for column in serial:  # rows came with their numbers: move the sequence on
                conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"(SELECT max({column.name}) FROM {table.name}))"))
    return copied


def _read(db: sa.Engine, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    with db.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn, only=list(columns))
        out = {}
        for name, cols in columns.items():
            table = meta.tables[name]
            rows = conn.execute(sa.select(*[table.c[c] for c in cols])).all()
            out[name] = sorted(tuple(map(repr, r)) for r in rows)
        return out


def test_every_earlier_revision_upgrades_with_its_data(database_url: str, figures: list[str],
                                                       source: dict[str, list[dict[str, Any]]],
                                                       tmp_path: Path) -> None:
    assert len(REVISIONS) >= 2
    checked_rows = 0
    for revision in REVISIONS[:-1]:
        _clean(database_url)
        db = create_engine(database_url)
        with db.begin() as conn:
            command.upgrade(_alembic_config(conn), revision)
        copied = _copy_in(db, source)
        assert {"definitions", "instances", "tasks", "events"} <= set(copied), copied
        with db.connect() as conn:
            inspector = sa.inspect(conn)
            columns = {t: [c["name"] for c in inspector.get_columns(t)] for t in copied}
        before = _read(db, columns)
        assert not schema_is_current(db)
        migrate(db)  # what the Engine does when it opens an older database
        assert schema_is_current(db)
        after = _read(db, columns)
        for table in columns:
            assert after[table] == before[table], f"{table} changed upgrading from {revision}"
        checked_rows += sum(len(rows) for rows in before.values())
        db.dispose()

        engine = Engine(database_url, data_dir=str(tmp_path / "files"))
        try:
            for case in engine.cases():
                history = engine.history(case["id"])
                assert replay(h.data for h in history) == engine.state(case["id"]), revision
            (task,) = [t for t in engine.tasks() if t.element == "approve"]
            engine.complete(task.id, {"note": "同意"}, user="bob", outcome="approve")
            assert engine.case(task.case).status == "completed"
        finally:
            engine.close()
    figures.append(f"[reliability] schema upgrades on {database_url.split(':')[0]}: "
                   f"from {', '.join(REVISIONS[:-1])} to {REVISIONS[-1]}, "
                   f"{checked_rows} rows compared")
