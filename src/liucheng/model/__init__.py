"""Immutable process definitions and their structural validation."""

from liucheng.model.definition import ProcessDefinition
from liucheng.model.elements import (
    Countersign,
    Element,
    EndEvent,
    ExclusiveGateway,
    FormField,
    InclusiveGateway,
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
from liucheng.model.validate import check, validate

__all__ = [
    "Countersign", "Element", "EndEvent", "ExclusiveGateway", "FormField", "InclusiveGateway",
    "ParallelGateway", "ProcessDefinition", "Role", "SequenceFlow", "ServiceTask",
    "StartEvent", "SubProcess", "Text", "UserTask", "Variable", "check", "validate",
]
