"""What a request handler needs, kept on `app.state.services` (no module-level globals)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from liucheng.api.settings import Settings
from liucheng.org.schema import Db, Tables
from liucheng.runtime import Engine


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
        """One transaction for reads and org-table writes (the engine makes its own)."""
        with self.engine.transaction() as repo:
            yield Db(repo.conn, self.tables)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def client_ip(request: Request, trust_proxy: bool) -> str:
    if trust_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[0].strip()[:64]
    return (request.client.host if request.client else "unknown")[:64]
