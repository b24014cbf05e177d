"""Structural checks of a process definition; every problem names the element and line."""

from __future__ import annotations

from dataclasses import replace

from liucheng.errors import ExpressionError, ModelError, Problem
from liucheng.model.definition import ProcessDefinition
from liucheng.model.elements import (
    GATEWAYS,
    BusinessRuleTask,
    Element,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
    UserTask,
)
from liucheng.model.events import BoundaryEvent, EventSubProcess
from liucheng.rules.expressions import compile_expression


def validate(definition: ProcessDefinition) -> list[Problem]:
    """Return every problem found; an empty list means the definition can be deployed."""
    problems: list[Problem] = []
    src = definition.source_name

    def problem(message: str, node: Element | SequenceFlow | None, hint: str | None = None) -> None:
        problems.append(
            Problem(
                message,
                element=node.id if node else None,
                line=node.line if node else None,
                source=src,
                hint=hint,
            )
        )

    seen: dict[str, Element | SequenceFlow] = {}
    for node in [e for e, _ in definition.walk()] + list(definition.all_flows()):
        if node.id in seen:
            other = seen[node.id].line
            problem(
                f"duplicate id '{node.id}'" + (f" (first used on line {other})" if other else ""),
                node,
                "give every step, gateway and flow its own id",
            )
        else:
            seen[node.id] = node

    roles = {r.id for r in definition.roles}
    _check_scope(definition, None, definition.elements, definition.flows, roles, problem)
    from liucheng.model.validate_events import check_events

    problems.extend(check_events(definition, src))
    from liucheng.model.validate_multi import check_multi_instance

    problems.extend(check_multi_instance(definition, src))
    from liucheng.model.names import strict, unknown_names

    if strict(definition):  # elsewhere `liucheng validate` prints them as warnings
        problems.extend(unknown_names(definition))
    return problems


def _check_scope(
    definition: ProcessDefinition,
    scope: str | None,
    elements: tuple[Element, ...],
    flows: tuple[SequenceFlow, ...],
    roles: set[str],
    problem: object,
) -> None:
    report = problem  # typed loosely to keep the nested helper short
    assert callable(report)
    ids = {e.id for e in elements}
    where = f"sub-process '{scope}'" if scope else "the process"
    for flow in flows:
        for end, ref in (("source", flow.source), ("target", flow.target)):
            if ref not in ids:
                hint = _did_you_mean(ref, ids)
                report(f"flow {end} '{ref}' is not an element of {where}", flow, hint)
        if flow.condition is not None:
            try:
                compile_expression(flow.condition)
            except ExpressionError as exc:
                report(f"condition does not parse: {exc.message}", flow)

    starts = [e for e in elements if isinstance(e, StartEvent)]
    if not starts:
        report(f"{where} has no start event", definition.element(scope) if scope else None,
               "add a start event (YAML adds one for you before the first step)")
    elif len(starts) > 1 and scope is not None:
        report(f"{where} has {len(starts)} start events; an embedded sub-process has one",
               starts[1])

    for element in elements:
        out = [f for f in flows if f.source == element.id]
        inc = [f for f in flows if f.target == element.id]
        if isinstance(element, StartEvent):
            if inc:
                report("a start event cannot have incoming flows", element)
        elif isinstance(element, (BoundaryEvent, EventSubProcess)):
            pass  # entered by their trigger, not by a flow; see validate_events.py
        elif not inc:
            report("has no incoming flow, so no case can reach it", element,
                   "connect a flow to it or remove it")
        if isinstance(element, EndEvent):
            if out:
                report("an end event cannot have outgoing flows", element)
        elif not out and not isinstance(element, (BoundaryEvent, EventSubProcess)):
            if isinstance(element, GATEWAYS):
                report("gateway has no outgoing flow", element, "add at least one route")
            else:
                report("has no outgoing flow", element, "connect it to the next step or an end")
        if element.default is not None:
            if element.default not in {f.id for f in out}:
                report(f"default flow '{element.default}' is not an outgoing flow", element)
            elif next(f for f in out if f.id == element.default).condition is not None:
                report("the default flow must not have a condition", element)
        if isinstance(element, (ExclusiveGateway, InclusiveGateway)) and len(out) > 1:
            for f in out:
                if f.condition is None and f.id != element.default:
                    report(f"route '{f.id}' has no condition and is not the default", element,
                           "add a condition or mark it as the default")
        if isinstance(element, UserTask):
            for role in element.roles:
                if role not in roles:
                    report(f"unknown role '{role}'", element, _did_you_mean(role, roles))
            if not element.roles and not element.assignee and not element.candidate_users:
                report("user task has no role, assignee or candidate users", element,
                       "say who does this step")
            _check_human_task(definition, element, report)
            if element.assignee:
                try:
                    compile_expression(element.assignee)
                except ExpressionError as exc:
                    report(f"assignee does not parse: {exc.message}", element)
        if isinstance(element, ServiceTask):
            if not element.handler and not element.assignments and element.http is None:
                report("service task has neither a handler, an http call nor assignments",
                       element)
            if element.http is not None:
                from liucheng.model.http import check_http

                if element.handler:
                    report("a service task has a handler or an http call, not both", element)
                at = replace(element, line=element.http.line or element.line)
                for text_ in check_http(element.http):
                    report(text_, at)
            for var, expr in element.assignments:
                try:
                    compile_expression(expr)
                except ExpressionError as exc:
                    report(f"value of '{var}' does not parse: {exc.message}", element)
        if isinstance(element, BusinessRuleTask) and element.decision not in definition.decisions:
            report(f"decision table '{element.decision}' is not defined in 'decisions'", element,
                   _did_you_mean(element.decision, set(definition.decisions)))
        if isinstance(element, SubProcess):
            _check_scope(definition, element.id, element.elements, element.flows, roles, problem)

    if starts:
        reachable = {starts[0].id}
        stack = [starts[0].id]
        for start in starts[1:] + [e for e in elements if isinstance(e, BoundaryEvent)]:
            reachable.add(start.id)
            stack.append(start.id)
        while stack:
            node = stack.pop()
            for f in flows:
                if f.source == node and f.target not in reachable and f.target in ids:
                    reachable.add(f.target)
                    stack.append(f.target)
        for element in elements:
            inc_exists = any(f.target == element.id for f in flows)
            if element.id not in reachable and inc_exists:
                report("cannot be reached from the start event", element)


def _check_human_task(definition: ProcessDefinition, element: UserTask, report: object) -> None:
    assert callable(report)
    from liucheng.model.elements import ON_EMPTY

    for ref, what in [(r, "return_to") for r in element.return_to] + [
            (r, "distinct_from") for r in element.distinct_from]:
        if ref in ("previous", "starter") and what == "return_to":
            continue
        if not definition.has_element(ref) or not isinstance(definition.element(ref), UserTask):
            ids = {e.id for e, _ in definition.walk() if isinstance(e, UserTask)}
            report(f"{what} names '{ref}', which is not a user step", element,
                   _did_you_mean(ref, ids))
    from liucheng.rules.forms import spec_problems

    for text_ in spec_problems(element.form):
        report(text_, element)
    roles = {r.id for r in definition.roles}
    for f in element.form:
        if f.type == "user" and f.options.get("role") and f.options["role"] not in roles:
            report(f"field '{f.id}' names the role '{f.options['role']}', which the process "
                   "does not declare", element, _did_you_mean(str(f.options["role"]), roles))
    names = [f.id for f in element.form] + [d.id for d in element.documents]
    for dup in sorted({i for i in names if names.count(i) > 1}):
        report(f"field or document id '{dup}' is used twice in this step", element)
    for item in element.documents:
        if isinstance(item.required, str):
            try:
                compile_expression(item.required)
            except ExpressionError as exc:
                report(f"document '{item.id}' required-if does not parse: {exc.message}",
                       element)
    steps = {e.id for e, _ in definition.walk()}
    for f in element.form:
        if f.id in steps:
            report(f"field '{f.id}' has the id of a step; step ids name the step's record",
                   element, "rename the field")
    if element.deadline is not None:
        _check_deadline(element, report)
    if element.on_empty not in ON_EMPTY:
        report(f"on_empty must be one of {', '.join(ON_EMPTY)}", element)
    sign = element.countersign
    if sign is not None:
        if sign.mode not in ("all", "any", "sequential", "ratio"):
            report(f"countersign mode '{sign.mode}' is not all, any, sequential or ratio", element)
        if sign.mode == "ratio" and not 0 < sign.ratio <= 1:
            report("countersign ratio must be above 0 and at most 1 (e.g. 0.6)", element)
        if sign.signers:
            try:
                compile_expression(sign.signers)
            except ExpressionError as exc:
                report(f"countersign signers do not parse: {exc.message}", element)
        elif not element.roles:
            report("countersign needs 'signers' or a role whose members sign", element)


DEADLINE_KEYS = {"remind_before", "overdue", "escalate_to"}
OVERDUE = ("remind", "escalate", "approve", "reject")


def _check_deadline(element: UserTask, report: object) -> None:
    assert callable(report) and element.deadline is not None
    if not element.due:
        report("a deadline needs 'due' (e.g. due: {working_days: 2})", element)
    for key in element.deadline:
        if key not in DEADLINE_KEYS:
            report(f"unknown key '{key}' in deadline", element,
                   _did_you_mean(str(key), DEADLINE_KEYS))
    overdue = element.deadline.get("overdue", "remind")
    if overdue not in OVERDUE:
        report(f"deadline overdue must be one of {', '.join(OVERDUE)}", element)
    elif overdue in ("approve", "reject") and overdue not in element.outcomes:
        report(f"deadline overdue '{overdue}' needs the outcome '{overdue}' on the step", element)
    elif overdue == "escalate" and not element.deadline.get("escalate_to"):
        report("deadline overdue 'escalate' needs escalate_to: leader or a role id", element)
    before = element.deadline.get("remind_before")
    if before is not None and (not isinstance(before, dict) or not before):
        report("remind_before must be like {working_hours: 4} or {hours: 2}", element)


def _did_you_mean(name: str, options: set[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, sorted(options), n=1)
    return f"did you mean '{close[0]}'?" if close else None


def check(definition: ProcessDefinition) -> ProcessDefinition:
    """Raise ModelError listing every problem, or return the definition unchanged."""
    problems = validate(definition)
    if problems:
        raise ModelError(problems, source=definition.source_name)
    return definition
