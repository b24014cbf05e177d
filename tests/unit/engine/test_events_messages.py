"""Messages (catch, receive task, boundary), signals, error ends caught by error
boundaries of enclosing sub-processes, and the event gateway (first event wins)."""

from __future__ import annotations

from datetime import datetime

import pytest
from engine_harness import Case

from liucheng.engine.commands import Actor
from liucheng.engine.event_commands import BroadcastSignal, CorrelateMessage, FireTimer
from liucheng.errors import ModelError, NotFoundError

SYSTEM = Actor("system", admin=True)


def subscriptions(case: Case) -> list[dict]:
    assert case.state is not None
    return list(case.state.get("subscriptions", {}).values())


def correlate(case: Case, message: str, key: object = None, **variables: object) -> None:
    case.run(CorrelateMessage(SYSTEM, message, key, variables))


ORDER = """
process: order
roles: {sales: 销售}
steps:
  - id: send_quote
    role: sales
  - id: wait_reply
    type: first_of
    events:
      - {id: accepted, type: message, message: quote_accepted, key: quote_no}
      - {id: no_reply, type: timer, wait: P7D, next: chase}
  - id: deliver
    role: sales
  - id: done
    type: end
  - id: chase
    role: sales
"""


def test_the_first_event_of_an_event_gateway_wins_and_the_others_are_dropped() -> None:
    case = Case(ORDER).start(quote_no="Q-17").complete("send_quote")
    assert [s["name"] for s in subscriptions(case)] == ["quote_accepted"]
    assert subscriptions(case)[0]["key"] == "Q-17"
    assert case.state is not None and len(case.state["timers"]) == 1
    with pytest.raises(NotFoundError):
        correlate(case, "quote_accepted", "Q-18")
    correlate(case, "quote_accepted", "Q-17", accepted_by="buyer")
    assert case.open_steps() == ["deliver"]
    assert subscriptions(case) == [] and case.state["timers"] == {}
    assert case.state["variables"]["accepted_by"] == "buyer"


def test_when_the_timer_comes_first_the_message_is_no_longer_awaited() -> None:
    case = Case(ORDER).start(quote_no="Q-17").complete("send_quote")
    assert case.state is not None
    (timer,) = case.state["timers"].values()
    case.now = datetime.fromisoformat(timer["due_at"])
    case.run(FireTimer(SYSTEM, timer["id"]))
    assert case.open_steps() == ["chase"]
    assert subscriptions(case) == []
    with pytest.raises(NotFoundError):
        correlate(case, "quote_accepted", "Q-17")


RECEIVE = """
process: payment
roles: {cashier: 出纳}
steps:
  - id: wait_payment
    type: receive
    message: payment_received
    key: contract_no
    messages: [{id: withdrawn, message: application_withdrawn, key: contract_no, next: stop}]
  - id: book
    role: cashier
  - id: done
    type: end
  - id: stop
    type: end
"""


def test_a_receive_task_continues_on_its_message_with_the_data() -> None:
    case = Case(RECEIVE).start(contract_no="HT-1")
    assert sorted(s["name"] for s in subscriptions(case)) == [
        "application_withdrawn", "payment_received"]
    correlate(case, "payment_received", "HT-1", amount=1200)
    assert case.open_steps() == ["book"]
    assert case.state is not None and case.state["variables"]["amount"] == 1200
    assert subscriptions(case) == []


def test_a_message_boundary_interrupts_the_receive_task() -> None:
    case = Case(RECEIVE).start(contract_no="HT-1")
    correlate(case, "application_withdrawn", "HT-1")
    assert case.status == "completed"
    assert sorted(e["element"] for e in case.events if e["type"] == "subscription_closed") == [
        "wait_payment", "withdrawn"]


SIGNALS = """
process: closing
roles: {clerk: 办事员}
steps:
  - id: prepare
    role: clerk
    signals: [{id: month_closed, signal: month_end_closed, interrupting: false, next: note}]
  - id: wait_close
    type: signal
    signal: month_end_closed
  - id: archive
    role: clerk
  - id: done
    type: end
  - id: note
    role: clerk
    next: note_end
  - id: note_end
    type: end
"""


def test_a_signal_reaches_every_element_waiting_for_it() -> None:
    case = Case(SIGNALS).start()
    case.run(BroadcastSignal(SYSTEM, "month_end_closed"))
    assert case.open_steps() == ["note", "prepare"]  # non-interrupting: prepare stays
    assert [s["element"] for s in subscriptions(case)] == ["month_closed"]
    case.complete("prepare")
    assert subscriptions(case) == [{"id": subscriptions(case)[0]["id"], "element": "wait_close",
                                    "token": subscriptions(case)[0]["token"], "kind": "signal",
                                    "name": "month_end_closed", "key": None}]
    case.run(BroadcastSignal(SYSTEM, "month_end_closed", {"closed_by": "finance"}))
    assert case.open_steps() == ["archive", "note"]
    case.run(BroadcastSignal(SYSTEM, "nobody_waits"))  # a signal nobody waits for: nothing
    case.complete("archive").complete("note")
    assert case.status == "completed"


ERRORS = """
process: loan
roles: {officer: 信贷员}
steps:
  - id: outer
    type: subprocess
    errors: [{id: any_error, next: manual}]
    steps:
      - id: checks
        type: subprocess
        errors: [{id: not_insured, error: NO_INSURANCE, next: insure}]
        steps:
          - id: verify
            role: officer
            outcomes: [ok, uninsured, fraud]
          - id: route
            type: exclusive
            routes:
              - {to: raise_insurance, when: verify.outcome == "uninsured"}
              - {to: raise_fraud, when: verify.outcome == "fraud"}
              - {to: checked, default: true}
          - {id: raise_insurance, type: end, error: NO_INSURANCE}
          - {id: raise_fraud, type: end, error: FRAUD}
          - {id: checked, type: end}
      - id: insure_done
        type: end
      - id: insure
        role: officer
  - id: sign
    role: officer
  - id: finish
    type: end
  - id: manual
    role: officer
"""


def test_an_error_is_caught_by_the_nearest_boundary_with_its_code() -> None:
    case = Case(ERRORS).start()
    case.complete("verify", outcome="uninsured")
    assert case.open_steps() == ["insure"]
    assert [e["error"] for e in case.events if e["type"] == "error_thrown"] == ["NO_INSURANCE"]
    case.complete("insure")
    assert case.open_steps() == ["sign"]


def test_an_error_without_a_matching_inner_boundary_propagates_outwards() -> None:
    case = Case(ERRORS).start()
    case.complete("verify", outcome="fraud")
    assert case.open_steps() == ["manual"]
    assert case.state is not None and len(case.state["scopes"]) == 1
    case.complete("manual")
    assert case.status == "completed"


def test_an_uncaught_error_is_an_incident() -> None:
    source = """
process: e
steps:
  - {id: fail, type: end, error: BROKEN}
"""
    case = Case(source).start()
    (incident,) = case.incidents()
    assert "nothing catches it" in incident["reason"]


@pytest.mark.parametrize("source, message", [
    ("  - {id: w, type: message}\n", "names the message"),
    ("  - {id: g, type: first_of, events: [{id: x, type: timer, wait: P1D}]}\n",
     "at least two"),
    ("  - {id: w, type: message, message: m, key: 'a +'}\n", "does not parse"),
])
def test_bad_event_steps_are_reported(source: str, message: str) -> None:
    with pytest.raises(ModelError) as err:
        Case("process: bad\nsteps:\n" + source)
    assert message in " ".join(p.message for p in err.value.problems)
