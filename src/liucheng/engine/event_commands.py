"""Commands of events: a timer fires or fails, a message is correlated, a signal broadcast,
a called case starts or ends, a case is migrated to another version. Each is one
transaction, like every command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from liucheng.engine.commands import Command


@dataclass(frozen=True)
class FireTimer(Command):
    """The timer `timer` is due. A timer that is no longer armed is ignored (no events)."""

    timer: str


@dataclass(frozen=True)
class FailTimer(Command):
    """Firing `timer` failed every retry: an incident on the case; retry arms it again."""

    timer: str
    error: str


@dataclass(frozen=True)
class CorrelateMessage(Command):
    """Message `message` with correlation `key` arrives; its variables are merged in."""

    message: str
    key: Any = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    subscription: str | None = None  # the subscription chosen by the runtime, if any


@dataclass(frozen=True)
class BroadcastSignal(Command):
    """Signal `signal` reaches every element of the case waiting for it."""

    signal: str
    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallStarted(Command):
    """The runtime started case `case` for the call activity waiting on `token`."""

    token: str
    case: str


@dataclass(frozen=True)
class CompleteCall(Command):
    """The case called for `token` ended with `status`; its variables at the end."""

    token: str
    case: str
    status: str = "completed"
    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CatchFromCall(Command):
    """The case called for `token` threw `kind` ('error' or 'escalation') `code` and
    nothing in it caught it: the calling step's boundaries, then its scopes, may."""

    token: str
    case: str
    kind: str
    code: str


@dataclass(frozen=True)
class MigrateInstance(Command):
    """Move the case to version `to_version`; `mapping` renames elements (old id → new id)."""

    to_version: int
    mapping: Mapping[str, str] = field(default_factory=dict)
