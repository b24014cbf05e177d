"""The web app under load: the connection pool holds a connection for every worker thread
of the server, a request that still finds no free connection gets 503 with Retry-After
and a message in the reader's language (never a 500), and pages and GET routes read
without taking SQLite's write lock."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import anyio.to_thread
from webworld import World

from liucheng.storage.database import create_engine


def _most(world: World) -> int:
    pool = world.svc.engine.db.pool
    return int(pool.size() + pool._max_overflow)  # type: ignore[attr-defined]


def test_the_pool_has_a_connection_for_every_server_thread(world: World) -> None:
    async def threads() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    assert _most(world) > anyio.run(threads)


def test_no_free_connection_answers_503_with_retry_after(world: World) -> None:
    token = world.token("alice")
    browser = world.browser("alice")
    engine = world.svc.engine
    url = str(engine.db.url)
    engine.db.dispose()
    engine.db = create_engine(url, pool_timeout=0.1)
    held = [engine.db.connect() for _ in range(_most(world))]
    try:
        api = world.client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 503, api.text
        assert api.headers["Retry-After"] == "5"
        assert api.json()["code"] == "busy"
        page = browser.get("/inbox")
        assert page.status_code == 503
        assert "服务器繁忙" in page.text
    finally:
        for conn in held:
            conn.close()


def test_pages_and_get_routes_read_while_another_connection_writes(world: World) -> None:
    browser = world.browser("alice")
    client = world.client("alice")
    assert client.get("/api/v1/tasks").status_code == 200  # records the token's first use
    answers: dict[str, Any] = {}

    def read() -> None:
        answers["inbox"] = browser.get("/inbox")
        answers["tasks"] = client.get("/api/v1/tasks")
        answers["case"] = browser.get(f"/cases/{world.case}")

    writer = sqlite3.connect(str(world.svc.engine.db.url.database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    reader = threading.Thread(target=read)
    try:
        reader.start()
        reader.join(timeout=30)
        assert not reader.is_alive(), "a read waited for the write lock"
    finally:
        writer.execute("ROLLBACK")
        reader.join()
        writer.close()
    assert {name: a.status_code for name, a in answers.items()} == {
        "inbox": 200, "tasks": 200, "case": 200}
