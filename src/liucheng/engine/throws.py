"""Errors and escalations thrown inside a case, and the nearest element that catches them.

`catcher` walks from the thrower's scope outwards. In each scope, an event sub-process
whose start catches the code comes first, then a boundary event of the sub-process the
scope belongs to; then the scope around it. (An error or escalation thrown inside an
event sub-process is not caught by the event sub-processes beside it.) A code of '' or
None catches any code.

- An **error** end event ends its token (a service step's error is first offered to the
  step's own boundaries); the catcher interrupts (an error start or
  boundary always does). Uncaught, it is an incident on the end event.
- An **escalation** end event ends its token, an intermediate escalation throw goes on
  unless an interrupting catcher ended its scope. The catcher interrupts or not, as it
  says. Uncaught, nothing more happens: `escalation_thrown` records it (`caught_by`
  None) and the flow continues.

In a called case, what nothing catches goes on to the calling case (a `throw_to_caller`
effect; the runtime answers the caller with `CatchFromCall`): the call step's boundary
events catch it, then the scopes around the call step. An error stays an incident in
the called case too, until the caller's interrupting catch cancels that case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.calls import calling
from liucheng.engine.event_commands import CatchFromCall
from liucheng.engine.event_subprocesses import event_subprocesses, start_event_subprocess
from liucheng.engine.timers import boundaries, trigger
from liucheng.model.events import EventStartEvent, EventSubProcess

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]
Catcher = tuple[Any, str, Token | None]  # (element, scope, boundary's activity token)


def catcher(run: Run, scope: str, kind: str, code: str) -> Catcher | None:
    """The nearest start or boundary of `kind` ('error', 'escalation') that takes `code`."""
    definition = run.definition
    inside_esp = False
    while True:
        record = run.state["scopes"][scope]
        if not inside_esp:
            for esp in event_subprocesses(definition, record["element"]):
                start = esp.start
                if start is not None and _takes(start, kind, code):
                    return start, scope, None
        parent_id = record["parent_token"]
        if parent_id is None:
            return None
        parent = run.state["tokens"][parent_id]
        for boundary in boundaries(definition, parent["element"]):
            if _takes(boundary, kind, code):
                return boundary, parent["scope"], parent
        inside_esp = isinstance(definition.element(parent["element"]), EventSubProcess)
        scope = parent["scope"]


def _takes(element: Any, kind: str, code: str) -> bool:
    return bool(element.trigger == kind and getattr(element, kind) in (None, "", code))


def _deliver(run: Run, found: Catcher) -> None:
    element, scope, activity = found
    if activity is None:
        assert isinstance(element, EventStartEvent)
        start_event_subprocess(run, element, scope)
    else:
        trigger(run, element, activity)


def throw_error(run: Run, token: Token, code: str, detail: str = "") -> None:
    """An error end event, or a service step's error (`FailService` with a code): the
    step's own error boundaries catch it first, then the nearest error start or boundary
    around it; uncaught, it is an incident."""
    run.emit("error_thrown", token=token["id"], element=token["element"], error=code,
             **({"detail": detail} if detail else {}))
    own = next((b for b in boundaries(run.definition, token["element"])
                if _takes(b, "error", code)), None)
    if own is not None:
        trigger(run, own, token)
        return
    found = catcher(run, token["scope"], "error", code)
    if found is None:
        run.incident(token, f"error '{code}' was thrown but nothing catches it; add an "
                     "error boundary to the step or an enclosing sub-process, or an error "
                     "event sub-process, or change the model"
                     + (f" ({detail})" if detail else ""))
        _to_caller(run, token, "error", code)
        return
    run.emit("element_left", token=token["id"], element=token["element"])
    _deliver(run, found)


def throw_escalation(run: Run, token: Token, code: str, *, end: bool) -> None:
    """An escalation end event (`end`) or intermediate throw; uncaught, the flow goes on."""
    found = catcher(run, token["scope"], "escalation", code)
    run.emit("escalation_thrown", token=token["id"], element=token["element"],
             escalation=code, caught_by=found[0].id if found else None)
    if end:
        run.emit("element_left", token=token["id"], element=token["element"])
    if found is not None:
        _deliver(run, found)
    else:
        _to_caller(run, token, "escalation", code)
    thrower = run.state["tokens"].get(token["id"])
    if not end and thrower is not None:
        run.leave(thrower)


def _to_caller(run: Run, token: Token, kind: str, code: str) -> None:
    parent = run.state["variables"].get("parent_case")
    if isinstance(parent, dict) and parent.get("id") and parent.get("token"):
        run.effects.append({"type": "throw_to_caller", "kind": kind, "code": code,
                            "case": parent["id"], "token": parent["token"],
                            "element": token["element"]})


def catch_from_call(run: Run, cmd: CatchFromCall) -> None:
    """What a called case threw reaches its call step (ignored once the step has ended)."""
    if run.state["status"] != "active":
        return
    token = calling(run, cmd.token, cmd.case)
    if token is None:
        return
    found: Catcher | None = next(((b, token["scope"], token)
                                  for b in boundaries(run.definition, token["element"])
                                  if _takes(b, cmd.kind, cmd.code)), None)
    if found is None:
        found = catcher(run, token["scope"], cmd.kind, cmd.code)
    run.emit(f"{cmd.kind}_thrown", token=token["id"], element=token["element"],
             **{cmd.kind: cmd.code}, case=cmd.case, caught_by=found[0].id if found else None,
             actor=cmd.actor.user)
    if found is not None:
        _deliver(run, found)
