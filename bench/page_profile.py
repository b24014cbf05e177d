"""The B7 pages' cost per request, in process: requests/s back to back, CPU ms and
statements per page, and where the CPU goes.

The app is the one `liucheng serve` builds (`create_app`) on the demo database of B7
(`bench.web_side.build`, made once at `--db` and kept); the users are B7's, each signed in
by a session made directly, and each asks for `/inbox` and their task page in turn through
httpx's ASGI transport in one event loop (no sockets, no server). Statements are SQLite's
own trace (BEGIN and COMMIT included), counted per request.

    python -m bench.page_profile [--db PATH] [--months 1] [--requests 200]
    python -m bench.page_profile --compare SRC_BEFORE SRC_AFTER [--rounds 5]
    python -m bench.page_profile --profile task     # py-spy's top functions for one page

`--compare` runs the measurement in a fresh process per tree (`PYTHONPATH=<src>`),
alternating, and prints each page's median over the rounds side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH_ROOT = Path(__file__).resolve().parent.parent
PAGES = ("inbox", "task")


def _world(path: Path, months: int) -> dict[str, Any]:
    """B7's demo database at `path` (built when missing) and its users."""
    users = Path(f"{path}.users.json")
    if not path.exists() or not users.exists():
        from bench.web_side import build

        users.write_text(json.dumps(build({"path": str(path), "months": months})))
    found: dict[str, Any] = json.loads(users.read_text())
    return found


def _app(path: Path, data_dir: str, trace: list[str]) -> Any:
    import sqlalchemy as sa

    from liucheng.api import Settings, create_app

    app = create_app(Settings(database_url=f"sqlite:///{path}", data_dir=Path(data_dir),
                              secret_key="bench-page-profile"))
    db = app.state.services.engine.db

    @sa.event.listens_for(db, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.set_trace_callback(trace.append)

    db.dispose()  # connect again, traced
    return app


def _sessions(app: Any, users: list[str]) -> dict[str, str]:
    from liucheng.org import sessions

    svc = app.state.services
    out = {}
    with svc.writing() as db:
        for user in users:
            raw, _ = sessions.create(db, user, now=svc.now(), lifetime=svc.settings.sessions)
            out[user] = raw
    return out


async def _measure(app: Any, world: dict[str, Any], requests: int, trace: list[str],
                   only: str | None, last: dict[str, list[str]], hold: bool = False
                   ) -> dict[str, dict[str, float]]:
    import httpx

    from liucheng.api.security import SESSION_COOKIE

    users = world["users"]
    cookies = _sessions(app, [u["user"] for u in users])
    transport = httpx.ASGITransport(app=app)
    clients = [httpx.AsyncClient(transport=transport, base_url="http://bench",
                                 cookies={SESSION_COOKIE: cookies[u["user"]]},
                                 headers={"Accept-Language": "zh-CN"}) for u in users]
    paths = {"inbox": ["/inbox"] * len(users),
             "task": [f"/tasks/{u['task']}" for u in users]}
    out: dict[str, dict[str, float]] = {}
    for page in PAGES:
        if only and page != only:
            continue
        for client, path in zip(clients, paths[page], strict=True):  # warm-up
            assert (await client.get(path)).status_code == 200, path
        if hold:  # a profiler attaches now, past the first requests' compiling
            print("warm", flush=True)
            sys.stdin.readline()
        statements: list[int] = []
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(requests):
            mark = len(trace)
            answer = await clients[i % len(clients)].get(paths[page][i % len(clients)])
            if answer.status_code != 200:
                raise RuntimeError(f"{paths[page][i % len(clients)]}: {answer.status_code}")
            statements.append(len(trace) - mark)
            last[page] = trace[mark:]
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        out[page] = {"per_second": requests / wall, "cpu_ms": cpu * 1000 / requests,
                     "statements": statistics.mean(statements)}
    await asyncio.gather(*(c.aclose() for c in clients))
    return out


def measure(db: Path, months: int, requests: int, only: str | None = None,
            last: dict[str, list[str]] | None = None, hold: bool = False
            ) -> dict[str, dict[str, float]]:
    """The figures per page; `last` gets the statements of each page's last request."""
    world = _world(db, months)
    trace: list[str] = []
    with tempfile.TemporaryDirectory() as data_dir:
        app = _app(db, data_dir, trace)
        try:
            return asyncio.run(_measure(app, world, requests, trace, only,
                                        {} if last is None else last, hold))
        finally:
            app.state.services.engine.close()


def _child(src: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{BENCH_ROOT}")
    command = [sys.executable, "-m", "bench.page_profile", "--db", str(args.db),
               "--months", str(args.months), "--requests", str(args.requests), "--json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found: dict[str, dict[str, float]] = json.loads(done.stdout.splitlines()[-1])
    return found


def compare(args: argparse.Namespace) -> None:
    _world(args.db, args.months)
    runs: dict[str, list[dict[str, dict[str, float]]]] = {s: [] for s in args.compare}
    for r in range(args.rounds):
        for src in args.compare if r % 2 == 0 else reversed(args.compare):
            runs[src].append(_child(src, args))
    print(f"median of {args.rounds} rounds, {args.requests} requests per page")
    print(f"{'page':6} {'measure':12} " + " ".join(f"{s[-28:]:>28}" for s in args.compare))
    for page in PAGES:
        for key in ("per_second", "cpu_ms", "statements"):
            cells = [statistics.median(r[page][key] for r in runs[s]) for s in args.compare]
            print(f"{page:6} {key:12} " + " ".join(f"{c:28.1f}" for c in cells))


def profile(args: argparse.Namespace) -> None:
    """py-spy (bench/.venv-peers) over a run of one page, sampling the thread holding the
    GIL (what uses the CPU, not what waits); the top functions."""
    from bench.peers import PY_SPY

    _world(args.db, args.months)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.txt"
        child = subprocess.Popen(
            [sys.executable, "-m", "bench.page_profile", "--db", str(args.db), "--requests",
             str(args.requests), "--only", args.profile, "--hold", "--json"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert child.stdin is not None and child.stdout is not None
        while child.stdout.readline().strip() != "warm":
            pass
        spy = subprocess.Popen([str(PY_SPY), "record", "--function", "--format", "raw",
                                "--rate", "500", "--gil", "--output", str(raw), "--pid",
                                str(child.pid)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(1)  # py-spy attached
        child.stdin.write("\n")
        child.stdin.flush()
        child.communicate()
        spy.wait()
        lines = raw.read_text().splitlines()
        if args.raw:
            args.raw.write_text("\n".join(lines))
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        # what the event loop runs (the client and the app's coroutines), and the
        # request's part in anyio's threads; not the start (building the app)
        at = next((i for i, f in enumerate(frames)
                   if f.startswith(("Handle._run ", "WorkerThread.run "))), None)
        if at is None or at + 1 == len(frames):
            continue
        total += int(count)
        for frame in set(frames[at + 1:]):
            inclusive[frame] += int(count)
        own[frames[-1]] += int(count)
    print(f"{total} samples in the event loop and the worker threads; inclusive:")
    for frame, n in inclusive.most_common(args.top):
        print(f"{n / total:6.1%}  {frame}")
    print("self:")
    for frame, n in own.most_common(args.top // 2):
        print(f"{n / total:6.1%}  {frame}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "b7-pages.db")
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", choices=PAGES)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--hold", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--compare", nargs="+", metavar="SRC")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", choices=PAGES)
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--raw", type=Path, help="--profile: keep py-spy's stacks here")
    parser.add_argument("--statements", choices=PAGES)
    args = parser.parse_args()
    if args.compare:
        compare(args)
    elif args.profile:
        profile(args)
    elif args.statements:
        last: dict[str, list[str]] = {}
        measure(args.db, args.months, 1, args.statements, last)
        print("\n".join(" ".join(s.split())[:200] for s in last[args.statements]))
    else:
        result = measure(args.db, args.months, args.requests, args.only, hold=args.hold)
        print(json.dumps(result) if args.json else json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
