"""BPMN events, receive tasks, event-based gateways and call activities: import, the errors
of a broken file, export, and the round trip to the same model the YAML loader builds."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest
from test_bpmn_import import NS, bpmn, problems

from liucheng.engine import Context, StartInstance, decide
from liucheng.engine.commands import Actor
from liucheng.engine.event_commands import CorrelateMessage
from liucheng.errors import ModelError
from liucheng.loaders.bpmn_events import five_field_cron
from liucheng.loaders.bpmn_export import export_bpmn
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import (
    BoundaryEvent,
    Duration,
    EndEvent,
    ErrorEndEvent,
    EventGateway,
    MessageEvent,
    MessageStartEvent,
    ProcessDefinition,
    ReceiveTask,
    ServiceTask,
    SignalEvent,
    TimerEvent,
    TimerStartEvent,
)
from liucheng.model.calls import CallActivity

SYSTEM = Actor("system", admin=True)
DECLARATIONS = """
<bpmn:message id="m_paid" name="payment_received">
  <bpmn:extensionElements><zeebe:subscription correlationKey="= order.no"/></bpmn:extensionElements>
</bpmn:message>
<bpmn:message id="m_cancel" name="order_cancelled"/>
<bpmn:signal id="s_close" name="month_closed"/>
<bpmn:error id="e_credit" errorCode="CREDIT_REFUSED"/>
"""


def one_step(node: str, start: str = '<bpmn:startEvent id="s"/>', after: str = "") -> str:
    """A process start → `node` (id x) → end, with the declarations above."""
    return bpmn(f"""{start}<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x"/>{node}
<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="e"/><bpmn:endEvent id="e"/>{after}""",
                extra=DECLARATIONS)


def catch(definition: str) -> object:
    d = load_bpmn(one_step(f'<bpmn:intermediateCatchEvent id="x">{definition}'
                           "</bpmn:intermediateCatchEvent>"))
    return d.element("x")


def timer(inner: str) -> TimerEvent:
    found = catch(f"<bpmn:timerEventDefinition>{inner}</bpmn:timerEventDefinition>")
    assert isinstance(found, TimerEvent)
    return found


# -- timers ----------------------------------------------------------------------------------
def test_timer_catch_events_read_dates_durations_and_cycles() -> None:
    assert timer("<bpmn:timeDuration>PT4H</bpmn:timeDuration>").timer.after == Duration(hours=4)
    assert timer("<bpmn:timeDate>2026-03-20T09:00:00Z</bpmn:timeDate>").timer.date == \
        "2026-03-20T09:00:00Z"
    assert timer("<bpmn:timeDate>${contract.due}</bpmn:timeDate>").timer.until == "contract.due"
    assert timer("<bpmn:timeDate>= deadline</bpmn:timeDate>").timer.until == "deadline"
    cycle = timer("<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>").timer
    assert (cycle.interval, cycle.times) == (Duration(hours=1), 3)
    endless = timer("<bpmn:timeCycle>R/2026-03-01T09:00/P1M</bpmn:timeCycle>").timer
    assert (endless.start, endless.interval, endless.times) == ("2026-03-01T09:00",
                                                                Duration(months=1), None)
    assert timer('<bpmn:timeDuration>"PT1S"</bpmn:timeDuration>').timer.after == \
        Duration(seconds=1)  # a SpiffWorkflow string literal


def test_vendor_crons_become_five_field_crons() -> None:
    assert five_field_cron("0 0/5 * * * ?", spring=False) == "0-59/5 * * * *"
    assert five_field_cron("0 0 9 ? * MON-FRI", spring=False) == "0 9 * * MON-FRI"
    assert five_field_cron("0 0 9 * * 2", spring=False) == "0 9 * * 1"  # Quartz 2 = Monday
    assert five_field_cron("0 0 9 * * 1", spring=True) == "0 9 * * 1"  # Spring 1 = Monday
    assert five_field_cron("0 9 * * *", spring=False) is None  # already 5 fields
    cron = timer("<bpmn:timeCycle>0 0 9 ? * MON-FRI</bpmn:timeCycle>").timer.cron
    assert cron is not None and cron.hours == {9} and cron.weekdays == set(range(5))


def test_timer_start_and_boundary_events() -> None:
    d = load_bpmn(bpmn("""
<bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D</bpmn:timeCycle>
</bpmn:timerEventDefinition></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
<bpmn:userTask id="review" camunda:candidateGroups="clerk"/>
<bpmn:boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">
  <bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
<bpmn:boundaryEvent id="late" attachedToRef="review">
  <bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/><bpmn:endEvent id="e"/>
<bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="e2"/><bpmn:endEvent id="e2"/>"""))
    start = d.element("s")
    assert isinstance(start, TimerStartEvent) and start.timer.times is None
    remind, late = d.element("remind"), d.element("late")
    assert isinstance(remind, BoundaryEvent) and isinstance(late, BoundaryEvent)
    assert (remind.attached_to, remind.interrupting) == ("review", False)
    assert remind.timer is not None and remind.timer.after == Duration(hours=4)
    assert late.interrupting and late.trigger == "timer"


# -- messages, signals, errors -----------------------------------------------------------------
def test_message_events_resolve_the_message_name_and_correlation_key() -> None:
    event = catch('<bpmn:messageEventDefinition messageRef="m_paid"/>')
    assert isinstance(event, MessageEvent)
    assert (event.message, event.correlation) == ("payment_received", "order.no")
    plain = catch('<bpmn:messageEventDefinition messageRef="tns:m_cancel"/>')  # a QName
    assert isinstance(plain, MessageEvent) and plain.correlation is None
    d = load_bpmn(one_step('<bpmn:receiveTask id="x" messageRef="m_paid" '
                           'lc:correlation="contract_no"/>'))
    receive = d.element("x")
    assert isinstance(receive, ReceiveTask) and receive.correlation == "contract_no"
    trigger = load_bpmn(one_step('<bpmn:receiveTask id="x"/>')).element("x")
    assert isinstance(trigger, ReceiveTask) and trigger.message == "x"  # a wait state


def test_message_start_and_boundary_events() -> None:
    d = load_bpmn(one_step(
        '<bpmn:receiveTask id="x" messageRef="m_paid"/>',
        start='<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="m_cancel"/>'
              "</bpmn:startEvent>",
        after='<bpmn:boundaryEvent id="gone" attachedToRef="x"><bpmn:messageEventDefinition '
              'messageRef="m_cancel"/></bpmn:boundaryEvent>'
              '<bpmn:sequenceFlow id="f3" sourceRef="gone" targetRef="e3"/>'
              '<bpmn:endEvent id="e3"/>'))
    start, gone = d.element("s"), d.element("gone")
    assert isinstance(start, MessageStartEvent) and start.message == "order_cancelled"
    assert isinstance(gone, BoundaryEvent) and gone.message == "order_cancelled"


def test_signal_catch_and_boundary_events() -> None:
    event = catch('<bpmn:signalEventDefinition signalRef="s_close"/>')
    assert isinstance(event, SignalEvent) and event.signal == "month_closed"


def test_error_end_events_and_error_boundaries_use_the_error_code() -> None:
    d = load_bpmn(bpmn("""
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check"/>
<bpmn:subProcess id="check">
  <bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="refuse"/>
  <bpmn:endEvent id="refuse"><bpmn:errorEventDefinition errorRef="e_credit"/></bpmn:endEvent>
</bpmn:subProcess>
<bpmn:boundaryEvent id="refused" attachedToRef="check">
  <bpmn:errorEventDefinition errorRef="e_credit"/></bpmn:boundaryEvent>
<bpmn:boundaryEvent id="anything" attachedToRef="check"><bpmn:errorEventDefinition/>
</bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="e"/><bpmn:endEvent id="e"/>
<bpmn:sequenceFlow id="f3" sourceRef="refused" targetRef="e2"/><bpmn:endEvent id="e2"/>
<bpmn:sequenceFlow id="f4" sourceRef="anything" targetRef="e2"/>""", extra=DECLARATIONS))
    refuse, refused, anything = (d.element(i) for i in ("refuse", "refused", "anything"))
    assert isinstance(refuse, ErrorEndEvent) and refuse.error == "CREDIT_REFUSED"
    assert isinstance(refused, BoundaryEvent) and refused.error == "CREDIT_REFUSED"
    assert isinstance(anything, BoundaryEvent) and anything.error == ""
    camunda = load_bpmn(one_step('<bpmn:userTask id="x" camunda:assignee="a"/>', after=(
        '<bpmn:endEvent id="z"><bpmn:errorEventDefinition errorRef="undeclared"/>'
        '</bpmn:endEvent><bpmn:sequenceFlow id="f9" sourceRef="x" targetRef="z"/>')))
    end = camunda.element("z")  # an errorRef to no <error> is the code itself (Camunda)
    assert isinstance(end, ErrorEndEvent) and end.error == "undeclared"


def test_throws_and_plain_tasks_pass_through() -> None:
    d = load_bpmn(bpmn("""
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
<bpmn:intermediateThrowEvent id="a"><bpmn:messageEventDefinition messageRef="m_paid"/>
</bpmn:intermediateThrowEvent><bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
<bpmn:sendTask id="b" messageRef="m_cancel"/>
<bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="c"/>
<bpmn:intermediateThrowEvent id="c"/><bpmn:sequenceFlow id="f4" sourceRef="c" targetRef="t"/>
<bpmn:task id="t"/><bpmn:sequenceFlow id="f5" sourceRef="t" targetRef="m"/>
<bpmn:manualTask id="m"/><bpmn:sequenceFlow id="f6" sourceRef="m" targetRef="e"/>
<bpmn:endEvent id="e"><bpmn:terminateEventDefinition/></bpmn:endEvent>""", extra=DECLARATIONS))
    for step in "abctm":
        element = d.element(step)
        assert isinstance(element, ServiceTask) and element.extensions["pass_through"]
    assert d.element("a").extensions["message"] == "payment_received"  # type: ignore[attr-defined]
    assert d.element("b").extensions["message"] == "order_cancelled"  # type: ignore[attr-defined]
    end = d.element("e")
    assert isinstance(end, EndEvent) and end.terminate
    notes = d.extensions["bpmn_import"]["notes"]
    assert any("throws message 'payment_received'" in n for n in notes)


# -- the event-based gateway and call activities -------------------------------------------------
GATEWAY = bpmn("""
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
<bpmn:eventBasedGateway id="g"/>
<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="paid"/>
<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="wait"/>
<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m_paid"/>
</bpmn:intermediateCatchEvent>
<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>
  <bpmn:timeDuration>P7D</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:intermediateCatchEvent>
<bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="done"/><bpmn:endEvent id="done"/>
<bpmn:sequenceFlow id="f5" sourceRef="wait" targetRef="late"/><bpmn:endEvent id="late"/>""",
               extra=DECLARATIONS)


def test_an_event_based_gateway_runs_in_the_engine_and_the_message_wins() -> None:
    d = load_bpmn(GATEWAY)
    assert isinstance(d.element("g"), EventGateway)
    ids = count()
    ctx = Context(now=datetime(2026, 3, 2, 9, tzinfo=UTC), new_id=lambda: f"i{next(ids)}")
    started = decide(d, None, StartInstance(SYSTEM, {"order": {"no": "A-1"}}), ctx)
    (sub,) = started.state["subscriptions"].values()
    assert (sub["name"], sub["key"]) == ("payment_received", "A-1")
    assert len(started.state["timers"]) == 1
    done = decide(d, started.state, CorrelateMessage(SYSTEM, "payment_received", "A-1"), ctx)
    assert done.state["status"] == "completed" and done.state["timers"] == {}
    visited = [e["element"] for e in done.events if e["type"] == "element_entered"]
    assert "done" in visited and "late" not in visited


def test_call_activities_with_camunda_and_zeebe_mappings() -> None:
    camunda = load_bpmn(one_step("""<bpmn:callActivity id="x" calledElement="valuation"
        camunda:calledElementBinding="version" camunda:calledElementVersion="2">
      <bpmn:extensionElements><camunda:in source="address" target="addr"/>
        <camunda:in sourceExpression="${price * 2}" target="limit"/>
        <camunda:out source="appraised" target="value"/></bpmn:extensionElements>
    </bpmn:callActivity>"""))
    call = camunda.element("x")
    assert isinstance(call, CallActivity)
    assert (call.process, call.version) == ("valuation", 2)
    assert call.inputs == (("addr", "address"), ("limit", "price * 2"))
    assert call.outputs == (("value", "appraised"),)
    every = load_bpmn(one_step('<bpmn:callActivity id="x" calledElement="v">'
                               '<bpmn:extensionElements><camunda:in variables="all"/>'
                               "</bpmn:extensionElements></bpmn:callActivity>")).element("x")
    assert isinstance(every, CallActivity) and every.inputs is None
    zeebe = load_bpmn(one_step("""<bpmn:callActivity id="x"><bpmn:extensionElements>
        <zeebe:calledElement processId="valuation" propagateAllChildVariables="false"/>
        <zeebe:ioMapping><zeebe:input source="= order.address" target="addr"/>
          <zeebe:output source="= appraised" target="value"/></zeebe:ioMapping>
      </bpmn:extensionElements></bpmn:callActivity>""")).element("x")
    assert isinstance(zeebe, CallActivity) and zeebe.process == "valuation"
    assert zeebe.inputs == (("addr", "order.address"),)
    assert zeebe.outputs == (("value", "appraised"),)


# -- which process, lanes ------------------------------------------------------------------------
TWO = (f'<?xml version="1.0"?><bpmn:definitions {NS} id="d">'
       '<bpmn:process id="first" isExecutable="true"><bpmn:startEvent id="s1"/>'
       '<bpmn:sequenceFlow id="f1" sourceRef="s1" targetRef="e1"/><bpmn:endEvent id="e1"/>'
       '</bpmn:process><bpmn:process id="second" isExecutable="true"><bpmn:startEvent id="s2"/>'
       '<bpmn:sequenceFlow id="f2" sourceRef="s2" targetRef="e2"/><bpmn:endEvent id="e2"/>'
       "</bpmn:process></bpmn:definitions>")


def test_the_process_argument_picks_one_of_several_executable_processes() -> None:
    assert load_bpmn(TWO).key == "first"
    assert load_bpmn(TWO, process="second").key == "second"
    with pytest.raises(ModelError) as info:
        load_bpmn(TWO, "two.bpmn", process="third")
    (problem,) = info.value.problems
    assert "no process 'third'" in problem.message and "'first', 'second'" in (problem.hint or "")
    assert problem.line == 1 and problem.element == "d"


def test_a_lane_without_flow_node_refs_does_not_stop_the_import() -> None:
    d = load_bpmn(one_step('<bpmn:userTask id="x" camunda:assignee="a"/>', start=(
        '<bpmn:laneSet id="ls"><bpmn:lane id="empty" name="空"/></bpmn:laneSet>'
        '<bpmn:startEvent id="s"/>')))
    assert d.has_element("x")


# -- broken files: a clear problem naming the element and its line ----------------------------
@pytest.mark.parametrize(("node", "element", "words"), [
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition/>'
     "</bpmn:intermediateCatchEvent>", "x", "timerEventDefinition without one timeDate"),
    ('<bpmn:intermediateCatchEvent id="x"/>', "x", "has no event definition"),
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:messageEventDefinition messageRef="nope"/>'
     "</bpmn:intermediateCatchEvent>", "x", "messageRef 'nope' names no <message>"),
    ('<bpmn:receiveTask id="x" messageRef="nope"/>', "x", "messageRef 'nope' names no"),
    ('<bpmn:startEvent id="x"><bpmn:messageEventDefinition/></bpmn:startEvent>', "x",
     "messageEventDefinition has no messageRef"),
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:signalEventDefinition signalRef="nope"/>'
     "</bpmn:intermediateCatchEvent>", "x", "signalRef 'nope' names no <signal>"),
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition><bpmn:timeDuration>'
     "4 hours</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>", "x",
     "not an ISO 8601 duration"),
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition><bpmn:timeCycle>'
     "0/5 * * * * ?</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
     "x", "counts seconds"),
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition><bpmn:timeDuration>'
     "${wait}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>",
     "x", "given by an expression is not supported"),
    ('<bpmn:callActivity id="x" calledElement="${which}"/>', "x", "given by an expression"),
])
def test_broken_event_definitions_are_named_with_their_line(node: str, element: str,
                                                            words: str) -> None:
    with pytest.raises(ModelError) as info:
        load_bpmn(one_step(node), "broken.bpmn")
    mine = [p for p in info.value.problems if p.element == element]
    assert len(mine) == 1 and words in mine[0].message, info.value.problems
    assert mine[0].line is not None and mine[0].line > 1 and mine[0].source == "broken.bpmn"
    assert mine[0].message.split(":")[0].split(" ")[0] in node  # the tag comes first


def test_boundary_events_on_nothing_or_on_a_pass_through_step_are_named() -> None:
    found = problems(one_step('<bpmn:task id="x"/>', after=(
        '<bpmn:boundaryEvent id="lost" attachedToRef="reviwe"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:boundaryEvent>"
        '<bpmn:boundaryEvent id="on_task" attachedToRef="x"><bpmn:errorEventDefinition/>'
        "</bpmn:boundaryEvent>")))
    assert any("element 'lost'" in p and "attachedToRef 'reviwe' names no element" in p
               for p in found), found
    assert any("element 'on_task'" in p and "on task 'x' is not supported" in p
               for p in found), found
    assert all(":" in p.split(",")[0] for p in found)  # every problem has its line


def test_unsupported_triggers_keep_their_error() -> None:
    found = problems(one_step('<bpmn:userTask id="x" camunda:assignee="a"/>', after=(
        '<bpmn:boundaryEvent id="esc" attachedToRef="x" cancelActivity="false">'
        "<bpmn:escalationEventDefinition/></bpmn:boundaryEvent>"
        '<bpmn:boundaryEvent id="comp" attachedToRef="x"><bpmn:compensateEventDefinition/>'
        "</bpmn:boundaryEvent>")))
    assert any("'esc'" in p and "escalation boundary event on 'x' is not supported" in p
               for p in found)  # escalations are caught on sub-processes and calls
    assert any("'comp'" in p and "compensation is not supported" in p for p in found)


# -- export and the round trip -------------------------------------------------------------------
EVENTS_YAML = """
process: loan
name: 贷款
roles: {clerk: 办事员, boss: 主管}
start: {timer: {day: 27, roll: earlier, at: "10:00"}}
steps:
  - id: apply
    role: clerk
    timers:
      - {id: remind, after: {working_hours: 4}, interrupting: false}
      - {id: too_late, after: P5D, next: escalate}
      - {id: chase, cycle: R3/PT1H, interrupting: false}
    messages: [{id: withdrawn, message: application_withdrawn, key: loan_no, next: stop}]
    signals: [{id: closed, signal: month_closed, next: stop}]
  - id: cool_off
    type: timer
    wait: {working_days: 2}
  - id: on_date
    type: timer
    until: contract.signed_on
  - id: monthly
    type: timer
    cycle: "every working day 08:30"
  - id: wait_reply
    type: first_of
    events:
      - {id: accepted, type: message, message: quote_accepted, key: quote_no}
      - {id: no_reply, type: timer, wait: P7D, next: escalate}
      - {id: closing, type: signal, signal: month_closed, next: escalate}
  - id: pay
    type: receive
    message: payment_received
    key: loan_no
  - id: value
    type: call
    process: valuation
    version: 3
    in: {address: home.address, price: price * 2}
    out: {appraised: result}
    timers: [{id: slow, after: P10D, next: escalate}]
  - id: valuate_all
    type: call
    process: valuation
  - id: done
    type: end
  - id: escalate
    role: boss
  - id: stop
    type: end
"""


def events_definition() -> ProcessDefinition:
    return load_yaml(EVENTS_YAML, "loan.yaml")


@pytest.mark.parametrize("lanes", [False, True], ids=["plain", "lanes"])
def test_yaml_events_round_trip_through_bpmn(lanes: bool) -> None:
    d = events_definition()
    assert differences(d, load_bpmn(export_bpmn(d, lanes=lanes), "exported.bpmn")) == []


def test_events_are_written_as_standard_bpmn() -> None:
    xml = export_bpmn(events_definition())
    assert '<bpmn:message id="Message_1" name="application_withdrawn"/>' in xml
    assert '<bpmn:signal id="Signal_1" name="month_closed"/>' in xml
    assert 'attachedToRef="apply" cancelActivity="false"' in xml
    assert ">P5D</bpmn:timeDuration>" in xml and ">R3/PT1H</bpmn:timeCycle>" in xml
    assert '<bpmn:eventBasedGateway id="wait_reply"' in xml
    assert '<bpmn:receiveTask id="pay"' in xml and 'lc:correlation="loan_no"' in xml
    assert 'calledElement="valuation" camunda:calledElementBinding="version"' in xml
    assert '<camunda:in source="home.address"' not in xml  # an expression: lc:setting only
    assert '<camunda:in variables="all"/>' in xml
    assert 'lc:timer="{&quot;after&quot;: {&quot;working_days&quot;: 2}}"' in xml
    assert "lc:kind" not in xml


def test_imported_events_round_trip() -> None:
    for text in (GATEWAY, one_step('<bpmn:receiveTask id="x" messageRef="m_paid"/>', after=(
            '<bpmn:boundaryEvent id="gone" attachedToRef="x" cancelActivity="false">'
            '<bpmn:signalEventDefinition signalRef="s_close"/></bpmn:boundaryEvent>'))):
        d = load_bpmn(text)
        assert differences(d, load_bpmn(export_bpmn(d))) == []


def test_error_ends_round_trip() -> None:
    d = load_yaml("""
process: credit
roles: {clerk: 办事员}
steps:
  - id: check
    type: subprocess
    steps:
      - {id: score, role: clerk}
      - {id: refuse, type: end, error: CREDIT_REFUSED}
    errors: [{id: refused, error: CREDIT_REFUSED, next: tell}]
  - id: tell
    role: clerk
""", "credit.yaml")
    xml = export_bpmn(d)
    assert '<bpmn:error id="Error_1" errorCode="CREDIT_REFUSED"' in xml
    assert differences(d, load_bpmn(xml)) == []
