"""Event sub-processes (`on_event:`): armed with their scope, interrupting or alongside,
started by a timer, message, signal, error or escalation; each step runs through the
harness (save → restore → continue, replay == state, no zombie tokens)."""

from __future__ import annotations

from datetime import datetime

import pytest
from engine_harness import Case

from liucheng.engine import CancelInstance
from liucheng.engine.commands import Actor
from liucheng.engine.event_commands import BroadcastSignal, CorrelateMessage, FireTimer
from liucheng.errors import ModelError, NotFoundError

SYSTEM = Actor("system", admin=True)


def correlate(case: Case, message: str, key: object = None, **variables: object) -> None:
    case.run(CorrelateMessage(SYSTEM, message, key, variables))


def armed(case: Case) -> list[str]:
    """Elements with an armed timer or an open subscription."""
    assert case.state is not None
    return sorted([t["element"] for t in case.state.get("timers", {}).values()]
                  + [s["element"] for s in case.state.get("subscriptions", {}).values()])


def fire_next(case: Case) -> None:
    assert case.state is not None
    timer = min(case.state["timers"].values(), key=lambda t: t["due_at"])
    case.now = datetime.fromisoformat(timer["due_at"])
    case.run(FireTimer(SYSTEM, timer["id"]))


ORDER = """
process: order
roles: {sales: 销售}
steps:
  - {id: pack, role: sales}
  - {id: ship, role: sales}
on_event:
  - id: cancelled
    message: order_cancelled
    key: order_no
    steps:
      - {id: refund, role: sales}
  - id: customer_called
    message: customer_called
    key: order_no
    interrupting: false
    steps:
      - {id: call_back, role: sales}
"""


def test_an_interrupting_message_ends_the_case_s_other_steps_then_runs() -> None:
    case = Case(ORDER).start(order_no="SO-1")
    assert armed(case) == ["cancelled_start", "customer_called_start"]
    with pytest.raises(NotFoundError):
        correlate(case, "order_cancelled", "SO-2")
    correlate(case, "order_cancelled", "SO-1", reason="customer")
    assert case.open_steps() == ["refund"]
    assert [e["element"] for e in case.events if e["type"] == "task_cancelled"] == ["pack"]
    assert armed(case) == []  # the scope's other triggers went with the interruption
    case.complete("refund")
    assert case.status == "completed" and case.visited("ship") == 0


def test_a_non_interrupting_message_starts_it_each_time_and_the_case_waits_for_them() -> None:
    case = Case(ORDER).start(order_no="SO-1")
    correlate(case, "customer_called", "SO-1")
    correlate(case, "customer_called", "SO-1")
    assert case.open_steps() == ["call_back", "call_back", "pack"]
    case.complete("pack").complete("ship")
    assert case.status == "active"  # two call-backs still run
    case.complete("call_back")
    assert case.status == "active"
    case.complete("call_back")
    assert case.status == "completed"
    assert case.state is not None and case.state.get("subscriptions") == {}
    closed = [e["element"] for e in case.events if e["type"] == "subscription_closed"]
    assert sorted(closed) == ["cancelled_start", "customer_called_start"]


def test_cancelling_the_case_disarms_its_event_sub_processes() -> None:
    case = Case(ORDER).start(order_no="SO-1")
    case.run(CancelInstance(SYSTEM, "test"))
    assert case.status == "cancelled"
    assert case.state is not None and case.state["subscriptions"] == {}


TIMERS = """
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
"""


def test_a_timer_cycle_starts_a_non_interrupting_one_each_time_it_fires() -> None:
    case = Case(TIMERS).start()
    assert armed(case) == ["chase_start", "too_slow_start"]
    fire_next(case)
    fire_next(case)
    assert case.open_steps() == ["assess", "phone_customer", "phone_customer"]
    assert armed(case) == ["too_slow_start"]  # R2: used up
    case.complete("assess")
    assert case.state is not None and case.state["timers"] != {}  # still armed: 2 run
    case.complete("phone_customer").complete("phone_customer")
    assert case.status == "completed"
    assert case.state["timers"] == {}
    assert [e["element"] for e in case.events if e["type"] == "timer_cancelled"] == [
        "too_slow_start"]


def test_an_interrupting_timer_cancels_the_open_step_and_its_running_siblings() -> None:
    case = Case(TIMERS).start()
    fire_next(case)  # the hourly chase starts alongside
    assert case.open_steps() == ["assess", "phone_customer"]
    assert case.state is not None
    (slow,) = [t for t in case.state["timers"].values() if t["element"] == "too_slow_start"]
    case.now = datetime.fromisoformat(slow["due_at"])
    case.run(FireTimer(SYSTEM, slow["id"]))
    assert case.open_steps() == ["supervisor_review"]
    assert armed(case) == []
    case.complete("supervisor_review")
    assert case.status == "completed"


def test_a_fired_timer_that_was_disarmed_does_nothing() -> None:
    case = Case(TIMERS).start()
    assert case.state is not None
    timer_ids = list(case.state["timers"])
    case.complete("assess")
    assert case.status == "completed"
    for timer in timer_ids:
        case.run(FireTimer(SYSTEM, timer))
    assert case.status == "completed"


NESTED = """
process: nested
roles: {clerk: 办事员}
steps:
  - {id: prepare, role: clerk}
  - id: review
    type: subprocess
    steps:
      - {id: check, role: clerk}
      - {id: approve, role: clerk}
    on_event:
      - id: hold
        signal: audit_started
        steps:
          - {id: answer_audit, role: clerk}
      - id: note
        signal: memo
        interrupting: false
        steps:
          - {id: read_memo, role: clerk}
  - {id: archive, role: clerk}
"""


def test_event_sub_processes_of_a_sub_process_are_armed_only_while_it_runs() -> None:
    case = Case(NESTED).start()
    assert armed(case) == []
    case.run(BroadcastSignal(SYSTEM, "audit_started"))  # nobody waits yet
    assert case.open_steps() == ["prepare"]
    case.complete("prepare")
    assert armed(case) == ["hold_start", "note_start"]
    case.run(BroadcastSignal(SYSTEM, "audit_started"))
    assert case.open_steps() == ["answer_audit"]
    case.complete("answer_audit")  # the interrupted sub-process ends; the case goes on
    assert case.open_steps() == ["archive"]
    assert armed(case) == [] and case.visited("approve") == 0
    case.complete("archive")
    assert case.status == "completed"


def test_a_sub_process_ends_only_when_its_non_interrupting_ones_have_ended() -> None:
    case = Case(NESTED).start().complete("prepare")
    case.run(BroadcastSignal(SYSTEM, "memo"))
    case.complete("check").complete("approve")
    assert case.open_steps() == ["read_memo"]
    assert armed(case) == ["hold_start", "note_start"]  # the sub-process still runs
    case.complete("read_memo")
    assert case.open_steps() == ["archive"]
    assert armed(case) == []


ERRORS = """
process: loan
roles: {officer: 信贷员}
steps:
  - id: checks
    type: subprocess
    errors: [{id: caught_outside, error: NO_INSURANCE, next: outside}]
    steps:
      - {id: verify, role: officer, outcomes: [ok, uninsured, fraud]}
      - id: route
        type: exclusive
        routes:
          - {to: raise_insurance, when: verify.outcome == "uninsured"}
          - {to: raise_fraud, when: verify.outcome == "fraud"}
          - {to: checked, default: true}
      - {id: raise_insurance, type: end, error: NO_INSURANCE}
      - {id: raise_fraud, type: end, error: FRAUD}
      - {id: checked, type: end}
    on_event:
      - id: insurance
        error: NO_INSURANCE
        steps:
          - {id: insure, role: officer}
  - {id: sign, role: officer}
  - {id: done, type: end}
  - {id: outside, role: officer}
on_event:
  - id: any_error
    error:
    steps:
      - {id: manual, role: officer}
"""


def test_an_error_event_sub_process_inside_catches_before_the_boundary_outside() -> None:
    case = Case(ERRORS).start()
    case.complete("verify", outcome="uninsured")
    assert case.open_steps() == ["insure"]
    case.complete("insure")
    assert case.open_steps() == ["sign"]  # the sub-process ended; the boundary never fired
    assert case.visited("caught_outside") == 0


def test_an_error_nobody_inside_catches_reaches_the_process_s_event_sub_process() -> None:
    case = Case(ERRORS).start()
    case.complete("verify", outcome="fraud")
    assert case.open_steps() == ["manual"]
    assert case.state is not None and len(case.state["scopes"]) == 2  # root + any_error's
    case.complete("manual")
    assert case.status == "completed" and case.visited("sign") == 0


ESCALATIONS = """
process: procurement
roles: {buyer: 采购员, manager: 经理}
steps:
  - id: sourcing
    type: subprocess
    escalations:
      - {id: over_budget, escalation: OVER_BUDGET, interrupting: false, next: approve_budget}
      - {id: no_supplier, escalation: NO_SUPPLIER, next: manual_sourcing}
    steps:
      - {id: quote, role: buyer, outcomes: [ok, expensive, none, odd]}
      - id: route
        type: exclusive
        routes:
          - {to: tell_budget, when: quote.outcome == "expensive"}
          - {to: give_up, when: quote.outcome == "none"}
          - {to: odd_quote, when: quote.outcome == "odd"}
          - {to: order, default: true}
      - {id: tell_budget, escalate: OVER_BUDGET, next: order}
      - {id: give_up, type: end, escalate: NO_SUPPLIER}
      - {id: odd_quote, escalate: ODD, next: order}
      - {id: order, role: buyer}
    on_event:
      - id: noted
        escalation: ODD
        interrupting: false
        steps:
          - {id: note_odd, role: manager}
  - {id: receive, role: buyer}
  - {id: received, type: end}
  - {id: approve_budget, role: manager, next: budget_done}
  - {id: budget_done, type: end}
  - {id: manual_sourcing, role: manager}
"""


def thrown(case: Case) -> list[tuple[str, str | None]]:
    return [(e["escalation"], e["caught_by"]) for e in case.events
            if e["type"] == "escalation_thrown"]


def test_a_non_interrupting_escalation_boundary_starts_a_path_and_the_thrower_goes_on() -> None:
    case = Case(ESCALATIONS).start()
    case.complete("quote", outcome="expensive")
    assert case.open_steps() == ["approve_budget", "order"]
    assert thrown(case) == [("OVER_BUDGET", "over_budget")]
    case.complete("order").complete("approve_budget").complete("receive")
    assert case.status == "completed"


def test_an_escalation_end_caught_by_an_interrupting_boundary_ends_the_sub_process() -> None:
    case = Case(ESCALATIONS).start()
    case.complete("quote", outcome="none")
    assert case.open_steps() == ["manual_sourcing"]
    assert thrown(case) == [("NO_SUPPLIER", "no_supplier")]
    case.complete("manual_sourcing")
    assert case.status == "completed" and case.visited("receive") == 0


def test_an_escalation_event_sub_process_catches_it_inside_its_scope() -> None:
    case = Case(ESCALATIONS).start()
    case.complete("quote", outcome="odd")
    assert case.open_steps() == ["note_odd", "order"]
    assert thrown(case) == [("ODD", "noted_start")]
    case.complete("order")
    assert case.open_steps() == ["note_odd"]  # the sub-process waits for it
    case.complete("note_odd").complete("receive")
    assert case.status == "completed"


def test_an_uncaught_escalation_is_recorded_and_the_flow_goes_on() -> None:
    source = """
process: uncaught
roles: {clerk: 办事员}
steps:
  - {id: work, role: clerk}
  - {id: tell, escalate: LATE}
  - {id: more, role: clerk}
  - {id: stop, type: end, escalate: DONE_LATE}
"""
    case = Case(source).start().complete("work")
    assert case.open_steps() == ["more"]
    case.complete("more")
    assert case.status == "completed"
    assert thrown(case) == [("LATE", None), ("DONE_LATE", None)]
    assert case.incidents() == []


def bad(source: str) -> list[tuple[str, str | None, int | None]]:
    with pytest.raises(ModelError) as err:
        Case(source)
    return [(p.message, p.element, p.line) for p in err.value.problems]


def test_an_event_sub_process_with_an_incoming_flow_is_refused() -> None:
    problems = bad("""
process: bad
roles: {clerk: 办事员}
steps:
  - {id: work, role: clerk, next: [side, done]}
  - {id: done, type: end}
on_event:
  - id: side
    signal: s
    steps: [{id: x, role: clerk}]
""")
    assert [(e, line) for m, e, line in problems if "incoming" in m] == [("side", 8)]
    assert "cannot have incoming flows" in problems[0][0]


def test_an_error_start_that_does_not_interrupt_is_refused_with_its_line() -> None:
    problems = bad("""
process: bad
roles: {clerk: 办事员}
steps:
  - {id: work, role: clerk}
on_event:
  - id: oops
    error: BROKEN
    interrupting: false
    steps: [{id: x, role: clerk}]
""")
    assert problems == [("the error start of event sub-process 'oops' always interrupts",
                         "oops_start", 7)]


@pytest.mark.parametrize("item, message", [
    ("{id: e, steps: [{id: x, role: clerk}]}", "exactly one trigger"),
    ("{id: e, signal: s, message: m, steps: [{id: x, role: clerk}]}", "exactly one trigger"),
    ("{id: e, signal: s, key: k, steps: [{id: x, role: clerk}]}", "'key' goes with a message"),
    ("{id: e, message: m, key: 'a +', steps: [{id: x, role: clerk}]}", "does not parse"),
    ("{id: e, timer: {after: soon}, steps: [{id: x, role: clerk}]}", "timer"),
    ("{id: e, signal: s}", "non-empty list of steps"),
])
def test_bad_event_sub_processes_are_reported(item: str, message: str) -> None:
    problems = bad("process: bad\nroles: {clerk: c}\nsteps:\n  - {id: w, role: clerk}\n"
                   f"on_event:\n  - {item}\n")
    assert any(message in m for m, _, _ in problems), problems
    assert all(line == 6 for m, _, line in problems if message in m)


def test_an_event_sub_process_without_a_triggered_start_is_refused() -> None:
    from liucheng.model import EndEvent, EventSubProcess, SequenceFlow, StartEvent, validate

    case = Case(ORDER)
    esp = EventSubProcess(id="side", line=30, elements=(
        StartEvent(id="side_start"), EndEvent(id="side_end")),
        flows=(SequenceFlow("f", "side_start", "side_end"),))
    definition = type(case.definition)(key="k", name=case.definition.name,
                                       elements=(*case.definition.elements, esp),
                                       flows=case.definition.flows,
                                       roles=case.definition.roles)
    problems = [(p.message, p.element, p.line) for p in validate(definition)]
    assert problems == [("the event sub-process 'side' has no start event with a trigger "
                         "(timer, message, signal, error or escalation)", "side", 30)]


def test_escalation_boundaries_and_throws_are_checked() -> None:
    problems = bad("""
process: bad
roles: {clerk: 办事员}
steps:
  - id: sub
    type: subprocess
    escalations: [{id: quiet, escalation: Y, interrupting: false}]
    steps: [{id: inner, role: clerk}]
""")
    assert problems == [("a non-interrupting escalation boundary event needs a next step",
                         "quiet", 7)]
    problems = bad("""
process: bad
roles: {clerk: 办事员}
steps:
  - id: work
    role: clerk
    escalations: [{id: esc, escalation: X, next: done}]
  - {id: done, type: end}
""")
    assert [m for m, _, _ in problems] == ["unknown key 'escalations' for a user step"]


def test_a_timer_start_that_cannot_be_scheduled_is_an_incident_and_retry_arms_it() -> None:
    source = """
process: deadline
roles: {clerk: 办事员}
steps:
  - {id: work, role: clerk}
on_event:
  - id: late
    timer: {until: deadline}
    steps: [{id: hurry, role: clerk}]
"""
    case = Case(source).start()
    (incident,) = case.incidents()
    assert incident["element"] == "late_start" and "could not be scheduled" in incident["reason"]
    assert case.open_steps() == ["work"]
    case.set(deadline="2026-03-09T09:00:00+08:00").retry()
    assert case.incidents() == [] and armed(case) == ["late_start"]
    fire_next(case)
    assert case.open_steps() == ["hurry"]


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
on_event:
  - {id: any_escalation, escalation: ~, interrupting: false, steps: [{id: log, role: clerk}]}
"""


def test_what_a_called_case_does_not_catch_goes_to_its_caller() -> None:
    from liucheng.engine.event_commands import CallStarted, CatchFromCall

    child = Case("""
process: sourcing
roles: {clerk: 办事员}
steps:
  - {id: tell, escalate: OVER_BUDGET}
  - {id: fail, type: end, error: NO_SUPPLIER}
""").start(parent_case={"id": "P1", "token": "t9", "element": "sourcing"})
    assert [(e["type"], e["kind"], e["code"], e["case"], e["token"]) for e in child.effects
            if e["type"] == "throw_to_caller"] == [
        ("throw_to_caller", "escalation", "OVER_BUDGET", "P1", "t9"),
        ("throw_to_caller", "error", "NO_SUPPLIER", "P1", "t9")]
    assert len(child.incidents()) == 1  # the error stays visible in the called case

    parent = Case(CALLER).start()
    (call,) = [e for e in parent.effects if e["type"] == "start_call"]
    parent.run(CallStarted(SYSTEM, call["token"], "C1"))
    parent.run(CatchFromCall(SYSTEM, call["token"], "C2", "escalation", "OVER_BUDGET"))
    assert parent.open_steps() == []  # not the case it called: ignored
    parent.run(CatchFromCall(SYSTEM, call["token"], "C1", "escalation", "OVER_BUDGET"))
    assert parent.open_steps() == ["approve_budget"]
    parent.run(CatchFromCall(SYSTEM, call["token"], "C1", "escalation", "ODD"))
    assert parent.open_steps() == ["approve_budget", "log"]  # the scope's event sub-process
    parent.run(CatchFromCall(SYSTEM, call["token"], "C1", "error", "NO_SUPPLIER"))
    assert parent.open_steps() == ["approve_budget", "log", "manual"]
    assert [e["case"] for e in parent.effects if e["type"] == "cancel_call"] == ["C1"]


def test_an_event_sub_process_has_event_sub_processes_of_its_own() -> None:
    source = """
process: nested_esp
roles: {clerk: 办事员}
steps:
  - {id: work, role: clerk}
on_event:
  - id: complaint
    message: complaint_filed
    steps:
      - {id: handle, role: clerk}
    on_event:
      - {id: reminder, signal: remind, interrupting: false, steps: [{id: hurry, role: clerk}]}
"""
    case = Case(source).start()
    case.run(BroadcastSignal(SYSTEM, "remind"))  # not armed yet
    assert case.open_steps() == ["work"]
    correlate(case, "complaint_filed")
    assert armed(case) == ["reminder_start"]
    case.run(BroadcastSignal(SYSTEM, "remind"))
    assert case.open_steps() == ["handle", "hurry"]
    case.complete("hurry").complete("handle")
    assert case.status == "completed" and armed(case) == []


def test_a_migrated_case_arms_the_new_version_s_event_sub_processes() -> None:
    from liucheng.engine.event_commands import MigrateInstance

    case = Case(ORDER).start(order_no="SO-1")
    case.definition = Case(ORDER.replace("message: customer_called",
                                         "message: customer_rang")).definition
    case.run(MigrateInstance(SYSTEM, 2))
    assert case.state is not None
    assert sorted(s["name"] for s in case.state["subscriptions"].values()) == [
        "customer_rang", "order_cancelled"]
    correlate(case, "customer_rang", "SO-1")
    assert case.open_steps() == ["call_back", "pack"]


def test_an_interrupting_escalation_event_sub_process_ends_the_case_s_other_work() -> None:
    source = """
process: claim
roles: {clerk: 办事员}
steps:
  - id: both
    type: parallel
    branches:
      - - {id: check, role: clerk}
      - - id: investigate
          type: subprocess
          steps:
            - {id: look, role: clerk, outcomes: [ok, fraud]}
            - id: route
              type: exclusive
              routes:
                - {to: suspect, when: look.outcome == "fraud"}
                - {to: fine, default: true}
            - {id: suspect, type: end, escalate: FRAUD}
            - {id: fine, type: end}
on_event:
  - {id: fraud_desk, escalation: FRAUD, steps: [{id: freeze, role: clerk}]}
"""
    case = Case(source).start()
    case.complete("look", outcome="fraud")
    assert case.open_steps() == ["freeze"]
    assert sorted(e["element"] for e in case.events if e["type"] == "task_cancelled") == [
        "check"]
    assert case.state is not None and len(case.state["scopes"]) == 2  # root + fraud_desk
    case.complete("freeze")
    assert case.status == "completed"
