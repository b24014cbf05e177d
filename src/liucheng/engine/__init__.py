"""The pure engine core: `decide(definition, state, command, ctx)` → new state, events, effects.

Nothing in this package touches a database, the network, the wall clock, random numbers
or uuids: time and ids come in through `Context`. State changes only by applying events
(`apply`), so replaying a case's events rebuilds its state exactly.
"""

from liucheng.engine.commands import (
    CancelInstance,
    ClaimTask,
    Command,
    CompleteService,
    CompleteTask,
    FailService,
    RetryIncident,
    SetVariables,
    StartInstance,
    UnclaimTask,
)
from liucheng.engine.context import Context, Decision
from liucheng.engine.events import apply, replay
from liucheng.engine.interpreter import decide
from liucheng.engine.state import SCHEMA_VERSION, upgrade

__all__ = [
    "SCHEMA_VERSION", "CancelInstance", "ClaimTask", "Command", "CompleteService", "CompleteTask",
    "Context", "Decision", "FailService", "RetryIncident", "SetVariables", "StartInstance",
    "UnclaimTask", "apply", "decide", "replay", "upgrade",
]
