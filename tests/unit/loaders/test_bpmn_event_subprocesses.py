"""BPMN event sub-processes, error and escalation events: read from what modelers write,
written back with standard event definitions, and read back into the same model."""

from __future__ import annotations

import pytest
from lxml import etree

from liucheng.errors import ModelError
from liucheng.loaders.bpmn_export import export_bpmn
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import (
    BoundaryEvent,
    ErrorEndEvent,
    EscalationEndEvent,
    EscalationThrowEvent,
    EventStartEvent,
    EventSubProcess,
)

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = (f'xmlns:bpmn="{BPMN}" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
      'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"')


def bpmn(roots: str, body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="d">{roots}'
            f'<bpmn:process id="p" isExecutable="true">{body}</bpmn:process>'
            "</bpmn:definitions>")


ROOTS = """
<bpmn:message id="Msg_cancel" name="order_cancelled">
  <bpmn:extensionElements><zeebe:subscription correlationKey="=orderNo"/></bpmn:extensionElements>
</bpmn:message>
<bpmn:escalation id="Esc_late" escalationCode="LATE"/>
<bpmn:error id="Err_fraud" errorCode="FRAUD"/>
"""
BODY = """
<bpmn:startEvent id="start"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>
<bpmn:subProcess id="sub">
  <bpmn:startEvent id="sub_start"/>
  <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="work"/>
  <bpmn:userTask id="work" camunda:candidateGroups="clerk"/>
  <bpmn:sequenceFlow id="s2" sourceRef="work" targetRef="tell"/>
  <bpmn:intermediateThrowEvent id="tell">
    <bpmn:escalationEventDefinition escalationRef="Esc_late"/>
  </bpmn:intermediateThrowEvent>
  <bpmn:sequenceFlow id="s3" sourceRef="tell" targetRef="fraud"/>
  <bpmn:endEvent id="fraud"><bpmn:errorEventDefinition errorRef="Err_fraud"/></bpmn:endEvent>
</bpmn:subProcess>
<bpmn:boundaryEvent id="late" attachedToRef="sub" cancelActivity="false">
  <bpmn:escalationEventDefinition escalationRef="Esc_late"/>
</bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f2" sourceRef="late" targetRef="inform"/>
<bpmn:userTask id="inform" camunda:candidateGroups="clerk"/>
<bpmn:boundaryEvent id="caught" attachedToRef="sub">
  <bpmn:errorEventDefinition/>
</bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f3" sourceRef="caught" targetRef="gone"/>
<bpmn:endEvent id="gone"><bpmn:escalationEventDefinition escalationRef="Esc_late"/></bpmn:endEvent>
<bpmn:sequenceFlow id="f4" sourceRef="sub" targetRef="done"/>
<bpmn:endEvent id="done"/>
<bpmn:subProcess id="on_cancel" triggeredByEvent="true">
  <bpmn:startEvent id="cancel_start">
    <bpmn:messageEventDefinition messageRef="Msg_cancel"/>
  </bpmn:startEvent>
  <bpmn:sequenceFlow id="c1" sourceRef="cancel_start" targetRef="refund"/>
  <bpmn:userTask id="refund" camunda:candidateGroups="clerk"/>
</bpmn:subProcess>
<bpmn:subProcess id="chase" triggeredByEvent="true">
  <bpmn:startEvent id="chase_start" isInterrupting="false">
    <bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT4H</bpmn:timeCycle></bpmn:timerEventDefinition>
  </bpmn:startEvent>
  <bpmn:sequenceFlow id="h1" sourceRef="chase_start" targetRef="phone"/>
  <bpmn:userTask id="phone" camunda:candidateGroups="clerk"/>
</bpmn:subProcess>
"""


def test_event_sub_processes_and_escalations_are_read_from_standard_bpmn() -> None:
    d = load_bpmn(bpmn(ROOTS, BODY), "orders.bpmn")
    cancel = d.element("on_cancel")
    assert isinstance(cancel, EventSubProcess)
    start = d.element("cancel_start")
    assert isinstance(start, EventStartEvent) and start.interrupting
    assert (start.message, start.correlation) == ("order_cancelled", "orderNo")
    chase = d.element("chase_start")
    assert isinstance(chase, EventStartEvent) and not chase.interrupting
    assert chase.timer is not None and chase.timer.times == 3
    tell, fraud, gone = d.element("tell"), d.element("fraud"), d.element("gone")
    assert isinstance(tell, EscalationThrowEvent) and tell.escalation == "LATE"
    assert isinstance(fraud, ErrorEndEvent) and fraud.error == "FRAUD"
    assert isinstance(gone, EscalationEndEvent) and gone.escalation == "LATE"
    late, caught = d.element("late"), d.element("caught")
    assert isinstance(late, BoundaryEvent) and late.trigger == "escalation"
    assert not late.interrupting and late.escalation == "LATE"
    assert isinstance(caught, BoundaryEvent) and caught.trigger == "error"
    assert caught.error == "" and caught.interrupting
    notes = " ".join(d.extensions["bpmn_import"]["notes"])
    assert "on_cancel" not in notes and "chase" not in notes  # no end added after them


def test_export_writes_standard_definitions_and_reads_back_the_same_model() -> None:
    d = load_bpmn(bpmn(ROOTS, BODY), "orders.bpmn")
    xml = export_bpmn(d)
    again = load_bpmn(xml, "exported.bpmn")
    assert differences(d, again) == []
    root = etree.fromstring(xml.encode())
    ns = {"b": BPMN}
    assert root.xpath("//b:subProcess[@id='chase']/@triggeredByEvent", namespaces=ns) == [
        "true"]
    start = root.xpath("//b:startEvent[@id='chase_start']", namespaces=ns)[0]
    assert start.get("isInterrupting") == "false"
    assert start.xpath("b:timerEventDefinition/b:timeCycle/text()", namespaces=ns) == [
        "R3/PT4H"]
    ref = root.xpath("//b:startEvent[@id='cancel_start']/b:messageEventDefinition/@messageRef",
                     namespaces=ns)[0]
    assert root.xpath(f"/b:definitions/b:message[@id='{ref}']/@name", namespaces=ns) == [
        "order_cancelled"]
    assert root.xpath("/b:definitions/b:escalation/@escalationCode", namespaces=ns) == [
        "LATE"]
    assert root.xpath("//b:boundaryEvent[@id='late']/@cancelActivity", namespaces=ns) == [
        "false"]


YAML = """
process: procurement
roles: {buyer: 采购员}
steps:
  - id: sourcing
    type: subprocess
    escalations: [{id: over, escalation: OVER_BUDGET, interrupting: false, next: approve}]
    steps:
      - {id: quote, role: buyer}
      - {id: tell, escalate: OVER_BUDGET}
    on_event:
      - {id: odd, escalation: ODD, interrupting: false, steps: [{id: note, role: buyer}]}
  - {id: done, type: end}
  - {id: approve, role: buyer, next: done}
on_event:
  - {id: cancelled, message: order_cancelled, key: order_no, steps: [{id: refund, role: buyer}]}
  - {id: month_end, signal: month_closed, interrupting: false,
     steps: [{id: report, role: buyer}]}
  - {id: overdue, timer: {after: {working_days: 3}}, steps: [{id: chase, role: buyer}]}
  - {id: any_error, error: ~, steps: [{id: repair, role: buyer}]}
"""


@pytest.mark.parametrize("lanes", [False, True])
def test_a_yaml_process_with_event_sub_processes_round_trips(lanes: bool) -> None:
    d = load_yaml(YAML, "procurement.yaml")
    assert differences(d, load_bpmn(export_bpmn(d, lanes=lanes), "x.bpmn")) == []


def problems(body: str, roots: str = "") -> list[tuple[str, str | None, int | None]]:
    with pytest.raises(ModelError) as err:
        load_bpmn(bpmn(roots, body), "bad.bpmn")
    return [(p.message, p.element, p.line) for p in err.value.problems]


START = '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f" sourceRef="start" ' \
        'targetRef="end"/><bpmn:endEvent id="end"/>\n'


def test_an_event_sub_process_with_an_incoming_flow_is_refused_naming_it_and_its_line() -> None:
    found = problems(START.replace('targetRef="end"/>', 'targetRef="esp"/>') + """
<bpmn:subProcess id="esp" triggeredByEvent="true">
  <bpmn:startEvent id="s"><bpmn:signalEventDefinition signalRef="Sig"/></bpmn:startEvent>
  <bpmn:sequenceFlow id="e1" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:subProcess>""", '<bpmn:signal id="Sig" name="stop"/>')
    assert [(e, line) for m, e, line in found if "cannot have incoming flows" in m] == [
        ("esp", 4)]


@pytest.mark.parametrize("start, message, element", [
    ('<bpmn:startEvent id="s"/>', "has no start event with a trigger", "esp"),
    ('<bpmn:startEvent id="s" isInterrupting="false"><bpmn:errorEventDefinition/>'
     "</bpmn:startEvent>", "the error start of event sub-process 'esp' always interrupts",
     "s"),
    ('<bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="nope"/>'
     "</bpmn:startEvent>", "messageRef 'nope' names no <message>", "s"),
    ('<bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeDuration>${later}'
     "</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>",
     "given by an expression is not supported", "s"),
    ('<bpmn:startEvent id="s"><bpmn:compensateEventDefinition/></bpmn:startEvent>',
     "compensation is not supported", "s"),
])
def test_bad_event_sub_process_starts_are_reported(start: str, message: str,
                                                   element: str) -> None:
    found = problems(START + f"""<bpmn:subProcess id="esp" triggeredByEvent="true">
  {start}
  <bpmn:sequenceFlow id="e1" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:subProcess>""")
    assert [(e, line) for m, e, line in found if message in m] == [
        (element, 3 if element == "esp" else 4)], found
