"""What the core works out once per definition rather than per command.

A definition is frozen, so each element's boundary events, the flows a token leaving it
always takes, whether a step has a window and whether there are inclusive gateways never
change; they are kept per definition object (by identity, in a bounded cache), so a
command skips the work a step does not need.
"""

from __future__ import annotations

from dataclasses import dataclass

from liucheng.model import (
    BoundaryEvent,
    InclusiveGateway,
    ProcessDefinition,
    SequenceFlow,
    UserTask,
)

_PLANS: dict[int, Plan] = {}


@dataclass(frozen=True)
class Plan:
    definition: ProcessDefinition
    boundaries: dict[str, tuple[BoundaryEvent, ...]]  # element → attached, in model order
    routes: dict[str, tuple[SequenceFlow, ...]]  # element → flows taken without a choice
    windowed: frozenset[str]  # user tasks with a window
    inclusive: bool  # any inclusive gateway (else no inclusive join can wait to be settled)


def plan_of(definition: ProcessDefinition) -> Plan:
    plan = _PLANS.get(id(definition))
    if plan is None or plan.definition is not definition:
        if len(_PLANS) > 512:
            _PLANS.clear()
        plan = _PLANS[id(definition)] = _compile(definition)
    return plan


def _compile(definition: ProcessDefinition) -> Plan:
    boundaries: dict[str, list[BoundaryEvent]] = {}
    routes: dict[str, tuple[SequenceFlow, ...]] = {}
    windowed: set[str] = set()
    inclusive = False
    for element, _ in definition.walk():
        if isinstance(element, BoundaryEvent):
            boundaries.setdefault(element.attached_to, []).append(element)
        if isinstance(element, UserTask) and "window" in element.extensions:
            windowed.add(element.id)
        inclusive = inclusive or isinstance(element, InclusiveGateway)
        outgoing = definition.outgoing(element.id)
        if element.default is None and all(f.condition is None for f in outgoing):
            routes[element.id] = outgoing  # no condition to evaluate: every flow is taken
    return Plan(definition, {k: tuple(v) for k, v in boundaries.items()}, routes,
                frozenset(windowed), inclusive)
