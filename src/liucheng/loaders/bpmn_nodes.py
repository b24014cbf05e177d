"""Flow nodes and sequence flows of one BPMN process, read into liucheng model elements.

`NodeReader.scope` turns a `<process>` or `<subProcess>` into elements and flows; events,
receive tasks, event-based gateways and call activities are read by `bpmn_events`, loop
markers by `bpmn_multi`. What liucheng cannot run (compensation, standard loops,
listeners, …) is reported once, by element id, tag and line; the flows touching such an
element are dropped so they cause no second, confusing problem. A plain `task` or
`manualTask` with nobody assigned, a plain intermediate throw event, a message throw or a
send task without handler and a script with no effect become *pass-through* steps: a
service step that records `<id> = true` and moves on.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any

from liucheng.errors import ExpressionError, Problem
from liucheng.loaders.bpmn_codec import element_class, restore
from liucheng.loaders.bpmn_events import (
    Refs,
    call_activity,
    event_element,
    event_gateway,
    receive_task,
)
from liucheng.loaders.bpmn_expressions import script_assignments, translate_condition
from liucheng.loaders.bpmn_forms import form_fields
from liucheng.loaders.bpmn_http import http_of
from liucheng.loaders.bpmn_multi import LoopError, read_multi_instance
from liucheng.loaders.bpmn_ns import (
    DRAFT_GAP,
    IGNORED,
    PASS_THROUGH,
    SPIFF,
    UNSUPPORTED_EXTENSIONS,
    UNSUPPORTED_EXTENSIONS_NS,
    UNSUPPORTED_NODES,
    VENDOR_PREFIX,
    ZEEBE,
    child,
    children,
    event_kinds,
    extension_elements,
    is_bpmn,
    lc_attr,
    line,
    local,
    namespace,
    text_of,
    vendor_attr,
)
from liucheng.loaders.bpmn_vendor import (
    Assignment,
    assignment,
    documentation,
    handler,
    human_task_fields,
    io_mapping,
    lc_assignments,
    lc_data,
    lc_settings,
    lc_text,
    priority,
    split_list,
    user_extensions,
)
from liucheng.model import (
    BoundaryEvent,
    Element,
    EndEvent,
    EventSubProcess,
    ExclusiveGateway,
    InclusiveGateway,
    ParallelGateway,
    ReceiveTask,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
    Text,
    UserTask,
)
from liucheng.model.calls import CallActivity


@dataclass
class NodeReader:
    """Reads the nodes of one process; collects problems instead of raising."""

    source: str | None
    all_ids: dict[str, Any]
    default_role: str
    expression_language: str | None = None
    rename: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lane_of: dict[str, str] = field(default_factory=dict)
    role_names: dict[str, Text] = field(default_factory=dict)
    roles_used: list[str] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    dirty_scopes: set[str | None] = field(default_factory=set)
    scope_of: dict[str, str | None] = field(default_factory=dict)
    start_forms: list[Any] = field(default_factory=list)
    refs: Refs = field(default_factory=Refs)
    zeebe: bool = False  # a Camunda 8 file: its crons are Spring's
    draft: bool = False  # a drawing: keep what cannot run as a draft gap (bpmn_xml.load_bpmn)
    gaps: set[str] = field(default_factory=set)  # ids of the draft gaps

    # -- reporting -----------------------------------------------------------------------
    def problem(self, message: str, el: Any, hint: str | None = None,
                element: str | None = None) -> None:
        tag = local(el)
        text = message if message.startswith(tag) else f"{tag}: {message}"
        self.problems.append(Problem(text, element=element or el.get("id"), line=line(el),
                                     source=self.source, hint=hint))

    def report(self, message: str, el: Any, hint: str | None) -> None:
        """The `Report` callback handed to the vendor readers (el may be a child element)."""
        owner = el
        while owner is not None and not owner.get("id"):
            owner = owner.getparent()
        self.problems.append(Problem(f"{local(el)}: {message}", element=(
            owner.get("id") if owner is not None else None), line=line(el), source=self.source,
            hint=hint))

    def unsupported(self, el: Any, message: str, scope: str | None,
                    hint: str | None = None) -> None:
        self.problem(message, el, hint or "see docs/bpmn.md for what liucheng imports")
        if el.get("id"):
            self.skipped.add(str(el.get("id")))
        self.dirty_scopes.add(scope)

    # -- lanes and roles -----------------------------------------------------------------
    def read_lanes(self, process: Any) -> None:
        for lane in process.iter(f"{{{namespace(process)}}}lane"):
            role = lc_attr(lane, "role") or lane.get("id")
            if not role:
                continue
            name = Text(str(lane.get("name") or "").strip(), lc_attr(lane, "nameEn") or "")
            self.role_names.setdefault(role, name)
            for ref in children(lane, "flowNodeRef"):
                self.lane_of[text_of(ref)] = role

    def use_roles(self, roles: tuple[str, ...]) -> None:
        for role in roles:
            if role not in self.roles_used:
                self.roles_used.append(role)

    # -- scopes --------------------------------------------------------------------------
    def scope(self, container: Any, scope: str | None, parent_lane: str | None
              ) -> tuple[list[Element], list[SequenceFlow]]:
        elements: list[Element] = []
        raw_flows: list[Any] = []
        node_ids: set[str] = set()
        boundaries: list[tuple[BoundaryEvent, Any]] = []
        for el in container:
            if not is_bpmn(el):
                continue
            tag = local(el)
            if tag == "sequenceFlow":
                raw_flows.append(el)
                continue
            if tag in IGNORED:
                continue
            if el.get("id"):
                node_ids.add(str(el.get("id")))
                lane = self.lane_of.get(str(el.get("id")))
                if lane is None and parent_lane is not None:
                    self.lane_of[str(el.get("id"))] = parent_lane
            element = self.looped(el, tag, scope)
            if element is None and self.draft and el.get("id") in self.skipped:
                element = self.draft_gap(el, tag)
            if element is not None:
                elements.append(element)
                self.scope_of[element.id] = scope
                if isinstance(element, BoundaryEvent):
                    boundaries.append((element, el))
        self.check_hosts(elements, boundaries, scope)
        flows = [f for f in (self.flow(el, node_ids, scope) for el in raw_flows) if f]
        sources = {str(el.get("sourceRef")) for el in raw_flows}
        for element in list(elements):
            if isinstance(element, (UserTask, ServiceTask, SubProcess, CallActivity,
                                    ReceiveTask)) and (
                    element.id not in sources) and not isinstance(element, EventSubProcess):
                end = self.fresh_id(f"{element.id}_end")
                elements.append(EndEvent(id=end, line=element.line))
                flows.append(SequenceFlow(self.fresh_id(f"{element.id}_to_end"), element.id,
                                          end, line=element.line))
                self.scope_of[end] = scope
                self.notes.append(f"'{element.id}' has no outgoing flow: added end event "
                                  f"'{end}' after it")
        return elements, flows

    def check_hosts(self, elements: list[Element], boundaries: list[tuple[BoundaryEvent, Any]],
                    scope: str | None) -> None:
        """Boundary events must sit on a step of their scope that liucheng arms them on."""
        hosts = {e.id: e for e in elements}
        for boundary, el in boundaries:
            host = hosts.get(boundary.attached_to)
            if boundary.attached_to in self.skipped:  # its step was reported already
                self.skipped.add(boundary.id)
                self.dirty_scopes.add(scope)
            elif host is None:
                where = "another scope" if boundary.attached_to in self.all_ids else "no element"
                self.unsupported(el, f"boundaryEvent: attachedToRef '{boundary.attached_to}' "
                                 f"names {where}", scope,
                                 "attach it to a step beside it, in the same (sub-)process")
            elif not (isinstance(host, (UserTask, SubProcess, ReceiveTask, CallActivity))
                      or isinstance(host, ServiceTask) and (host.handler or host.http)):
                what = host.extensions.get("bpmn_type", "serviceTask") if isinstance(
                    host, ServiceTask) else host.kind
                self.unsupported(el, f"boundaryEvent ({boundary.trigger}) on {what} "
                                 f"'{host.id}' is not supported: liucheng arms boundary events "
                                 "on user tasks, service tasks with a handler or an HTTP call, "
                                 "receive tasks, call activities and sub-processes", scope)
                if self.draft:  # kept on its host: a gap the drawing must still fill
                    self.skipped.discard(boundary.id)
                    continue
            else:
                continue
            elements.remove(boundary)

    def draft_gap(self, el: Any, tag: str) -> ServiceTask:
        """The closest model element of a node that cannot run: a service step with no
        handler, marked `draft_gap` with its BPMN tag and why (kept through export)."""
        eid = str(el.get("id"))
        self.skipped.discard(eid)
        self.gaps.add(eid)
        why = next((p.message for p in reversed(self.problems) if p.element == eid), "")
        ext = lc_data(el)
        ext.setdefault(DRAFT_GAP, {"tag": tag, "finding": why})
        return ServiceTask(id=eid, name=self.name(el), line=line(el),
                           documentation=documentation(el), default=el.get("default") or None,
                           extensions=ext)

    def fresh_id(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.all_ids:
            n += 1
            candidate = f"{base}_{n}"
        self.all_ids[candidate] = None
        return candidate

    def flow(self, el: Any, node_ids: set[str], scope: str | None) -> SequenceFlow | None:
        fid = el.get("id")
        if not fid:
            fid = self.fresh_id(f"{el.get('sourceRef')}_to_{el.get('targetRef')}")
            self.notes.append(f"a sequence flow without id on line {line(el)} is called '{fid}'")
        refs = []
        for end in ("sourceRef", "targetRef"):
            ref = el.get(end)
            if ref in self.skipped:
                return None
            if not ref:
                self.problem(f"sequence flow has no {end}", el)
            elif ref not in node_ids:
                if ref in self.all_ids:
                    self.problem(f"{end} '{ref}' is in another scope: sequence flows cannot "
                                 "cross a sub-process boundary", el)
                else:
                    close = difflib.get_close_matches(ref, sorted(node_ids), n=1)
                    self.problem(f"{end} '{ref}' does not exist", el,
                                 f"did you mean '{close[0]}'?" if close else None)
            else:
                refs.append(str(ref))
        condition: str | None = None
        cond = child(el, "conditionExpression")
        if cond is not None:
            try:
                condition = translate_condition(text_of(cond), cond.get("language"),
                                                self.expression_language, self.rename)
            except ExpressionError as exc:
                self.problem(f"condition: {exc.message}", el, exc.hint)
        if len(refs) != 2:
            self.dirty_scopes.add(scope)
            return None
        self.scope_of[str(fid)] = scope
        return SequenceFlow(str(fid), refs[0], refs[1], condition, self.name(el), line(el))

    @staticmethod
    def name(el: Any) -> Text:
        return Text(str(el.get("name") or ""), lc_attr(el, "nameEn") or "")

    # -- nodes ---------------------------------------------------------------------------
    def node(self, el: Any, tag: str, scope: str | None) -> Element | None:
        nid = el.get("id")
        if not nid:  # ids are optional in BPMN; flows cannot point at such a node anyway
            nid = self.fresh_id(f"{tag}_line{line(el)}")
            el.set("id", nid)
            self.notes.append(f"{tag} without id on line {line(el)} is called '{nid}'")
        common: dict[str, Any] = {"id": str(nid), "name": self.name(el), "line": line(el),
                                  "documentation": documentation(el),
                                  "default": el.get("default") or None}
        if lc_attr(el, "kind"):
            return self.liucheng_kind(el, str(lc_attr(el, "kind")), common, scope)
        for ext in extension_elements(el, UNSUPPORTED_EXTENSIONS_NS):
            why = UNSUPPORTED_EXTENSIONS.get((namespace(ext), local(ext)))
            if why:
                prefix = VENDOR_PREFIX.get(namespace(ext), "")
                self.problem(f"{tag}: {prefix}:{local(ext)} {why}", el)
        if child(el, "standardLoopCharacteristics") is not None:
            self.unsupported(el, f"{tag} with loop characteristics is not supported", scope)
            return None
        if tag in UNSUPPORTED_NODES:
            message, hint = UNSUPPORTED_NODES[tag]
            kinds = event_kinds(el)
            detail = f" ({', '.join(kinds)}" if kinds else ""
            self.unsupported(el, f"{tag}{detail + ')' if detail else ''}: {message}", scope, hint)
            return None
        if tag in ("startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent",
                   "boundaryEvent"):
            return self.event(el, tag, common, scope)
        if tag == "receiveTask":
            return receive_task(self, el, common, scope)
        if tag == "callActivity":
            return call_activity(self, el, common, scope)
        if tag == "eventBasedGateway":
            return event_gateway(self, el, common, scope)
        if tag in ("userTask", "manualTask", "task"):
            return self.user_task(el, tag, common, scope)
        if tag in ("serviceTask", "sendTask", "businessRuleTask"):
            return self.service_task(el, tag, common, scope)
        if tag == "scriptTask":
            return self.script_task(el, common, scope)
        gateway = {"exclusiveGateway": ExclusiveGateway, "parallelGateway": ParallelGateway,
                   "inclusiveGateway": InclusiveGateway}.get(tag)
        if gateway is not None:
            return gateway(**common)
        if tag == "subProcess":
            inner, flows = self.scope(el, str(nid), self.lane_of.get(str(nid)))
            cls = EventSubProcess if el.get("triggeredByEvent") == "true" else SubProcess
            return cls(**common, elements=tuple(inner), flows=tuple(flows))
        self.unsupported(el, f"{tag} is not a flow element liucheng supports", scope)
        return None

    def looped(self, el: Any, tag: str, scope: str | None) -> Element | None:
        """`node`, with its multi-instance settings (bpmn_multi) when it has them."""
        try:
            mi = read_multi_instance(el, self.rename, self.expression_language)
        except LoopError as exc:
            self.unsupported(el, f"{tag}: multi-instance {exc}", scope)
            return None
        element = self.node(el, tag, scope)
        if mi is None or element is None:
            return element
        if not hasattr(element, "multi_instance"):
            self.unsupported(el, f"{tag} cannot be multi-instance in liucheng", scope)
            return None
        return dataclasses.replace(element, multi_instance=mi)  # type: ignore[call-arg]

    def liucheng_kind(self, el: Any, kind: str, common: dict[str, Any], scope: str | None
                      ) -> Element | None:
        """An element kind of liucheng's own (`lc:kind`), rebuilt from its lc:settings."""
        cls = element_class(kind)
        if cls is None:
            self.unsupported(el, f"lc:kind '{kind}' is not an element kind of this liucheng",
                             scope)
            return None
        return cls(**common, **self.settings(el, cls))  # type: ignore[no-any-return]

    def settings(self, el: Any, cls: Any) -> dict[str, Any]:
        kwargs, bad = restore(cls, lc_settings(el))
        for name in bad:
            self.problem(f"lc:setting '{name}' is not a setting of a {cls.kind}", el)
        return kwargs

    def event(self, el: Any, tag: str, common: dict[str, Any], scope: str | None
              ) -> Element | None:
        if event_kinds(el) or tag in ("intermediateCatchEvent", "boundaryEvent"):
            return event_element(self, el, tag, common, scope)
        if tag == "startEvent":
            if scope is None:
                self.start_forms.append(el)
            return StartEvent(**common)
        if tag == "endEvent":
            return EndEvent(**common)
        return self.pass_through(tag, common)

    def pass_through(self, tag: str, common: dict[str, Any],
                     extra: dict[str, Any] | None = None) -> ServiceTask:
        self.notes.append(f"{tag} '{common['id']}' does nothing in liucheng: it passes through")
        return ServiceTask(**common, assignments=((common["id"], "true"),),
                           extensions={"bpmn_type": tag, PASS_THROUGH: True, **(extra or {})})

    def user_task(self, el: Any, tag: str, common: dict[str, Any], scope: str | None
                  ) -> Element | None:
        if lc_attr(el, "passThrough") == "true":
            return self.pass_through(tag, common)
        who = assignment(el, self.report, self.rename)
        if not who and self.lane_of.get(common["id"]):
            who = Assignment(roles=(self.lane_of[common["id"]],))
        if not who and tag != "userTask":
            return self.pass_through(tag, common)
        if not who:
            who = Assignment(roles=(self.default_role,))
            self.notes.append(f"user task '{common['id']}' names nobody: it goes to role "
                              f"'{self.default_role}'")
        self.use_roles(who.roles)
        ext = user_extensions(el)
        human, extra = human_task_fields(el, self.report)
        ext.update(extra)
        if tag != "userTask":
            ext["bpmn_type"] = tag
        instructions = lc_text(el, "instructions")
        if not instructions:
            spiff = [text_of(e) for e in extension_elements(el, SPIFF)
                     if local(e) == "instructionsForEndUser"]
            instructions = Text(spiff[0] if spiff else "")
        return UserTask(**common, roles=who.roles, assignee=who.assignee,
                        candidate_users=who.candidate_users, form=form_fields(el, self.report),
                        instructions=instructions, priority=priority(el, ext),
                        outcomes=tuple(split_list(lc_attr(el, "outcomes"))), extensions=ext,
                        **{**human, **self.settings(el, UserTask)})

    def service_task(self, el: Any, tag: str, common: dict[str, Any], scope: str | None
                     ) -> Element | None:
        name, ext = handler(el, self.report)
        outputs, inputs = io_mapping(el, self.report, self.rename)
        if inputs:
            ext["inputs"] = inputs
        assignments = tuple(lc_assignments(el) or outputs)
        if tag != "serviceTask":
            ext["bpmn_type"] = tag
        http = http_of(el, name, ext, self.report, self.rename)
        settings = {"http": http, **self.settings(el, ServiceTask)}
        name = None if settings["http"] is not None else name
        if not name and not assignments and settings["http"] is None:
            if tag == "sendTask":
                message = self.refs.messages.get(str(el.get("messageRef")), ("", None))[0]
                self.notes.append(f"sendTask '{common['id']}' has no handler: liucheng "
                                  "delivers messages from outside a case (Engine.correlate)")
                return self.pass_through(tag, common, {"message": message} if message else None)
            else:
                self.unsupported(el, f"{tag} has no handler", scope,
                                 "name one with lc:handler, camunda:class, "
                                 "camunda:delegateExpression, camunda:topic or a zeebe job type")
            return None
        return ServiceTask(**common, handler=name, assignments=assignments, extensions=ext,
                           **settings)

    def script_task(self, el: Any, common: dict[str, Any], scope: str | None) -> Element | None:
        script = text_of(child(el, "script"))
        fmt = el.get("scriptFormat")
        extra = {k: v for k, v in (("script_format", fmt), ("script", script)) if v}
        assignments = lc_assignments(el)
        zeebe = [z for z in extension_elements(el, ZEEBE) if local(z) == "script"]
        try:
            if vendor_attr(el, "resource"):
                raise ExpressionError(f"runs the external script '{vendor_attr(el, 'resource')}'")
            if not assignments and zeebe:
                script, fmt = str(zeebe[0].get("expression") or ""), "feel"
                extra["script"], extra["script_format"] = script, fmt
                assignments = list(script_assignments(script, fmt, zeebe[0].get("resultVariable"),
                                                      self.rename))
            elif not assignments:
                assignments = list(script_assignments(script, fmt, vendor_attr(
                    el, "resultVariable"), self.rename))
        except ExpressionError as exc:
            self.unsupported(el, f"scriptTask: {exc.message}", scope,
                             exc.hint or "use a service task with a handler for real code")
            return None
        if not assignments:
            return self.pass_through("scriptTask", common, extra)
        return ServiceTask(**common, assignments=tuple(assignments),
                           extensions={"bpmn_type": "scriptTask", **extra})

