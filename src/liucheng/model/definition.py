"""The process definition: a frozen graph of elements and sequence flows, with indexes.

Element ids are unique across the whole definition, sub-processes included, so every
lookup is by id. The indexes are computed once per definition and cached.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from liucheng.errors import NotFoundError
from liucheng.model.elements import (
    Element,
    InclusiveGateway,
    Role,
    SequenceFlow,
    StartEvent,
    SubProcess,
    Text,
    UserTask,
    Variable,
)
from liucheng.model.events import BoundaryEvent


@dataclass(frozen=True)
class ProcessDefinition:
    key: str
    name: Text
    elements: tuple[Element, ...]
    flows: tuple[SequenceFlow, ...]
    roles: tuple[Role, ...] = ()
    variables: tuple[Variable, ...] = ()
    description: Text = Text()
    source_name: str | None = None
    extensions: Mapping[str, Any] = field(default_factory=dict)
    decisions: Mapping[str, Any] = field(default_factory=dict)  # id → rules.DecisionTable

    # -- indexes -------------------------------------------------------------------------
    def walk(self) -> Iterator[tuple[Element, str | None]]:
        """Every element with the id of the sub-process it sits in (None at top level)."""

        def visit(
            elements: tuple[Element, ...], parent: str | None
        ) -> Iterator[tuple[Element, str | None]]:
            for element in elements:
                yield element, parent
                if isinstance(element, SubProcess):
                    yield from visit(element.elements, element.id)

        yield from visit(self.elements, None)

    def all_flows(self) -> Iterator[SequenceFlow]:
        yield from self.flows
        for element, _ in self.walk():
            if isinstance(element, SubProcess):
                yield from element.flows

    @cached_property
    def _elements(self) -> dict[str, Element]:
        return {e.id: e for e, _ in self.walk()}

    @cached_property
    def _parents(self) -> dict[str, str | None]:
        return {e.id: parent for e, parent in self.walk()}

    @cached_property
    def _flows(self) -> dict[str, SequenceFlow]:
        return {f.id: f for f in self.all_flows()}

    @cached_property
    def _outgoing(self) -> dict[str, tuple[SequenceFlow, ...]]:
        out: dict[str, list[SequenceFlow]] = {}
        for f in self.all_flows():
            out.setdefault(f.source, []).append(f)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _incoming(self) -> dict[str, tuple[SequenceFlow, ...]]:
        inc: dict[str, list[SequenceFlow]] = {}
        for f in self.all_flows():
            inc.setdefault(f.target, []).append(f)
        return {k: tuple(v) for k, v in inc.items()}

    @cached_property
    def _reach(self) -> dict[str, frozenset[str]]:
        """For each element, the elements reachable from it by sequence flows in its scope."""
        reach: dict[str, frozenset[str]] = {}
        for element_id in self._elements:
            seen: set[str] = set()
            stack = [f.target for f in self.outgoing(element_id)]
            while stack:
                node = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                stack.extend(f.target for f in self.outgoing(node))
            reach[element_id] = frozenset(seen)
        return reach

    @cached_property
    def four_eyes(self) -> dict[str, tuple[str, ...]]:
        """Step → the steps the same person may not also do (`distinct_from`, both ways)."""
        pairs: dict[str, set[str]] = {}
        for element, _ in self.walk():
            for other in getattr(element, "distinct_from", ()):
                pairs.setdefault(element.id, set()).add(other)
                pairs.setdefault(other, set()).add(element.id)
        return {k: tuple(sorted(v)) for k, v in pairs.items()}

    @cached_property
    def boundaries(self) -> dict[str, tuple[BoundaryEvent, ...]]:
        """Element → the boundary events attached to it, in model order."""
        found: dict[str, list[BoundaryEvent]] = {}
        for element, _ in self.walk():
            if isinstance(element, BoundaryEvent):
                found.setdefault(element.attached_to, []).append(element)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def unconditional(self) -> dict[str, tuple[SequenceFlow, ...]]:
        """Element → its outgoing flows, when none has a condition and none is the default:
        a token leaving it takes them all, with nothing to evaluate."""
        return {e.id: self.outgoing(e.id) for e, _ in self.walk()
                if e.default is None and all(f.condition is None for f in self.outgoing(e.id))}

    @cached_property
    def windowed(self) -> frozenset[str]:
        """The user tasks with a window (`window:`, the dates they may be done between)."""
        return frozenset(e.id for e, _ in self.walk()
                         if isinstance(e, UserTask) and "window" in e.extensions)

    @cached_property
    def has_inclusive(self) -> bool:
        """Whether any inclusive gateway is drawn (else no inclusive join can wait)."""
        return any(isinstance(e, InclusiveGateway) for e, _ in self.walk())

    def element(self, element_id: str) -> Element:
        try:
            return self._elements[element_id]
        except KeyError:
            raise NotFoundError(
                f"process '{self.key}' has no element '{element_id}'", element=element_id
            ) from None

    def has_element(self, element_id: str) -> bool:
        return element_id in self._elements

    def flow(self, flow_id: str) -> SequenceFlow:
        return self._flows[flow_id]

    def outgoing(self, element_id: str) -> tuple[SequenceFlow, ...]:
        return self._outgoing.get(element_id, ())

    def incoming(self, element_id: str) -> tuple[SequenceFlow, ...]:
        return self._incoming.get(element_id, ())

    def parent(self, element_id: str) -> str | None:
        """The sub-process containing the element, or None for the top level."""
        return self._parents[element_id]

    def downstream(self, element_id: str) -> frozenset[str]:
        """Every element reachable from `element_id` along sequence flows of its scope."""
        return self._reach.get(element_id, frozenset())

    def reaches(self, source: str, target: str) -> bool:
        return target in self._reach.get(source, frozenset())

    def start_event(self, scope: str | None = None) -> StartEvent:
        elements = self.elements if scope is None else self._scope_elements(scope)
        for element in elements:
            if isinstance(element, StartEvent):
                return element
        raise NotFoundError(f"process '{self.key}' has no start event in scope {scope or 'top'}")

    def _scope_elements(self, scope: str) -> tuple[Element, ...]:
        sub = self.element(scope)
        assert isinstance(sub, SubProcess)
        return sub.elements

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)
