"""Importing BPMN 2.0 XML: safety, namespaces, vendor attributes, errors, and running it."""

from __future__ import annotations

import contextlib
import random
import re
from datetime import UTC, datetime
from itertools import count
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liucheng.engine import CompleteService, CompleteTask, Context, StartInstance, decide
from liucheng.engine.commands import Actor
from liucheng.errors import ModelError
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.model import (
    EndEvent,
    ExclusiveGateway,
    ProcessDefinition,
    ServiceTask,
    SubProcess,
    UserTask,
)

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
      'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
      'xmlns:activiti="http://activiti.org/bpmn" xmlns:flowable="http://flowable.org/bpmn" '
      'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
      'xmlns:lc="https://liucheng.dev/schema/bpmn"')


def bpmn(body: str, process: str = 'id="p" name="审批" isExecutable="true"',
         extra: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NS} id="d">{extra}'
            f"<bpmn:process {process}>{body}</bpmn:process></bpmn:definitions>")


LINEAR = """
<bpmn:startEvent id="start"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
<bpmn:userTask id="review" name="审核" camunda:candidateGroups="clerk"/>
<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="check"/>
<bpmn:exclusiveGateway id="check" default="f4"/>
<bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="ok">
  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${amount &gt; 100}
  </bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" sourceRef="check" targetRef="no"/>
<bpmn:endEvent id="ok"/>
<bpmn:endEvent id="no"><bpmn:terminateEventDefinition/></bpmn:endEvent>
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ModelError) as info:
        load_bpmn(text, "t.bpmn")
    return [str(p) for p in info.value.problems]


def only(definition: ProcessDefinition, element_id: str) -> object:
    return definition.element(element_id)


# -- the basics ---------------------------------------------------------------------------
def test_a_simple_process_imports_into_the_model() -> None:
    d = load_bpmn(bpmn(LINEAR), "t.bpmn")
    assert d.key == "p" and d.name.zh == "审批" and d.source_name == "t.bpmn"
    review = d.element("review")
    assert isinstance(review, UserTask) and review.roles == ("clerk",)
    assert review.name.zh == "审核" and review.line is not None
    gateway = d.element("check")
    assert isinstance(gateway, ExclusiveGateway) and gateway.default == "f4"
    assert d.flow("f3").condition == "amount > 100"
    end = d.element("no")
    assert isinstance(end, EndEvent) and end.terminate
    assert [r.id for r in d.roles] == ["clerk"]


@pytest.mark.parametrize("prefix", ["bpmn2", "semantic", "model", ""])
def test_namespace_prefixes_do_not_matter(prefix: str) -> None:
    text = bpmn(LINEAR)
    if prefix:
        text = text.replace("bpmn:", f"{prefix}:").replace("xmlns:bpmn=", f"xmlns:{prefix}=")
    else:
        text = text.replace("bpmn:", "").replace("xmlns:bpmn=", "xmlns=")
        text = text.replace('xsi:type="tFormalExpression"', 'xsi:type="tFormalExpression"')
    assert differences(load_bpmn(text), load_bpmn(bpmn(LINEAR))) == []


def test_the_order_of_elements_and_flows_does_not_matter() -> None:
    parts = re.findall(r"<bpmn:(?:sequenceFlow|userTask|startEvent|endEvent|exclusiveGateway)"
                       r"[^>]*?(?:/>|>.*?</bpmn:(?:sequenceFlow|endEvent)>)", LINEAR, re.S)
    assert len(parts) == 9
    base = load_bpmn(bpmn(LINEAR))
    for seed in range(5):
        shuffled = parts[:]
        random.Random(seed).shuffle(shuffled)
        other = load_bpmn(bpmn("".join(shuffled)))
        assert differences(base, other) == []
        assert {e.id for e in other.elements} == {e.id for e in base.elements}


def test_documentation_and_english_names() -> None:
    d = load_bpmn(bpmn("""
<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/>
<bpmn:userTask id="t" name="审核" lc:nameEn="Review" lc:roles="clerk"
    lc:documentationEn="Check the papers"><bpmn:documentation>核对材料</bpmn:documentation>
</bpmn:userTask>"""))
    task = d.element("t")
    assert task.name.zh == "审核" and task.name.en == "Review"
    assert task.documentation.zh == "核对材料" and task.documentation.en == "Check the papers"


def test_text_with_a_non_utf8_declaration_and_bytes_input() -> None:
    latin = bpmn(LINEAR).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    assert load_bpmn(latin).key == "p"
    assert load_bpmn(bpmn(LINEAR).encode("utf-8")).element("review").name.zh == "审核"


# -- safety -------------------------------------------------------------------------------
def test_external_entities_are_refused(tmp_path: object) -> None:
    text = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + bpmn(LINEAR.replace('name="审核"', 'name="&xxe;"')).split("?>", 1)[1])
    found = problems(text)
    assert len(found) == 1 and "DOCTYPE" in found[0] and "root:" not in found[0]


def test_billion_laughs_is_refused() -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(9))
    text = f'<?xml version="1.0"?><!DOCTYPE d [{lol}]><d>&l8;</d>'
    found = problems(text)
    assert len(found) == 1 and "entities" in found[0]


def test_size_is_limited() -> None:
    with pytest.raises(ModelError, match="limit"):
        load_bpmn(bpmn(LINEAR), max_bytes=100)


def test_malformed_xml_is_one_problem_with_its_line() -> None:
    text = bpmn(LINEAR).replace('<bpmn:endEvent id="ok"/>', '<bpmn:endEvent id="ok">')
    with pytest.raises(ModelError) as info:
        load_bpmn(text, "t.bpmn")
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert "well-formed" in problem.message and problem.line and problem.source == "t.bpmn"


def test_a_file_that_is_not_bpmn() -> None:
    found = problems('<definitions id="x"><process id="p"/></definitions>')
    assert "not a BPMN 2.0 file" in found[0]


# -- problems -----------------------------------------------------------------------------
def test_every_problem_is_reported_at_once_with_element_tag_and_line() -> None:
    body = LINEAR.replace('<bpmn:endEvent id="ok"/>', """<bpmn:endEvent id="ok"/>
<bpmn:boundaryEvent id="late" attachedToRef="review"><bpmn:timerEventDefinition/>
</bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f5" sourceRef="late" targetRef="ok"/>
<bpmn:callActivity id="call"/>
<bpmn:sequenceFlow id="f6" sourceRef="review" targetRef="reveiw_2"/>
<bpmn:sequenceFlow id="f7" sourceRef="check" targetRef="ok">
  <bpmn:conditionExpression>${svc.approve(x)}</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:userTask id="multi" camunda:assignee="a">
  <bpmn:multiInstanceLoopCharacteristics/></bpmn:userTask>""")
    with pytest.raises(ModelError) as info:
        load_bpmn(bpmn(body), "t.bpmn")
    found = {p.element: p for p in info.value.problems}
    assert {"late", "call", "f6", "f7", "multi"} <= set(found)
    assert "boundaryEvent" in found["late"].message and "timer" in found["late"].message
    assert "callActivity names no called process" in found["call"].message
    assert "does not exist" in found["f6"].message
    assert "method" in found["f7"].message
    assert "multi-instance" in found["multi"].message
    assert all(p.line and p.source == "t.bpmn" for p in info.value.problems)
    lines = [p.line or 0 for p in info.value.problems]
    assert lines == sorted(lines)


def test_a_missing_reference_suggests_the_near_id() -> None:
    body = LINEAR.replace('targetRef="check"/>', 'targetRef="chek"/>')
    with pytest.raises(ModelError) as info:
        load_bpmn(bpmn(body))
    assert any(p.hint == "did you mean 'check'?" for p in info.value.problems)


def test_structural_problems_come_from_validate() -> None:
    found = problems(bpmn('<bpmn:userTask id="t" lc:roles="a"/>'))
    assert any("no start event" in p for p in found)


@pytest.mark.parametrize(("node", "word"), [
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:messageEventDefinition/>'
     "</bpmn:intermediateCatchEvent>", "intermediateCatchEvent"),
    ('<bpmn:startEvent id="x"><bpmn:timerEventDefinition/></bpmn:startEvent>', "timer"),
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:escalationEventDefinition/>'
     "</bpmn:intermediateCatchEvent>", "escalation"),
    ('<bpmn:intermediateCatchEvent id="x"><bpmn:conditionalEventDefinition/>'
     "</bpmn:intermediateCatchEvent>", "conditional"),
    ('<bpmn:intermediateThrowEvent id="x"><bpmn:signalEventDefinition/>'
     "</bpmn:intermediateThrowEvent>", "signal throw"),
    ('<bpmn:eventBasedGateway id="x" instantiate="true"/>', "instantiate"),
    ('<bpmn:complexGateway id="x"/>', "complex"),
    ('<bpmn:receiveTask id="x" messageRef="none"/>', "receive"),
    ('<bpmn:adHocSubProcess id="x"/>', "ad-hoc"),
    ('<bpmn:serviceTask id="x"/>', "has no handler"),
    ('<bpmn:scriptTask id="x" scriptFormat="groovy"><bpmn:script>println(x); '
     "x.save()</bpmn:script></bpmn:scriptTask>", "not a simple assignment"),
    ('<bpmn:userTask id="x" camunda:assignee="a"><bpmn:extensionElements>'
     '<camunda:taskListener event="create" class="X"/></bpmn:extensionElements></bpmn:userTask>',
     "taskListener"),
])
def test_unsupported_elements_are_named(node: str, word: str) -> None:
    body = LINEAR + node
    with pytest.raises(ModelError) as info:
        load_bpmn(bpmn(body))
    mine = [p for p in info.value.problems if p.element == "x"]
    assert mine and word in mine[0].message, info.value.problems


def test_graphical_and_data_things_are_ignored() -> None:
    body = LINEAR + """<bpmn:textAnnotation id="n"><bpmn:text>note</bpmn:text></bpmn:textAnnotation>
<bpmn:association id="a" sourceRef="review" targetRef="n"/>
<bpmn:dataObjectReference id="r" dataObjectRef="o"/><bpmn:group id="g"/>"""
    assert load_bpmn(bpmn(body)).has_element("review")


# -- process choice ----------------------------------------------------------------------
def test_the_executable_process_of_a_collaboration_is_imported() -> None:
    other = ('<bpmn:process id="other" isExecutable="false"><bpmn:startEvent id="s2"/>'
             "</bpmn:process>")
    collab = ('<bpmn:collaboration id="c"><bpmn:participant id="pa" name="贷款部" '
              'processRef="p"/></bpmn:collaboration>')
    d = load_bpmn(bpmn(LINEAR, 'id="p" isExecutable="true"', collab + other))
    assert d.key == "p" and d.name.zh == "贷款部"
    notes = d.extensions["bpmn_import"]["notes"]
    assert any("because it is executable" in n and "'other'" in n for n in notes)


# -- who does a step ----------------------------------------------------------------------
def _task(attrs: str, inner: str = "") -> UserTask:
    d = load_bpmn(bpmn(f"""<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s"
        targetRef="t"/><bpmn:userTask id="t" {attrs}>{inner}</bpmn:userTask>"""))
    task = d.element("t")
    assert isinstance(task, UserTask)
    return task


@pytest.mark.parametrize("vendor", ["camunda", "activiti", "flowable"])
def test_vendor_assignment_attributes(vendor: str) -> None:
    t = _task(f'{vendor}:assignee="${{starter}}" {vendor}:candidateUsers="kermit, fozzie" '
              f'{vendor}:candidateGroups="sales,finance" {vendor}:formKey="embedded:a.html" '
              f'{vendor}:dueDate="${{due}}" {vendor}:priority="80"')
    assert t.assignee == "starter" and t.candidate_users == ("kermit", "fozzie")
    assert t.roles == ("sales", "finance") and t.priority == 80
    assert t.extensions["form_key"] == "embedded:a.html" and t.extensions["due_date"] == "${due}"


def test_literal_assignee_becomes_a_quoted_expression() -> None:
    assert _task('camunda:assignee="demo"').assignee == "'demo'"


def test_zeebe_assignment_and_form() -> None:
    t = _task("", """<bpmn:extensionElements>
      <zeebe:assignmentDefinition assignee="= owner" candidateGroups="managers, audit"/>
      <zeebe:formDefinition formKey="camunda-forms:bpmn:f1"/>
      <zeebe:taskSchedule dueDate="= due"/></bpmn:extensionElements>""")
    assert t.assignee == "owner" and t.roles == ("managers", "audit")
    assert t.extensions["form_key"] == "camunda-forms:bpmn:f1" and t.extensions["due_date"]


def test_standard_resource_assignment() -> None:
    t = _task("", """<bpmn:potentialOwner><bpmn:resourceAssignmentExpression>
      <bpmn:formalExpression>user(kermit), group(management), accountancy</bpmn:formalExpression>
      </bpmn:resourceAssignmentExpression></bpmn:potentialOwner>""")
    assert t.roles == ("management", "accountancy") and t.candidate_users == ("kermit",)


def test_expression_candidate_groups_are_reported() -> None:
    found = problems(bpmn('<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" '
                          'targetRef="t"/><bpmn:userTask id="t" '
                          'camunda:candidateGroups="${groups}"/>'))
    assert any("candidateGroups" in p and "expression" in p for p in found)


def test_initiator_variable_reads_as_starter() -> None:
    d = load_bpmn(bpmn("""<bpmn:startEvent id="s" activiti:initiator="employee"/>
      <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/>
      <bpmn:userTask id="t" activiti:assignee="${employee}"/>"""))
    assert d.element("t").assignee == "starter"


def test_lanes_give_roles_unless_a_task_says_otherwise() -> None:
    lanes = """<bpmn:laneSet id="ls"><bpmn:lane id="Lane_1" name="财务">
      <bpmn:flowNodeRef>a</bpmn:flowNodeRef><bpmn:flowNodeRef>b</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>plain</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="Lane_2" name="Boss" lc:role="boss"><bpmn:flowNodeRef>c</bpmn:flowNodeRef>
      </bpmn:lane></bpmn:laneSet>"""
    d = load_bpmn(bpmn(lanes + """<bpmn:startEvent id="s"/>
      <bpmn:userTask id="a"/><bpmn:userTask id="b" camunda:candidateGroups="audit"/>
      <bpmn:task id="plain"/><bpmn:userTask id="c"/><bpmn:userTask id="free"/>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a"/>
      <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
      <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="plain"/>
      <bpmn:sequenceFlow id="f4" sourceRef="plain" targetRef="c"/>
      <bpmn:sequenceFlow id="f5" sourceRef="c" targetRef="free"/>"""))
    roles = {e.id: e.roles for e, _ in d.walk() if isinstance(e, UserTask)}
    assert roles == {"a": ("Lane_1",), "b": ("audit",), "plain": ("Lane_1",), "c": ("boss",),
                     "free": ("staff",)}
    names = {r.id: r.name.zh for r in d.roles}
    assert names["Lane_1"] == "财务" and names["boss"] == "Boss" and names["staff"] == "员工"


def test_camunda_form_fields() -> None:
    t = _task('camunda:assignee="a"', """<bpmn:extensionElements><camunda:formData>
      <camunda:formField id="amount" label="金额" type="long" defaultValue="10">
        <camunda:validation><camunda:constraint name="required"/>
        <camunda:constraint name="min" config="1"/></camunda:validation></camunda:formField>
      <camunda:formField id="kind" type="enum"><camunda:value id="a" name="A"/>
        <camunda:value id="b" name="B"/></camunda:formField>
      </camunda:formData></bpmn:extensionElements>""")
    amount, kind = t.form
    assert (amount.id, amount.type, amount.label.zh, amount.required, amount.default) == (
        "amount", "integer", "金额", True, 10)
    assert amount.options == {"min": 1}
    assert kind.type == "select"
    assert kind.options["choices"] == [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]


def test_activiti_form_properties() -> None:
    t = _task('activiti:assignee="a"', """<bpmn:extensionElements>
      <activiti:formProperty id="ok" name="Approve?" type="enum" required="true">
        <activiti:value id="true" name="Yes"/><activiti:value id="false" name="No"/>
      </activiti:formProperty></bpmn:extensionElements>""")
    assert t.form[0].required and [c["value"] for c in t.form[0].options["choices"]] == [
        "true", "false"]


# -- what the system does -----------------------------------------------------------------
def _service(node: str) -> ServiceTask:
    d = load_bpmn(bpmn(f"""<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s"
        targetRef="x"/>{node}"""))
    element = d.element("x")
    assert isinstance(element, ServiceTask)
    return element


@pytest.mark.parametrize(("attrs", "handler"), [
    ('camunda:class="com.x.CreditScore"', "com.x.CreditScore"),
    ('camunda:delegateExpression="${creditScoreDelegate}"', "creditScoreDelegate"),
    ('activiti:expression="#{mailer.send(order)}"', "mailer.send"),
    ('camunda:type="external" camunda:topic="score"', "score"),
    ('lc:handler="credit_score" camunda:class="Other"', "credit_score"),
])
def test_service_handler_names(attrs: str, handler: str) -> None:
    assert _service(f'<bpmn:serviceTask id="x" {attrs}/>').handler == handler


def test_zeebe_job_type_headers_and_output_mappings() -> None:
    task = _service("""<bpmn:serviceTask id="x"><bpmn:extensionElements>
      <zeebe:taskDefinition type="credit-check" retries="3"/>
      <zeebe:taskHeaders><zeebe:header key="mode" value="fast"/></zeebe:taskHeaders>
      <zeebe:ioMapping><zeebe:input source="= order.id" target="id"/>
      <zeebe:output source="= score &gt; 600" target="approved"/></zeebe:ioMapping>
      </bpmn:extensionElements></bpmn:serviceTask>""")
    assert task.handler == "credit-check" and task.assignments == (("approved", "score > 600"),)
    assert task.extensions["headers"] == {"mode": "fast"} and task.extensions["retries"] == "3"
    assert task.extensions["inputs"] == [{"source": "= order.id", "target": "id"}]


def test_business_rule_and_send_tasks_with_handlers() -> None:
    rule = _service('<bpmn:businessRuleTask id="x" camunda:decisionRef="fees" '
                    'camunda:resultVariable="fee"/>')
    assert rule.handler == "decision:fees" and rule.extensions["result_variable"] == "fee"
    assert rule.extensions["bpmn_type"] == "businessRuleTask"
    send = _service('<bpmn:sendTask id="x" camunda:class="com.x.Mail"/>')
    assert send.handler == "com.x.Mail"


def test_simple_scripts_become_assignments_and_plain_tasks_pass_through() -> None:
    script = _service('<bpmn:scriptTask id="x" scriptFormat="groovy"><bpmn:script>'
                      "total = price * qty</bpmn:script></bpmn:scriptTask>")
    assert script.assignments == (("total", "price * qty"),) and script.handler is None
    plain = _service('<bpmn:task id="x" name="Send mail"/>')
    assert plain.extensions["pass_through"] and plain.extensions["bpmn_type"] == "task"
    throw = _service('<bpmn:intermediateThrowEvent id="x"/>')
    assert throw.extensions["bpmn_type"] == "intermediateThrowEvent"


def test_a_step_without_outgoing_flow_ends_its_path() -> None:
    d = load_bpmn(bpmn("""<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s"
        targetRef="t"/><bpmn:userTask id="t" lc:roles="a"/>"""))
    ends = [e for e in d.elements if isinstance(e, EndEvent)]
    assert [e.id for e in ends] == ["t_end"]
    assert any("added end event" in n for n in d.extensions["bpmn_import"]["notes"])


def test_embedded_sub_process_and_nested_lane_roles() -> None:
    d = load_bpmn(bpmn("""<bpmn:laneSet id="ls"><bpmn:lane id="L" lc:role="ops">
      <bpmn:flowNodeRef>sub</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
      <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>
        <bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="inner"/>
        <bpmn:userTask id="inner"/><bpmn:sequenceFlow id="g2" sourceRef="inner" targetRef="se"/>
        <bpmn:endEvent id="se"/></bpmn:subProcess>
      <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="e"/><bpmn:endEvent id="e"/>"""))
    sub = d.element("sub")
    assert isinstance(sub, SubProcess) and d.parent("inner") == "sub"
    assert d.element("inner").roles == ("ops",)


def test_valued_data_objects_and_start_forms_declare_variables() -> None:
    d = load_bpmn(bpmn("""<bpmn:dataObject id="o1" name="limit" itemSubjectRef="xsd:int">
      <bpmn:extensionElements><activiti:value>500</activiti:value></bpmn:extensionElements>
      </bpmn:dataObject>
      <bpmn:startEvent id="s"><bpmn:extensionElements><camunda:formData>
        <camunda:formField id="days" type="long" defaultValue="1"/></camunda:formData>
      </bpmn:extensionElements></bpmn:startEvent>
      <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>"""))
    assert {v.id: v.default for v in d.variables} == {"limit": 500, "days": 1}


# -- running an import --------------------------------------------------------------------
def _ctx() -> Context:
    ids = count()
    return Context(now=datetime(2026, 1, 5, 9, tzinfo=UTC), new_id=lambda: f"i{next(ids)}")


def test_an_imported_process_runs_in_the_engine() -> None:
    d = load_bpmn(bpmn(LINEAR + '<bpmn:serviceTask id="unused" camunda:class="X"/>'
                       .replace("unused", "svc")).replace(
        '<bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="ok">',
        '<bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="svc">').replace(
        "</bpmn:process>", '<bpmn:sequenceFlow id="f9" sourceRef="svc" targetRef="ok"/>'
        "</bpmn:process>"))
    clerk = Actor("li", frozenset({"clerk"}))
    ctx = _ctx()
    state = decide(d, None, StartInstance(clerk, {}), ctx).state
    task = next(iter(state["tasks"].values()))
    done = decide(d, state, CompleteTask(clerk, task["id"], {"amount": 500}), ctx)
    assert [e["handler"] for e in done.effects] == ["X"]
    end = decide(d, done.state, CompleteService(clerk, done.effects[0]["token"], {}), ctx)
    assert end.state["status"] == "completed"
    state = decide(d, None, StartInstance(clerk, {}), ctx).state
    task = next(iter(state["tasks"].values()))
    stopped = decide(d, state, CompleteTask(clerk, task["id"], {"amount": 5}), ctx)
    assert stopped.state["status"] == "terminated"


# -- robustness ---------------------------------------------------------------------------
SAMPLE = bpmn(LINEAR)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(SAMPLE)), st.integers(0, 40),
       st.sampled_from(["", "<", ">", "&", '"', "<bpmn:task/>", "</bpmn:process>",
                        '<bpmn:sequenceFlow sourceRef="x"/>', "${", "&amp;", "\x00", "é"]))
def test_damaged_files_give_model_errors_never_tracebacks(at: int, cut: int, insert: str) -> None:
    text = SAMPLE[:at] + insert + SAMPLE[at + cut:]
    try:
        load_bpmn(text, "t.bpmn")
    except ModelError as exc:
        assert exc.problems and all(p.line or p.element for p in exc.problems)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_any_attribute_text_gives_a_model_or_a_model_error(assignee: str,
                                                           condition: str) -> None:
    body = LINEAR.replace('camunda:candidateGroups="clerk"',
                          f"camunda:assignee={quoteattr(assignee)}").replace(
        "${amount &gt; 100}", escape(condition))
    with contextlib.suppress(ModelError):
        load_bpmn(bpmn(body))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_encoded_bytes_are_read(encoding: str) -> None:
    text = bpmn(LINEAR).replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
    assert load_bpmn(text.encode(encoding)).element("review").name.zh == "审核"


def test_a_dtd_in_utf16_bytes_is_still_refused() -> None:
    text = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY e "x">]>'
            + bpmn(LINEAR).split("?>", 1)[1])
    with pytest.raises(ModelError, match="DTD"):
        load_bpmn(text.encode("utf-16"))
