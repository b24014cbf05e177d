"""Messages, signals and errors: subscriptions, correlation, broadcast, error propagation.

A message catch event, receive task, event-gateway branch or message boundary opens a
*subscription* (`subscription_opened`: name and correlation key, the key computed from
the case's variables when it opens). `CorrelateMessage` finds the open subscription for
the message's name and key and triggers its element; the runtime keeps a table of open
subscriptions so it can find the case. Signals are subscriptions without a key that
`BroadcastSignal` triggers all at once. An error end event throws its code to the
nearest enclosing sub-process with a matching error boundary, which is interrupted; a
service step's error (`FailService` with a code) is first offered to its own boundaries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.event_commands import BroadcastSignal, CorrelateMessage
from liucheng.engine.humantask.common import require_active
from liucheng.engine.timers import boundaries, trigger
from liucheng.errors import ExpressionError, NotFoundError
from liucheng.model import BoundaryEvent, MessageEvent, SignalEvent

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


def subscribe(run: Run, element: Any, token: str, *, hold: bool = False) -> bool:
    """Open a subscription for `element` (message or signal) on behalf of `token`."""
    if isinstance(element, SignalEvent) or (isinstance(element, BoundaryEvent)
                                            and element.signal is not None):
        kind, name, key = "signal", element.signal, None
    else:
        assert isinstance(element, (MessageEvent, BoundaryEvent))
        kind, name, key = "message", element.message, None
        if element.correlation:
            try:
                value = run.evaluate(element.correlation)
            except ExpressionError as exc:
                reason = (f"the correlation key '{element.correlation}' could not be worked "
                          f"out: {exc.message}; set the data, then retry")
                if hold:
                    run.incident(run.state["tokens"][token], reason)
                else:
                    run.emit("event_incident", incident=run.ctx.new_id(), element=element.id,
                             token=token, reason=reason, kind="schedule")
                return False
            key = None if value is None else str(value)
    extra = {"hold": True} if hold else {}
    run.emit("subscription_opened", subscription=run.ctx.new_id(), element=element.id,
             token=token, kind=kind, name=name, key=key, **extra)
    return True


def correlate(run: Run, cmd: CorrelateMessage) -> None:
    require_active(run)
    key = None if cmd.key is None else str(cmd.key)
    subs = [s for s in run.state.get("subscriptions", {}).values()
            if s["kind"] == "message" and s["name"] == cmd.message
            and (cmd.subscription is None or s["id"] == cmd.subscription)
            and (s["key"] is None or s["key"] == key)]
    if not subs:
        raise NotFoundError(f"nothing in this case waits for message '{cmd.message}'"
                            + (f" with key '{key}'" if key is not None else ""),
                            hint="check the message name and its correlation key")
    sub = subs[0]
    token = run.state["tokens"][sub["token"]]
    run.emit("message_correlated", subscription=sub["id"], element=sub["element"],
             token=token["id"], message=cmd.message, key=key, actor=cmd.actor.user,
             variables=dict(cmd.variables))
    if cmd.variables:
        run.emit("variables_set", variables=dict(cmd.variables), actor=cmd.actor.user,
                 element=sub["element"])
    trigger(run, run.definition.element(sub["element"]), token)


def broadcast(run: Run, cmd: BroadcastSignal) -> None:
    """Every element waiting for the signal is triggered, in the order they began waiting."""
    require_active(run)
    waiting = [s for s in run.state.get("subscriptions", {}).values()
               if s["kind"] == "signal" and s["name"] == cmd.signal]
    if waiting and cmd.variables:
        run.emit("variables_set", variables=dict(cmd.variables), actor=cmd.actor.user)
    for sub in waiting:
        if sub["id"] not in run.state.get("subscriptions", {}):
            continue  # an earlier trigger ended it (e.g. an interrupted activity)
        token = run.state["tokens"][sub["token"]]
        run.emit("signal_received", subscription=sub["id"], element=sub["element"],
                 token=token["id"], signal=cmd.signal, actor=cmd.actor.user)
        trigger(run, run.definition.element(sub["element"]), token)


def throw_error(run: Run, token: Token, code: str, detail: str = "") -> None:
    """An error end event, or a service step's error: a matching error boundary on the
    step itself, else on the nearest enclosing sub-process, catches it."""
    run.emit("error_thrown", token=token["id"], element=token["element"], error=code,
             **({"detail": detail} if detail else {}))
    for boundary in boundaries(run.definition, token["element"]):
        if boundary.trigger == "error" and boundary.error in ("", code):
            trigger(run, boundary, token)
            return
    scope = token["scope"]
    while True:
        parent_id = run.state["scopes"][scope]["parent_token"]
        if parent_id is None:
            break
        parent = run.state["tokens"][parent_id]
        for boundary in boundaries(run.definition, parent["element"]):
            if boundary.trigger == "error" and boundary.error in ("", code):
                run.emit("element_left", token=token["id"], element=token["element"])
                trigger(run, boundary, parent)
                return
        scope = parent["scope"]
    run.incident(token, f"error '{code}' was thrown but no error boundary catches it; add "
                 "one to the step or an enclosing sub-process, or change the model"
                 + (f" ({detail})" if detail else ""))
