"""Immutable process definitions and their structural validation."""

from liucheng.model.definition import ProcessDefinition
from liucheng.model.elements import (
    BusinessRuleTask,
    Countersign,
    DocumentItem,
    Element,
    EndEvent,
    ExclusiveGateway,
    FormField,
    InclusiveGateway,
    MultiInstance,
    ParallelGateway,
    Role,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
    Text,
    UserTask,
    Variable,
)
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
from liucheng.model.timers import Duration, TimerDefinition
from liucheng.model.validate import check, validate

__all__ = [
    "BoundaryEvent", "BusinessRuleTask", "Countersign", "DocumentItem", "Duration", "Element",
    "EndEvent", "ErrorEndEvent", "EscalationEndEvent", "EscalationThrowEvent", "EventGateway",
    "EventStartEvent", "EventSubProcess", "ExclusiveGateway", "FormField",
    "InclusiveGateway", "MessageEvent", "MessageStartEvent", "MultiInstance",
    "ParallelGateway",
    "ProcessDefinition", "ReceiveTask", "Role", "SequenceFlow", "ServiceTask", "SignalEvent",
    "StartEvent", "SubProcess", "Text", "TimerDefinition", "TimerEvent", "TimerStartEvent",
    "UserTask", "Variable", "check", "validate",
]
