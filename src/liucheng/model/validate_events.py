"""Structural checks of event elements and step windows, called from `validate`.

Boundary events sit beside the activity they are attached to, have no incoming flow,
and (when interrupting) need a way out. An event sub-process has no flows in or out
and a start event with one trigger; an error start always interrupts. Expressions of
timers and correlations must parse, an event gateway may only be followed by catch
events, and a user step's `window` must be a rule the calendar understands.
"""

from __future__ import annotations

from liucheng.errors import ExpressionError, ModelError, Problem
from liucheng.model.calls import CallActivity
from liucheng.model.definition import ProcessDefinition
from liucheng.model.elements import Element, ServiceTask, StartEvent, SubProcess, UserTask
from liucheng.model.events import (
    CATCH_EVENTS,
    BoundaryEvent,
    EscalationEndEvent,
    EscalationThrowEvent,
    EventGateway,
    EventStartEvent,
    EventSubProcess,
    MessageEvent,
    ReceiveTask,
    TimerEvent,
)
from liucheng.model.windows import parse_window
from liucheng.rules.expressions import compile_expression


def check_events(definition: ProcessDefinition, source: str | None) -> list[Problem]:
    problems: list[Problem] = []

    def report(message: str, element: Element, hint: str | None = None) -> None:
        problems.append(Problem(message, element=element.id, line=element.line, source=source,
                                hint=hint))

    def parses(expression: str | None, what: str, element: Element) -> None:
        if expression is None:
            return
        try:
            compile_expression(expression)
        except ExpressionError as exc:
            report(f"{what} does not parse: {exc.message}", element)

    for element, parent in definition.walk():
        if isinstance(element, BoundaryEvent):
            _check_boundary(definition, element, parent, report)
            parses(element.correlation, "message correlation", element)
            if element.timer is not None:
                parses(element.timer.until, "timer 'until'", element)
        if isinstance(element, TimerEvent):
            parses(element.timer.until, "timer 'until'", element)
        if isinstance(element, EventSubProcess):
            _check_event_subprocess(definition, element, report)
        if isinstance(element, EventStartEvent):
            _check_event_start(definition, element, parent, report)
            parses(element.correlation, "message correlation", element)
            if element.timer is not None:
                parses(element.timer.until, "timer 'until'", element)
        if isinstance(element, (EscalationEndEvent, EscalationThrowEvent)) and \
                not element.escalation:
            report("an escalation end or throw needs the escalation code it throws", element,
                   "e.g. escalate: LATE")
        if isinstance(element, MessageEvent):
            if not element.message:
                report("a message event needs the message name it waits for", element)
            parses(element.correlation, "message correlation", element)
        if isinstance(element, EventGateway):
            targets = [definition.element(f.target) for f in definition.outgoing(element.id)
                       if definition.has_element(f.target)]
            if len(targets) < 2:
                report("an event gateway needs at least two following events", element)
            for target in targets:
                if not isinstance(target, (*CATCH_EVENTS, ReceiveTask)):
                    report(f"an event gateway may only lead to timer, message or signal "
                           f"events, not to '{target.id}'", element)
        if isinstance(element, CallActivity):
            if not element.process:
                report("a call step names the process it runs", element)
            for var, expression in (*(element.inputs or ()), *element.outputs):
                parses(expression, f"value of '{var}'", element)
        if isinstance(element, UserTask) and "window" in element.extensions:
            try:
                parse_window(element.extensions["window"], element=element.id,
                             line=element.line, source=source)
            except ModelError as exc:
                problems.extend(exc.problems)
    return problems


def _check_boundary(definition: ProcessDefinition, element: BoundaryEvent, parent: str | None,
                    report: object) -> None:
    assert callable(report)
    if definition.incoming(element.id):
        report("a boundary event cannot have incoming flows", element)
    if not definition.has_element(element.attached_to):
        report(f"boundary event is attached to '{element.attached_to}', which is not an "
               "element of the process", element)
        return
    host = definition.element(element.attached_to)
    if not isinstance(host, (UserTask, SubProcess, ReceiveTask, CallActivity, ServiceTask)):
        report(f"a boundary event can be attached to a user task, service task, receive task, "
               f"call or sub-process, not to '{host.id}'", element)
    elif definition.parent(host.id) != parent:
        report(f"boundary event must sit in the same scope as '{host.id}'", element)
    if element.interrupting and not definition.outgoing(element.id):
        report("an interrupting boundary event needs a next step", element,
               "add next: <step id>, or make it interrupting: false (a reminder)")
    if element.trigger == "error" and not element.interrupting:
        report("an error boundary event always interrupts", element)
    if isinstance(host, EventSubProcess):
        report(f"a boundary event cannot be attached to the event sub-process '{host.id}'",
               element, "put the catching event inside it (an event sub-process of its own)")
    elif element.trigger == "escalation" and not isinstance(host, (SubProcess, CallActivity)):
        report(f"an escalation boundary event on '{host.id}' is not supported: escalations "
               "are caught on a sub-process or call", element)
    if element.trigger == "escalation" and not element.interrupting and \
            not definition.outgoing(element.id):
        report("a non-interrupting escalation boundary event needs a next step", element,
               "add next: <step id>")


def _check_event_subprocess(definition: ProcessDefinition, element: EventSubProcess,
                            report: object) -> None:
    assert callable(report)
    if definition.incoming(element.id):
        report(f"the event sub-process '{element.id}' cannot have incoming flows: its start "
               "event's trigger starts it", element, "remove the flow into it")
    if definition.outgoing(element.id):
        report(f"the event sub-process '{element.id}' cannot have outgoing flows: when it "
               "ends, its scope goes on (or ends, if it interrupted)", element,
               "remove the flow out of it")
    if element.start is None and any(isinstance(e, StartEvent) for e in element.elements):
        report(f"the event sub-process '{element.id}' has no start event with a trigger "
               "(timer, message, signal, error or escalation)", element,
               "give its start event the trigger that starts it")


def _check_event_start(definition: ProcessDefinition, element: EventStartEvent,
                       parent: str | None, report: object) -> None:
    assert callable(report)
    if parent is None or not isinstance(definition.element(parent), EventSubProcess):
        report("a start event with a trigger of this kind belongs to an event sub-process",
               element)
        return
    if element.trigger == "error" and not element.interrupting:
        report(f"the error start of event sub-process '{parent}' always interrupts", element,
               "remove interrupting: false (isInterrupting=\"false\")")
    if element.trigger in ("message", "signal") and not getattr(element, element.trigger):
        report(f"the {element.trigger} start of event sub-process '{parent}' needs the "
               f"{element.trigger} name", element)
