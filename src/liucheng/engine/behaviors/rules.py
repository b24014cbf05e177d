"""Business-rule steps: run a decision table of the process and store its outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.errors import ExpressionError
from liucheng.model import BusinessRuleTask
from liucheng.rules.decision import evaluate
from liucheng.rules.expressions import to_json

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run


class BusinessRuleTaskBehavior:
    """The history shows which rules matched (`decision_evaluated`)."""

    def enter(self, run: Run, token: dict[str, Any]) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, BusinessRuleTask)
        table = run.definition.decisions[element.decision]
        try:
            result = evaluate(table, run.variables(token["scope"]), functions=run.functions)
        except ExpressionError as exc:
            run.incident(token, f"decision '{element.decision}' failed: {exc.message}")
            return
        outputs = {k: to_json(v) for k, v in dict(result.outputs).items()}
        run.emit("decision_evaluated", element=element.id, decision=element.decision,
                 rules=list(result.rules), rule_ids=list(result.rule_ids), outputs=outputs)
        if outputs:
            run.set_variables(token, outputs, element=element.id)
        run.leave(token)
