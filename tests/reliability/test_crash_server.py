"""Crashes of the web server: `uvicorn` serving the app is killed with SIGKILL at random
moments while two clients start leave requests and complete their steps over HTTP, then
started again, on SQLite and PostgreSQL. A command counts as acknowledged when its 2xx
answer arrived. Afterwards: every acknowledged command is in the database exactly once, no
command is there twice, and every case's state equals the replay of its history.
Size: LC_SERVER_KILLS per database (default 2).
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import sqlalchemy as sa
from race_kit import case_problems, env_count, summary_line

from liucheng.runtime import Engine
from liucheng.storage.tables import events, instances

API_TESTS = Path(__file__).resolve().parents[1] / "api"
if str(API_TESTS) not in sys.path:
    sys.path.insert(0, str(API_TESTS))

from webworld import build_world  # noqa: E402

KILLS = env_count("LC_SERVER_KILLS", 2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, url: str, folder: Path) -> None:
        self.port = _free_port()
        self.env = {**os.environ, "LIUCHENG_DATABASE_URL": url,
                    "LIUCHENG_DATA_DIR": str(folder), "LIUCHENG_SECRET_KEY": "test-secret"}
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "liucheng.api.app:create_app_from_env",
             "--factory", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"], env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.proc.communicate()[1].decode()[-2000:]
            try:
                if httpx.get(self.base + "/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


def test_acknowledged_requests_survive_a_killed_server(database_url: str, tmp_path: Path,
                                                       figures: list[str]) -> None:
    world = build_world(database_url, tmp_path)
    tokens = {u: world.token(u) for u in ("alice", "bob")}
    world.svc.engine.close()
    server = Server(database_url, tmp_path)
    server.start()
    acked: dict[str, str] = {}  # op → what
    unknown: list[str] = []  # sent, but the answer never came
    stop = threading.Event()
    lock = threading.Lock()
    rng = random.Random(20260306)

    def client(name: str) -> None:
        sessions = {u: httpx.Client(base_url=server.base, timeout=10,
                                    headers={"Authorization": f"Bearer {t}"})
                    for u, t in tokens.items()}
        n = 0

        def send(user: str, path: str, body: dict[str, object], op: str) -> dict | None:
            try:
                answer = sessions[user].post(path, json=body)
            except httpx.HTTPError:
                with lock:
                    unknown.append(op)
                time.sleep(0.1)
                return None
            if answer.status_code >= 500:
                raise AssertionError(f"{path}: {answer.status_code} {answer.text[:300]}")
            if answer.status_code >= 300:
                return None
            with lock:
                acked[op] = path
            return dict(answer.json())

        while not stop.is_set():
            n += 1
            op = f"{name}-{n}"
            case = send("alice", "/api/v1/cases", {"process": "leave_request",
                                                   "business_key": op}, op)
            if case is None:
                continue
            done = send("alice", f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete",
                        {"variables": {"days": 2, "reason": "事假"}, "comment": op + "a"},
                        op + "a")
            if done is None or not done.get("open_tasks"):
                continue
            send("bob", f"/api/v1/tasks/{done['open_tasks'][0]['id']}/complete",
                 {"variables": {"note": "同意"}, "outcome": "approve", "comment": op + "b"},
                 op + "b")

    threads = [threading.Thread(target=client, args=(f"k{i}",)) for i in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.5, 1.5))
            server.kill()
            server.start()
        time.sleep(rng.uniform(0.5, 1.0))
        server.kill()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    elapsed = time.monotonic() - started

    engine = Engine(database_url, data_dir=str(tmp_path))
    with engine.db.connect() as conn:
        applied = Counter(r[0] for r in conn.execute(sa.select(instances.c.business_key))
                          if r[0] and r[0].startswith("k"))
        for (data,) in conn.execute(sa.select(events.c.data).where(
                events.c.type == "task_completed")):
            if str(data.get("comment") or "").startswith("k"):
                applied[data["comment"]] += 1
        cases = [r[0] for r in conn.execute(sa.select(instances.c.id))]
    problems = [f"{op} applied {n} times" for op, n in applied.items() if n > 1]
    problems += [f"acknowledged {op} ({what}) applied {applied[op]} times"
                 for op, what in acked.items() if applied[op] != 1]
    for case in cases:
        problems += case_problems(engine, case)
    engine.close()
    figures.append(summary_line(f"SIGKILL of the web server on {database_url.split(':')[0]}", {
        "kills": KILLS + 1, "acknowledged_requests": len(acked),
        "requests_without_answer": len(unknown),  # refused while down, or cut off
        "without_answer_but_committed": sum(1 for op in unknown if applied[op]),
        "cases": len(cases), "seconds": f"{elapsed:.1f}"}))
    assert problems == []
    assert len(acked) > 10
