"""Event sub-processes in the core: armed with their scope, started by their trigger.

When a scope starts (the case, a sub-process, an event sub-process) the timer, message
and signal starts of the event sub-processes directly inside it are armed for the
*scope*: their timers and subscriptions carry `scope` and no `token`. They are disarmed
when the scope closes (`disarm_scope`, called by `Run.emit` on `scope_closed` and when
the case ends). Error and escalation starts are not armed: `throws.catcher` finds them
when something is thrown.

Starting one (`start_event_subprocess`): an interrupting one first ends every token of
the scope (open tasks cancelled, inner scopes closed) and the scope's other triggers,
then a token enters the event sub-process, whose scope opens like a sub-process's. A
non-interrupting one starts beside the others, as often as its trigger happens (a timer
cycle re-arms; a message or signal subscription stays open). The enclosing scope ends
when all of its tokens — those of running event sub-processes too — have ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.model import ProcessDefinition
from liucheng.model.events import EventStartEvent, EventSubProcess

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

_INDEX: dict[int, tuple[ProcessDefinition, dict[str | None, list[EventSubProcess]]]] = {}


def event_subprocesses(definition: ProcessDefinition,
                       container: str | None) -> list[EventSubProcess]:
    """Event sub-processes directly inside `container` (None: the process), model order."""
    cached = _INDEX.get(id(definition))
    if cached is None or cached[0] is not definition:
        index: dict[str | None, list[EventSubProcess]] = {}
        for element, parent in definition.walk():
            if isinstance(element, EventSubProcess):
                index.setdefault(parent, []).append(element)
        if len(_INDEX) > 512:
            _INDEX.clear()
        cached = _INDEX[id(definition)] = (definition, index)
    return cached[1].get(container, [])


def arm_scope(run: Run, scope: str) -> None:
    """Arm the timer, message and signal starts of the scope's event sub-processes."""
    from liucheng.engine.messages import subscribe
    from liucheng.engine.timers import arm

    for esp in event_subprocesses(run.definition, run.state["scopes"][scope]["element"]):
        start = esp.start
        if start is None:
            continue
        if start.timer is not None:
            arm(run, start.timer, start.id, None, scope=scope)
        elif start.trigger in ("message", "signal"):
            subscribe(run, start, None, scope=scope)


def disarm_scope(run: Run, scope: str) -> None:
    """The scope ends: cancel its event sub-processes' timers and subscriptions."""
    state = run.state
    for timer in [t for t in state.get("timers", {}).values() if t.get("scope") == scope]:
        run.emit("timer_cancelled", timer=timer["id"], element=timer["element"], token=None,
                 scope=scope)
    for sub in [s for s in state.get("subscriptions", {}).values() if s.get("scope") == scope]:
        run.emit("subscription_closed", subscription=sub["id"], element=sub["element"],
                 token=None, scope=scope, kind=sub["kind"], name=sub["name"])
    for inc in [i for i in state["incidents"].values() if i.get("owner_scope") == scope]:
        run.emit("incident_resolved", incident=inc["id"], reason="its scope ended")


def start_event_subprocess(run: Run, start: EventStartEvent, scope: str,
                           timer: dict[str, Any] | None = None) -> None:
    """The trigger of `start` happened in `scope`: start its event sub-process there."""
    esp = run.definition.parent(start.id)
    assert esp is not None
    if start.interrupting:
        run.terminate(scope, f"{start.trigger} '{start.id}' of event sub-process '{esp}' "
                      "happened")
        disarm_scope(run, scope)
    elif timer is not None and start.timer is not None:
        from liucheng.engine.timers import rearm_cycle

        rearm_cycle(run, start.id, start.timer, timer, None, scope)
    run.enter(esp, scope, None)
