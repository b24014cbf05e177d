"""API tokens for the REST API: shown once at creation, stored as a SHA-256 digest.

A token carries scopes (permission names, or '*' for all its owner's permissions); the
owner's permissions are narrowed to them on every request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from liucheng.errors import NotFoundError, Problem, ValidationError
from liucheng.org.crypto import digest, new_secret
from liucheng.org.permissions import check_scopes
from liucheng.org.schema import Db
from liucheng.org.sessions import TOUCH_EVERY

PREFIX = "lc_"


def create(db: Db, user_id: str, name: str, scopes: Iterable[str], *,
           now: datetime, expires_at: datetime | None = None) -> tuple[dict[str, Any], str]:
    """Make a token; returns (its public row, the secret to give the owner once)."""
    scope_list = sorted(set(scopes))
    problems = []
    if not name.strip():
        problems.append(Problem("give the token a name", field="name"))
    if not scope_list:
        problems.append(Problem("choose at least one scope", field="scopes"))
    unknown = check_scopes(scope_list)
    if unknown:
        problems.append(Problem(f"unknown scopes: {', '.join(unknown)}", field="scopes",
                                hint="scopes are permission names such as tasks.read"))
    if problems:
        raise ValidationError(problems)
    raw = new_secret(PREFIX)
    row = {"id": uuid.uuid4().hex, "user_id": user_id, "name": name.strip()[:120],
           "token_hash": digest(raw), "scopes": scope_list, "created_at": now,
           "last_used_at": None, "expires_at": expires_at, "revoked_at": None}
    db.conn.execute(db.t.api_tokens.insert().values(**row))
    del row["token_hash"]
    return row, raw


def look_up(db: Db, raw: str, *, now: datetime) -> dict[str, Any] | None:
    """The live token for a secret, or None; changes nothing."""
    if not raw.startswith(PREFIX):
        return None
    tokens = db.t.api_tokens
    row = db.one(sa.select(tokens).where(tokens.c.token_hash == digest(raw)))
    if row is None or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return None
    return row


def due(row: dict[str, Any], *, now: datetime) -> bool:
    """Whether `find` would record this use (it does so at most once a minute)."""
    return row["last_used_at"] is None or now - row["last_used_at"] >= TOUCH_EVERY


def find(db: Db, raw: str, *, now: datetime) -> dict[str, Any] | None:
    """The live token for a secret, or None; records when it was last used (to the minute)."""
    row = look_up(db, raw, now=now)
    if row is not None and due(row, now=now):
        tokens = db.t.api_tokens
        db.conn.execute(tokens.update().where(tokens.c.id == row["id"])
                        .values(last_used_at=now))
    return row


def owned(db: Db, user_id: str) -> list[dict[str, Any]]:
    tokens = db.t.api_tokens
    columns = [c for c in tokens.c if c.name != "token_hash"]
    return db.all(sa.select(*columns).where(tokens.c.user_id == user_id)
                  .order_by(tokens.c.created_at.desc()))


def revoke(db: Db, token_id: str, *, user_id: str, now: datetime) -> None:
    tokens = db.t.api_tokens
    result = db.conn.execute(tokens.update().where(
        tokens.c.id == token_id, tokens.c.user_id == user_id,
        tokens.c.revoked_at.is_(None)).values(revoked_at=now))
    if result.rowcount != 1:
        raise NotFoundError(f"no live API token '{token_id}' of {user_id}", token=token_id)
