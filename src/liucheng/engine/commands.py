"""Commands: what a person or the system asks of a case. Each is one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who issues a command: a user id with the roles they hold, or the system."""

    user: str
    roles: frozenset[str] = frozenset()
    admin: bool = False


SYSTEM = Actor("system", admin=True)


@dataclass(frozen=True)
class Command:
    actor: Actor


@dataclass(frozen=True)
class StartInstance(Command):
    variables: Mapping[str, Any] = field(default_factory=dict)
    business_key: str | None = None


@dataclass(frozen=True)
class ClaimTask(Command):
    task: str


@dataclass(frozen=True)
class UnclaimTask(Command):
    task: str


@dataclass(frozen=True)
class CompleteTask(Command):
    task: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    outcome: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class CompleteService(Command):
    token: str
    outputs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FailService(Command):
    """The service failed: an incident, or with `code` a BPMN error for an error boundary."""

    token: str
    error: str
    code: str | None = None


@dataclass(frozen=True)
class SetVariables(Command):
    variables: Mapping[str, Any]
    comment: str | None = None


@dataclass(frozen=True)
class RetryIncident(Command):
    incident: str


@dataclass(frozen=True)
class CancelInstance(Command):
    reason: str | None = None


@dataclass(frozen=True)
class ReturnTask(Command):
    """退回: send the case back from `task` to an earlier step (`previous`, `starter` or an id)."""

    task: str
    to: str = "previous"
    comment: str | None = None


@dataclass(frozen=True)
class WithdrawTask(Command):
    """撤回: the person who did `step` takes it back while nobody has acted on the next step."""

    step: str
    comment: str | None = None


@dataclass(frozen=True)
class WithdrawCase(Command):
    """撤回 by the starter before anyone else acted: back to the starter's first step."""

    comment: str | None = None


@dataclass(frozen=True)
class TransferTask(Command):
    """转办: the task and its ownership move to another person."""

    task: str
    to: str
    comment: str | None = None


@dataclass(frozen=True)
class DelegateTask(Command):
    """委派: another person does the work; the task then comes back to its owner to finish."""

    task: str
    to: str
    comment: str | None = None


@dataclass(frozen=True)
class AddSigners(Command):
    """加签: more people sign `before`, `after` or `alongside` the current assignee."""

    task: str
    users: tuple[str, ...]
    position: str = "alongside"
    comment: str | None = None


@dataclass(frozen=True)
class RemoveSigner(Command):
    """减签: cancel an added signer's task that has not been acted on."""

    task: str
    user: str
    comment: str | None = None


@dataclass(frozen=True)
class UrgeTask(Command):
    """催办: remind the current assignees (or candidates) of a task."""

    task: str
    comment: str | None = None


@dataclass(frozen=True)
class CarbonCopy(Command):
    """抄送: let other people see the case, with a read receipt each."""

    users: tuple[str, ...]
    task: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class MarkCcRead(Command):
    cc: str


@dataclass(frozen=True)
class AddComment(Command):
    text: str
    task: str | None = None


@dataclass(frozen=True)
class RequestSupplement(Command):
    """补件: ask for a missing item (a document, a copy, a signature) on the case."""

    item: str
    note: str | None = None
    task: str | None = None


@dataclass(frozen=True)
class ReceiveSupplement(Command):
    """A requested item has arrived (with file ids, if scanned)."""

    supplement: str
    files: tuple[str, ...] = ()
    note: str | None = None
