"""CLI commands for events: the job worker, armed timers, messages, signals, migration.

`liucheng worker` fires due timers and makes the calls of HTTP service steps until
stopped (`--once`: run what is due now, then exit — for cron jobs and scripts). Several
workers may run against one PostgreSQL.
"""

from __future__ import annotations

import json
import signal as os_signal
from datetime import timedelta
from typing import Annotated, Any

import typer

from liucheng.cli.options import DbOpt, JsonOpt, UserOpt, VarOpt
from liucheng.cli.output import console, print_json, table
from liucheng.errors import Problem, ValidationError
from liucheng.rules import jsontext
from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor, work


def _pairs(items: list[str] | None, what: str = "variable") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ValidationError([Problem(f"'{item}' is not key=value", field=item,
                                           hint=f"write the {what} as key=value")])
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = jsontext.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


def register(app: typer.Typer) -> None:
    """Add `worker`, `jobs`, `correlate`, `signal` and `migrate` to `app`."""

    @app.command()
    def worker(db: DbOpt = None, once: Annotated[bool, typer.Option(
            "--once", help="Run the jobs due now, then exit.")] = False,
            batch: Annotated[int, typer.Option(help="Jobs claimed at a time.")] = 50,
            lease: Annotated[int, typer.Option(help="Seconds a claimed job stays ours.")] = 120,
            interval: Annotated[float, typer.Option(help="Seconds to sleep when idle.")] = 1.0,
            max_attempts: Annotated[int, typer.Option(help="Attempts before an incident.")] = 5,
            worker_id: Annotated[str | None, typer.Option(help="Lock owner name.")] = None,
            as_json: JsonOpt = False) -> None:
        """Fire due timers and timer starts, make due HTTP calls, until stopped."""
        executor = JobExecutor(Engine(db), worker=worker_id, batch=batch,
                               lease=timedelta(seconds=lease), max_attempts=max_attempts)
        stopping: list[bool] = []
        if not once:
            for sig in (os_signal.SIGINT, os_signal.SIGTERM):
                os_signal.signal(sig, lambda *_: stopping.append(True))
            console.print(f"worker {executor.worker} running; Ctrl-C stops it")
        done = work(executor, once=once, idle_sleep=interval, stop=lambda: bool(stopping))
        figures = {"worker": executor.worker, "fired": done.fired, "stale": done.stale,
                   "lost": done.lost, "retried": done.retried, "failed": done.failed,
                   "errors": done.errors[:20]}
        if as_json:
            print_json(figures)
        else:
            console.print(f"fired {done.fired}, stale {done.stale}, retried {done.retried}, "
                          f"failed {done.failed}")
            for error in done.errors[:20]:
                console.print(f"  error: {error}")

    @app.command()
    def jobs(db: DbOpt = None, case: Annotated[str | None, typer.Option(
            help="Only this case's timers.")] = None, as_json: JsonOpt = False) -> None:
        """Armed timers, timer starts and waiting HTTP calls, soonest first."""
        rows = Engine(db).jobs(case)
        if as_json:
            print_json(rows)
            return
        table("jobs", ["job", "kind", "case", "element", "due", "attempts", "error"],
              [[r["id"][:8], r["kind"], (r["instance_id"] or "")[:8],
                r["payload"].get("element", ""), f"{r['due_at']:%Y-%m-%d %H:%M}",
                str(r["attempts"]), (r["error"] or "")[:60]] for r in rows])

    @app.command()
    def correlate(message: str, key: Annotated[str | None, typer.Option(
            help="Correlation key (e.g. the contract number).")] = None, var: VarOpt = None,
            user: Annotated[str, typer.Option("--user", "-u", envvar="LIUCHENG_USER")]
            = "system", db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """Deliver a message to the case waiting for it (or start a case on it)."""
        view = Engine(db).correlate(message, key, _pairs(var), user=user)
        if as_json:
            print_json(view.to_dict())
        else:
            console.print(f"message '{message}' delivered — case {view.id[:8]} is {view.status}")

    @app.command("signal")
    def signal_(name: str, var: VarOpt = None, user: Annotated[str, typer.Option(
            "--user", "-u", envvar="LIUCHENG_USER")] = "system", db: DbOpt = None,
            as_json: JsonOpt = False) -> None:
        """Broadcast a signal to every case waiting for it."""
        cases = Engine(db).signal(name, _pairs(var), user=user)
        if as_json:
            print_json({"signal": name, "cases": cases})
        else:
            console.print(f"signal '{name}' reached {len(cases)} case(s)")

    @app.command()
    def migrate(case: str, user: UserOpt, to: Annotated[int, typer.Option(
            "--to", help="Target version.")], map_: Annotated[list[str] | None, typer.Option(
            "--map", help="old_step=new_step, for renamed steps.")] = None, db: DbOpt = None,
            as_json: JsonOpt = False) -> None:
        """Move a running case to another version of its process."""
        mapping = {k: str(v) for k, v in _pairs(map_, "mapping").items()}
        view = Engine(db).migrate(case, to, mapping, user=user)
        if as_json:
            print_json(view.to_dict())
        else:
            console.print(f"case {view.id[:8]} now runs on version {to}")
