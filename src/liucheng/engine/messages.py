"""Messages, signals and errors: subscriptions, correlation, broadcast, error propagation.

A message catch event, receive task, event-gateway branch or message boundary opens a
*subscription* (`subscription_opened`: name and correlation key, the key computed from
the case's variables when it opens). `CorrelateMessage` finds the open subscription for
the message's name and key and triggers its element; the runtime keeps a table of open
subscriptions so it can find the case. Signals are subscriptions without a key that
`BroadcastSignal` triggers all at once. The subscription of an event sub-process's
start belongs to its scope (`scope`, no `token`) and starts the event sub-process.
Errors and escalations thrown inside the case are in `throws.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.event_commands import BroadcastSignal, CorrelateMessage
from liucheng.engine.humantask.common import require_active
from liucheng.engine.timers import trigger
from liucheng.errors import ExpressionError, NotFoundError
from liucheng.model import BoundaryEvent, EventStartEvent, MessageEvent, SignalEvent

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


def subscribe(run: Run, element: Any, token: str | None, *, hold: bool = False,
              scope: str | None = None) -> bool:
    """Open a subscription for `element` (message or signal) on behalf of `token`, or of
    `scope` for the start of an event sub-process."""
    if isinstance(element, SignalEvent) or (isinstance(element, (BoundaryEvent,
                                                                 EventStartEvent))
                                            and element.signal is not None):
        kind, name, key = "signal", element.signal, None
    else:
        assert isinstance(element, (MessageEvent, BoundaryEvent, EventStartEvent))
        kind, name, key = "message", element.message, None
        if element.correlation:
            try:
                reads = run.state["tokens"][token]["scope"] if token is not None else scope
                value = run.evaluate(element.correlation, reads)
            except ExpressionError as exc:
                reason = (f"the correlation key '{element.correlation}' could not be worked "
                          f"out: {exc.message}; set the data, then retry")
                owner = {"scope": scope} if scope else {}
                if hold:
                    run.incident(run.state["tokens"][token], reason)
                else:
                    run.emit("event_incident", incident=run.ctx.new_id(), element=element.id,
                             token=token, reason=reason, kind="schedule", **owner)
                return False
            key = None if value is None else str(value)
    extra: dict[str, Any] = {"hold": True} if hold else {}
    if scope is not None:
        extra["scope"] = scope
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
                            hint="check the message name and its correlation key",
                            message_zh=f"此业务中没有步骤在等待消息“{cmd.message}”"
                            + (f"（关联键“{key}”）" if key is not None else ""),
                            hint_zh="请检查消息名称及其关联键")
    sub = subs[0]
    run.emit("message_correlated", subscription=sub["id"], element=sub["element"],
             token=sub["token"], message=cmd.message, key=key, actor=cmd.actor.user,
             variables=dict(cmd.variables), **_owner(sub))
    if cmd.variables:
        run.emit("variables_set", variables=dict(cmd.variables), actor=cmd.actor.user,
                 element=sub["element"])
    _deliver(run, sub)


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
        run.emit("signal_received", subscription=sub["id"], element=sub["element"],
                 token=sub["token"], signal=cmd.signal, actor=cmd.actor.user, **_owner(sub))
        _deliver(run, sub)


def _owner(sub: dict[str, Any]) -> dict[str, Any]:
    return {"scope": sub["scope"]} if sub.get("scope") else {}


def _deliver(run: Run, sub: dict[str, Any]) -> None:
    """Trigger the subscription's element: for its token, or in its scope."""
    element = run.definition.element(sub["element"])
    if sub.get("scope"):
        from liucheng.engine.event_subprocesses import start_event_subprocess

        assert isinstance(element, EventStartEvent)
        start_event_subprocess(run, element, sub["scope"])
    else:
        trigger(run, element, run.state["tokens"][sub["token"]])
