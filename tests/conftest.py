"""Shared fixtures: database URLs for SQLite and PostgreSQL (skipped visibly without one),
and `cli`, the `liucheng` command run in-process (tests/clirun.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from clirun import Cli

PG_ADMIN_URL = os.environ.get("LIUCHENG_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def _pg_available() -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    import sqlalchemy as sa

    problem = _pg_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_ADMIN_URL}: "
                        f"{problem}")
        pytest.skip(f"no PostgreSQL reachable at {PG_ADMIN_URL}: {problem}")
    name = f"liucheng_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _fresh_schema(url: str) -> str:
    """Empty the PostgreSQL database at `url` (drop and create its public schema)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage test runs on SQLite and on PostgreSQL (a clean schema each time)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'liucheng.db'}"
        return
    yield _fresh_schema(request.getfixturevalue("pg_database"))


def _emptied(url: str) -> str:
    """The PostgreSQL database at `url` with the newest schema and no rows but the seeded
    default organisation: its tables truncated when the schema is current (much faster than
    creating it again), else an empty schema for the engine to migrate."""
    import sqlalchemy as sa

    from liucheng.storage.database import schema_is_current

    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table("alembic_version") or not schema_is_current(engine):
            return _fresh_schema(url)
        with engine.begin() as conn:
            names = [n for n in sa.inspect(conn).get_table_names()
                     if n not in ("alembic_version", "organisations")]
            conn.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
            conn.execute(sa.text("DELETE FROM organisations WHERE id <> 'default'"))
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_database_url(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`database_url` once per test module, for modules whose tests share one database
    (on PostgreSQL the session database, emptied for each module)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'liucheng.db'}"
        return
    yield _emptied(request.getfixturevalue("pg_database"))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> Cli:
    """The `liucheng` command on a fresh SQLite database in the test's tmp dir."""
    return Cli(capsys, monkeypatch, tmp_path)
