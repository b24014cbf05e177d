"""What the core is given (clock reading, id source, expression functions) and what it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from liucheng.rules.expressions import BUILTINS

Event = dict[str, Any]
Effect = dict[str, Any]
State = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """Injected sources: `now` is the time of the command; `new_id` returns a fresh id."""

    now: datetime
    new_id: Callable[[], str]
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=lambda: BUILTINS)

    @property
    def timestamp(self) -> str:
        return self.now.isoformat()


@dataclass(frozen=True)
class Decision:
    """The result of one command: the new state, the events that made it, effects to run."""

    state: State
    events: list[Event]
    effects: list[Effect]
