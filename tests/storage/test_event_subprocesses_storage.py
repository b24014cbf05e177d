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
from testclock import Clock


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


CALLER = """
process: purchase
roles: {clerk: 办事员}
steps:
  - id: sourcing
    type: call
    process: sourcing
    escalations: [{id: over_budget, escalation: OVER_BUDGET, interrupting: false,
                   next: approve_budget}]
    errors: [{id: no_supplier, error: NO_SUPPLIER, next: manual}]
  - {id: receive, role: clerk}
  - {id: done, type: end}
  - {id: approve_budget, role: clerk, next: budget_done}
  - {id: budget_done, type: end}
  - {id: manual, role: clerk}
"""
CALLED = """
process: sourcing
roles: {clerk: 办事员}
steps:
  - {id: quote, role: clerk, outcomes: [ok, expensive, none]}
  - id: route
    type: exclusive
    routes:
      - {to: tell, when: quote.outcome == "expensive"}
      - {to: fail, when: quote.outcome == "none"}
      - {to: order, default: true}
  - {id: tell, escalate: OVER_BUDGET}
  - {id: order, role: clerk, next: ordered}
  - {id: ordered, type: end}
  - {id: fail, type: end, error: NO_SUPPLIER}
"""


def child_of(engine: Engine, case: str) -> str:
    (row,) = [c for c in engine.cases("sourcing")
              if engine.state(c["id"])["variables"]["parent_case"]["id"] == case]
    return str(row["id"])


def complete(engine: Engine, case: str, element: str, **data: object) -> None:
    task = next(t for t in engine.tasks(case=case) if t.element == element)
    engine.complete(task.id, dict(data), user="wang")


def test_an_escalation_of_a_called_case_reaches_the_call_step_s_boundary(
        engine: Engine) -> None:
    engine.deploy(CALLED)
    engine.deploy(CALLER)
    case = engine.start("purchase", user="wang").id
    child = child_of(engine, case)
    engine.complete(engine.tasks(case=child)[0].id, user="wang", outcome="expensive")
    assert steps(engine, case) == ["approve_budget"]  # non-interrupting: the call goes on
    assert steps(engine, child) == ["order"]
    thrown = [h for h in engine.history(case) if h.type == "escalation_thrown"]
    assert [h.element for h in thrown] == ["sourcing"]
    complete(engine, child, "order")
    assert steps(engine, case) == ["approve_budget", "receive"]


def test_an_error_of_a_called_case_interrupts_the_call_and_cancels_that_case(
        engine: Engine) -> None:
    engine.deploy(CALLED)
    engine.deploy(CALLER)
    case = engine.start("purchase", user="wang").id
    child = child_of(engine, case)
    engine.complete(engine.tasks(case=child)[0].id, user="wang", outcome="none")
    assert steps(engine, case) == ["manual"]
    assert engine.case(child).status == "cancelled"


def test_a_called_case_that_escalates_as_it_starts_reaches_the_caller_at_once(
        engine: Engine) -> None:
    engine.deploy(CALLER)
    engine.deploy("""
process: sourcing
roles: {clerk: 办事员}
steps:
  - {id: tell, escalate: OVER_BUDGET}
  - {id: order, role: clerk}
""")
    case = engine.start("purchase", user="wang").id
    assert steps(engine, case) == ["approve_budget"]
    assert steps(engine, child_of(engine, case)) == ["order"]
