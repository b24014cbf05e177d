"""Timers as jobs on SQLite and PostgreSQL: arming, firing once, leases, retries with
back-off, incidents, timer starts across versions, messages, signals and migration.
The clock is injected: no test waits for real time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from liucheng.cli.event_commands import register
from liucheng.errors import NotFoundError, ValidationError
from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor
from testclock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def engine(database_url: str, clock: Clock) -> Iterator[Engine]:
    engine = Engine(database_url, clock=clock)
    engine.add_user("wang", roles=["clerk"])
    yield engine
    engine.close()


REVIEW = """
process: review
roles: {clerk: 办事员}
steps:
  - id: approve
    role: clerk
    timers:
      - {id: remind, after: {working_hours: 4}, interrupting: false}
      - {id: too_late, after: P5D, next: escalate}
  - id: done
    type: end
  - id: escalate
    role: clerk
"""


def fired(engine: Engine, case: str) -> list[str]:
    return [h.element or "" for h in engine.history(case) if h.type == "timer_fired"]


def steps(engine: Engine, case: str) -> list[str]:
    return sorted(t.element for t in engine.tasks(case=case))


def test_armed_timers_are_jobs_that_fire_once_when_due(engine: Engine, clock: Clock) -> None:
    engine.deploy(REVIEW)
    case = engine.start("review", user="wang").id
    jobs = {j["payload"]["element"]: j for j in engine.jobs(case)}
    assert set(jobs) == {"remind", "too_late"}
    # Monday 17:00 in Shanghai + 4 working hours = Tuesday 12:00 (08:30 + 0.5 h + 3.5 h)
    assert jobs["remind"]["due_at"] == datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    worker = JobExecutor(engine, worker="w1")
    assert worker.run_due().claimed == 0
    clock.to("2026-03-03T04:00:00+00:00")
    done = worker.run_due()
    assert (done.claimed, done.fired) == (1, 1)
    assert fired(engine, case) == ["remind"]
    assert worker.run_due().claimed == 0
    clock.advance(days=5)
    assert worker.run_due().fired == 1
    assert steps(engine, case) == ["escalate"]
    assert engine.jobs(case) == []


def test_completing_the_step_removes_its_jobs(engine: Engine, clock: Clock) -> None:
    engine.deploy(REVIEW)
    case = engine.start("review", user="wang").id
    engine.complete(engine.tasks(case=case)[0].id, user="wang")
    assert engine.jobs(case) == []
    clock.advance(days=30)
    assert JobExecutor(engine).run_due().claimed == 0
    assert engine.case(case).status == "completed"


def test_a_job_taken_over_after_its_lease_expired_fires_only_once(engine: Engine,
                                                                   clock: Clock) -> None:
    engine.deploy(REVIEW)
    case = engine.start("review", user="wang").id
    clock.advance(days=6)
    slow = JobExecutor(engine, worker="slow", lease=timedelta(seconds=30))
    held = slow.claim()
    assert len(held) == 2
    other = JobExecutor(engine, worker="other")
    assert other.run_due().claimed == 0  # still leased to "slow"
    clock.advance(seconds=31)
    assert other.run_due().fired == 2
    assert [slow.run_job(job)[0] for job in held] == ["lost", "lost"]
    assert sorted(fired(engine, case)) == ["remind", "too_late"]


def test_failures_are_retried_with_back_off_then_become_an_incident(
        engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    engine.deploy(REVIEW)
    case = engine.start("review", user="wang").id
    clock.advance(days=6)
    import liucheng.runtime.jobs as jobs_module

    real_decide = jobs_module.decide

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(jobs_module, "decide", broken)
    worker = JobExecutor(engine, worker="w", max_attempts=3)
    first = worker.run_due()
    assert (first.retried, first.errors[0]) == (2, "RuntimeError: the disk is full")
    job = engine.jobs(case)[0]
    assert job["attempts"] == 1 and job["due_at"] == clock.now + timedelta(seconds=10)
    assert job["locked_by"] is None and "disk is full" in job["error"]
    assert worker.run_due().claimed == 0  # backing off
    clock.advance(seconds=10)
    assert worker.run_due().retried == 2
    clock.advance(seconds=20)
    assert worker.run_due().failed == 2
    incidents = [i for i in engine.incidents() if i["instance_id"] == case]
    assert sorted(i["element"] for i in incidents) == ["remind", "too_late"]
    assert engine.jobs(case) == []
    assert steps(engine, case) == ["approve"]  # the step is still there to be done
    monkeypatch.setattr(jobs_module, "decide", real_decide)
    late = next(i for i in incidents if i["element"] == "too_late")
    engine.retry(late["id"], user="system")
    assert [j["due_at"] for j in engine.jobs(case)] == [clock.now]
    assert worker.run_due().fired == 1
    assert steps(engine, case) == ["escalate"]


MONTHLY = """
process: pension_run
name: 养老待遇发放
roles: {finance: 财务处}
start: {timer: {day: 27, roll: earlier, at: "09:00"}}
steps:
  - id: transfer_funds
    role: finance
"""


def test_a_timer_start_on_the_27th_rolled_earlier_and_a_new_version_takes_over(
        engine: Engine, clock: Clock) -> None:
    clock.to("2026-09-01T00:00:00+00:00")
    engine.deploy(MONTHLY)
    (job,) = engine.jobs()
    # 27 Sep 2026 is a Sunday, the 26th a Saturday, the 25th Mid-Autumn: Thursday 24th
    assert job["due_at"] == datetime(2026, 9, 24, 1, 0, tzinfo=UTC)
    worker = JobExecutor(engine)
    clock.to("2026-09-24T01:00:00+00:00")
    assert worker.run_due().fired == 1
    (case,) = engine.cases("pension_run")
    assert case["definition_id"] == "pension_run:1"
    assert case["business_key"] == "2026-09-24 09:00"  # when it was due, Beijing time
    assert case["title"] == "养老待遇发放 2026-09-24 09:00"
    (job,) = engine.jobs()
    assert job["due_at"] == datetime(2026, 10, 27, 1, 0, tzinfo=UTC)
    engine.deploy(MONTHLY.replace("transfer_funds", "transfer_to_banks"))
    (job,) = engine.jobs()
    assert job["payload"]["definition_id"] == "pension_run:2"
    assert job["due_at"] == datetime(2026, 10, 27, 1, 0, tzinfo=UTC)
    # the worker was down until 27 Feb 2027: it catches up, one case per month — Oct 27,
    # Nov 27, Sun 27 Dec → Fri 25 Dec, Jan 27, Sat 27 Feb → Fri 26 Feb
    clock.to("2027-02-27T00:00:00+00:00")
    done = worker.run_until_idle()
    assert done.fired == 5
    versions = [c["definition_id"] for c in engine.cases("pension_run", limit=10)]
    assert versions.count("pension_run:2") == 5 and versions.count("pension_run:1") == 1
    keys = sorted(c["business_key"] for c in engine.cases("pension_run", limit=10))
    assert keys == ["2026-09-24 09:00", "2026-10-27 09:00", "2026-11-27 09:00",
                    "2026-12-25 09:00", "2027-01-27 09:00", "2027-02-26 09:00"]
    assert engine.jobs()[0]["due_at"] == datetime(2027, 3, 26, 1, 0, tzinfo=UTC)  # Sat 27th


MESSAGES = """
process: payment
roles: {cashier: 出纳}
steps:
  - {id: wait_payment, type: receive, message: payment_received, key: contract_no}
  - {id: book, role: cashier}
"""
ON_MESSAGE = """
process: complaint
roles: {clerk: 办事员}
start: {message: complaint_filed}
steps:
  - {id: handle, role: clerk}
"""


def test_messages_find_their_case_by_key_or_start_one(engine: Engine) -> None:
    engine.deploy(MESSAGES)
    engine.deploy(ON_MESSAGE)
    first = engine.start("payment", {"contract_no": "HT-1"}, user="wang").id
    second = engine.start("payment", {"contract_no": "HT-2"}, user="wang").id
    view = engine.correlate("payment_received", "HT-2", {"amount": 900})
    assert view.id == second
    assert steps(engine, second) == ["book"] and steps(engine, first) == []
    assert engine.state(second)["variables"]["amount"] == 900
    with pytest.raises(NotFoundError):
        engine.correlate("payment_received", "HT-2")
    started = engine.correlate("complaint_filed", "TS-9", {"text": "噪音"})
    assert started.process == "complaint" and steps(engine, started.id) == ["handle"]


SIGNAL = """
process: closing
roles: {clerk: 办事员}
steps:
  - {id: wait_close, type: signal, signal: month_closed}
  - {id: archive, role: clerk}
"""


def test_a_signal_reaches_every_waiting_case(engine: Engine) -> None:
    engine.deploy(SIGNAL)
    cases = [engine.start("closing", user="wang").id for _ in range(3)]
    assert sorted(engine.signal("month_closed")) == sorted(cases)
    assert all(steps(engine, c) == ["archive"] for c in cases)
    assert engine.signal("month_closed") == []


V2 = """
process: review
roles: {clerk: 办事员}
steps:
  - id: check
    role: clerk
    timers: [{id: nudge, after: PT2H, interrupting: false}]
  - id: done
    type: end
"""


def test_migrating_a_case_moves_its_task_and_rearms_its_timers(engine: Engine) -> None:
    engine.deploy(REVIEW)
    case = engine.start("review", user="wang").id
    old_jobs = {j["id"] for j in engine.jobs(case)}
    engine.deploy(V2)
    with pytest.raises(ValidationError):
        engine.migrate(case, 2, user="system")
    assert {j["id"] for j in engine.jobs(case)} == old_jobs  # refused: nothing changed
    view = engine.migrate(case, 2, {"approve": "check"}, user="system")
    assert view.definition == "review:2"
    assert steps(engine, case) == ["check"]
    assert [j["payload"]["element"] for j in engine.jobs(case)] == ["nudge"]
    engine.complete(engine.tasks(case=case)[0].id, user="wang")
    assert engine.case(case).status == "completed" and engine.jobs(case) == []


def test_the_worker_command_runs_due_jobs_once(database_url: str) -> None:
    engine = Engine(database_url)  # the real clock: a timer in the past is due now
    engine.deploy("process: overdue\nsteps:\n  - {id: w, type: timer, date: '2020-01-01'}\n")
    case = engine.start("overdue", user="system").id
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["worker", "--once", "--db", database_url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["fired"] == 1
    assert engine.case(case).status == "completed"
    listed = CliRunner().invoke(app, ["jobs", "--db", database_url, "--json"])
    assert json.loads(listed.output) == []
    engine.close()


def test_message_signal_and_migrate_commands(database_url: str) -> None:
    engine = Engine(database_url)
    engine.deploy(MESSAGES)
    engine.deploy(SIGNAL)
    paying = engine.start("payment", {"contract_no": "HT-7"}, user="system").id
    closing = engine.start("closing", user="system").id
    app = typer.Typer()
    register(app)
    run = CliRunner()
    done = run.invoke(app, ["correlate", "payment_received", "--key", "HT-7", "--var",
                            "amount=120", "--db", database_url, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["id"] == paying
    assert engine.state(paying)["variables"]["amount"] == 120
    sent = run.invoke(app, ["signal", "month_closed", "--db", database_url, "--json"])
    assert json.loads(sent.output) == {"signal": "month_closed", "cases": [closing]}
    engine.deploy(SIGNAL.replace("archive", "file_away"))
    moved = run.invoke(app, ["migrate", closing, "--to", "2", "--map", "archive=file_away",
                             "--user", "system", "--db", database_url, "--json"])
    assert moved.exit_code == 0, moved.output
    assert [t.element for t in engine.tasks(case=closing)] == ["file_away"]
    engine.close()


def test_an_administrator_can_fire_a_timer_now(engine: Engine) -> None:
    engine.deploy(REVIEW)
    case = engine.start("review", user="wang").id
    late = next(j for j in engine.jobs(case) if j["payload"]["element"] == "too_late")
    engine.fire_timer(late["id"])
    assert steps(engine, case) == ["escalate"] and engine.jobs(case) == []
    with pytest.raises(NotFoundError):
        engine.fire_timer(late["id"])


def test_the_same_message_sent_four_times_at_once_is_delivered_once(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine.deploy(MESSAGES)
    case = engine.start("payment", {"contract_no": "HT-1"}, user="wang").id

    def send(_: int) -> str:
        try:
            return engine.correlate("payment_received", "HT-1").id
        except NotFoundError:
            return "refused"

    with ThreadPoolExecutor(4) as pool:
        results = sorted(pool.map(send, range(4)))
    assert results == [case, "refused", "refused", "refused"]
    assert [h.type for h in engine.history(case)].count("message_correlated") == 1
