"""B7: latency and throughput of the inbox page and a task page under concurrent users.

Set-up (`build`, once per run): the demo database of `liucheng demo` (every template,
`months` of cases, the demo password for every user) in bench/runs/, and the users to
sign in as — the ten with the most open tasks in their inbox — each with one open task
of theirs for the task page.

The measurement (`run`, a fresh process each round) starts `liucheng serve` (uvicorn, one
worker, as shipped) on a free port, then `clients` httpx AsyncClients in this process
sign in through the real form (GET /login for the CSRF token, POST /login) as those users
in turn (five at a time), request each page once (warm-up, not timed), and then for
`seconds` each keep requesting the inbox (`GET /inbox`), and after that for `seconds`
their task page (`GET /tasks/{id}`), one request after another. Every response must be a
200 (a request that meets a keep-alive connection the server has just closed is sent
again, as a browser does, and counted). Each request's latency is timed on its own;
requests/s is all responses over the period. The load generator shares the machine
with the server.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.inbox import percentile

SERVE = "from liucheng.cli.main import main; main()"
SIGN_IN_AT_ONCE = 5  # sign-ins take the write lock one by one; the timed part is the pages


def build(params: dict[str, Any]) -> dict[str, object]:
    from liucheng.cli.demo_command import DEMO_PASSWORD, demo
    from liucheng.runtime.service import Engine

    path = Path(params["path"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    began = time.perf_counter()
    url = f"sqlite:///{path}"
    demo(db=url, months=params["months"], no_serve=True)
    engine = Engine(url)
    inboxes = [(u["id"], engine.tasks(user=u["id"])) for u in engine.users()
               if u["id"] != "admin"]
    inboxes.sort(key=lambda x: -len(x[1]))
    users = [{"user": u, "task": tasks[0].id, "inbox": len(tasks)}
             for u, tasks in inboxes[:10] if tasks]
    with engine.db.connect() as conn:
        counts = {t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())
                  for t in ("instances", "tasks", "events", "users")}
        counts["open tasks"] = int(conn.exec_driver_sql(
            "SELECT count(*) FROM tasks WHERE status = 'open'").scalar_one())
    engine.close()
    return {"users": users, "password": DEMO_PASSWORD, "rows": counts,
            "build_seconds": time.perf_counter() - began}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(params: dict[str, Any], port: int, log: Any) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", SERVE, "serve", "--port", str(port), "--db",
               f"sqlite:///{params['path']}", "--data-dir", params["data_dir"]]
    return subprocess.Popen(command, stdout=log, stderr=log, env=dict(os.environ))


async def _wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):
            if server.poll() is not None:
                raise RuntimeError(f"liucheng serve exited with {server.returncode}")
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("liucheng serve did not answer within a minute")


async def _sign_in(client: Any, user: str, password: str) -> None:
    form = await client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if not found:
        raise RuntimeError("the sign-in form has no csrf_token")
    answer = await client.post("/login", data={"user": user, "password": password,
                                                "next": "/inbox",
                                                "csrf_token": found.group(1)})
    if answer.status_code != 303:
        raise RuntimeError(f"signing in as {user}: HTTP {answer.status_code}")


async def _get(client: Any, path: str, resent: list[str]) -> float:
    """One request, in milliseconds; anything but a 200 stops the run."""
    import httpx

    began = time.perf_counter()
    try:
        answer = await client.get(path)
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:  # the server closed the
        resent.append(type(exc).__name__)  # keep-alive connection as the request went out
        answer = await client.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path}: HTTP {answer.status_code}")
    return (time.perf_counter() - began) * 1000


async def _page(clients: list[Any], paths: list[str], seconds: float) -> dict[str, float]:
    """Every client asks for its path, one request after another, for `seconds`."""
    resent: list[str] = []
    await asyncio.gather(*(_get(c, p, resent) for c, p in zip(clients, paths, strict=True)))
    latencies: list[float] = []
    end = time.perf_counter() + seconds

    async def keep_asking(client: Any, path: str) -> None:
        while time.perf_counter() < end:
            latencies.append(await _get(client, path, resent))

    began = time.perf_counter()
    await asyncio.gather(*(keep_asking(c, p) for c, p in zip(clients, paths, strict=True)))
    took = time.perf_counter() - began
    return {"requests": len(latencies), "per_second": len(latencies) / took,
            "p50_ms": percentile(latencies, 0.50), "p95_ms": percentile(latencies, 0.95),
            "p99_ms": percentile(latencies, 0.99), "resent": len(resent)}


async def _load(params: dict[str, Any], base: str) -> dict[str, dict[str, float]]:
    import httpx

    users = params["users"]
    clients = [httpx.AsyncClient(base_url=base, limits=httpx.Limits(max_connections=1),
                                 timeout=120) for _ in range(params["clients"])]
    mine = [users[i % len(users)] for i in range(len(clients))]
    for i in range(0, len(clients), SIGN_IN_AT_ONCE):
        await asyncio.gather(*(_sign_in(c, u["user"], params["password"]) for c, u in
                               zip(clients[i:i + SIGN_IN_AT_ONCE], mine[i:i + SIGN_IN_AT_ONCE],
                                   strict=True)))
    out = {"inbox": await _page(clients, ["/inbox"] * len(clients), params["seconds"]),
           "task": await _page(clients, [f"/tasks/{u['task']}" for u in mine],
                               params["seconds"])}
    await asyncio.gather(*(c.aclose() for c in clients))
    return out


def run(params: dict[str, Any]) -> dict[str, object]:
    port = free_port()
    log_path = Path(params["path"] + ".serve.log")
    with log_path.open("wb") as log:
        server = _serve(params, port, log)
        base = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(_wait_up(base, server))
            pages = asyncio.run(_load(params, base))
        except Exception as exc:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{exc}; the server's log ends:\n{tail}") from exc
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    log_path.unlink()
    return {"pages": pages, "per_second": pages["inbox"]["per_second"]}
