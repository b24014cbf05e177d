"""What the core is given (clock reading, ids, functions, directory, calendar) and returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from liucheng.calendar import BusinessCalendar, default_calendar
from liucheng.rules.expressions import BUILTINS

Event = dict[str, Any]
Effect = dict[str, Any]
State = dict[str, Any]


class Directory(Protocol):
    """The organisation as the core may ask about it (answered by the runtime from storage)."""

    def members(self, role: str) -> list[str]:
        """Active users holding `role`."""
        ...

    def leader(self, user: str, levels: int) -> str | None:
        """The leader of `user`'s department, `levels` departments up (1 = own department)."""
        ...

    def delegate(self, user: str, process: str, at: datetime) -> str | None:
        """Who stands in for `user` (out of office) for `process` at `at`, if anyone."""
        ...

    def has_user(self, user: str) -> bool:
        """Whether `user` is the id of an active user."""
        ...


class NoDirectory:
    """A directory that knows nobody: the default for the pure core in tests."""

    def members(self, role: str) -> list[str]:
        return []

    def leader(self, user: str, levels: int) -> str | None:
        return None

    def delegate(self, user: str, process: str, at: datetime) -> str | None:
        return None

    def has_user(self, user: str) -> bool:
        return True


@dataclass(frozen=True)
class Context:
    """Injected sources: `now` is the time of the command; `new_id` returns a fresh id."""

    now: datetime
    new_id: Callable[[], str]
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=lambda: BUILTINS)
    directory: Directory = field(default_factory=NoDirectory)
    calendar: BusinessCalendar = field(default_factory=default_calendar)
    urge_interval_minutes: int = 60

    @cached_property
    def timestamp(self) -> str:
        """`now` as ISO text, worked out once per command (every event carries it)."""
        return self.now.isoformat()


@dataclass(frozen=True)
class Decision:
    """The result of one command: the new state, the events that made it, effects to run."""

    state: State
    events: list[Event]
    effects: list[Effect]
