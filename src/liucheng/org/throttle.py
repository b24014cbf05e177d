"""Sign-in throttling: after 5 failures for one user id from one address within 15 minutes
further attempts are refused until the window passes; one address is also capped across
all user ids (password spraying). Every attempt is kept as a record.

A sign-in looks first (`check`, refusing at once what is already over a limit), checks the
password, then is admitted (`admit`): the same count again, serialised per address, in the
transaction that records the attempt. Attempts from one address sent at once are counted one
after another, so neither limit lets more guesses through than it allows: SQLite serialises
every writer (BEGIN IMMEDIATE); on PostgreSQL `admit` takes a transaction lock on the address
(both limits count the failures of one address), held only while the attempt is recorded —
passwords are checked in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from liucheng.org.errors import TooManyAttempts
from liucheng.org.schema import Db


@dataclass(frozen=True)
class Limits:
    per_user_and_ip: int = 5
    per_ip: int = 50
    window: timedelta = timedelta(minutes=15)


def admit(db: Db, user_id: str, ip: str, *, now: datetime, limits: Limits) -> None:
    """`check`, one attempt per address at a time until this transaction ends: the attempt
    must be recorded in it, so the next one from the address counts it."""
    if db.conn.dialect.name == "postgresql":
        db.conn.execute(sa.select(sa.func.pg_advisory_xact_lock(
            sa.func.hashtext("liucheng.sign_in:" + ip))))
    check(db, user_id, ip, now=now, limits=limits)


def check(db: Db, user_id: str, ip: str, *, now: datetime, limits: Limits) -> None:
    """Raise TooManyAttempts when this user id or address has failed too often lately."""
    la = db.t.login_attempts
    since = now - limits.window
    failed = sa.and_(la.c.success.is_(False), la.c.at > since,
                     la.c.ip == ip)
    last_ok = sa.select(sa.func.max(la.c.at)).where(
        la.c.user_id == user_id, la.c.ip == ip,
        la.c.success.is_(True)).scalar_subquery()
    after_ok = sa.or_(last_ok.is_(None), la.c.at > last_ok)
    user_rows = db.conn.execute(
        sa.select(la.c.at).where(failed, la.c.user_id == user_id,
                                             after_ok)
        .order_by(la.c.at)).scalars().all()
    if len(user_rows) >= limits.per_user_and_ip:
        _refuse(user_rows[-limits.per_user_and_ip], now, limits)
    ip_rows = db.conn.execute(sa.select(la.c.at).where(failed)
                           .order_by(la.c.at)).scalars().all()
    if len(ip_rows) >= limits.per_ip:
        _refuse(ip_rows[-limits.per_ip], now, limits)


def _refuse(oldest_counted: datetime, now: datetime, limits: Limits) -> None:
    wait = max(1, int((oldest_counted + limits.window - now).total_seconds()) + 1)
    minutes = (wait + 59) // 60
    raise TooManyAttempts(f"too many failed sign-ins; try again in {minutes} minute(s)",
                          retry_after=wait,
                          hint="ask an administrator to reset the password if it is lost")


def record(db: Db, user_id: str, ip: str, *, now: datetime, success: bool) -> None:
    db.conn.execute(db.t.login_attempts.insert().values(user_id=user_id[:64], ip=ip[:64], at=now,
                                                success=success))
