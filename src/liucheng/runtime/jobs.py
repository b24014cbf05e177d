"""The job executor: fires due timers (and timer starts), each exactly once, and runs the
calls of HTTP service steps (`runtime/http_calls.py`, with their own retries).

One round: claim due jobs in a transaction of their own (`storage.jobs.claim_due`: a
lease with owner and expiry, `FOR UPDATE SKIP LOCKED` on PostgreSQL), then run each job
in its own transaction — lock the case first (the order every command uses, so no
deadlock), delete the job *if this worker still holds it*, `FireTimer`, persist, commit.
A worker that died holding jobs loses them when the lease expires and another worker
takes them; had it fired one already, the job row is gone, and the core ignores timers
that are no longer armed anyway. A failure is retried with back-off; when retries are
exhausted the case gets an incident (`FailTimer`), retryable like any other.
The clock is injectable, so tests move time instantly.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from liucheng.engine import decide
from liucheng.engine.commands import SYSTEM
from liucheng.engine.event_commands import FailTimer, FireTimer
from liucheng.errors import NotFoundError
from liucheng.model import ProcessDefinition
from liucheng.runtime.start_timers import fire_start_timer
from liucheng.storage.jobs import claim_due, delete_jobs, reschedule, take

if TYPE_CHECKING:
    from liucheng.runtime.service import Engine

Row = dict[str, Any]


def backoff(attempt: int) -> timedelta:
    """10 s, 20 s, 40 s … up to an hour between attempts."""
    return timedelta(seconds=min(3600, 10 * 2 ** max(0, attempt - 1)))


@dataclass
class Round:
    """What one `run_due` did."""

    claimed: int = 0
    fired: int = 0
    stale: int = 0  # the timer was no longer armed, or its version replaced
    lost: int = 0  # another worker took the job over after our lease expired
    retried: int = 0
    failed: int = 0  # retries exhausted: an incident on the case
    errors: list[str] = field(default_factory=list)

    def add(self, other: Round) -> None:
        for name in ("claimed", "fired", "stale", "lost", "retried", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class JobExecutor:
    """Runs due jobs of one Engine. `clock` defaults to the engine's clock."""

    def __init__(self, engine: Engine, *, worker: str | None = None,
                 lease: timedelta = timedelta(minutes=2), batch: int = 50,
                 max_attempts: int = 5, retry_after: Callable[[int], timedelta] = backoff,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.worker = (worker or default_worker_id())[:64]
        self.lease = lease
        self.batch = batch
        self.max_attempts = max_attempts
        self.retry_after = retry_after
        self.clock = clock or engine.clock
        self._definitions: dict[str, ProcessDefinition] = {}  # immutable: cache by id

    def claim(self, limit: int | None = None) -> list[Row]:
        with self.engine.db.begin() as conn:
            return claim_due(conn, self.clock(), self.worker, self.lease, limit or self.batch)

    def run_due(self, limit: int | None = None) -> Round:
        """Claim one batch of due jobs and run them; returns what happened."""
        result = Round()
        jobs = self.claim(limit)
        result.claimed = len(jobs)
        for job in jobs:
            outcome, error = self.run_job(job)
            setattr(result, outcome, getattr(result, outcome) + 1)
            if error:
                result.errors.append(error)
        return result

    def run_until_idle(self, max_rounds: int = 1000) -> Round:
        total = Round()
        for _ in range(max_rounds):
            result = self.run_due()
            total.add(result)
            if not result.claimed:
                break
        return total

    def run_job(self, job: Row) -> tuple[str, str | None]:
        """Run one claimed job: (fired | stale | lost | retried | failed, error)."""
        try:
            if job["kind"] == "start_timer":
                outcome = fire_start_timer(self.engine, job, self.worker)
                return {"dropped": "stale"}.get(outcome, outcome), None
            if job["kind"] == "http":  # an HTTP service step (runtime/http_calls.py)
                from liucheng.runtime.http_calls import run_call

                return run_call(self, job)
            return self._fire(job), None
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then an incident
            error = f"{type(exc).__name__}: {exc}"
            return self._failed(job, error), error

    def _fire(self, job: Row) -> str:
        engine = self.engine
        with engine.transaction() as repo:
            try:
                row = repo.lock_instance(job["instance_id"])
            except NotFoundError:
                delete_jobs(repo.conn, [job["id"]])  # the case no longer exists
                return "stale"
            if not take(repo.conn, job["id"], self.worker):
                return "lost"
            definition = self._definitions.get(row["definition_id"])
            if definition is None:
                definition = self._definitions[row["definition_id"]] = engine.definition(
                    repo, row["definition_id"])
            decision = decide(definition, row["state"], FireTimer(SYSTEM, job["id"]),
                              engine._context(repo))
            engine._persist(repo, job["instance_id"], row["definition_key"], row["version"],
                            decision, definition)
            return "fired" if decision.events else "stale"

    def _failed(self, job: Row, error: str) -> str:
        attempts = int(job.get("attempts") or 0) + 1
        retry_at = self.clock() + self.retry_after(attempts)
        if attempts < self.max_attempts or job["kind"] != "timer":
            with self.engine.db.begin() as conn:
                reschedule(conn, job["id"], self.worker, retry_at, attempts=attempts,
                           error=error[:2000])
            return "retried"
        try:
            self.engine._command(job["instance_id"], SYSTEM.user,
                                 lambda actor: FailTimer(actor, job["id"], error[:500]))
        except Exception:  # noqa: BLE001 - keep the job and its error visible instead
            with self.engine.db.begin() as conn:
                reschedule(conn, job["id"], self.worker, retry_at, attempts=attempts,
                           error=error[:2000])
        return "failed"


def work(executor: JobExecutor, *, once: bool = False, idle_sleep: float = 1.0,
         stop: Callable[[], bool] | None = None,
         sleep: Callable[[float], None] = time.sleep) -> Round:
    """The worker loop: run due jobs; when none are due, sleep a little (never with --once)."""
    total = Round()
    while True:
        result = executor.run_until_idle() if once else executor.run_due()
        total.add(result)
        if once or (stop is not None and stop()):
            return total
        if not result.claimed:
            sleep(idle_sleep)
