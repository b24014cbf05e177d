"""Data safety: `liucheng backup FILE` / `liucheng restore FILE` for SQLite (the online
backup API, safe while commands run), and the documented pg_dump / pg_restore procedure
for PostgreSQL (docs/reliability.md), each followed by the Engine carrying on.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from alembic import command
from race_kit import ADMIN, case_problems, setup_engine
from typer.testing import CliRunner

from liucheng.cli.admin_commands import backup, register, restore
from liucheng.errors import ConfigurationError, ConflictError, NotFoundError
from liucheng.runtime import Engine
from liucheng.storage.database import _alembic_config, create_engine, schema_is_current


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _busy_database(path: Path, cases: int = 20) -> Engine:
    engine = Engine(f"sqlite:///{path}")
    setup_engine(engine)
    for _ in range(cases):
        case = engine.start("race", user="clerk0")
        (task,) = engine.tasks(case=case.id)
        engine.complete(task.id, user="clerk1")
    return engine


def _all_cases_consistent(url: str) -> int:
    engine = Engine(url)
    try:
        found = engine.cases(limit=10_000)
        for case in found:
            assert case_problems(engine, case["id"]) == []
        return len(found)
    finally:
        engine.close()


def test_backup_while_writing_is_one_consistent_snapshot(tmp_path: Path, cli: typer.Typer,
                                                         figures: list[str]) -> None:
    live = tmp_path / "live.db"
    engine = _busy_database(live)
    stop = threading.Event()
    written: list[str] = []

    def keep_writing() -> None:
        while not stop.is_set():
            case = engine.start("race", user=ADMIN)
            (task,) = engine.tasks(case=case.id)
            engine.complete(task.id, user="clerk2")
            written.append(case.id)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        results = [CliRunner().invoke(cli, ["backup", str(tmp_path / f"b{i}.db"), "--db",
                                            f"sqlite:///{live}"]) for i in range(3)]
    finally:
        stop.set()
        writer.join()
    engine.close()
    for result in results:
        assert result.exit_code == 0, result.output
        assert len(result.output.strip().splitlines()) == 1 and "backed up" in result.output
    assert written, "the writer ran during the backups"
    counts = []
    for i in range(3):
        copy = tmp_path / f"b{i}.db"
        assert not Path(f"{copy}-wal").exists()  # one self-contained file
        moved = tmp_path / f"moved{i}" / "copy.db"
        moved.parent.mkdir()
        shutil.copy(copy, moved)
        with sqlite3.connect(moved) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        counts.append(_all_cases_consistent(f"sqlite:///{moved}"))
    assert counts == sorted(counts) and counts[0] >= 20
    figures.append(f"[reliability] SQLite backups under load: 3 backups while "
                   f"{len(written)} cases were written, snapshots of {counts} cases, "
                   "all consistent")


def test_restore_refuses_a_database_with_data_unless_forced(tmp_path: Path,
                                                            cli: typer.Typer) -> None:
    source = tmp_path / "source.db"
    _busy_database(source, cases=3).close()
    backup(tmp_path / "copy.db", f"sqlite:///{source}")
    target = tmp_path / "target.db"
    other = Engine(f"sqlite:///{target}")
    setup_engine(other)
    other.start("race", user="clerk0")
    other.close()
    refused = CliRunner().invoke(cli, ["restore", str(tmp_path / "copy.db"), "--db",
                                       f"sqlite:///{target}"])
    assert refused.exit_code != 0 and isinstance(refused.exception, ConflictError)
    assert "not empty" in str(refused.exception)
    assert _all_cases_consistent(f"sqlite:///{target}") == 1  # untouched
    forced = CliRunner().invoke(cli, ["restore", str(tmp_path / "copy.db"), "--db",
                                      f"sqlite:///{target}", "--force"])
    assert forced.exit_code == 0, forced.output
    assert len(forced.output.strip().splitlines()) == 1 and "restored" in forced.output
    assert _all_cases_consistent(f"sqlite:///{target}") == 3
    fresh = tmp_path / "fresh" / "new.db"  # a new (or freshly made, empty) database is fine
    done = restore(tmp_path / "copy.db", f"sqlite:///{fresh}")
    assert done.cases == 3 and _all_cases_consistent(f"sqlite:///{fresh}") == 3
    engine = Engine(f"sqlite:///{fresh}")
    (task,) = [t for t in engine.tasks() if t.element == "s2"][:1]
    engine.complete(task.id, user="clerk3")  # the restored database carries on
    engine.close()


def test_backup_keeps_an_existing_file_unless_forced(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    _busy_database(source, cases=1).close()
    target = tmp_path / "copy.db"
    target.write_bytes(b"yesterday's backup")
    with pytest.raises(ConflictError):
        backup(target, f"sqlite:///{source}")
    assert target.read_bytes() == b"yesterday's backup"
    backup(target, f"sqlite:///{source}", force=True)
    assert target.read_bytes().startswith(b"SQLite format 3")
    assert not list(tmp_path.glob(".*partial"))


def test_refusals_say_why(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="pg_dump"):
        backup(tmp_path / "x.db", "postgresql://postgres@127.0.0.1/test")
    with pytest.raises(ConfigurationError, match="in-memory"):
        backup(tmp_path / "x.db", "sqlite://")
    with pytest.raises(NotFoundError):
        backup(tmp_path / "x.db", f"sqlite:///{tmp_path / 'missing.db'}")
    with pytest.raises(NotFoundError):
        restore(tmp_path / "missing.db", f"sqlite:///{tmp_path / 't.db'}")
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    with pytest.raises(ConfigurationError, match="not a SQLite database"):
        restore(text, f"sqlite:///{tmp_path / 't.db'}")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE x (a)")
    with pytest.raises(ConfigurationError, match="not a liucheng database"):
        restore(other, f"sqlite:///{tmp_path / 't.db'}")
    source = tmp_path / "source.db"
    _busy_database(source, cases=1).close()
    with pytest.raises(ConflictError):
        backup(source, f"sqlite:///{source}", force=True)


def test_an_old_backup_is_upgraded_when_restored(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    db = create_engine(f"sqlite:///{old}")
    with db.begin() as conn:
        command.upgrade(_alembic_config(conn), "0003")
        conn.execute(sa.text("INSERT INTO users (id, name, is_admin, active, created_at) "
                             "VALUES ('wang', '王', 0, 1, '2026-03-02 09:00:00')"))
    db.dispose()
    restore(old, f"sqlite:///{tmp_path / 'new.db'}")
    upgraded = create_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert schema_is_current(upgraded)
    with upgraded.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM users")).scalar_one() == "王"
    upgraded.dispose()


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="no pg_dump on this machine")
def test_the_documented_postgresql_procedure(pg_database: str, tmp_path: Path) -> None:
    """pg_dump --format=custom, then pg_restore into a new database (docs/reliability.md)."""
    source = pg_database.replace("postgresql+psycopg://", "postgresql://")
    fresh = sa.create_engine(pg_database)  # the session database is shared: start empty
    with fresh.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    fresh.dispose()
    engine = Engine(pg_database)
    setup_engine(engine)
    for _ in range(5):
        case = engine.start("race", user="clerk0")
        engine.complete(engine.tasks(case=case.id)[0].id, user="clerk1")
    engine.close()
    dump = tmp_path / "liucheng.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source],
                   check=True, capture_output=True, timeout=120)
    name = f"liucheng_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(sa.make_url(pg_database).set(database="postgres"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    target = sa.make_url(pg_database).set(database=name).render_as_string(hide_password=False)
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                        f"--dbname={target.replace('postgresql+psycopg://', 'postgresql://')}",
                        str(dump)], check=True, capture_output=True, timeout=120)
        assert _all_cases_consistent(target) == 5
        restored = Engine(target)
        try:
            case = restored.start("race", user="clerk0")  # sequences came along: new events
            restored.complete(restored.tasks(case=case.id)[0].id, user="clerk1")
            assert case_problems(restored, case.id) == []
        finally:
            restored.close()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
