"""Export of events, receive tasks, event-based gateways and call activities as BPMN.

The inverse of `bpmn_events`: timers become `timerEventDefinition`s (`timeDate`,
`timeDuration`, `timeCycle`), messages, signals, errors and escalations are declared once
at the top of the file (`<message id name>`, `<signal>`, `<error errorCode>`,
`<escalation escalationCode>`) and referred to; the start event of an event sub-process
says `isInterrupting="false"` when it runs beside the work; call
activities get `calledElement` with `camunda:in`/`camunda:out`. A setting with no
standard form that reads back the same is written, in addition, in liucheng's own terms
the importer prefers: a timer (a calendar rule, working time, `at`) as `lc:timer` JSON
on its definition, an input or output that is an expression as an `<lc:setting>` — so
`load_bpmn(export_bpmn(d))` is `d`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from liucheng.errors import ExpressionError
from liucheng.loaders.bpmn_events import timer_spec
from liucheng.loaders.bpmn_ns import BPMN, CAMUNDA, LC, LC_EXPRESSION, XSI, q
from liucheng.model import (
    BoundaryEvent,
    Duration,
    Element,
    ErrorEndEvent,
    EscalationEndEvent,
    EscalationThrowEvent,
    EventGateway,
    EventStartEvent,
    MessageEvent,
    MessageStartEvent,
    ProcessDefinition,
    ReceiveTask,
    ServiceTask,
    SignalEvent,
    TimerDefinition,
    TimerStartEvent,
)
from liucheng.model.calls import CallActivity
from liucheng.model.timers import DURATION_KEYS, TimerSpecError, parse_timer

if TYPE_CHECKING:
    from liucheng.loaders.bpmn_export import _Writer

_UNITS = (("years", "Y"), ("months", "M"), ("weeks", "W"), ("days", "D"))
_TIME_UNITS = (("hours", "H"), ("minutes", "M"), ("seconds", "S"))


class Declared:
    """Ids of the `<message>`, `<signal>`, `<error>` and `<escalation>` declarations of the
    file, by name."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}
        self.signals: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.escalations: dict[str, str] = {}


def declare(w: _Writer, root: Any, definition: ProcessDefinition) -> Declared:
    """Write the top-level declarations every message, signal and error of `definition` needs."""
    refs = Declared()
    for element, _ in definition.walk():
        message = getattr(element, "message", None)
        if isinstance(element, ServiceTask):
            message = element.extensions.get("message")
        if isinstance(message, str) and message and message not in refs.messages:
            refs.messages[message] = f"Message_{len(refs.messages) + 1}"
            w.sub(root, BPMN, "message", id=refs.messages[message], name=message)
        signal = getattr(element, "signal", None)
        if isinstance(signal, str) and signal and signal not in refs.signals:
            refs.signals[signal] = f"Signal_{len(refs.signals) + 1}"
            w.sub(root, BPMN, "signal", id=refs.signals[signal], name=signal)
        error = getattr(element, "error", None)
        if isinstance(error, str) and error and error not in refs.errors:
            refs.errors[error] = f"Error_{len(refs.errors) + 1}"
            w.sub(root, BPMN, "error", id=refs.errors[error], errorCode=error, name=error)
        escalation = getattr(element, "escalation", None)
        if isinstance(escalation, str) and escalation and escalation not in refs.escalations:
            refs.escalations[escalation] = f"Escalation_{len(refs.escalations) + 1}"
            w.sub(root, BPMN, "escalation", id=refs.escalations[escalation],
                  escalationCode=escalation, name=escalation)
    return refs


def write_event(w: _Writer, refs: Declared, el: Any, e: Element, common: set[str]
                ) -> set[str] | None:
    """Write what `e` is in BPMN; `common` and the fields now written (None: not ours)."""
    native = set(common)
    if isinstance(e, BoundaryEvent):
        el.set("attachedToRef", e.attached_to)
        if not e.interrupting:
            el.set("cancelActivity", "false")
        native |= {"attached_to", "interrupting"}
    if isinstance(e, EventStartEvent):
        if not e.interrupting:
            el.set("isInterrupting", "false")
        native.add("interrupting")
    one = isinstance(e, (BoundaryEvent, EventStartEvent))  # one trigger of several kinds
    timer = getattr(e, "timer", None)
    if isinstance(timer, TimerDefinition):
        _timer(w, el, timer, isinstance(e, TimerStartEvent))
        native.add("timer")
    elif isinstance(e, (MessageEvent, MessageStartEvent)) or (
            one and getattr(e, "message", None) is not None):
        message = getattr(e, "message", "") or ""
        if isinstance(e, ReceiveTask):
            el.set("messageRef", refs.messages[message])
        else:
            w.sub(el, BPMN, "messageEventDefinition", id=f"{e.id}_message",
                  messageRef=refs.messages.get(message))
        correlation = getattr(e, "correlation", None)
        if correlation is not None:
            el.set(q(LC, "correlation"), correlation)
        native |= {"message", "correlation"}
    elif isinstance(e, SignalEvent) or (one and getattr(e, "signal", None) is not None):
        w.sub(el, BPMN, "signalEventDefinition", id=f"{e.id}_signal",
              signalRef=refs.signals.get(getattr(e, "signal", "") or ""))
        native.add("signal")
    elif isinstance(e, (EscalationEndEvent, EscalationThrowEvent)) or (
            one and getattr(e, "escalation", None) is not None):
        w.sub(el, BPMN, "escalationEventDefinition", id=f"{e.id}_escalation",
              escalationRef=refs.escalations.get(getattr(e, "escalation", "") or ""))
        native.add("escalation")
    elif isinstance(e, ErrorEndEvent) or one:
        w.sub(el, BPMN, "errorEventDefinition", id=f"{e.id}_error",
              errorRef=refs.errors.get(getattr(e, "error", "") or ""))
        native |= {"error", "terminate"}
    elif isinstance(e, CallActivity):
        native |= _call(w, el, e)
    elif not isinstance(e, EventGateway):
        return None
    return native


def write_throw(w: _Writer, refs: Declared, el: Any, t: ServiceTask) -> None:
    """The message of a pass-through message throw event or send task."""
    message = t.extensions.get("message")
    if not isinstance(message, str) or message not in refs.messages:
        return
    if t.extensions.get("bpmn_type") == "sendTask":
        el.set("messageRef", refs.messages[message])
    else:
        w.sub(el, BPMN, "messageEventDefinition", id=f"{t.id}_message",
              messageRef=refs.messages[message])


def iso_duration(d: Duration) -> str | None:
    """`P1DT4H` for a duration in calendar parts; None for working time."""
    if d.working_days or d.working_hours:
        return None
    date = "".join(f"{_n(getattr(d, k))}{u}" for k, u in _UNITS if getattr(d, k))
    time = "".join(f"{_n(getattr(d, k))}{u}" for k, u in _TIME_UNITS if getattr(d, k))
    return "P" + date + (f"T{time}" if time else "") if date or time else "PT0S"


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def timer_text(t: TimerDefinition) -> tuple[str, str, str | None] | None:
    """(tag, text, language) of the standard form of a timer; None if it has none."""
    if t.date is not None:
        return "timeDate", t.date, None
    if t.until is not None:
        return "timeDate", t.until, LC_EXPRESSION
    if t.after is not None:
        text = iso_duration(t.after)
        return None if text is None else ("timeDuration", text, None)
    if t.interval is not None:
        text = iso_duration(t.interval)
        if text is None:
            return None
        count = "" if t.times is None else str(t.times)
        return "timeCycle", f"R{count}/" + (f"{t.start}/" if t.start else "") + text, None
    if t.cron is not None:
        return "timeCycle", t.cron.text, None
    return None


def _exact(t: TimerDefinition, start: bool) -> bool:
    """Whether the standard form reads back as exactly `t`."""
    found = timer_text(t)
    if found is None:
        return False
    try:
        return parse_timer(timer_spec(*found), repeat_by_default=start) == t
    except (ExpressionError, TimerSpecError):
        return False


def timer_data(t: TimerDefinition) -> dict[str, Any]:
    """The timer as the mapping YAML would give it (see `model.timers.parse_timer`)."""
    out: dict[str, Any] = {}
    if t.date is not None:
        out["date"] = t.date
    elif t.until is not None:
        out["until"] = t.until
    elif t.after is not None:
        out["after"] = {k: getattr(t.after, k) for k in DURATION_KEYS if getattr(t.after, k)}
    elif t.interval is not None:
        out["cycle"] = (timer_text(t) or ("", ""))[1]
    elif t.cron is not None:
        out["cycle"] = t.cron.text
        if t.cron.working_days_only:
            out["cycle"] = f"every working day {min(t.cron.hours):02d}:{min(t.cron.minutes):02d}"
    elif t.rule is not None:
        out["rule"] = t.rule.to_data()
    if t.at != "09:00":
        out["at"] = t.at
    if t.times not in (None, 1):
        out["times"] = t.times
    return out


def _timer(w: _Writer, el: Any, t: TimerDefinition, start: bool) -> None:
    """The standard form where there is one; `lc:timer` (JSON) where it would read otherwise."""
    definition = w.sub(el, BPMN, "timerEventDefinition", id=f"{el.get('id')}_timer")
    found = timer_text(t)
    if found is not None:
        tag, text, language = found
        node = w.sub(definition, BPMN, tag, language=language)
        node.set(q(XSI, "type"), "bpmn:tFormalExpression")
        node.text = text
    if not _exact(t, start):
        definition.set(q(LC, "timer"), json.dumps(timer_data(t), ensure_ascii=False,
                                                  sort_keys=True))


def _call(w: _Writer, el: Any, e: CallActivity) -> set[str]:
    el.set("calledElement", e.process)
    native = {"process", "version"}
    if e.version is not None:
        el.set(q(CAMUNDA, "calledElementBinding"), "version")
        el.set(q(CAMUNDA, "calledElementVersion"), str(e.version))
    if e.inputs is None:
        w.sub(w.ext(el), CAMUNDA, "in", variables="all")
        native.add("inputs")
    for field, tag, mapping in (("inputs", "in", e.inputs or ()), ("outputs", "out", e.outputs)):
        plain = [(var, expr) for var, expr in mapping if expr.isidentifier()]
        for var, expr in plain:
            w.sub(w.ext(el), CAMUNDA, tag, source=expr, target=var)
        if len(plain) == len(mapping):
            native.add(field)
    return native
