"""BPMN events, receive tasks, event-based gateways and call activities, read into the model.

The same model elements the YAML loader builds (`model/events.py`, `model/calls.py`):

- `timerEventDefinition` with `timeDate` (a date, or an expression → `until`),
  `timeDuration` (ISO 8601) or `timeCycle` (ISO repeating interval `R3/PT1H`,
  `R/2026-03-01T09:00/P1M`, a 5-field cron, or a Quartz/Spring cron whose seconds are 0);
- `messageEventDefinition messageRef` / `receiveTask messageRef`, resolved to the
  `<message name>` (a receive task without one waits for the message named by its id);
  the correlation key is `lc:correlation` or Zeebe's `zeebe:subscription correlationKey`
  (FEEL) on the message;
- `signalEventDefinition signalRef` → the `<signal name>`; `errorEventDefinition
  errorRef` → the `<error errorCode>` ('' catches any error), `escalationEventDefinition
  escalationRef` → the `<escalation escalationCode>` alike;
- the start event of an event sub-process (`subProcess triggeredByEvent="true"`) with
  one timer, message, signal, error or escalation definition and `isInterrupting`;
- `callActivity calledElement` (or `zeebe:calledElement processId`) with `camunda:in`/
  `camunda:out` (Activiti, Flowable alike) or Zeebe input/output mappings.

Problems are reported through the `NodeReader` with the element id, tag and line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from liucheng.errors import ExpressionError
from liucheng.loaders.bpmn_expressions import translate_condition, translate_feel
from liucheng.loaders.bpmn_ns import (
    BPMN,
    VENDORS,
    ZEEBE,
    children,
    event_kinds,
    extension_elements,
    lc_attr,
    local,
    namespace,
    text_of,
    vendor_attr,
)
from liucheng.model import (
    BoundaryEvent,
    Element,
    EndEvent,
    ErrorEndEvent,
    EscalationEndEvent,
    EscalationThrowEvent,
    EventGateway,
    EventStartEvent,
    MessageEvent,
    MessageStartEvent,
    ReceiveTask,
    SignalEvent,
    TimerDefinition,
    TimerEvent,
    TimerStartEvent,
)
from liucheng.model.calls import CallActivity
from liucheng.model.timers import TimerSpecError, parse_timer

if TYPE_CHECKING:
    from liucheng.loaders.bpmn_nodes import NodeReader

E = TypeVar("E", bound=Element)
SUPPORTED_TRIGGERS = {
    "startEvent": ("timer", "message"),
    "intermediateCatchEvent": ("timer", "message", "signal"),
    "boundaryEvent": ("timer", "message", "signal", "error", "escalation"),
    "endEvent": ("terminate", "error", "message", "escalation"),
    "intermediateThrowEvent": ("message", "escalation"),
}
EVENT_SUBPROCESS_TRIGGERS = ("timer", "message", "signal", "error", "escalation")
_WHY = {
    "signal": "signal throw and signal start events are not supported: signals reach a case "
              "from outside (Engine.signal)",
    "escalation": "escalation start and catch events are not supported (only ends, throws, "
                  "boundaries and event sub-processes)",
    "compensate": "compensation is not supported",
    "conditional": "conditional events are not supported",
    "link": "link events are not supported",
    "cancel": "cancel events (transactions) are not supported",
    "referenced": "event definitions by reference are not supported",
}
_STEP = re.compile(r"^(\d+)/(\d+)$")
_HIGHEST = (59, 23, 31, 12, 7)


@dataclass
class Refs:
    """Messages, signals, errors and escalations declared at the top of the file, by id."""

    messages: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    signals: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    escalations: dict[str, str] = field(default_factory=dict)


def read_refs(root: Any, reader: NodeReader) -> Refs:
    refs = Refs()
    for message in children(root, "message"):
        mid = str(message.get("id") or "")
        correlation = lc_attr(message, "correlation")
        for sub in extension_elements(message, ZEEBE):
            key = sub.get("correlationKey") if local(sub) == "subscription" else None
            if key and correlation is None:
                try:
                    correlation = translate_feel(str(key), reader.rename)
                except ExpressionError as exc:
                    reader.problem(f"correlationKey: {exc.message}", message, exc.hint)
        refs.messages[mid] = (str(message.get("name") or mid), correlation)
    for signal in children(root, "signal"):
        refs.signals[str(signal.get("id") or "")] = str(signal.get("name") or signal.get("id"))
    for error in children(root, "error"):
        refs.errors[str(error.get("id") or "")] = str(error.get("errorCode") or "")
    for escalation in children(root, "escalation"):
        refs.escalations[str(escalation.get("id") or "")] = str(
            escalation.get("escalationCode") or "")
    return refs


def _definition(el: Any) -> Any:
    return next(c for c in el if namespace(c) == BPMN and local(c).endswith("EventDefinition"))


def event_element(r: NodeReader, el: Any, tag: str, common: dict[str, Any],
                  scope: str | None) -> Element | None:
    """A start, catch, boundary, end or throw event with a trigger (or None after a problem)."""
    kinds = event_kinds(el)
    supported = SUPPORTED_TRIGGERS[tag]
    parent = el.getparent()
    esp = tag == "startEvent" and parent.get("triggeredByEvent") == "true"
    if esp:
        supported = EVENT_SUBPROCESS_TRIGGERS
        common = {**common, "interrupting": el.get("isInterrupting") != "false"}
    elif tag == "startEvent" and scope is not None:
        supported = ()
    if not kinds:
        r.unsupported(el, f"{tag} has no event definition: it waits for nothing, which is "
                      "not supported", scope, "add a timer, message or signal definition")
        return None
    bad = [k for k in kinds if k not in supported]
    if bad or len(kinds) > 1:
        why = ("an event with several triggers is not supported" if not bad else
               _WHY.get(bad[0], f"{bad[0]} {tag} events are not supported"))
        if tag == "startEvent" and scope is not None and bad and bad[0] not in _WHY:
            why = ("a start event with a trigger inside a sub-process is not supported (it "
                   "would start an event sub-process)")
        r.unsupported(el, f"{tag} ({', '.join(kinds)}): {why}", scope)
        return None
    kind, definition = kinds[0], _definition(el)
    if kind == "terminate":
        return EndEvent(**common, terminate=True)
    if kind == "timer":
        timer = timer_of(r, el, definition, scope, repeat=tag == "startEvent" and not esp)
        if timer is None:
            return None
        if esp:
            return build(r, el, EventStartEvent, common, timer=timer)
        if tag == "boundaryEvent":
            return boundary(r, el, common, timer=timer)
        return build(r, el, TimerStartEvent if tag == "startEvent" else TimerEvent, common,
                     timer=timer)
    if kind in ("error", "escalation"):
        known = r.refs.errors if kind == "error" else r.refs.escalations
        code = ref(r, el, definition, f"{kind}Ref", known, kind, scope)
        if code is None:
            return None
        if esp:
            return build(r, el, EventStartEvent, common, **{kind: code})
        if tag == "endEvent":
            cls = ErrorEndEvent if kind == "error" else EscalationEndEvent
            return build(r, el, cls, common, **{kind: code})
        if tag == "intermediateThrowEvent":
            return build(r, el, EscalationThrowEvent, common, escalation=code)
        return boundary(r, el, common, **{kind: code})
    if kind == "signal":
        name = ref(r, el, definition, "signalRef", r.refs.signals, "signal", scope)
        if name is None:
            return None
        if esp:
            return build(r, el, EventStartEvent, common, signal=name)
        if tag == "boundaryEvent":
            return boundary(r, el, common, signal=name)
        return build(r, el, SignalEvent, common, signal=name)
    found = message_of(r, el, definition, scope)
    if found is None:
        return None
    message, correlation = found
    if tag in ("endEvent", "intermediateThrowEvent"):
        r.notes.append(f"{tag} '{common['id']}' throws message '{message}': liucheng delivers "
                       "messages from outside a case (Engine.correlate), so it passes through")
        if tag == "endEvent":
            return EndEvent(**common)
        return r.pass_through(tag, common, {"message": message})
    if esp:
        return build(r, el, EventStartEvent, common, message=message, correlation=correlation)
    if tag == "startEvent":
        return build(r, el, MessageStartEvent, common, message=message)
    if tag == "boundaryEvent":
        return boundary(r, el, common, message=message, correlation=correlation)
    return build(r, el, MessageEvent, common, message=message, correlation=correlation)


def build(r: NodeReader, el: Any, cls: type[E], common: dict[str, Any], **fields: Any) -> E:
    """`cls` from the common fields and `fields`; its `<lc:setting>`s win (see bpmn_codec)."""
    return cls(**{**common, **fields, **r.settings(el, cls)})


def boundary(r: NodeReader, el: Any, common: dict[str, Any], **trigger: Any) -> BoundaryEvent:
    return build(r, el, BoundaryEvent, common, attached_to=str(el.get("attachedToRef") or ""),
                 interrupting=el.get("cancelActivity") != "false", **trigger)


def ref(r: NodeReader, el: Any, definition: Any, attr: str, known: dict[str, str], what: str,
        scope: str | None) -> str | None:
    """The name (or error code) a definition's `attr` points at; None after a problem.

    A missing `errorRef` catches (or throws) any error; an `errorRef` to no `<error>` is
    the error code itself, as Camunda reads it. Escalations alike."""
    target = _local_ref(definition.get(attr), known)
    if not target:
        if what in ("error", "escalation"):
            return ""
        r.unsupported(el, f"{local(definition)} has no {attr}: a {what} event that names no "
                      f"{what} is not supported", scope,
                      f"add a <{what} id=… name=…/> and point {attr} at it")
        return None
    if target not in known:
        if what in ("error", "escalation"):
            r.notes.append(f"'{el.get('id')}': {attr} '{target}' names no <{what}>: it is "
                           f"read as the {what} code")
            return target
        r.unsupported(el, f"{attr} '{target}' names no <{what}> of the file", scope,
                      f"declare <{what} id=\"{target}\" name=…/> beside the process")
        return None
    return known[target]


def _local_ref(target: str | None, known: dict[str, Any]) -> str | None:
    """`tns:newInvoice` is the id `newInvoice` when only that is declared (a QName)."""
    if target and target not in known and ":" in target:
        bare = target.rsplit(":", 1)[1]
        return bare if bare in known else target
    return target


def message_of(r: NodeReader, el: Any, holder: Any, scope: str | None
               ) -> tuple[str, str | None] | None:
    """The message name and correlation key of a message event or receive task."""
    target = _local_ref(holder.get("messageRef"), r.refs.messages)
    if not target:
        r.unsupported(el, f"{local(holder)} has no messageRef: waiting for no message in "
                      "particular is not supported", scope,
                      "add a <message id=… name=…/> and point messageRef at it")
        return None
    if target not in r.refs.messages:
        r.unsupported(el, f"messageRef '{target}' names no <message> of the file", scope,
                      f"declare <message id=\"{target}\" name=…/> beside the process")
        return None
    name, correlation = r.refs.messages[target]
    own = lc_attr(el, "correlation")
    return name, own if own is not None else correlation


def timer_of(r: NodeReader, el: Any, definition: Any, scope: str | None, *, repeat: bool
             ) -> TimerDefinition | None:
    """A timerEventDefinition as a TimerDefinition; None after a problem.

    `lc:timer` on the definition (JSON, as a YAML timer: a calendar rule, working time)
    wins over the standard form."""
    own = lc_attr(definition, "timer")
    if own is not None:
        try:
            return parse_timer(json.loads(own), repeat_by_default=repeat)
        except (ValueError, TimerSpecError) as exc:
            r.unsupported(el, f"lc:timer: {getattr(exc, 'message', exc)}", scope,
                          getattr(exc, "hint", None))
            return None
    parts = [(local(c), c) for c in definition
             if namespace(c) == BPMN and local(c) in ("timeDate", "timeDuration", "timeCycle")]
    if len(parts) != 1 or not text_of(parts[0][1]):
        r.unsupported(el, "timerEventDefinition without one timeDate, timeDuration or "
                      "timeCycle value is not supported", scope,
                      "e.g. <timeDuration>PT4H</timeDuration>")
        return None
    kind, node = parts[0]
    text = text_of(node)
    try:
        return parse_timer(timer_spec(kind, text, node.get("language"), r),
                           repeat_by_default=repeat)
    except ExpressionError as exc:
        r.unsupported(el, f"{kind} '{text}': {exc.message}", scope, exc.hint)
    except TimerSpecError as exc:
        r.unsupported(el, f"{kind} '{text}': {exc.message}", scope, exc.hint)
    return None


def timer_spec(kind: str, text: str, language: str | None, r: Any = None) -> dict[str, Any]:
    """The timer mapping (as in YAML) of a timeDate / timeDuration / timeCycle text.

    `r` gives the file's expression language, renames and cron dialect (a NodeReader)."""
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]  # a string literal (SpiffWorkflow timers are Python expressions)
    if text.startswith(("${", "#{", "=")) or language:
        if kind != "timeDate":
            raise ExpressionError(f"a {kind} given by an expression is not supported",
                                  hint="write the value itself, e.g. PT4H or R3/PT1H")
        return {"until": translate_condition(text, language, getattr(r, "expression_language",
                                                                     None),
                                             getattr(r, "rename", None))}
    if kind == "timeDate":
        return {"date": text}
    if kind == "timeDuration":
        return {"after": text}
    fields = text.split()
    if len(fields) in (6, 7) and fields[0] != "0":
        raise ExpressionError("a cron that counts seconds is not supported: liucheng timers "
                              "fire on whole minutes",
                              hint="write 0 as the seconds field, or an ISO cycle such as R/PT5M")
    return {"cycle": five_field_cron(text, bool(getattr(r, "zeebe", False))) or text}


def five_field_cron(text: str, spring: bool) -> str | None:
    """A Quartz (Camunda 7, Flowable) or Spring (Zeebe) cron with seconds 0 as 5 fields.

    `?` means any, `a/n` starts at a; Quartz counts weekdays 1 (Sunday) to 7. None when the
    text is not such a cron (it is then read as it is: ISO or a 5-field cron)."""
    fields = text.replace("?", "*").split()
    if len(fields) not in (6, 7) or fields[0] != "0" or fields[6:] not in ([], ["*"]):
        return None
    out = []
    for value, highest in zip(fields[1:6], _HIGHEST, strict=True):
        step = _STEP.match(value)
        out.append(f"{step[1]}-{highest}/{step[2]}" if step else value)
    if not spring and out[4].isdigit():
        out[4] = str(int(out[4]) - 1)
    return " ".join(out)


def receive_task(r: NodeReader, el: Any, common: dict[str, Any], scope: str | None
                 ) -> Element | None:
    """A receive task waits for its message; one without `messageRef` (a wait state that
    Camunda and Flowable continue by `trigger`) waits for a message named by its id."""
    if not el.get("messageRef"):
        r.notes.append(f"receiveTask '{common['id']}' names no message: it waits for the "
                       f"message '{common['id']}'")
        return build(r, el, ReceiveTask, common, message=common["id"],
                     correlation=lc_attr(el, "correlation"))
    found = message_of(r, el, el, scope)
    if found is None:
        return None
    return build(r, el, ReceiveTask, common, message=found[0], correlation=found[1])


def event_gateway(r: NodeReader, el: Any, common: dict[str, Any], scope: str | None
                  ) -> Element | None:
    if el.get("instantiate") == "true":
        r.unsupported(el, "eventBasedGateway that starts the process (instantiate) is not "
                      "supported", scope, "use a message or timer start event")
        return None
    return build(r, el, EventGateway, common)


def call_activity(r: NodeReader, el: Any, common: dict[str, Any], scope: str | None
                  ) -> Element | None:
    zeebe = next((z for z in extension_elements(el, ZEEBE) if local(z) == "calledElement"),
                 None)
    process = str(el.get("calledElement") or (zeebe.get("processId") if zeebe is not None
                                               else "") or "")
    if not process or process.startswith(("${", "#{", "=")):
        r.unsupported(el, "callActivity " + (f"calls a process given by an expression "
                      f"('{process}'), which is not supported" if process else
                      "names no called process"), scope, "write the called process key")
        return None
    binding = vendor_attr(el, "calledElementBinding")
    version: int | None = None
    if binding == "version" and (vendor_attr(el, "calledElementVersion") or "").isdigit():
        version = int(str(vendor_attr(el, "calledElementVersion")))
    elif binding not in (None, "latest"):
        r.unsupported(el, f"callActivity with calledElementBinding '{binding}' is not supported",
                      scope, "call the latest version or a version number")
        return None
    try:
        if zeebe is not None:
            inputs, outputs = _zeebe_mappings(r, el, zeebe)
        else:
            inputs, outputs = _vendor_mappings(r, el)
    except ExpressionError as exc:
        r.unsupported(el, f"callActivity: {exc.message}", scope, exc.hint)
        return None
    return build(r, el, CallActivity, common, process=process, version=version, inputs=inputs,
                 outputs=outputs)


Mapping = tuple[tuple[str, str], ...]


def _vendor_mappings(r: NodeReader, el: Any) -> tuple[Mapping | None, Mapping]:
    """camunda:in / camunda:out (and Activiti's, Flowable's): nothing passed unless listed."""
    found: dict[str, list[tuple[str, str]]] = {"in": [], "out": []}
    everything = False
    for m in extension_elements(el, VENDORS):
        if local(m) not in found or m.get("businessKey") is not None:
            continue
        if m.get("variables") == "all":
            if local(m) == "out":
                raise ExpressionError("camunda:out variables=\"all\" passes back every "
                                      "variable of the called case, which is not supported",
                                      hint="list them: <camunda:out source=… target=…/>")
            everything = True
            continue
        target = str(m.get("target") or "")
        if m.get("sourceExpression"):
            expr = translate_condition(str(m.get("sourceExpression")), None, None, r.rename)
        else:
            source = str(m.get("source") or "")
            expr = r.rename.get(source, source) if local(m) == "in" else source
        if target and expr:
            found[local(m)].append((target, expr))
    return (None if everything else tuple(found["in"])), tuple(found["out"])


def _zeebe_mappings(r: NodeReader, el: Any, called: Any) -> tuple[Mapping | None, Mapping]:
    """Zeebe: every variable is passed unless input mappings say otherwise; outputs listed."""
    inputs: list[tuple[str, str]] = []
    outputs: list[tuple[str, str]] = []
    for io in (z for z in extension_elements(el, ZEEBE) if local(z) == "ioMapping"):
        for m in io:
            target, source = str(m.get("target") or ""), str(m.get("source") or "")
            if local(m) == "input" and target:
                inputs.append((target, translate_feel(source, r.rename)))
            elif local(m) == "output" and target:
                outputs.append((target, translate_feel(source)))
    if called.get("propagateAllChildVariables") == "true" and not outputs:
        raise ExpressionError("propagateAllChildVariables passes back every variable of the "
                              "called case, which is not supported",
                              hint="map the results with output mappings")
    if called.get("propagateAllChildVariables") is None and not outputs:
        r.notes.append(f"callActivity '{el.get('id')}': the called case's variables come back "
                       "only through output mappings")
    return (tuple(inputs) if inputs else None), tuple(outputs)
