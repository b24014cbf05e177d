"""Multi-instance activities in BPMN: each dialect's loop characteristics read into the
model, unreadable ones reported by element and line, and export → import unchanged."""

from __future__ import annotations

import pytest

from liucheng.errors import ModelError
from liucheng.loaders.bpmn_export import export_bpmn
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import MultiInstance

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
      'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
      'xmlns:flowable="http://flowable.org/bpmn" '
      'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"')


def task(loop: str, tag: str = "userTask", attrs: str = 'camunda:assignee="${reviewer}"') -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="d">'
            '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
            f'<bpmn:{tag} id="t" {attrs}>\n{loop}</bpmn:{tag}>'
            '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>'
            '</bpmn:process></bpmn:definitions>')


def multi(loop: str, **kw: str) -> MultiInstance | None:
    element = load_bpmn(task(loop, **kw), "t.bpmn").element("t")
    return getattr(element, "multi_instance", None)


@pytest.mark.parametrize(("loop", "expected"), [
    ('<bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="reviewers"'
     ' camunda:elementVariable="reviewer"><bpmn:completionCondition>${nrOfCompletedInstances'
     ' &gt;= 2}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>',
     MultiInstance(collection="reviewers", element_variable="reviewer", sequential=True,
                   completion_condition="nrOfCompletedInstances >= 2")),
    ('<bpmn:multiInstanceLoopCharacteristics flowable:collection="${reviewers}"'
     ' flowable:elementVariable="reviewer"/>',
     MultiInstance(collection="reviewers", element_variable="reviewer")),
    ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>${3}</bpmn:loopCardinality>'
     '</bpmn:multiInstanceLoopCharacteristics>', MultiInstance(cardinality="3")),
    ('<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>'
     '<zeebe:loopCharacteristics inputCollection="= reviewers" inputElement="reviewer"'
     ' outputCollection="results" outputElement="= score * 2"/></bpmn:extensionElements>'
     '</bpmn:multiInstanceLoopCharacteristics>',
     MultiInstance(collection="reviewers", element_variable="reviewer",
                   output_element="score * 2", output_collection="results")),
    ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>reviewers'
     '</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>opinions</bpmn:loopDataOutputRef>'
     '<bpmn:inputDataItem id="reviewer" name="the reviewer"/>'
     '<bpmn:outputDataItem id="opinion"/></bpmn:multiInstanceLoopCharacteristics>',
     MultiInstance(collection="reviewers", element_variable="reviewer",
                   output_element="opinion", output_collection="opinions")),
], ids=["camunda", "flowable", "cardinality", "zeebe", "standard-data-items"])
def test_each_dialect_reads_into_the_same_model(loop: str, expected: MultiInstance) -> None:
    assert multi(loop) == expected


def test_a_data_input_of_the_activity_leads_to_its_variable() -> None:
    loop = ('<bpmn:ioSpecification><bpmn:dataInput id="t_in"/></bpmn:ioSpecification>'
            '<bpmn:dataInputAssociation><bpmn:sourceRef>orders</bpmn:sourceRef>'
            '<bpmn:targetRef>t_in</bpmn:targetRef></bpmn:dataInputAssociation>'
            '<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>t_in'
            '</bpmn:loopDataInputRef><bpmn:inputDataItem id="order"/>'
            '</bpmn:multiInstanceLoopCharacteristics>')
    assert multi(loop, tag="serviceTask", attrs='camunda:class="x.Y"') == MultiInstance(
        collection="orders", element_variable="order")


@pytest.mark.parametrize(("loop", "expected"), [
    ("<bpmn:multiInstanceLoopCharacteristics/>",
     "userTask: multi-instance without a collection or a loop cardinality is not supported"),
    ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="${a.b(}"/>',
     "userTask: multi-instance '${a.b(}'"),
    ("<bpmn:standardLoopCharacteristics/>", "userTask with loop characteristics is not "
     "supported"),
])
def test_what_cannot_be_read_is_reported_by_element_and_line(loop: str, expected: str) -> None:
    with pytest.raises(ModelError) as err:
        load_bpmn(task(loop), "t.bpmn")
    problem = err.value.problems[0]
    assert expected in problem.message, problem.message
    assert problem.element == "t" and problem.line == 2


def test_export_writes_standard_loop_characteristics_and_reads_them_back() -> None:
    d = load_yaml("""
process: tender
roles: {expert: 专家, buyer: 采购员}
steps:
  - id: assess
    role: expert
    assignee: expert
    for_each: {items: experts, as: expert, parallel: false,
               until: 'count(verdicts, "approve") >= 2',
               collect: {from: assess.outcome, into: verdicts}}
  - {id: quote, handler: ask, for_each: {times: n + 1, collect: {from: price, into: prices}}}
  - id: inspect
    type: subprocess
    for_each: {items: sites, as: site}
    steps: [{id: visit, role: buyer}]
""", "tender.yaml")
    xml = export_bpmn(d)
    assert xml.count("<bpmn:multiInstanceLoopCharacteristics") == 3
    assert 'camunda:collection="experts" lc:elementVariable="expert"' in xml
    assert "multi_instance" not in xml  # standard BPMN, not a liucheng setting
    assert differences(d, load_bpmn(xml, "tender.bpmn")) == []
