"""Behaviours of event elements: catch events wait, boundary events pass the token on,
the event gateway waits for the first of its events, error and escalation ends and
throws throw their code (engine/throws.py); and the call activity (engine/calls.py),
which waits for a case of another process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.behaviors.events import StartEventBehavior
from liucheng.engine.behaviors.tasks import SubProcessBehavior
from liucheng.engine.calls import CallActivityBehavior
from liucheng.engine.messages import subscribe
from liucheng.engine.throws import throw_error, throw_escalation
from liucheng.engine.timers import arm, disarm
from liucheng.model import ErrorEndEvent, MessageEvent, SignalEvent, TimerEvent
from liucheng.model.events import EscalationEndEvent, EscalationThrowEvent

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


class TimerCatchBehavior:
    """The token waits (status `event`) until `FireTimer` for its timer."""

    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, TimerEvent)
        arm(run, element.timer, element.id, token["id"], hold=True)


class SubscriptionCatchBehavior:
    """Message catch events, receive tasks and signal catch events wait for their trigger."""

    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, (MessageEvent, SignalEvent))
        subscribe(run, element, token["id"], hold=True)


class BoundaryEventBehavior:
    """A triggered boundary event's own token continues along its flows."""

    def enter(self, run: Run, token: Token) -> None:
        run.leave(token)


class EventGatewayBehavior:
    """Arms every following event for the gateway's token; the first to happen wins."""

    def enter(self, run: Run, token: Token) -> None:
        disarm(run, token["id"])  # a retry after an incident starts afresh
        for flow in run.definition.outgoing(token["element"]):
            target = run.definition.element(flow.target)
            if isinstance(target, TimerEvent):
                done = arm(run, target.timer, target.id, token["id"], hold=True)
            else:
                done = subscribe(run, target, token["id"], hold=True)
            if not done:  # an incident on the gateway's token; drop what was armed
                disarm(run, token["id"])
                return


class ErrorEndBehavior:
    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, ErrorEndEvent)
        throw_error(run, token, element.error)


class EscalationBehavior:
    """An escalation end event ends its token; an intermediate throw goes on."""

    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, (EscalationEndEvent, EscalationThrowEvent))
        throw_escalation(run, token, element.escalation,
                         end=isinstance(element, EscalationEndEvent))


EVENT_BEHAVIORS: dict[str, Any] = {
    "timer_event": TimerCatchBehavior(),
    "message_event": SubscriptionCatchBehavior(),
    "receive_task": SubscriptionCatchBehavior(),
    "signal_event": SubscriptionCatchBehavior(),
    "boundary_event": BoundaryEventBehavior(),
    "event_gateway": EventGatewayBehavior(),
    "error_end_event": ErrorEndBehavior(),
    "escalation_end_event": EscalationBehavior(),
    "escalation_throw_event": EscalationBehavior(),
    "event_sub_process": SubProcessBehavior(),
    "event_start_event": StartEventBehavior(),
    "call_activity": CallActivityBehavior(),
}
