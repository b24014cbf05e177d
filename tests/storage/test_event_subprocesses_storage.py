"""Event sub-processes through the Engine on SQLite and PostgreSQL: their timer starts
are jobs fired by the job executor (moved clock, no waiting), their message starts are
found by correlation, and nothing is left armed when the case ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from liucheng.errors import NotFoundError
from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor


class Clock:
    def __init__(self, at: datetime) -> None:
        self.now = at

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))


@pytest.fixture
def engine(database_url: str, clock: Clock) -> Iterator[Engine]:
    engine = Engine(database_url, clock=clock)
    engine.add_user("wang", roles=["clerk"])
    yield engine
    engine.close()


CLAIM = """
process: claim
roles: {clerk: 办事员}
steps:
  - {id: assess, role: clerk}
on_event:
  - id: too_slow
    timer: {after: P5D}
    steps:
      - {id: supervisor_review, role: clerk}
  - id: chase
    timer: {cycle: R2/PT1H}
    interrupting: false
    steps:
      - {id: phone_customer, role: clerk}
  - id: called
    message: customer_called
    key: claim_no
    interrupting: false
    steps:
      - {id: call_back, role: clerk}
"""


def steps(engine: Engine, case: str) -> list[str]:
    return sorted(t.element for t in engine.tasks(case=case))


def job_elements(engine: Engine, case: str) -> list[str]:
    return sorted(j["payload"]["element"] for j in engine.jobs(case))


def test_timer_starts_fire_as_jobs_and_an_interrupting_one_ends_the_rest(
        engine: Engine, clock: Clock) -> None:
    engine.deploy(CLAIM)
    case = engine.start("claim", {"claim_no": "LP-7"}, user="wang").id
    assert job_elements(engine, case) == ["chase_start", "too_slow_start"]
    worker = JobExecutor(engine, worker="w1")
    assert worker.run_due().claimed == 0
    clock.now += timedelta(hours=1)
    assert worker.run_due().fired == 1
    assert steps(engine, case) == ["assess", "phone_customer"]
    assert job_elements(engine, case) == ["chase_start", "too_slow_start"]  # re-armed
    engine.correlate("customer_called", "LP-7")
    engine.correlate("customer_called", "LP-7")
    assert steps(engine, case) == ["assess", "call_back", "call_back", "phone_customer"]
    clock.now += timedelta(days=5)
    assert worker.run_until_idle().fired == 2  # the chase's last, then the deadline
    assert steps(engine, case) == ["supervisor_review"]
    assert engine.jobs(case) == []
    with pytest.raises(NotFoundError):
        engine.correlate("customer_called", "LP-7")  # its subscription went too
    engine.complete(engine.tasks(case=case)[0].id, user="wang")
    assert engine.case(case).status == "completed"


def test_a_case_that_ends_leaves_no_job_or_subscription(engine: Engine,
                                                        clock: Clock) -> None:
    engine.deploy(CLAIM)
    case = engine.start("claim", {"claim_no": "LP-8"}, user="wang").id
    engine.correlate("customer_called", "LP-8")
    for element in ("assess", "call_back"):
        task = next(t for t in engine.tasks(case=case) if t.element == element)
        engine.complete(task.id, user="wang")
    assert engine.case(case).status == "completed"
    assert engine.jobs(case) == []
    with pytest.raises(NotFoundError):
        engine.correlate("customer_called", "LP-8")
    clock.now += timedelta(days=30)
    assert JobExecutor(engine).run_due().claimed == 0
