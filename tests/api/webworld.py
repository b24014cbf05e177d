"""The world the API, page and browser tests run in: an app on a database with two
organisations — `acme` (alice, staff; bob, manager) and `other` (carol, manager; dave,
staff) — an administrator, the leave request and a broken process deployed, and alice's
leave request waiting for a manager. `client(user)` signs in with an API token,
`session(user)` with a session made directly, `browser(user)` through the sign-in form.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from liucheng.api import Settings, create_app
from liucheng.api.security import SESSION_COOKIE
from liucheng.api.services import Services
from liucheng.org import accounts, api_tokens, sessions
from liucheng.storage.tables import incidents

HERE = Path(__file__).parent
LEAVE = (HERE / "leave.yaml").read_text(encoding="utf-8")
BROKEN = (HERE / "broken.yaml").read_text(encoding="utf-8")
PASSWORDS = {"alice": "alice-pass-1", "bob": "bob-pass-12", "carol": "carol-pass-1",
             "dave": "dave-pass-12", "admin": "admin-pass-1"}


@dataclass
class World:
    """The app with its seeded data: alice's leave request waiting for a manager (`case`,
    `task`), and alice's broken case stopped on an incident (`incident`)."""

    app: FastAPI
    svc: Services
    case: str = ""
    task: str = ""
    incident: str = ""

    def client(self, user: str | None = None, scopes: list[str] | None = None) -> TestClient:
        client = TestClient(self.app)
        if user is not None:
            client.headers["Authorization"] = f"Bearer {self.token(user, scopes)}"
        return client

    def token(self, user: str, scopes: list[str] | None = None) -> str:
        with self.svc.db() as db:
            _, raw = api_tokens.create(db, user, "test", scopes or ["*"], now=self.svc.now())
        return raw

    def session(self, user: str, *, lang: str = "zh-CN") -> TestClient:
        """A browser signed in without the form (fast): the cookie and `client.csrf`."""
        with self.svc.db() as db:
            raw, csrf = sessions.create(db, user, now=self.svc.now(),
                                        lifetime=self.svc.settings.sessions)
        client = TestClient(self.app, follow_redirects=False)
        client.headers["Accept-Language"] = lang
        client.cookies.set(SESSION_COOKIE, raw)
        client.csrf = csrf  # type: ignore[attr-defined]
        return client

    def browser(self, user: str | None = None, *, lang: str = "zh-CN") -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        client.headers["Accept-Language"] = lang
        if user is not None:
            sign_in(client, user, PASSWORDS[user])
        return client


MakeWorld = Callable[[], World]
StartCase = Callable[..., dict[str, Any]]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, user: str, password: str) -> Any:
    page = client.get("/login")
    return client.post("/login", data={"user": user, "password": password, "next": "/inbox",
                                       "csrf_token": csrf_of(page.text)})


def build_world(database_url: str, data_dir: Path) -> World:
    app = create_app(Settings(database_url=database_url, data_dir=data_dir,
                              secret_key="test-secret"))
    svc: Services = app.state.services
    now = svc.now()
    with svc.db() as db:
        accounts.add_organisation(db, "acme", "艾克米", "Acme", now=now)
        accounts.add_organisation(db, "other", "别家", "Other Co", now=now)
        accounts.save_user(db, "alice", name="王丽", roles=["staff"], organisation="acme",
                           password=PASSWORDS["alice"], now=now)
        accounts.save_user(db, "bob", name="赵强", roles=["manager"], organisation="acme",
                           password=PASSWORDS["bob"], now=now)
        accounts.save_user(db, "carol", name="陈静", roles=["manager"], organisation="other",
                           password=PASSWORDS["carol"], now=now)
        accounts.save_user(db, "dave", name="刘伟", roles=["staff"], organisation="other",
                           password=PASSWORDS["dave"], now=now)
        accounts.save_user(db, "admin", name="管理员", admin=True, password=PASSWORDS["admin"],
                           now=now)
    svc.engine.deploy(LEAVE, source_name="leave.yaml", by="admin")
    svc.engine.deploy(BROKEN, source_name="broken.yaml", by="admin")
    world = World(app, svc)
    alice = world.client("alice")
    case = alice.post("/api/v1/cases", json={"process": "leave_request",
                                             "business_key": "QJ-001"}).json()
    alice.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", json={
        "variables": {"days": 3, "reason": "家中有事", "mobile": "13812345678"}})
    broken = alice.post("/api/v1/cases", json={"process": "broken_check"}).json()
    world.case = case["id"]
    world.task = world.svc.engine.tasks(case=case["id"])[0].id
    world.incident = broken["incidents"][0]["id"]
    return world


def _ids(world: World) -> World:
    """Find the seeded ids again in a copied database."""
    with world.svc.db() as db:
        t = db.t
        world.case = db.conn.execute(sa.select(t.instances.c.id).where(
            t.instances.c.business_key == "QJ-001")).scalar_one()
        world.task = db.conn.execute(sa.select(t.tasks.c.id).where(
            t.tasks.c.instance_id == world.case, t.tasks.c.status == "open")).scalar_one()
        world.incident = db.conn.execute(sa.select(incidents.c.id)).scalar_one()
    return world




def copy_world(template: Path, folder: Path) -> World:
    """A fresh app on a copy of the seeded database (argon2 hashing is slow on purpose)."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(template) + suffix)
        if source.exists():
            shutil.copy(source, folder / f"web.db{suffix}")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'web.db'}",
                              data_dir=folder, secret_key="test-secret"))
    return _ids(World(app, app.state.services))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(app: Any) -> Iterator[str]:
    """`app` served by uvicorn in a thread on a free local port; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
