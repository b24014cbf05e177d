"""Call activities in the pure core: the request, the called case's id, its end."""

from __future__ import annotations

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine.commands import Actor
from liucheng.engine.event_commands import CallStarted, CompleteCall, FireTimer
from liucheng.errors import ModelError

SYSTEM = Actor("system", admin=True)
PARENT = """
process: loan
roles: {officer: 信贷员}
variables:
  amount: {type: money, default: 300000}
steps:
  - id: valuation
    type: call
    process: property_valuation
    in: {value_asked: amount * 2}
    out: {appraised: appraised_value}
    timers: [{id: too_slow, after: P10D, next: manual_valuation}]
  - id: decide
    role: officer
  - id: done
    type: end
  - id: manual_valuation
    role: officer
"""


def call_token(case: Case) -> str:
    (effect,) = [e for e in case.effects if e["type"] == "start_call"]
    assert effect["process"] == "property_valuation"
    return str(effect["token"])


def test_a_call_waits_for_the_called_case_and_takes_its_results() -> None:
    case = Case(PARENT).start()
    token = call_token(case)
    assert case.effects[0]["variables"] == {"value_asked": 600000}
    assert case.state is not None and case.state["tokens"][token]["status"] == "call"
    case.run(CallStarted(SYSTEM, token, "child-1"))
    case.run(CompleteCall(SYSTEM, token, "other-child", "completed", {}))  # not ours: ignored
    assert case.open_steps() == []
    case.run(CompleteCall(SYSTEM, token, "child-1", "completed", {"appraised_value": 650000}))
    assert case.state["variables"]["appraised"] == 650000
    assert case.state["variables"]["valuation"]["case"] == "child-1"
    assert case.open_steps() == ["decide"]
    assert case.state["timers"] == {}


def test_an_interrupted_call_asks_for_the_called_case_to_be_cancelled() -> None:
    case = Case(PARENT).start()
    token = call_token(case)
    case.run(CallStarted(SYSTEM, token, "child-1"))
    assert case.state is not None
    (timer,) = case.state["timers"].values()
    case.run(FireTimer(SYSTEM, timer["id"]))
    assert [e["case"] for e in case.effects if e["type"] == "cancel_call"] == ["child-1"]
    assert case.open_steps() == ["manual_valuation"]
    case.run(CompleteCall(SYSTEM, token, "child-1", "cancelled", {}))  # too late: ignored
    assert case.open_steps() == ["manual_valuation"]


def test_a_cancelled_called_case_is_an_incident_and_retry_calls_again() -> None:
    case = Case(PARENT).start()
    token = call_token(case)
    case.run(CallStarted(SYSTEM, token, "child-1"))
    case.run(CompleteCall(SYSTEM, token, "child-1", "cancelled", {}))
    (incident,) = case.incidents()
    assert "was cancelled" in incident["reason"]
    case.retry()
    assert call_token(case) == token
    case.run(CallStarted(SYSTEM, token, "child-2"))
    case.run(CompleteCall(SYSTEM, token, "child-2", "completed", {"appraised_value": 1}))
    assert case.open_steps() == ["decide"]


def test_cancelling_the_calling_case_cancels_the_called_one() -> None:
    from liucheng.engine import CancelInstance

    case = Case(PARENT).start()
    case.run(CallStarted(SYSTEM, call_token(case), "child-1"))
    case.run(CancelInstance(ADMIN, "withdrawn"))
    assert [e["case"] for e in case.effects if e["type"] == "cancel_call"] == ["child-1"]


@pytest.mark.parametrize("step, message", [
    ("{id: c, type: call}", "names the process"),
    ("{id: c, type: call, process: p, in: [a]}", "must map variable names"),
    ("{id: c, type: call, process: p, out: {x: 'a +'}}", "does not parse"),
])
def test_bad_call_steps(step: str, message: str) -> None:
    with pytest.raises(ModelError) as err:
        Case(f"process: bad\nsteps:\n  - {step}\n")
    assert message in " ".join(p.message for p in err.value.problems)
