"""Arming, disarming and firing timers; boundary events of activities.

The interpreter calls `arm_boundaries` after an activity's behaviour has run for a token
that just arrived (first entry, a return that enters the step again, a retry), and
`disarm` whenever a token leaves or is ended, so a boundary timer lives exactly as long
as its activity. Arming emits `timer_armed` with the due moment; the runtime turns it
into a `jobs` row, and `FireTimer` comes back when it is due. A timer that is no longer
armed (cancelled, fired, from before a migration) is ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from liucheng.engine.calls import cancel_called
from liucheng.engine.event_commands import FailTimer, FireTimer
from liucheng.engine.humantask.common import require_active
from liucheng.engine.schedule import (
    ScheduleError,
    anchor_of,
    first_due,
    next_due,
    parse_moment,
)
from liucheng.engine.state import is_instance
from liucheng.errors import ExpressionError, LiuchengError
from liucheng.model import BoundaryEvent, ProcessDefinition, UserTask
from liucheng.model.events import EventGateway, EventStartEvent, TimerEvent
from liucheng.model.timers import TimerDefinition

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


def boundaries(definition: ProcessDefinition, element_id: str) -> tuple[BoundaryEvent, ...]:
    """Boundary events attached to `element_id`, in model order."""
    return definition.boundaries.get(element_id, ())


def arm(run: Run, timer: TimerDefinition, element: str, token: str | None, *,
        hold: bool = False, due: datetime | None = None, fired: int = 0,
        anchor: str | None = None, scope: str | None = None) -> bool:
    """Emit `timer_armed`; False (after an incident) when the due moment cannot be worked out.

    The timer belongs to `token`, or (an event sub-process's start) to `scope`."""
    if due is None:
        first = anchor_of(timer, run.ctx.now, run.ctx.calendar)
        anchor = first.isoformat() if first is not None else None
        try:
            reads = run.state["tokens"][token]["scope"] if token is not None else scope
            due, fired = first_due(timer, run.ctx.now, run.ctx.calendar,
                                   lambda source: run.evaluate(source, reads))
        except (ScheduleError, ExpressionError, LiuchengError) as exc:
            message = exc.message if isinstance(exc, LiuchengError) else str(exc)
            reason = f"timer could not be scheduled: {message}; fix the data, then retry"
            if hold:  # the token itself waits: an ordinary incident on it
                run.incident(run.state["tokens"][token], reason)
            else:  # a boundary: the activity goes on, the incident stands beside it
                run.emit("event_incident", incident=run.ctx.new_id(), element=element,
                         token=token, reason=reason, kind="schedule",
                         **({"scope": scope} if scope else {}))
            return False
    extra: dict[str, Any] = {"hold": True} if hold else {}
    if scope is not None:
        extra["scope"] = scope
    if anchor is not None:
        extra["anchor"] = anchor
    run.emit("timer_armed", timer=run.ctx.new_id(), element=element, token=token,
             due_at=due.isoformat(), fired=fired, **extra)
    return True


def arm_boundaries(run: Run, token: Token) -> None:
    """Arm the boundary events of the activity `token` has just entered (once per token)."""
    attached = run.definition.boundaries.get(token["element"])
    if not attached or token["id"] not in run.state["tokens"] or is_instance(run.state, token):
        return  # none, or an instance of a multi-instance activity: its boundaries are the whole's
    from liucheng.engine.messages import subscribe

    armed = {t["element"] for t in run.state.get("timers", {}).values()
             if t["token"] == token["id"]}
    armed |= {s["element"] for s in run.state.get("subscriptions", {}).values()
              if s["token"] == token["id"]}
    armed |= {i["element"] for i in run.state["incidents"].values()
              if i.get("owner_token") == token["id"]}
    for boundary in attached:
        if boundary.id in armed:
            continue
        if boundary.timer is not None:
            arm(run, boundary.timer, boundary.id, token["id"])
        elif boundary.trigger in ("message", "signal"):
            subscribe(run, boundary, token["id"])


def disarm(run: Run, token_id: str) -> None:
    """The token leaves: cancel its timers, close its subscriptions and event incidents."""
    cancel_called(run, token_id)
    state = run.state
    if not (state.get("timers") or state.get("subscriptions") or state["incidents"]):
        return  # nothing else can be armed for any token (the common case)
    for timer in [t for t in run.state.get("timers", {}).values() if t["token"] == token_id]:
        run.emit("timer_cancelled", timer=timer["id"], element=timer["element"], token=token_id)
    for sub in [s for s in run.state.get("subscriptions", {}).values()
                if s["token"] == token_id]:
        run.emit("subscription_closed", subscription=sub["id"], element=sub["element"],
                 token=token_id, kind=sub["kind"], name=sub["name"])
    for inc in [i for i in run.state["incidents"].values() if i.get("owner_token") == token_id]:
        run.emit("incident_resolved", incident=inc["id"], reason="its step ended")


def fire(run: Run, cmd: FireTimer) -> None:
    if run.state["status"] != "active":
        return
    timer = run.state.get("timers", {}).get(cmd.timer)
    if timer is None:
        return  # cancelled, fired already, or replaced: nothing to do
    element = run.definition.element(timer["element"])
    scope = timer.get("scope")
    if scope is not None:  # the start of an event sub-process
        from liucheng.engine.event_subprocesses import start_event_subprocess

        run.emit("timer_fired", timer=timer["id"], element=element.id, token=None,
                 scope=scope, due_at=timer["due_at"], actor=cmd.actor.user)
        assert isinstance(element, EventStartEvent)
        start_event_subprocess(run, element, scope, timer)
        return
    token = run.state["tokens"].get(timer["token"])
    if token is None:
        return
    run.emit("timer_fired", timer=timer["id"], element=element.id, token=token["id"],
             due_at=timer["due_at"], actor=cmd.actor.user)
    trigger(run, element, token, timer)


def trigger(run: Run, element: Any, token: Token, timer: dict[str, Any] | None = None) -> None:
    """The event `element` happened for `token` (a catch event, a gateway's, a boundary)."""
    host = run.definition.element(token["element"])
    if isinstance(element, UserTask) and timer is not None:  # a step's own deadline
        from liucheng.engine.humantask.deadlines import on_deadline

        on_deadline(run, element, token, timer)
    elif isinstance(host, EventGateway):
        _gateway_won(run, token, element.id)
    elif isinstance(element, BoundaryEvent):
        if timer is not None and not element.interrupting and element.timer is not None:
            rearm_cycle(run, element.id, element.timer, timer, token["id"])
        if element.interrupting:
            interrupt(run, token, f"{element.trigger} '{element.id}' happened")
            run.enter(element.id, token["scope"], None)
        elif run.definition.outgoing(element.id):
            run.enter(element.id, token["scope"], None)
        else:
            remind(run, element, token)
    else:
        run.leave(token)


def remind(run: Run, element: BoundaryEvent, token: Token) -> None:
    """A non-interrupting boundary with no next step: remind whoever holds the step's tasks."""
    state = run.state
    owners = {token["id"]} | {t["id"] for t in state["tokens"].values()  # and inside it
                              if state["scopes"][t["scope"]]["parent_token"] == token["id"]}
    tasks = [t for t in state["tasks"].values() if t["token"] in owners]
    users = sorted({t["assignee"] for t in tasks if t["assignee"]}
                   | {u for t in tasks if not t["assignee"] for u in t["candidate_users"]})
    roles = sorted({r for t in tasks if not t["assignee"] for r in t["roles"]})
    run.emit("reminder_sent", element=element.id, token=token["id"],
             tasks=[t["id"] for t in tasks], users=users, roles=roles)
    for task in tasks:
        run.effects.append({"type": "notify", "kind": "urge", "users": users,
                            "roles": roles, "task": task["id"], "name": task["name"],
                            "comment": None, "message_id": run.ctx.new_id()})


def rearm_cycle(run: Run, element: str, spec: TimerDefinition, timer: dict[str, Any],
                token: str | None, scope: str | None = None) -> None:
    """A non-interrupting cycle that fired arms its next occurrence, if it has one."""
    fired = int(timer.get("fired", 0)) + 1
    cal = run.ctx.calendar
    anchor = timer.get("anchor")
    due = next_due(spec, parse_moment(timer["due_at"], cal), fired, cal,
                   parse_moment(anchor, cal) if anchor else None)
    if due is not None:
        arm(run, spec, element, token, due=due, fired=fired, anchor=anchor, scope=scope)


def _gateway_won(run: Run, gateway_token: Token, event_id: str) -> None:
    """First event of an event gateway: the others are cancelled as the gateway is left."""
    flow = next(f for f in run.definition.outgoing(gateway_token["element"])
                if f.target == event_id)
    run.emit("element_left", token=gateway_token["id"], element=gateway_token["element"])
    new = run.enter(event_id, gateway_token["scope"], flow.id)
    run.leave(run.state["tokens"][new])


def interrupt(run: Run, token: Token, reason: str) -> None:
    """End an activity from outside: its tasks, its inner scope, then its token."""
    run.end_inner(token, reason)
    for task in [t for t in run.state["tasks"].values() if t["token"] == token["id"]]:
        run.emit("task_cancelled", task=task["id"], element=task["element"], reason=reason)
    for inc in [i for i in run.state["incidents"].values() if i["token"] == token["id"]]:
        run.emit("incident_resolved", incident=inc["id"], reason=reason)
    run.emit("element_terminated", token=token["id"], element=token["element"], reason=reason)


def fail(run: Run, cmd: FailTimer) -> None:
    """The job executor gave up on a timer: keep the case visible as an incident."""
    require_active(run)
    timer = run.state.get("timers", {}).get(cmd.timer)
    if timer is None:
        return
    run.emit("event_incident", incident=run.ctx.new_id(), timer=timer["id"],
             element=timer["element"], token=timer["token"],
             reason=f"timer could not be fired: {cmd.error}; retry fires it again",
             kind="fire", actor=cmd.actor.user,
             **({"scope": timer["scope"]} if timer.get("scope") else {}))


def rearm_after_retry(run: Run, incident: dict[str, Any]) -> None:
    """A retried event incident arms its timer again (due now if it had failed to fire)."""
    scope = incident.get("owner_scope")
    token = run.state["tokens"].get(incident.get("owner_token") or "")
    if token is None and scope not in run.state["scopes"]:
        return
    element = run.definition.element(incident["element"])
    spec = getattr(element, "timer", None)
    if not isinstance(spec, TimerDefinition):
        return
    due = run.ctx.now if incident.get("kind") == "fire" else None
    if token is None:
        arm(run, spec, element.id, None, due=due, scope=scope)
        return
    arm(run, spec, element.id, token["id"], due=due, hold=isinstance(element, TimerEvent)
        and token["element"] == element.id)
