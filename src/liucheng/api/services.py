"""What a request handler needs, kept on `app.state.services` (no module-level globals)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from liucheng.api.settings import Settings
from liucheng.org.schema import Db, Tables
from liucheng.runtime import Engine
from liucheng.storage import direct

# Set by the route's permission check (security.Need) for GET and HEAD: the request only
# reads, so `Services.db` gives it a snapshot that takes no write lock.
READS_ONLY: ContextVar[bool] = ContextVar("liucheng_reads_only", default=False)


@dataclass
class Services:
    settings: Settings
    engine: Engine
    secret: str
    tables: Tables

    def now(self) -> datetime:
        return self.engine.clock()

    @contextmanager
    def db(self) -> Iterator[Db]:
        """One transaction for reads and org-table writes (the engine makes its own): a
        read-only snapshot in a GET or HEAD request, one that may write otherwise."""
        opened = self.reading() if READS_ONLY.get() else self.writing()
        with opened as db:
            yield db

    @contextmanager
    def reading(self) -> Iterator[Db]:
        """A read-only snapshot, also in a POST request (a sign-in's first part)."""
        with self.engine.reading() as repo:
            yield Db(repo.conn, self.tables, answers={}, read=direct.read)

    @contextmanager
    def writing(self) -> Iterator[Db]:
        """A transaction that may write, also in a GET request (e.g. a session's last use)."""
        with self.engine.transaction() as repo:
            yield Db(repo.conn, self.tables, read=direct.read)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def client_ip(request: Request, trust_proxy: bool) -> str:
    if trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[0].strip()[:64]
    return (request.client.host if request.client else "unknown")[:64]
