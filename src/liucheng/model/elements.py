"""Immutable building blocks of a process definition: text, roles, fields and elements.

Every element type is a frozen dataclass with a `kind` naming its behaviour in the engine
registry. `line` is the source line (YAML or BPMN) the element came from, for errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from liucheng.model.http import HttpCall


@dataclass(frozen=True)
class Text:
    """A name or instruction in zh-CN and, optionally, English."""

    zh: str = ""
    en: str = ""

    def get(self, lang: str = "zh") -> str:
        if lang.lower().startswith("en"):
            return self.en or self.zh
        return self.zh or self.en

    def __str__(self) -> str:
        return self.get()

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)


@dataclass(frozen=True)
class Role:
    id: str
    name: Text = Text()
    line: int | None = None


@dataclass(frozen=True)
class FormField:
    """A form field; `options` carries the type-specific settings (min, max, choices, …)."""

    id: str
    type: str = "text"
    label: Text = Text()
    required: bool = False
    default: Any = None
    options: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass(frozen=True)
class Variable:
    """A declared case variable with an optional default value."""

    id: str
    type: str = "text"
    label: Text = Text()
    default: Any = None
    line: int | None = None


@dataclass(frozen=True)
class SequenceFlow:
    id: str
    source: str
    target: str
    condition: str | None = None
    name: Text = Text()
    line: int | None = None


@dataclass(frozen=True)
class Element:
    """Common part of every flow node. `default` is the id of the default outgoing flow."""

    kind: ClassVar[str] = "element"
    id: str
    name: Text = Text()
    line: int | None = None
    default: str | None = None
    documentation: Text = Text()


@dataclass(frozen=True)
class StartEvent(Element):
    kind: ClassVar[str] = "start_event"


@dataclass(frozen=True)
class EndEvent(Element):
    kind: ClassVar[str] = "end_event"
    terminate: bool = False


@dataclass(frozen=True)
class DocumentItem:
    """A checklist item of a step (a certificate, a form, a copy): checked off, maybe scanned.

    `required` is True/False or an expression (e.g. `marital_status == "divorced"`);
    `scan` means a file must be attached; `check` says what to look at.
    """

    id: str
    label: Text = Text()
    required: bool | str = True
    scan: bool = False
    check: Text = Text()
    line: int | None = None


@dataclass(frozen=True)
class Countersign:
    """A step signed by several people (会签): how the votes decide the step's outcome.

    mode `all` (every signer must approve), `any` (the first vote decides), `sequential`
    (one after another, every one must approve) or `ratio` (approvals / signers ≥ ratio).
    `signers` is an expression giving the list of user ids; without it, the members of
    the step's roles sign. `veto`: any rejection fails the vote at once.
    """

    mode: str = "all"
    ratio: float = 1.0
    signers: str | None = None
    veto: bool = False

    @property
    def required_ratio(self) -> float:
        return self.ratio if self.mode == "ratio" else 1.0


@dataclass(frozen=True)
class MultiInstance:
    """An activity run once per item of a list, or a number of times (多实例).

    Exactly one of `collection` (an expression giving a list) and `cardinality` (an
    expression giving a count). Each instance has its own variables: `element_variable`
    (the item, for a collection) and `loop_counter` (1, 2, …). Instances run one after
    another (`sequential`) or all at once. `completion_condition` is checked after each
    instance ends; once it holds, the remaining instances are cancelled. `output_element`
    is evaluated in each instance as it ends, and `output_collection` receives those
    values as a list in the input order.
    """

    collection: str | None = None
    cardinality: str | None = None
    element_variable: str = "item"
    sequential: bool = False
    completion_condition: str | None = None
    output_element: str | None = None
    output_collection: str | None = None


@dataclass(frozen=True)
class UserTask(Element):
    """A step done by a person: by members of its roles (first to claim takes it) or an assignee.

    `roles` are candidate roles (the first is the step's main role, shown in the inbox);
    `assignee` is an expression giving a user id (e.g. `starter` or a variable name);
    `candidate_users` lists user ids who may claim besides the roles' members.
    """

    kind: ClassVar[str] = "user_task"
    roles: tuple[str, ...] = ()
    assignee: str | None = None
    candidate_users: tuple[str, ...] = ()
    form: tuple[FormField, ...] = ()
    instructions: Text = Text()
    priority: int = 50
    outcomes: tuple[str, ...] = ()
    countersign: Countersign | None = None
    return_to: tuple[str, ...] = ()
    distinct_from: tuple[str, ...] = ()
    due: Mapping[str, Any] | None = None
    on_empty: str = "pool"
    documents: tuple[DocumentItem, ...] = ()
    checks: tuple[Mapping[str, Any], ...] = ()
    deadline: Mapping[str, Any] | None = None  # remind_before, overdue, escalate_to
    extensions: Mapping[str, Any] = field(default_factory=dict)
    multi_instance: MultiInstance | None = None


ON_EMPTY = ("pool", "skip", "admin", "incident")


@dataclass(frozen=True)
class ServiceTask(Element):
    """A step done by the system: a registered handler, an HTTP call (`http`, run as a job
    by the runtime) and/or built-in variable assignments."""

    kind: ClassVar[str] = "service_task"
    handler: str | None = None
    assignments: tuple[tuple[str, str], ...] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)
    multi_instance: MultiInstance | None = None
    http: HttpCall | None = None


@dataclass(frozen=True)
class BusinessRuleTask(Element):
    """Runs a decision table of the process (`ProcessDefinition.decisions`) on the variables."""

    kind: ClassVar[str] = "business_rule_task"
    decision: str = ""
    multi_instance: MultiInstance | None = None


@dataclass(frozen=True)
class ExclusiveGateway(Element):
    kind: ClassVar[str] = "exclusive_gateway"


@dataclass(frozen=True)
class ParallelGateway(Element):
    kind: ClassVar[str] = "parallel_gateway"


@dataclass(frozen=True)
class InclusiveGateway(Element):
    kind: ClassVar[str] = "inclusive_gateway"


@dataclass(frozen=True)
class SubProcess(Element):
    """An embedded sub-process: a scope with its own start event, elements and flows."""

    kind: ClassVar[str] = "sub_process"
    elements: tuple[Element, ...] = ()
    flows: tuple[SequenceFlow, ...] = ()
    multi_instance: MultiInstance | None = None


GATEWAYS = (ExclusiveGateway, ParallelGateway, InclusiveGateway)
