"""YAML for events: timer / message / signal steps, boundary events on steps, the event
gateway (`type: first_of`), error ends and timer or message starts. See docs/events.md.

    - id: wait_two_days
      type: timer
      wait: {working_days: 2}            # or until: <expression>, date: …, day: 27
    - id: approve
      role: manager
      timers:                             # boundary timers, armed each time it is entered
        - {id: remind, after: {working_hours: 4}, interrupting: false, next: remind_step}
        - {id: too_late, after: P5D, next: escalate}
      messages: [{id: cancelled, message: order_cancelled, key: order_no, next: stop}]
    - {id: report_delay, escalate: DELAYED}   # an escalation throw (type: throw)
    - {id: give_up, type: end, escalate: GAVE_UP}
    start: {timer: {cycle: "20th of every month 09:00"}}
    on_event:                             # event sub-processes of the process or a sub-process
      - {id: cancelled, message: order_cancelled, key: order_no, steps: [...]}
      - {id: chase, timer: {cycle: R/P1D}, interrupting: false, steps: [...]}
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from liucheng.loaders.yaml_source import Node, line_of
from liucheng.model import Element, Text
from liucheng.model.events import (
    BoundaryEvent,
    ErrorEndEvent,
    EscalationEndEvent,
    EscalationThrowEvent,
    EventGateway,
    EventStartEvent,
    EventSubProcess,
    MessageEvent,
    MessageStartEvent,
    ReceiveTask,
    SignalEvent,
    TimerEvent,
    TimerStartEvent,
)
from liucheng.model.timers import TimerDefinition, TimerSpecError, parse_timer

if TYPE_CHECKING:
    from liucheng.loaders.yaml_dsl import _Compiler, _Scope

BOUNDARY_KEYS = {"timers", "messages", "signals"}
BOUNDARY_HOSTS = ("user", "subprocess", "receive", "call", "service")
EVENT_STEP_KEYS: dict[str, set[str]] = {
    "call": {"process", "version", "in", "out", "errors", "escalations", *BOUNDARY_KEYS},
    "timer": {"wait", "until", "date", "rule", "day", "roll", "at", "cycle"},
    "message": {"message", "key"},
    "receive": {"message", "key", *BOUNDARY_KEYS},
    "signal": {"signal"},
    "first_of": {"events"},
    "throw": {"escalate"},
}
TRIGGERS = ("timer", "message", "signal", "error", "escalation")
START_KEYS = {"timer", "message"}


def timer_of(c: _Compiler, data: Any, node: Node, key: str, sid: str | None,
             repeat_by_default: bool = False) -> TimerDefinition | None:
    try:
        return parse_timer(data, repeat_by_default=repeat_by_default)
    except TimerSpecError as exc:
        where = f"{key}.{exc.key}" if exc.key else key
        c.problem(f"{where}: {exc.message}", node, key, sid, exc.hint)
        return None


def build_timer(c: _Compiler, scope: _Scope, node: Node, sid: str, name: Text,
                line: int | None, doc: Text) -> tuple[str, list[str]]:
    """`type: timer` with `wait: <duration>`, `until: <expression>`, `date:` or a rule."""
    data = {k: node[k] for k in ("until", "date", "rule", "day", "roll", "at", "cycle")
            if k in node}
    if "wait" in node:
        data["after"] = node["wait"]
    timer = timer_of(c, data, node, "wait" if "wait" in node else "timer", sid)
    scope.elements.append(TimerEvent(id=sid, name=name, line=line, documentation=doc,
                                     timer=timer or TimerDefinition()))
    return sid, [sid]


def build_message(c: _Compiler, scope: _Scope, node: Node, sid: str, name: Text,
                  line: int | None, doc: Text) -> tuple[str, list[str]]:
    """`type: message` (catch event) or `type: receive` (receive task) with message and key."""
    message = node.get("message")
    if not isinstance(message, str) or not message:
        c.problem("a message step names the message it waits for: 'message: <name>'", node,
                  "message", sid)
        message = ""
    cls = ReceiveTask if node.get("type") == "receive" else MessageEvent
    key = node.get("key")
    scope.elements.append(cls(id=sid, name=name, line=line, documentation=doc, message=message,
                              correlation=None if key is None else str(key)))
    return sid, [sid]


def build_signal(c: _Compiler, scope: _Scope, node: Node, sid: str, name: Text,
                 line: int | None, doc: Text) -> tuple[str, list[str]]:
    signal = node.get("signal")
    if not isinstance(signal, str) or not signal:
        c.problem("a signal step names the signal it waits for: 'signal: <name>'", node,
                  "signal", sid)
        signal = ""
    scope.elements.append(SignalEvent(id=sid, name=name, line=line, documentation=doc,
                                      signal=signal))
    return sid, [sid]


def build_first_of(c: _Compiler, scope: _Scope, node: Node, sid: str, name: Text,
                   line: int | None, doc: Text) -> tuple[str, list[str]]:
    """An event gateway: the first of `events` to happen wins, the others are dropped."""
    events = node.get("events")
    exits: list[str] = []
    if not isinstance(events, list) or len(events) < 2:
        c.problem("'events' must list at least two timer, message or signal steps", node,
                  "events", sid)
        events = []
    for item in events:
        if not isinstance(item, Node) or item.get("type") not in ("timer", "message", "signal",
                                                                   "receive"):
            c.problem("each of 'events' is a step of type timer, message or signal",
                      item if isinstance(item, Node) else node, element=sid)
            continue
        result = c.step(scope, item)
        if result is not None:
            c.flow(scope, sid, result[0], line_of(item))
            exits += result[1]
    scope.elements.append(EventGateway(id=sid, name=name, line=line, documentation=doc))
    return sid, exits


def error_end(node: Node, sid: str, name: Text, line: int | None, doc: Text) -> Element:
    """`type: end` with `error: CODE` or `escalate: CODE`."""
    if node.get("escalate") is not None:
        return EscalationEndEvent(id=sid, name=name, line=line, documentation=doc,
                                  escalation=str(node["escalate"]))
    return ErrorEndEvent(id=sid, name=name, line=line, documentation=doc,
                         error=str(node.get("error") or ""))


def build_throw(c: _Compiler, scope: _Scope, node: Node, sid: str, name: Text,
                line: int | None, doc: Text) -> tuple[str, list[str]]:
    """`type: throw` with `escalate: CODE`: throws the escalation and goes on."""
    code = node.get("escalate")
    if code is None or code == "":
        c.problem("a throw step names what it throws: 'escalate: <code>'", node, "escalate",
                  sid)
    scope.elements.append(EscalationThrowEvent(id=sid, name=name, line=line,
                                               documentation=doc,
                                               escalation=str(code or "")))
    return sid, [sid]


def build_call(c: _Compiler, scope: _Scope, node: Node, sid: str, name: Text,
               line: int | None, doc: Text) -> tuple[str, list[str]]:
    """`type: call` with `process`, optional `version`, `in: {var: expr}` (or `in: all`,
    the default) and `out: {var: expr}` over the called case's variables."""
    process = node.get("process")
    if not isinstance(process, str) or not process:
        c.problem("a call step names the process it runs: 'process: <key>'", node, "process",
                  sid)
        process = ""
    version = node.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        c.problem("version must be a whole number", node, "version", sid)
        version = None
    inputs = node.get("in", "all")
    mapped: dict[str, tuple[tuple[str, str], ...] | None] = {"in": None, "out": ()}
    for key, value in (("in", inputs), ("out", node.get("out", {}))):
        if key == "in" and value == "all":
            continue
        if not isinstance(value, dict):
            c.problem(f"'{key}' must map variable names to expressions", node, key, sid,
                      "e.g. in: {applicant: customer_name}" if key == "in" else
                      "e.g. out: {valuation: appraised_value}")
            continue
        mapped[key] = tuple((str(k), str(v)) for k, v in value.items())
    from liucheng.model.calls import CallActivity

    scope.elements.append(CallActivity(id=sid, name=name, line=line, documentation=doc,
                                       process=process, version=version, inputs=mapped["in"],
                                       outputs=mapped["out"] or ()))
    return sid, [sid]


EVENT_BUILDERS = {"timer": build_timer, "message": build_message, "receive": build_message,
                  "signal": build_signal, "first_of": build_first_of, "call": build_call,
                  "throw": build_throw}
Builder = Callable[["_Scope", Node, str, Text, "int | None", Text], tuple[str, list[str]]]


def event_builders(c: _Compiler) -> dict[str, Builder]:
    """The step builders of this module, bound to the compiler `c`."""
    return {kind: functools.partial(build, c) for kind, build in EVENT_BUILDERS.items()}


def attach_boundaries(c: _Compiler, scope: _Scope, node: Node, sid: str) -> list[str]:
    """Boundary events of a step; returns the open exits (interrupting ones without `next`)."""
    exits: list[str] = []
    specs: list[tuple[str, Any]] = [(key, item) for key in ("timers", "messages", "signals",
                                                            "errors", "escalations")
                                    for item in _items(c, node, key, sid)]
    for key, item in specs:
        bid = item.get("id")
        if not isinstance(bid, str) or not bid:
            c.problem(f"each of '{key}' needs an 'id'", item, element=sid)
            continue
        interrupting = item.get("interrupting", True)
        if not isinstance(interrupting, bool):
            c.problem("interrupting must be true or false", item, "interrupting", bid)
            interrupting = True
        fields: dict[str, Any] = {}
        common = {"id", "name", "next", "interrupting"}
        if key == "timers":
            data = {k: v for k, v in item.items() if k not in common}
            fields["timer"] = timer_of(c, data, item, "timers", bid)
            if fields["timer"] is None:
                continue
        elif key == "messages":
            _only(c, item, common | {"message", "key"}, bid)
            fields["message"] = str(item.get("message") or "")
            fields["correlation"] = None if item.get("key") is None else str(item["key"])
        elif key == "signals":
            _only(c, item, common | {"signal"}, bid)
            fields["signal"] = str(item.get("signal") or "")
        elif key == "escalations":
            _only(c, item, common | {"escalation"}, bid)
            fields["escalation"] = str(item.get("escalation") or "")
        else:
            _only(c, item, common | {"error"}, bid)
            fields["error"] = str(item.get("error") or "")
        from liucheng.loaders.yaml_steps import text

        scope.elements.append(BoundaryEvent(
            id=bid, name=text(item.get("name")), line=item.line, attached_to=sid,
            interrupting=interrupting, **fields))
        targets = item.get("next")
        if targets is None:
            if interrupting:
                exits.append(bid)
            continue
        for target in targets if isinstance(targets, list) else [targets]:
            c.flow(scope, bid, str(target), line_of(item, "next"))
    return exits


def _items(c: _Compiler, node: Node, key: str, sid: str) -> list[Node]:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Node) for v in value):
        c.problem(f"'{key}' must be a list of mappings, each with an 'id'", node, key, sid)
        return []
    return value


def _only(c: _Compiler, item: Node, allowed: set[str], bid: str) -> None:
    for k in item:
        if k not in allowed:
            c.problem(f"unknown key '{k}'", item, k, bid, "allowed: " + ", ".join(sorted(allowed)))


def start_event(c: _Compiler, data: Node, default: Element) -> Element:
    """The top-level start event: plain, or `start: {timer: {...}}` / `{message: name}`."""
    spec = data.get("start")
    if spec is None:
        return default
    if not isinstance(spec, Node) or len(spec) != 1 or next(iter(spec)) not in START_KEYS:
        c.problem("'start' must be {timer: {...}} or {message: <name>}", data, "start")
        return default
    if "timer" in spec:
        timer = timer_of(c, spec["timer"], spec, "timer", default.id, repeat_by_default=True)
        if timer is None:
            return default
        return TimerStartEvent(id=default.id, name=default.name, line=line_of(data, "start"),
                               timer=timer)
    return MessageStartEvent(id=default.id, name=default.name, line=line_of(data, "start"),
                             message=str(spec["message"]))


def event_subprocesses(c: _Compiler, scope: _Scope, node: Node, owner: str | None) -> None:
    """`on_event:` of the process or of a sub-process: its event sub-processes.

    Each item names one trigger — `timer: {...}`, `message: name` (with `key`), `signal:
    name`, `error: CODE` or `escalation: CODE` (without a code: any) — `interrupting`
    (default true) and its `steps`; it may have an `on_event` of its own."""
    from liucheng.loaders.yaml_dsl import _Scope
    from liucheng.loaders.yaml_steps import text

    allowed = {"id", "name", "description", "documentation", "interrupting", "steps", "key",
               "on_event", *TRIGGERS}
    for item in _items(c, node, "on_event", owner or "process"):
        eid = item.get("id")
        if not isinstance(eid, str) or not eid:
            c.problem("each of 'on_event' needs an 'id'", item, element=owner)
            continue
        _only(c, item, allowed, eid)
        triggers = [k for k in TRIGGERS if k in item]
        if len(triggers) != 1:
            c.problem("an event sub-process names exactly one trigger: timer, message, "
                      "signal, error or escalation", item, element=eid,
                      hint="e.g. message: order_cancelled, or timer: {after: P5D}")
            continue
        interrupting = item.get("interrupting", True)
        if not isinstance(interrupting, bool):
            c.problem("interrupting must be true or false", item, "interrupting", eid)
            interrupting = True
        fields = _trigger_fields(c, item, triggers[0], eid)
        if fields is None:
            continue
        inner = _Scope()
        c.body(inner, item.get("steps"), eid, item)
        if inner.elements:
            plain = inner.elements[0]
            inner.elements[0] = EventStartEvent(id=plain.id, name=plain.name, line=item.line,
                                                interrupting=interrupting, **fields)
        event_subprocesses(c, inner, item, eid)
        scope.elements.append(EventSubProcess(
            id=eid, name=text(item.get("name")), line=item.line,
            documentation=text(item.get("description") or item.get("documentation")),
            elements=tuple(inner.elements), flows=tuple(inner.flows)))


def _trigger_fields(c: _Compiler, item: Node, trigger: str, eid: str) -> dict[str, Any] | None:
    if "key" in item and trigger != "message":
        c.problem("'key' goes with a message trigger", item, "key", eid)
    value = item[trigger]
    if trigger == "timer":
        timer = timer_of(c, value, item, "timer", eid)
        return None if timer is None else {"timer": timer}
    if trigger in ("message", "signal") and (not isinstance(value, str) or not value):
        c.problem(f"'{trigger}' names the {trigger} that starts it", item, trigger, eid)
        return None
    fields: dict[str, Any] = {trigger: "" if value is None else str(value)}
    if trigger == "message" and item.get("key") is not None:
        fields["correlation"] = str(item["key"])
    return fields
