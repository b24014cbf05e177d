"""Call activities through the Engine on SQLite and PostgreSQL: the called case starts in
the caller's transaction, reports its end back, and is cancelled with its caller."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor
from testclock import Clock

CALLER = """
process: loan
roles: {officer: 信贷员}
steps:
  - id: valuation
    type: call
    process: property_valuation
    in: {address: address}
    out: {appraised: appraised_value}
    timers: [{id: too_slow, after: P10D, next: manual_valuation}]
  - {id: decide, role: officer}
  - {id: done, type: end}
  - {id: manual_valuation, role: officer}
"""
CALLED = """
process: property_valuation
roles: {appraiser: 评估师}
steps:
  - id: appraise
    role: appraiser
    form: [{id: appraised_value, type: money, required: true}]
"""
INSTANT = """
process: property_valuation
steps:
  - {id: estimate, set: {appraised_value: "1000000"}}
"""


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = Engine(database_url, clock=Clock())
    engine.add_user("zhou", roles=["officer", "appraiser"])
    engine.deploy(CALLER)
    yield engine
    engine.close()


def called(engine: Engine) -> dict:
    (row,) = engine.cases("property_valuation")
    return row


def test_the_called_case_reports_its_results_to_the_caller(engine: Engine) -> None:
    engine.deploy(CALLED)
    loan = engine.start("loan", {"address": "历下区 1 号"}, user="zhou").id
    child = called(engine)
    assert engine.state(child["id"])["variables"]["address"] == "历下区 1 号"
    assert engine.state(child["id"])["variables"]["parent_case"]["id"] == loan
    assert engine.tasks(case=loan) == []
    task = engine.tasks(case=child["id"])[0]
    engine.complete(task.id, {"appraised_value": 880000}, user="zhou")
    assert engine.case(child["id"]).status == "completed"
    assert engine.state(loan)["variables"]["appraised"] == 880000
    assert [t.element for t in engine.tasks(case=loan)] == ["decide"]
    assert engine.jobs(loan) == []  # the call's boundary timer went with it


def test_a_called_case_that_ends_at_once_lets_the_caller_go_on(engine: Engine) -> None:
    engine.deploy(INSTANT)
    loan = engine.start("loan", {"address": "x"}, user="zhou").id
    assert engine.state(loan)["variables"]["appraised"] == 1000000
    assert [t.element for t in engine.tasks(case=loan)] == ["decide"]
    assert called(engine)["status"] == "completed"


def test_an_interrupting_timer_on_the_call_cancels_the_called_case(engine: Engine) -> None:
    engine.deploy(CALLED)
    loan = engine.start("loan", {"address": "x"}, user="zhou").id
    assert isinstance(engine.clock, Clock)
    engine.clock.now += timedelta(days=11)
    assert JobExecutor(engine).run_due().fired == 1
    assert called(engine)["status"] == "cancelled"
    assert [t.element for t in engine.tasks(case=loan)] == ["manual_valuation"]


def test_cancelling_the_caller_cancels_the_called_case(engine: Engine) -> None:
    engine.deploy(CALLED)
    loan = engine.start("loan", {"address": "x"}, user="zhou").id
    engine.cancel(loan, user="zhou", reason="customer withdrew")
    assert called(engine)["status"] == "cancelled"


def test_a_called_case_cancelled_on_its_own_is_an_incident_of_the_caller(engine: Engine) -> None:
    engine.deploy(CALLED)
    loan = engine.start("loan", {"address": "x"}, user="zhou").id
    engine.cancel(called(engine)["id"], user="zhou")
    (incident,) = [i for i in engine.incidents() if i["instance_id"] == loan]
    assert "was cancelled" in incident["reason"]
    engine.retry(incident["id"], user="zhou")
    assert [c["status"] for c in engine.cases("property_valuation")].count("active") == 1
