"""Export a process definition as BPMN 2.0 XML with an automatic diagram (DI).

The semantic part uses standard BPMN plus Camunda attributes where they mean the same
(`candidateGroups`, `assignee`, `formKey`, `dueDate`, `formData`), so the file opens and
mostly runs in Camunda Modeler; everything liucheng needs to read the file back into the
same model is written in its own `lc:` namespace (`https://liucheng.dev/schema/bpmn`):
roles, English names, forms, instructions, assignments, deadlines and other step data.
Conditions are `tFormalExpression`s in liucheng's expression language; events, receive
tasks, event-based gateways and call activities are written by `bpmn_export_events`. The
diagram comes from `bpmn_layout`; `lanes=True` draws one pool with a lane per role.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from liucheng.loaders.bpmn_codec import extra_fields
from liucheng.loaders.bpmn_export_events import Declared, declare, write_event, write_throw
from liucheng.loaders.bpmn_layout import Box, Layout, layout
from liucheng.loaders.bpmn_multi import write_multi_instance
from liucheng.loaders.bpmn_ns import (
    BPMN,
    BPMNDI,
    CAMUNDA,
    DC,
    DI,
    LC,
    LC_EXPRESSION,
    XSI,
    q,
)
from liucheng.model import (
    BoundaryEvent,
    Element,
    EndEvent,
    EscalationThrowEvent,
    EventGateway,
    EventSubProcess,
    ExclusiveGateway,
    FormField,
    InclusiveGateway,
    MessageEvent,
    ParallelGateway,
    ProcessDefinition,
    ReceiveTask,
    SequenceFlow,
    ServiceTask,
    SignalEvent,
    StartEvent,
    SubProcess,
    Text,
    TimerEvent,
    UserTask,
)
from liucheng.model.calls import CallActivity

NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "camunda": CAMUNDA,
         "lc": LC}
SERVICE_TAGS = ("sendTask", "businessRuleTask", "scriptTask", "task", "manualTask",
                "intermediateThrowEvent")
INTERNAL_KEYS = ("bpmn_type", "pass_through", "script", "script_format")
COMMON = {"id", "name", "line", "default", "documentation"}
NATIVE: dict[type, set[str]] = {
    StartEvent: COMMON, EndEvent: COMMON | {"terminate"}, ExclusiveGateway: COMMON,
    ParallelGateway: COMMON, InclusiveGateway: COMMON, SubProcess: COMMON | {"elements", "flows"},
    EventSubProcess: COMMON | {"elements", "flows"},
    UserTask: COMMON | {"roles", "assignee", "candidate_users", "form", "instructions",
                        "priority", "outcomes", "extensions", "due", "return_to",
                        "distinct_from", "on_empty", "countersign"},
    ServiceTask: COMMON | {"handler", "assignments", "extensions"},
}
PROCESS_NATIVE = {"key", "name", "elements", "flows", "roles", "variables", "description",
                  "source_name", "extensions"}
CAMUNDA_TYPES = {"text": "string", "textarea": "string", "integer": "long", "decimal": "double",
                 "money": "double", "yesno": "boolean", "date": "date", "select": "enum"}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


class _Writer:
    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self.refs = Declared()

    def sub(self, parent: Any, ns: str, tag: str, **attrs: str | None) -> Any:
        el = etree.SubElement(parent, q(ns, tag))
        for key, value in attrs.items():
            if value is not None:
                el.set(key, value)
        return el

    def ext(self, el: Any) -> Any:
        found = el.find(q(BPMN, "extensionElements"))
        if found is None:
            found = etree.Element(q(BPMN, "extensionElements"))
            docs = el.findall(q(BPMN, "documentation"))
            (docs[-1].addnext(found) if docs else el.insert(0, found))
        return found

    def names(self, el: Any, name: Text) -> None:
        if name.zh:
            el.set("name", name.zh)
        if name.en:
            el.set(q(LC, "nameEn"), name.en)

    def documentation(self, el: Any, text: Text) -> None:
        if text.zh:
            self.sub(el, BPMN, "documentation").text = text.zh
        if text.en:
            el.set(q(LC, "documentationEn"), text.en)

    def settings(self, el: Any, value: Any, native: set[str]) -> None:
        """Model fields without a BPMN form, as typed JSON (see bpmn_codec)."""
        texts, skipped = extra_fields(value, native)
        for name, text in texts.items():
            self.sub(self.ext(el), LC, "setting", name=name).text = text
        for name in skipped:
            el.append(etree.Comment(f" liucheng: '{name}' holds compiled rules and is not "
                                    "exported "))

    def data(self, el: Any, values: dict[str, Any]) -> None:
        for key, value in values.items():
            self.sub(self.ext(el), LC, "data", key=key).text = _json(value)

    # -- process -------------------------------------------------------------------------
    def process(self, root: Any, lanes: Layout | None) -> Any:
        d = self.definition
        process = self.sub(root, BPMN, "process", id=d.key, isExecutable="true")
        if d.extensions.get("bpmn_import", {}).get("findings"):  # a draft: deploy refuses it
            process.set(q(LC, "draft"), "true")
        self.names(process, d.name)
        self.documentation(process, d.description)
        for role in d.roles:
            self.sub(self.ext(process), LC, "role", id=role.id, name=role.name.zh or None,
                     nameEn=role.name.en or None)
        for v in d.variables:
            self.sub(self.ext(process), LC, "variable", id=v.id, type=v.type,
                     label=v.label.zh or None, labelEn=v.label.en or None,
                     default=None if v.default is None else _json(v.default))
        self.data(process, {k: v for k, v in d.extensions.items() if k != "bpmn_import"})
        self.settings(process, d, PROCESS_NATIVE)
        if lanes is not None and lanes.lanes:
            lane_set = self.sub(process, BPMN, "laneSet", id=f"LaneSet_{d.key}")
            for role_id, _ in lanes.lanes:
                lane = self.sub(lane_set, BPMN, "lane", id=lane_id(role_id))
                lane.set(q(LC, "role"), role_id)
                declared = d.role(role_id)
                self.names(lane, declared.name if declared and declared.name else Text(role_id))
                for e in d.elements:
                    if lanes.lane_of.get(e.id) == role_id:
                        self.sub(lane, BPMN, "flowNodeRef").text = e.id
        self.scope(process, d.elements, d.flows)
        return process

    def scope(self, parent: Any, elements: tuple[Element, ...],
              flows: tuple[SequenceFlow, ...]) -> None:
        for element in elements:
            self.node(parent, element, flows)
        for flow in flows:
            el = self.sub(parent, BPMN, "sequenceFlow", id=flow.id, sourceRef=flow.source,
                          targetRef=flow.target)
            self.names(el, flow.name)
            if flow.condition is not None:
                cond = self.sub(el, BPMN, "conditionExpression", language=LC_EXPRESSION)
                cond.set(q(XSI, "type"), "bpmn:tFormalExpression")
                cond.text = flow.condition

    def node(self, parent: Any, e: Element, flows: tuple[SequenceFlow, ...]) -> None:
        tag = _tag(e)
        el = self.sub(parent, BPMN, tag, id=e.id, default=e.default)
        self.names(el, e.name)
        self.documentation(el, e.documentation)
        for f in flows:
            if f.target == e.id:
                self.sub(el, BPMN, "incoming").text = f.id
        for f in flows:
            if f.source == e.id:
                self.sub(el, BPMN, "outgoing").text = f.id
        looped = getattr(e, "multi_instance", None)
        if looped is not None:  # before a sub-process's own elements, as the schema wants
            write_multi_instance(el, looped)
        if isinstance(e, EndEvent) and e.terminate:
            self.sub(el, BPMN, "terminateEventDefinition", id=f"{e.id}_terminate")
        elif isinstance(e, UserTask):
            self.user_task(el, e)
        elif isinstance(e, ServiceTask):
            self.service_task(el, e)
        elif isinstance(e, SubProcess):
            if isinstance(e, EventSubProcess):
                el.set("triggeredByEvent", "true")
            self.scope(el, e.elements, e.flows)
        native = NATIVE.get(type(e))
        if native is None:
            native = write_event(self, self.refs, el, e, COMMON)
        if native is None:
            el.set(q(LC, "kind"), e.kind)
        self.settings(el, e, (native or COMMON) | {"multi_instance"})

    def user_task(self, el: Any, t: UserTask) -> None:
        if t.roles:
            el.set(q(CAMUNDA, "candidateGroups"), ",".join(t.roles))
            el.set(q(LC, "roles"), ",".join(t.roles))
        if t.assignee:
            el.set(q(LC, "assignee"), t.assignee)
            if t.assignee.isidentifier():
                el.set(q(CAMUNDA, "assignee"), "${" + t.assignee + "}")
        if t.candidate_users:
            el.set(q(CAMUNDA, "candidateUsers"), ",".join(t.candidate_users))
            el.set(q(LC, "candidateUsers"), ",".join(t.candidate_users))
        if t.priority != 50:
            el.set(q(CAMUNDA, "priority"), str(t.priority))
            el.set(q(LC, "priority"), str(t.priority))
        if t.outcomes:
            el.set(q(LC, "outcomes"), ",".join(t.outcomes))
        for key, attr in (("form_key", "formKey"), ("due_date", "dueDate"),
                          ("follow_up_date", "followUpDate")):
            if isinstance(t.extensions.get(key), str):
                el.set(q(CAMUNDA, attr), t.extensions[key])
        for attr, value in human_task_attributes(t).items():
            el.set(q(LC, attr), value)
        if t.form:
            self.form(el, t.form)
        for lang, text in (("zh", t.instructions.zh), ("en", t.instructions.en)):
            if text:
                self.sub(self.ext(el), LC, "instructions", lang=lang).text = text
        self.data(el, {k: v for k, v in t.extensions.items() if k not in INTERNAL_KEYS})

    def form(self, el: Any, fields: tuple[FormField, ...]) -> None:
        data = self.sub(self.ext(el), CAMUNDA, "formData")
        for f in fields:
            cf = self.sub(data, CAMUNDA, "formField", id=f.id, label=f.label.get() or None,
                          type=CAMUNDA_TYPES.get(f.type, f.type))
            if f.default is not None and not isinstance(f.default, (dict, list)):
                cf.set("defaultValue", str(f.default))
            if f.required:
                self.sub(self.sub(cf, CAMUNDA, "validation"), CAMUNDA, "constraint",
                         name="required")
            for choice in f.options.get("choices") or []:
                value = choice.get("value") if isinstance(choice, dict) else choice
                label = choice.get("label", value) if isinstance(choice, dict) else choice
                if isinstance(label, dict):
                    label = label.get("zh") or label.get("en") or value
                self.sub(cf, CAMUNDA, "value", id=str(value), name=str(label))
        form = self.sub(self.ext(el), LC, "form")
        for f in fields:
            self.sub(form, LC, "field", id=f.id, type=f.type, label=f.label.zh or None,
                     labelEn=f.label.en or None, required="true" if f.required else None,
                     default=None if f.default is None else _json(f.default),
                     options=_json(dict(f.options)) if f.options else None)

    def service_task(self, el: Any, t: ServiceTask) -> None:
        ext = t.extensions
        if ext.get("pass_through"):
            el.set(q(LC, "passThrough"), "true")
        if ext.get("bpmn_type") == "scriptTask":
            if ext.get("script_format"):
                el.set("scriptFormat", str(ext["script_format"]))
            self.sub(el, BPMN, "script").text = str(ext.get("script") or "")
        if t.handler:
            el.set(q(LC, "handler"), t.handler)
            if ext.get("external_task"):
                el.set(q(CAMUNDA, "type"), "external")
                el.set(q(CAMUNDA, "topic"), t.handler)
            elif t.handler.replace(".", "_").isidentifier():
                el.set(q(CAMUNDA, "delegateExpression"), "${" + t.handler + "}")
        if not ext.get("pass_through"):
            for var, expr in t.assignments:
                self.sub(self.ext(el), LC, "set", var=var).text = expr
        else:
            write_throw(self, self.refs, el, t)
        self.data(el, {k: v for k, v in ext.items() if k not in INTERNAL_KEYS
                       and not (k == "message" and ext.get("pass_through"))})
        script = el.find(q(BPMN, "script"))
        if script is not None:  # the schema puts <script> after extensionElements
            el.append(script)

    # -- diagram -------------------------------------------------------------------------
    def diagram(self, root: Any, plane_for: str, shapes: Layout) -> None:
        diagram = self.sub(root, BPMNDI, "BPMNDiagram", id=f"BPMNDiagram_{self.definition.key}")
        plane = self.sub(diagram, BPMNDI, "BPMNPlane", id=f"BPMNPlane_{self.definition.key}",
                         bpmnElement=plane_for)
        if shapes.pool is not None:
            self.shape(plane, participant_id(self.definition), shapes.pool, isHorizontal="true")
            for role, box in shapes.lanes:
                self.shape(plane, lane_id(role), box, isHorizontal="true")
        for element, _ in self.definition.walk():
            extra: dict[str, str] = {}
            if isinstance(element, SubProcess):
                extra["isExpanded"] = "true"
            if isinstance(element, ExclusiveGateway):
                extra["isMarkerVisible"] = "true"
            self.shape(plane, element.id, shapes.shapes[element.id], **extra)
        for flow in self.definition.all_flows():
            edge = self.sub(plane, BPMNDI, "BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
            for x, y in shapes.edges[flow.id]:
                self.sub(edge, DI, "waypoint", x=_num(x), y=_num(y))

    def shape(self, plane: Any, element_id: str, box: Box, **extra: str) -> None:
        shape = self.sub(plane, BPMNDI, "BPMNShape", id=f"{element_id}_di",
                         bpmnElement=element_id, **extra)
        self.sub(shape, DC, "Bounds", x=_num(box.x), y=_num(box.y), width=_num(box.w),
                 height=_num(box.h))


def human_task_attributes(t: UserTask) -> dict[str, str]:
    """lc: attributes for the human-task settings of the model (deadline, return, …)."""
    out: dict[str, str] = {}
    due = getattr(t, "due", None)
    if due:
        out["due"] = _json(dict(due))
    for field, attr in (("return_to", "returnTo"), ("distinct_from", "distinctFrom")):
        value = getattr(t, field, ())
        if value:
            out[attr] = ",".join(value)
    on_empty = getattr(t, "on_empty", "pool")
    if on_empty != "pool":
        out["onEmpty"] = str(on_empty)
    sign = getattr(t, "countersign", None)
    if sign is not None:
        out["countersign"] = _json({"mode": sign.mode, "ratio": sign.ratio,
                                    "signers": sign.signers, "veto": sign.veto})
    return out


def _tag(e: Element) -> str:
    if isinstance(e, StartEvent):
        return "startEvent"
    if isinstance(e, EndEvent):
        return "endEvent"
    if isinstance(e, UserTask):
        kind = e.extensions.get("bpmn_type")
        return kind if kind in ("task", "manualTask") else "userTask"
    if isinstance(e, ServiceTask):
        kind = e.extensions.get("bpmn_type")
        return kind if kind in SERVICE_TAGS else "serviceTask"
    if isinstance(e, SubProcess):
        return "subProcess"
    known = {ExclusiveGateway: "exclusiveGateway", ParallelGateway: "parallelGateway",
             InclusiveGateway: "inclusiveGateway", EventGateway: "eventBasedGateway",
             CallActivity: "callActivity", ReceiveTask: "receiveTask",
             BoundaryEvent: "boundaryEvent", TimerEvent: "intermediateCatchEvent",
             MessageEvent: "intermediateCatchEvent", SignalEvent: "intermediateCatchEvent",
             EscalationThrowEvent: "intermediateThrowEvent",
             }.get(type(e))
    return known or kind_tag(e.kind)


def kind_tag(kind: str) -> str:
    """A BPMN tag for a liucheng-only element kind (read back through its `lc:kind`)."""
    camel = "".join(w.capitalize() for w in kind.split("_"))
    tag = camel[0].lower() + camel[1:]
    if tag in ("businessRuleTask", "receiveTask", "boundaryEvent"):
        return tag
    if kind.endswith("start_event"):
        return "startEvent"
    if kind.endswith("end_event"):
        return "endEvent"
    if "event" in kind:
        return "intermediateCatchEvent"
    return "eventBasedGateway" if "gateway" in kind else "task"


def lane_id(role: str) -> str:
    return f"Lane_{role}"


def participant_id(definition: ProcessDefinition) -> str:
    return f"Participant_{definition.key}"


def export_bpmn(definition: ProcessDefinition, *, lanes: bool = False) -> str:
    """BPMN 2.0 XML for `definition`, with a laid-out diagram; lanes per role if asked."""
    writer = _Writer(definition)
    root = etree.Element(q(BPMN, "definitions"), nsmap=NSMAP)
    root.set("id", f"Definitions_{definition.key}")
    root.set("targetNamespace", "https://liucheng.dev/processes")
    root.set("exporter", "liucheng")
    shapes = layout(definition, lanes=lanes)
    plane_for = definition.key
    if lanes:
        collaboration = writer.sub(root, BPMN, "collaboration",
                                   id=f"Collaboration_{definition.key}")
        participant = writer.sub(collaboration, BPMN, "participant",
                                 id=participant_id(definition), processRef=definition.key)
        writer.names(participant, definition.name)
        plane_for = str(collaboration.get("id"))
    writer.refs = declare(writer, root, definition)
    writer.process(root, shapes if lanes else None)
    writer.diagram(root, plane_for, shapes)
    return str(etree.tostring(root, pretty_print=True, xml_declaration=True,
                              encoding="UTF-8").decode("utf-8"))
