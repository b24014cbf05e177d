"""Event elements: timers, messages, signals, errors, boundary events and the event gateway.

- `TimerEvent` / `MessageEvent` / `SignalEvent`: intermediate catch events — the token
  waits until the timer fires, a matching message is correlated, the signal is broadcast.
  `ReceiveTask` waits for a message like a message catch event.
- `BoundaryEvent`: attached to a user task or sub-process (`attached_to`); armed each time
  the activity is entered and disarmed when it ends. Interrupting ends the activity and
  leaves along the boundary's flows; non-interrupting leaves a new token and the activity
  goes on. Triggered by a timer, a message, a signal or an error thrown inside.
- `TimerStartEvent` / `MessageStartEvent`: start a case on a schedule or on a message.
- `ErrorEndEvent`: throws an error code to the nearest enclosing error boundary or error
  event sub-process.
- `EscalationEndEvent` / `EscalationThrowEvent`: throw an escalation code to the nearest
  escalation boundary or escalation event sub-process; uncaught, the flow goes on.
- `EventSubProcess`: a sub-process without incoming flow, started by the trigger of its
  `EventStartEvent` while its enclosing scope runs (interrupting or alongside).
- `EventGateway`: waits for whichever of the following catch events happens first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from liucheng.model.elements import Element, EndEvent, StartEvent, SubProcess
from liucheng.model.timers import TimerDefinition


@dataclass(frozen=True)
class TimerEvent(Element):
    kind: ClassVar[str] = "timer_event"
    timer: TimerDefinition = TimerDefinition()


@dataclass(frozen=True)
class MessageEvent(Element):
    """Waits for `message`; `correlation` is an expression for the key it must carry."""

    kind: ClassVar[str] = "message_event"
    message: str = ""
    correlation: str | None = None


@dataclass(frozen=True)
class ReceiveTask(MessageEvent):
    kind: ClassVar[str] = "receive_task"


@dataclass(frozen=True)
class SignalEvent(Element):
    kind: ClassVar[str] = "signal_event"
    signal: str = ""


@dataclass(frozen=True)
class BoundaryEvent(Element):
    """One trigger: `timer`, `message` (+ `correlation`), `signal`, `escalation` or `error`
    (a code; '' = any)."""

    kind: ClassVar[str] = "boundary_event"
    attached_to: str = ""
    interrupting: bool = True
    timer: TimerDefinition | None = None
    message: str | None = None
    correlation: str | None = None
    signal: str | None = None
    error: str | None = None
    escalation: str | None = None

    @property
    def trigger(self) -> str:
        return _trigger(self)


def _trigger(event: BoundaryEvent | EventStartEvent) -> str:
    if event.timer is not None:
        return "timer"
    if event.message is not None:
        return "message"
    if event.signal is not None:
        return "signal"
    if event.escalation is not None:
        return "escalation"
    return "error"


@dataclass(frozen=True)
class EventStartEvent(StartEvent):
    """The start event of an event sub-process: one trigger, as on a boundary event."""

    kind: ClassVar[str] = "event_start_event"
    interrupting: bool = True
    timer: TimerDefinition | None = None
    message: str | None = None
    correlation: str | None = None
    signal: str | None = None
    error: str | None = None
    escalation: str | None = None

    @property
    def trigger(self) -> str:
        return _trigger(self)


@dataclass(frozen=True)
class EventSubProcess(SubProcess):
    """Armed while its enclosing scope runs; its start event says what starts it."""

    kind: ClassVar[str] = "event_sub_process"

    @property
    def start(self) -> EventStartEvent | None:
        return next((e for e in self.elements if isinstance(e, EventStartEvent)), None)


@dataclass(frozen=True)
class TimerStartEvent(StartEvent):
    """Starts a case of the latest version each time the timer fires (see runtime/jobs.py)."""

    timer: TimerDefinition = TimerDefinition()


@dataclass(frozen=True)
class MessageStartEvent(StartEvent):
    message: str = ""


@dataclass(frozen=True)
class ErrorEndEvent(EndEvent):
    kind: ClassVar[str] = "error_end_event"
    error: str = ""


@dataclass(frozen=True)
class EscalationEndEvent(EndEvent):
    kind: ClassVar[str] = "escalation_end_event"
    escalation: str = ""


@dataclass(frozen=True)
class EscalationThrowEvent(Element):
    """Throws `escalation` and goes on (unless an interrupting catch ends its scope)."""

    kind: ClassVar[str] = "escalation_throw_event"
    escalation: str = ""


@dataclass(frozen=True)
class EventGateway(Element):
    kind: ClassVar[str] = "event_gateway"


CATCH_EVENTS = (TimerEvent, MessageEvent, SignalEvent)
