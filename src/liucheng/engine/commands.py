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
    token: str
    error: str


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
