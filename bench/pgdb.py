"""A PostgreSQL database of the run's own, created and dropped around B3 and B4.

The server is the one at 127.0.0.1:5432 with trust authentication; the runner connects to
its `test` database only to create and drop `liucheng_bench_<pid>_<random>`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _server(url: str) -> str:
    return url.rsplit("/", 1)[0]


def available(url: str = ADMIN_URL) -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def server_version(url: str = ADMIN_URL) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


@contextmanager
def database(purpose: str, url: str = ADMIN_URL) -> Iterator[str]:
    """Yield the URL of a new, empty database; drop it afterwards, whatever happens."""
    import psycopg

    name = f"liucheng_bench_{purpose}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{_server(url)}/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
