"""`liucheng backup FILE` and `liucheng restore FILE`: safe copies of a SQLite database.

Both go through SQLite's online backup API (`sqlite3.Connection.backup`), never a file
copy, so they are safe while a server or worker is running: a backup is one consistent
snapshot taken in a single step (writers in WAL mode are not blocked), and a restore writes
the pages into the live database under SQLite's own lock, so open connections see either
the old or the new database, never a mix.

- `backup` writes to a temporary file beside FILE, checks it (`PRAGMA quick_check`),
  makes it a single self-contained file (journal mode DELETE) and only then renames it to
  FILE; an existing FILE is kept unless `--force`.
- `restore` checks that FILE is a liucheng database whose schema this version knows,
  refuses to overwrite a database holding data (definitions, cases, users or events)
  unless `--force`, copies it in, and upgrades the schema to the newest migration.

Each prints one line. PostgreSQL databases are backed up with pg_dump / pg_restore
(docs/reliability.md).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from alembic.config import Config
from alembic.script import ScriptDirectory

from liucheng.cli.options import DbOpt
from liucheng.cli.output import console
from liucheng.errors import ConfigurationError, ConflictError, NotFoundError
from liucheng.storage.database import create_engine, database_url, migrate, normalise_url

SQLITE_MAGIC = b"SQLite format 3\x00"
DATA_TABLES = ("definitions", "instances", "users", "events")  # seeded tables do not count
MIGRATIONS = Path(__file__).resolve().parents[1] / "storage" / "migrations"

ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite what is there.")]


@dataclass(frozen=True)
class Copied:
    """What a backup or restore did: the database file, the copy, its size and contents."""

    database: Path
    file: Path
    size: int
    revision: str | None
    cases: int
    events: int


def sqlite_path(url: str | None) -> Path:
    """The file of a SQLite database URL; ConfigurationError for anything else."""
    resolved = normalise_url(database_url(url))
    parsed = sa.make_url(resolved)
    if parsed.get_backend_name() != "sqlite":
        raise ConfigurationError(
            f"backup and restore work on SQLite; this database is "
            f"{parsed.get_backend_name()}",
            hint="use pg_dump / pg_restore for PostgreSQL (see docs/reliability.md)")
    if not parsed.database or parsed.database == ":memory:":
        raise ConfigurationError("an in-memory database cannot be backed up or restored",
                                 hint="give --db sqlite:///path/to/liucheng.db")
    return Path(parsed.database).expanduser()


def _head_revisions() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}


def _count(conn: sqlite3.Connection, table: str) -> int:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                         (table,)).fetchone()
    if found is None:
        return 0
    row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return int(row[0])


def _revision(conn: sqlite3.Connection) -> str | None:
    if _count(conn, "alembic_version") == 0:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0])


def _check(conn: sqlite3.Connection, file: Path) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()
    if result is None or result[0] != "ok":
        raise ConfigurationError(f"{file} is damaged: {result[0] if result else 'no answer'}",
                                 hint="use another backup")


@contextmanager
def _open(file: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(file, timeout=60, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=60000")
        yield conn
    finally:
        conn.close()


def _summary(conn: sqlite3.Connection, database: Path, file: Path) -> Copied:
    return Copied(database, file, file.stat().st_size, _revision(conn),
                  _count(conn, "instances"), _count(conn, "events"))


def backup(file: Path, url: str | None = None, *, force: bool = False) -> Copied:
    """Copy the database at `url` to `file` as one consistent, checked snapshot."""
    database = sqlite_path(url)
    if not database.is_file():
        raise NotFoundError(f"no database at {database}", hint="check --db")
    file = Path(file)
    if file.exists() and not force:
        raise ConflictError(f"{file} exists already", hint="give another name or --force")
    if file.resolve() == database.resolve():
        raise ConflictError("the backup cannot be the database itself")
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(f".{file.name}.{os.getpid()}.partial")
    try:
        with _open(database) as source, closing(sqlite3.connect(partial)) as target:
            source.backup(target)  # one step: a consistent snapshot even under writers
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check(target, partial)
            target.commit()
        with closing(sqlite3.connect(partial)) as written:
            revision, cases, events = (_revision(written), _count(written, "instances"),
                                       _count(written, "events"))
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)
    return Copied(database, file, file.stat().st_size, revision, cases, events)


def restore(file: Path, url: str | None = None, *, force: bool = False) -> Copied:
    """Put the backup `file` into the database at `url`, then upgrade its schema."""
    database = sqlite_path(url)
    file = Path(file)
    if not file.is_file():
        raise NotFoundError(f"no backup file {file}")
    with file.open("rb") as probe:
        if probe.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise ConfigurationError(f"{file} is not a SQLite database",
                                     hint="give a file written by 'liucheng backup'")
    with _open(file) as source:
        _check(source, file)
        revision = _revision(source)
        if revision is None:
            raise ConfigurationError(f"{file} is not a liucheng database (no schema version)")
        if revision not in _head_revisions():
            raise ConfigurationError(f"{file} has schema {revision}, unknown to this liucheng",
                                     hint="restore it with the liucheng version that wrote it")
        database.parent.mkdir(parents=True, exist_ok=True)
        with _open(database) as target:
            held = {t: _count(target, t) for t in DATA_TABLES}
            if any(held.values()) and not force:
                what = ", ".join(f"{n} {t}" for t, n in held.items() if n)
                raise ConflictError(f"{database} is not empty ({what})",
                                    hint="restore into a new file, or add --force to "
                                         "replace everything in it")
            source.backup(target)
    engine = create_engine(f"sqlite:///{database}")
    try:
        migrate(engine)
    finally:
        engine.dispose()
    with _open(database) as restored:
        return _summary(restored, database, file)


def _backup_command(file: Annotated[Path, typer.Argument(help="Where to write the copy.")],
                    db: DbOpt = None, force: ForceOpt = False) -> None:
    """Copy the SQLite database to FILE (safe while the server runs)."""
    done = backup(file, db, force=force)
    console.print(f"backed up {done.database} to {done.file}: {done.size:,} bytes, schema "
                  f"{done.revision}, {done.cases} cases, {done.events} events", markup=False,
                  soft_wrap=True)


def _restore_command(file: Annotated[Path, typer.Argument(help="A file made by backup.")],
                     db: DbOpt = None, force: ForceOpt = False) -> None:
    """Put a backup into the SQLite database (refuses a database with data unless --force)."""
    done = restore(file, db, force=force)
    console.print(f"restored {done.file} into {done.database}: schema {done.revision}, "
                  f"{done.cases} cases, {done.events} events", markup=False,
                  soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `backup` and `restore` to `app`."""
    app.command("backup")(_backup_command)
    app.command("restore")(_restore_command)
