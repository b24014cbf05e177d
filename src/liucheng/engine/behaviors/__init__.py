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
from liucheng.engine.multi import MULTI_INSTANCE
from liucheng.engine.state import is_instance

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



def behavior_of(run: Run, token: dict[str, Any]) -> Behavior:
    """The behaviour for a token that has just arrived: a multi-instance activity is
    entered as a whole first; its instances then run the element's own behaviour."""
    element = run.definition.element(token["element"])
    if getattr(element, "multi_instance", None) is not None and not is_instance(run.state,
                                                                                 token):
        return MULTI_INSTANCE
    return BEHAVIORS[element.kind]


__all__ = ["BEHAVIORS", "Behavior", "behavior_of", "settle_inclusive_joins"]
