"""Draft import of a BPMN drawing: findings by element and line, gaps kept, deploy refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from liucheng.errors import ModelError
from liucheng.loaders.bpmn_export import export_bpmn
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.loaders.bpmn_xml import findings, is_draft, load_bpmn
from liucheng.model import BoundaryEvent, ProcessDefinition, ServiceTask
from liucheng.runtime import Engine

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n')

DRAWING = HEAD + """<process id="buy" name="采购" isExecutable="false">
<startEvent id="start"/>
<sequenceFlow id="f1" sourceRef="start" targetRef="order"/>
<serviceTask id="order" name="下单"/>
<sequenceFlow id="f2" sourceRef="order" targetRef="check"/>
<exclusiveGateway id="check"/>
<sequenceFlow id="yes" sourceRef="check" targetRef="done"/>
<sequenceFlow id="no" sourceRef="check" targetRef="undo"/>
<userTask id="undo" name="撤销"/>
<boundaryEvent id="comp" attachedToRef="undo"><compensateEventDefinition/></boundaryEvent>
<sequenceFlow id="f3" sourceRef="undo" targetRef="done"/>
<endEvent id="done"/>
</process>
</definitions>
"""


def draft() -> ProcessDefinition:
    return load_bpmn(DRAWING, "buy.bpmn", draft=True)


def by_element(definition: ProcessDefinition) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for f in findings(definition):
        out.setdefault(str(f["element"]), []).append(f)
    return out


def test_the_strict_import_still_refuses_the_drawing() -> None:
    with pytest.raises(ModelError, match="serviceTask has no handler"):
        load_bpmn(DRAWING, "buy.bpmn")


def test_execution_gaps_become_findings_naming_element_tag_and_line() -> None:
    d = draft()
    assert is_draft(d)
    found = by_element(d)
    (order,) = [f for f in found["order"] if f["message"] == "serviceTask has no handler"]
    assert (order["tag"], order["line"], order["source"]) == ("serviceTask", 6, "buy.bpmn")
    assert "lc:handler" in str(order["hint"])
    assert {f["tag"] for f in found["comp"]} == {"boundaryEvent"}
    assert found["comp"][0]["line"] == 12
    assert any("has no condition" in str(f["message"]) for f in found.get("yes", []) +
               found.get("check", []))


def test_gaps_are_kept_as_the_closest_model_element() -> None:
    d = draft()
    order = d.element("order")
    assert isinstance(order, ServiceTask) and order.handler is None
    assert order.extensions["draft_gap"]["tag"] == "serviceTask"
    comp = d.element("comp")
    assert isinstance(comp, ServiceTask)
    assert comp.extensions["draft_gap"] == {
        "tag": "boundaryEvent",
        "finding": "boundaryEvent (compensate): compensation is not supported"}
    routes = {f.id: f.condition for f in d.flows if f.source == "check"}
    assert routes == {"yes": None, "no": None}


def test_a_boundary_on_a_step_that_does_not_arm_it_stays_on_its_host() -> None:
    text = DRAWING.replace('attachedToRef="undo"><compensateEventDefinition/>',
                           'attachedToRef="order"><timerEventDefinition><timeDuration>PT1H'
                           '</timeDuration></timerEventDefinition>')
    d = load_bpmn(text, "buy.bpmn", draft=True)
    comp = d.element("comp")
    assert isinstance(comp, BoundaryEvent) and comp.attached_to == "order"
    assert any("boundaryEvent (timer) on serviceTask 'order'" in str(f["message"])
               for f in by_element(d)["comp"])


def test_a_draft_exports_and_re_imports_to_the_same_model() -> None:
    d = draft()
    xml = export_bpmn(d)
    assert 'lc:draft="true"' in xml
    assert differences(d, load_bpmn(xml, "again.bpmn", draft=True)) == []


def test_the_strict_import_refuses_an_exported_draft_with_its_findings() -> None:
    with pytest.raises(ModelError) as info:
        load_bpmn(export_bpmn(draft()), "draft.bpmn")
    messages = [p.message for p in info.value.problems]
    assert messages[0] == ("process 'buy' is a draft imported from a drawing: it cannot be "
                           "deployed or started")
    assert "serviceTask has no handler" in messages


def test_a_drawing_without_findings_is_an_ordinary_definition() -> None:
    text = DRAWING.replace('<serviceTask id="order" name="下单"/>',
                           '<userTask id="order" name="下单"/>')
    text = text.replace('<boundaryEvent id="comp" attachedToRef="undo">'
                        '<compensateEventDefinition/></boundaryEvent>', "")
    text = text.replace('<exclusiveGateway id="check"/>', '<exclusiveGateway id="check" '
                        'default="no"/>').replace(
        '<sequenceFlow id="yes" sourceRef="check" targetRef="done"/>',
        '<sequenceFlow id="yes" sourceRef="check" targetRef="done"><conditionExpression>'
        '${ok}</conditionExpression></sequenceFlow>')
    d = load_bpmn(text, "buy.bpmn", draft=True)
    assert not is_draft(d) and findings(d) == []
    assert "lc:draft" not in export_bpmn(d)
    assert differences(d, load_bpmn(text, "buy.bpmn")) == []


@pytest.mark.parametrize(("broken", "why"), [
    ('<serviceTask id="start" name="重复"/>', "duplicate id 'start'"),
    ('<sequenceFlow id="f9" sourceRef="undo" targetRef="nowhere"/>',
     "targetRef 'nowhere' does not exist"),
    ('<boundaryEvent id="b9" attachedToRef="ghost"><timerEventDefinition><timeDuration>PT1H'
     '</timeDuration></timerEventDefinition></boundaryEvent>', "names no element"),
    ('<intermediateCatchEvent id="m9"><messageEventDefinition messageRef="Msg_9"/>'
     '</intermediateCatchEvent>', "messageRef 'Msg_9' names no <message>"),
])
def test_broken_drawings_still_fail(broken: str, why: str) -> None:
    with pytest.raises(ModelError, match=why):
        load_bpmn(DRAWING.replace('<endEvent id="done"/>', '<endEvent id="done"/>' + broken),
                  "buy.bpmn", draft=True)


def test_malformed_xml_and_doubly_drawn_elements_fail_as_drafts() -> None:
    with pytest.raises(ModelError, match="not well-formed"):
        load_bpmn(DRAWING.replace("</process>", ""), "buy.bpmn", draft=True)
    di = ('<bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="D">'
          '<bpmndi:BPMNPlane id="P" bpmnElement="buy">'
          '<bpmndi:BPMNShape id="s1" bpmnElement="order"/>'
          '<bpmndi:BPMNShape id="s2" bpmnElement="order"/></bpmndi:BPMNPlane>'
          '</bpmndi:BPMNDiagram>')
    with pytest.raises(ModelError, match="element 'order' is drawn twice on plane 'P'"):
        load_bpmn(DRAWING.replace("</definitions>", di + "</definitions>"), "buy.bpmn",
                  draft=True)


def test_deploy_refuses_a_draft_and_changes_nothing(tmp_path: Path) -> None:
    engine = Engine(f"sqlite:///{tmp_path / 'draft.db'}")
    try:
        with pytest.raises(ModelError) as info:
            engine.deploy(export_bpmn(draft()), source_name="draft.bpmn")
        assert "is a draft imported from a drawing" in str(info.value)
        assert any(p.element == "order" and p.line for p in info.value.problems)
        assert engine.definitions() == []
    finally:
        engine.close()
