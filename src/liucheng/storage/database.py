"""Opening the database: SQLite (default, WAL, BEGIN IMMEDIATE) or PostgreSQL (psycopg 3).

SQLite serialises writers: every transaction starts with `BEGIN IMMEDIATE`, so two
commands on one case never interleave, and waits up to `busy_timeout` for the lock.
PostgreSQL locks the instance row with `SELECT … FOR UPDATE` (see repository.py).
JSON columns are written and read by `liucheng.rules.jsontext`: decimals keep every digit
(as JSON number text in SQLite, as `numeric` inside PostgreSQL's JSONB).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from liucheng.errors import ConfigurationError
from liucheng.rules import jsontext

DEFAULT_URL = "sqlite:///liucheng.db"
# Connections per process: enough for every worker thread of the web server (anyio runs
# sync work in 40 threads) plus the background loops, so requests wait for the database
# lock rather than for a connection. A checkout still waiting after `pool_timeout`
# seconds raises sqlalchemy.exc.TimeoutError, which the web app answers with 503.
POOL_SIZE, POOL_OVERFLOW = 10, 40


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("LIUCHENG_DATABASE_URL") or DEFAULT_URL


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def sqlite_pragmas(synchronous: str = "NORMAL") -> list[str]:
    """What every SQLite connection is set to. The WAL is copied back into the database
    file (a checkpoint, with its fsyncs) every 10,000 pages (about 40 MB) instead of
    SQLite's 1,000: a completion writes about 25 pages, and checkpoints every 40
    completions cost more than the completions' own commits."""
    return ["journal_mode=WAL", f"synchronous={synchronous}", "busy_timeout=60000",
            "foreign_keys=ON", "wal_autocheckpoint=10000"]


def create_engine(url: str | None = None, *, synchronous: str = "NORMAL",
                  pool_timeout: float = 30) -> sa.Engine:
    url = normalise_url(database_url(url))
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, "pool_timeout": pool_timeout}
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigurationError(f"database URL '{url}' is not valid: {exc}",
                                 hint="use sqlite:///file.db or postgresql://user@host/db"
                                 ) from None
    if parsed.get_backend_name() == "sqlite":
        on_file = bool(parsed.database) and parsed.database != ":memory:"
        if on_file:
            Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False},
                                  **(pool if on_file else {}),
                                  json_serializer=jsontext.dumps,
                                  json_deserializer=jsontext.loads)

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            for pragma in sqlite_pragmas(synchronous):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        # Reads take a snapshot without the write lock, commands serialise (on the driver's
        # cursor: SQLAlchemy's execution costs more than BEGIN takes). A read that wrote is
        # refused at its end and rolled back: its rows changed count is compared, because
        # `PRAGMA query_only` would make SQLite prepare every cached statement again (a
        # completion after a read cost twice the database time).
        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            read = conn.get_execution_options().get("liucheng_read_only", False)
            dbapi: Any = conn.connection.dbapi_connection
            cursor = conn.connection.cursor()
            cursor.execute("BEGIN" if read else "BEGIN IMMEDIATE")
            cursor.close()
            if read:
                conn.connection.info["changes"] = dbapi.total_changes

        @sa.event.listens_for(engine, "commit")
        def _commit(conn: sa.Connection) -> None:
            dbapi: Any = conn.connection.dbapi_connection
            if conn.get_execution_options().get("liucheng_read_only", False) \
                    and dbapi.total_changes != conn.connection.info["changes"]:
                raise ConfigurationError("a read-only transaction wrote to the database; "
                                         "its changes were rolled back",
                                         hint="write in Engine.transaction(), not reading()")

        return engine
    if parsed.get_backend_name() == "postgresql":
        # no pre-ping: it costs a round trip per checkout; a dead connection fails the
        # command, which rolls back and can be retried
        return sa.create_engine(url, **pool, pool_recycle=1800,
                                json_serializer=jsontext.dumps,
                                json_deserializer=jsontext.loads)
    raise ConfigurationError(f"unsupported database '{parsed.get_backend_name()}'",
                             hint="liucheng runs on SQLite and PostgreSQL")


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    return config


def migrate(engine: sa.Engine) -> None:
    """Bring the schema up to the newest migration (does nothing when it already is)."""
    with engine.begin() as connection:
        config = _alembic_config(connection)
        head = ScriptDirectory.from_config(config).get_current_head()
        current = MigrationContext.configure(connection).get_current_revision()
        if current != head:
            command.upgrade(config, "head")


def schema_is_current(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        config = _alembic_config(connection)
        head = ScriptDirectory.from_config(config).get_current_head()
        return MigrationContext.configure(connection).get_current_revision() == head
