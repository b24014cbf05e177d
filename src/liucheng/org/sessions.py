"""Browser sessions kept server-side: the cookie holds a random id, the table its digest.

A new session is made at every sign-in and the one the browser came with is deleted, so a
session id planted before sign-in is worthless (no session fixation). Sessions end after
`absolute` time, or after `idle` time without a request, or at sign-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from liucheng.org.crypto import digest, new_secret
from liucheng.org.schema import Db, built

TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetime:
    absolute: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(hours=2)


def create(db: Db, user_id: str, *, now: datetime, lifetime: Lifetime,
           ip: str | None = None, user_agent: str | None = None,
           previous: str | None = None) -> tuple[str, str]:
    """Start a session; returns (cookie value, CSRF token). `previous` is dropped."""
    if previous:
        end(db, previous)
    ws = db.t.web_sessions
    db.conn.execute(ws.delete().where(ws.c.expires_at < now))
    raw, csrf = new_secret(), new_secret()
    db.conn.execute(ws.insert().values(
        id=digest(raw), user_id=user_id, csrf_token=csrf, created_at=now, last_seen_at=now,
        expires_at=now + lifetime.absolute, ip=(ip or "")[:64] or None,
        user_agent=(user_agent or "")[:200] or None))
    return raw, csrf


def look_up(db: Db, raw: str) -> dict[str, Any] | None:
    """The session row for a cookie value, live or not; changes nothing."""
    ws = db.t.web_sessions
    stmt = built(db.t, "session", None,
                 lambda: sa.select(ws).where(ws.c.id == sa.bindparam("id")))
    row = db.conn.execute(stmt, {"id": digest(raw)}).mappings().first()
    return dict(row) if row else None


def _ended(row: dict[str, Any], now: datetime, lifetime: Lifetime) -> bool:
    return bool(row["expires_at"] <= now or row["last_seen_at"] + lifetime.idle <= now)


def due(row: dict[str, Any], *, now: datetime, lifetime: Lifetime) -> bool:
    """Whether `find` would change this row (remove it, or record the request): a
    read-only request needs a transaction that may write only then."""
    return _ended(row, now, lifetime) or now - row["last_seen_at"] >= TOUCH_EVERY


def find(db: Db, raw: str, *, now: datetime,
         lifetime: Lifetime) -> dict[str, Any] | None:
    """The live session for a cookie value, or None (expired or idle sessions are removed)."""
    ws = db.t.web_sessions
    row = look_up(db, raw)
    if row is None:
        return None
    if _ended(row, now, lifetime):
        db.conn.execute(ws.delete().where(ws.c.id == row["id"]))
        return None
    if now - row["last_seen_at"] >= TOUCH_EVERY:
        db.conn.execute(ws.update().where(ws.c.id == row["id"]).values(last_seen_at=now))
    return row


def end(db: Db, raw: str) -> None:
    ws = db.t.web_sessions
    db.conn.execute(ws.delete().where(ws.c.id == digest(raw)))


def end_all(db: Db, user_id: str) -> None:
    """Sign a person out everywhere (after a password change or deactivation)."""
    ws = db.t.web_sessions
    db.conn.execute(ws.delete().where(ws.c.user_id == user_id))
