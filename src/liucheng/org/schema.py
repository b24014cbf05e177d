"""The tables org works on, handed in by the caller (org sits beside storage, so it does not
import it): `Tables.of(metadata)` picks them from the application's SQLAlchemy metadata,
and `Db` pairs them with the connection of the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa

from liucheng.errors import ConfigurationError

DEFAULT_ORG = "default"  # the organisation of users without an account (migration 0002)


@dataclass(frozen=True)
class Tables:
    users: sa.Table
    roles: sa.Table
    user_roles: sa.Table
    instances: sa.Table
    tasks: sa.Table
    task_candidates: sa.Table
    events: sa.Table
    organisations: sa.Table
    departments: sa.Table
    accounts: sa.Table
    role_permissions: sa.Table
    web_sessions: sa.Table
    api_tokens: sa.Table
    login_attempts: sa.Table

    @classmethod
    def of(cls, metadata: sa.MetaData) -> Tables:
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in metadata.tables]
        if missing:
            raise ConfigurationError(f"the schema lacks the tables {', '.join(missing)}",
                                     hint="upgrade liucheng's database migrations")
        return cls(**{n: metadata.tables[n] for n in names})


def remember(answers: dict[Any, Any], key: Any, ask: Callable[[], Any]) -> Any:
    """`answers[key]`, asking `ask()` the first time."""
    if key not in answers:
        answers[key] = ask()
    return answers[key]


Reader = Callable[[sa.Connection, sa.Select[Any], dict[str, Any]], list[dict[str, Any]]]


def executed(conn: sa.Connection, stmt: sa.Select[Any],
             params: dict[str, Any]) -> list[dict[str, Any]]:
    """A SELECT's rows by SQLAlchemy's own execution."""
    return [dict(r) for r in conn.execute(stmt, params).mappings()]


_BUILT: dict[tuple[Tables, str, object], Any] = {}


def built(t: Tables, name: str, shape: object, build: Callable[[], Any]) -> Any:
    """A statement of a fixed shape, built once per schema: building SQLAlchemy's
    subqueries anew for every request costs more than running them."""
    return remember(_BUILT, (t, name, shape), build)


@dataclass(frozen=True)
class Db:
    """A connection inside the caller's transaction, with the tables (never commits)."""

    conn: sa.Connection
    t: Tables
    # In a read-only snapshot a question asked twice has the same answer: `answers` keeps
    # them for the snapshot's life (None in a transaction that may write).
    answers: dict[Any, Any] | None = None
    # How a hot statement built once (`built`, plain parameters only) runs: the
    # runtime hands in `liucheng.storage.direct.read`, which runs it straight on the
    # driver's cursor, cheaper per row than SQLAlchemy's execution (the same rows).
    read: Reader = executed

    def remembered(self, key: Any, ask: Callable[[], Any]) -> Any:
        """`ask()`, once per snapshot for the same `key`."""
        return ask() if self.answers is None else remember(self.answers, key, ask)

    def one(self, stmt: sa.Select[Any], params: dict[str, Any] | None = None
            ) -> dict[str, Any] | None:
        row = self.conn.execute(stmt, params).mappings().first()
        return dict(row) if row else None

    def all(self, stmt: sa.Select[Any], params: dict[str, Any] | None = None
            ) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(stmt, params).mappings()]
