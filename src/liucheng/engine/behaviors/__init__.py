"""Element behaviours, one small object per element kind, looked up by `kind`.

A behaviour's `enter(run, token)` is called when a token arrives at its element. It
either moves the token on (`run.take`/`run.leave`) or leaves it waiting for a command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from liucheng.engine.behaviors.events import EndEventBehavior, StartEventBehavior
from liucheng.engine.behaviors.gateways import (
    ExclusiveGatewayBehavior,
    InclusiveGatewayBehavior,
    ParallelGatewayBehavior,
    settle_inclusive_joins,
)
from liucheng.engine.behaviors.rules import BusinessRuleTaskBehavior
from liucheng.engine.behaviors.tasks import (
    ServiceTaskBehavior,
    SubProcessBehavior,
    UserTaskBehavior,
)
from liucheng.engine.behaviors.timers import EVENT_BEHAVIORS

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run


class Behavior(Protocol):
    def enter(self, run: Run, token: dict[str, Any]) -> None: ...


BEHAVIORS: dict[str, Behavior] = {
    "start_event": StartEventBehavior(),
    "end_event": EndEventBehavior(),
    "user_task": UserTaskBehavior(),
    "service_task": ServiceTaskBehavior(),
    "sub_process": SubProcessBehavior(),
    "exclusive_gateway": ExclusiveGatewayBehavior(),
    "parallel_gateway": ParallelGatewayBehavior(),
    "inclusive_gateway": InclusiveGatewayBehavior(),
    "business_rule_task": BusinessRuleTaskBehavior(),
    **EVENT_BEHAVIORS,
}

__all__ = ["BEHAVIORS", "Behavior", "settle_inclusive_joins"]
