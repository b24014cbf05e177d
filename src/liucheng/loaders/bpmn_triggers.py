"""BPMN event sub-processes, error and escalation events, in and out.

Import: `<subProcess triggeredByEvent="true">` becomes an `EventSubProcess`; its
`startEvent` with one event definition (timer, message, signal, error, escalation; with
`isInterrupting`) an `EventStartEvent`. Error and escalation end events, escalation
intermediate throws and error or escalation boundary events (`cancelActivity`) become
their model elements. A code is the `errorCode` / `escalationCode` of the root
`<error>` / `<escalation>` the definition refers to (its id when it has no code; no
reference: any code). Messages and signals are named by their root element's `name`;
a Zeebe `subscription correlationKey` is the message key.

Export writes the same standard definitions (with the root elements they refer to)
beside the `lc:kind` settings, so modelers draw the right symbols and liucheng reads
its own file back exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lxml import etree

from liucheng.errors import ExpressionError
from liucheng.loaders.bpmn_expressions import translate_feel
from liucheng.loaders.bpmn_ns import (
    BPMN,
    ZEEBE,
    child,
    children,
    event_kinds,
    extension_elements,
    local,
    q,
    text_of,
)
from liucheng.model import BoundaryEvent, Element, ErrorEndEvent, StartEvent
from liucheng.model.events import (
    EscalationEndEvent,
    EscalationThrowEvent,
    EventStartEvent,
)
from liucheng.model.timers import Duration, TimerDefinition, TimerSpecError, parse_timer

if TYPE_CHECKING:
    from liucheng.loaders.bpmn_nodes import NodeReader

TRIGGERS = ("timer", "message", "signal", "error", "escalation")
_TIMER_TAGS = (("timeDuration", "after"), ("timeDate", "date"), ("timeCycle", "cycle"))
_ROOTS = {"message": "message", "signal": "signal", "error": "error",
          "escalation": "escalation"}


# -- import ----------------------------------------------------------------------------------
def in_event_subprocess(el: Any) -> bool:
    parent = el.getparent()
    return parent is not None and local(parent) == "subProcess" and \
        parent.get("triggeredByEvent") == "true"


def event_start(reader: NodeReader, el: Any, common: dict[str, Any],
                scope: str | None) -> StartEvent | None:
    """The start event of an event sub-process (plain when it has no trigger)."""
    kinds = event_kinds(el)
    if not kinds:
        return StartEvent(**common)  # validation says the trigger is missing
    fields = trigger_fields(reader, el, kinds, TRIGGERS, scope)
    if fields is None:
        return None
    return EventStartEvent(**common, interrupting=el.get("isInterrupting") != "false",
                           **fields)


def throw_event(reader: NodeReader, el: Any, tag: str, common: dict[str, Any],
                scope: str | None) -> Element | None:
    """An error or escalation end event, or an escalation intermediate throw."""
    kinds = event_kinds(el)
    fields = trigger_fields(reader, el, kinds, ("escalation",) if tag ==
                            "intermediateThrowEvent" else ("error", "escalation"), scope)
    if fields is None:
        return None
    code = next(iter(fields.values()))
    if tag == "intermediateThrowEvent":
        return EscalationThrowEvent(**common, escalation=code)
    if "error" in fields:
        return ErrorEndEvent(**common, error=code)
    return EscalationEndEvent(**common, escalation=code)


def boundary(reader: NodeReader, el: Any, common: dict[str, Any],
             scope: str | None) -> BoundaryEvent | None:
    """An error or escalation boundary event."""
    fields = trigger_fields(reader, el, event_kinds(el), ("error", "escalation"), scope)
    if fields is None:
        return None
    return BoundaryEvent(**common, attached_to=str(el.get("attachedToRef") or ""),
                         interrupting=el.get("cancelActivity") != "false", **fields)


def trigger_fields(reader: NodeReader, el: Any, kinds: list[str], allowed: tuple[str, ...],
                   scope: str | None) -> dict[str, Any] | None:
    """Model fields of the event's one trigger; None after reporting what is wrong (the
    element is then left out, with the flows touching it)."""
    def fail(message: str, hint: str | None = None) -> None:
        reader.unsupported(el, f"{local(el)}: {message}", scope, hint)

    if len(kinds) != 1 or kinds[0] not in allowed:
        fail(f"({', '.join(kinds)}) this trigger is not supported here; liucheng reads one "
             f"{' / '.join(allowed)} trigger")
        return None
    kind = kinds[0]
    definition = child(el, f"{kind}EventDefinition")
    assert definition is not None
    if kind == "timer":
        timer = _timer(definition, fail)
        return None if timer is None else {"timer": timer}
    ref = definition.get(f"{kind}Ref")
    root = _root(el, _ROOTS[kind], ref) if ref else None
    if kind in ("message", "signal"):
        name = str(root.get("name") or ref) if root is not None else ""
        if not name:
            fail(f"a {kind}EventDefinition that names no {kind} is not supported", f"refer to "
                 f"a <{kind} name=\"…\"> with {kind}Ref")
            return None
        fields: dict[str, Any] = {kind: name}
        if kind == "message" and root is not None:
            fields["correlation"] = _correlation(root, fail)
        return fields
    if ref and root is None:
        fail(f"{kind}Ref '{ref}' is not a <{kind}> of the file", f"add <{kind} id=\"{ref}\" "
             f"{kind}Code=\"…\"/> or fix the reference")
        return None
    code = "" if root is None else str(root.get(f"{kind}Code") or ref)
    return {kind: code}


def _timer(definition: Any, fail: Callable[..., None]) -> TimerDefinition | None:
    for tag, key in _TIMER_TAGS:
        found = child(definition, tag)
        if found is None:
            continue
        text = text_of(found)
        if "${" in text or "#{" in text or text.startswith("="):
            fail(f"the timer {tag} '{text}' is an expression, which is not supported here",
                 "write an ISO 8601 date, duration or cycle")
            return None
        try:
            return parse_timer({key: text})
        except TimerSpecError as exc:
            fail(f"{tag} '{text}' does not translate: {exc.message}", exc.hint)
            return None
    fail("a timerEventDefinition without timeDuration, timeDate or timeCycle is not "
         "supported")
    return None


def _correlation(message: Any, fail: Callable[..., None]) -> str | None:
    for sub in extension_elements(message, ZEEBE):
        key = sub.get("correlationKey") if local(sub) == "subscription" else None
        if key:
            try:
                return translate_feel(str(key))
            except ExpressionError as exc:
                fail(f"correlationKey '{key}' does not translate: {exc.message}", exc.hint)
    return None


def _root(el: Any, tag: str, ref: str) -> Any | None:
    root = el.getroottree().getroot()
    return next((r for r in children(root, tag) if r.get("id") == ref), None)


# -- export ----------------------------------------------------------------------------------
def write_definition(element: Any, el: Any, roots: dict[tuple[str, str], Any]) -> None:
    """The standard event definition of an event sub-process start, an error or escalation
    event; root `<message>`, `<signal>`, `<error>`, `<escalation>` go into `roots`."""
    if isinstance(element, EventStartEvent):
        if not element.interrupting:
            el.set("isInterrupting", "false")
        kind = element.trigger
    elif isinstance(element, BoundaryEvent) and element.trigger in ("error", "escalation"):
        if not element.interrupting:
            el.set("cancelActivity", "false")
        kind = element.trigger
    elif isinstance(element, ErrorEndEvent):
        kind = "error"
    elif isinstance(element, (EscalationEndEvent, EscalationThrowEvent)):
        kind = "escalation"
    else:
        return
    definition = etree.SubElement(el, q(BPMN, f"{kind}EventDefinition"))
    definition.set("id", f"{element.id}_{kind}")
    if kind == "timer":
        _write_timer(definition, element.timer)
        return
    value = getattr(element, kind)
    if not value:
        return  # any code
    ref = f"{kind.capitalize()}_{value}"
    definition.set(f"{kind}Ref", ref)
    attrs = {"name": value} if kind in ("message", "signal") else {f"{kind}Code": value}
    roots.setdefault((kind, ref), {"id": ref, **attrs})


def _write_timer(definition: Any, timer: TimerDefinition | None) -> None:
    """ISO text where the timer has one (a calendar rule or working time has none)."""
    if timer is None:
        return
    text, tag = None, ""
    if timer.date:
        text, tag = timer.date, "timeDate"
    elif timer.after is not None and _iso(timer.after):
        text, tag = _iso(timer.after), "timeDuration"
    elif timer.interval is not None and _iso(timer.interval):
        count = "" if timer.times is None else str(timer.times)
        start = f"{timer.start}/" if timer.start else ""
        text, tag = f"R{count}/{start}{_iso(timer.interval)}", "timeCycle"
    elif timer.cron is not None:
        text, tag = timer.cron.text, "timeCycle"
    if text:
        etree.SubElement(definition, q(BPMN, tag)).text = text


def _iso(d: Duration) -> str | None:
    if d.working_days or d.working_hours:
        return None
    date = "".join(f"{int(v)}{u}" for v, u in ((d.years, "Y"), (d.months, "M"),
                                                (d.weeks, "W"), (d.days, "D")) if v)
    hours = f"{d.hours:g}H" if d.hours else ""
    time = hours + "".join(f"{v}{u}" for v, u in ((d.minutes, "M"), (d.seconds, "S")) if v)
    return f"P{date}" + (f"T{time}" if time else "")


def write_roots(root: Any, process: Any, roots: dict[tuple[str, str], Any]) -> None:
    """The referred root elements, before the process."""
    for (kind, _ref), attrs in sorted(roots.items()):
        el = etree.Element(q(BPMN, kind))
        for key, value in attrs.items():
            el.set(key, value)
        process.addprevious(el)
