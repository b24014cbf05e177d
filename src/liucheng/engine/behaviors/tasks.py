"""User tasks, service tasks (handlers, HTTP calls, assignments) and embedded sub-processes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.humantask.assign import open_step
from liucheng.engine.state import instance_scopes
from liucheng.errors import ExpressionError
from liucheng.model import ServiceTask, SubProcess
from liucheng.rules.expressions import to_json

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


class UserTaskBehavior:
    """Opens the step's task(s) for people; the token waits until the step is done."""

    def enter(self, run: Run, token: Token) -> None:
        open_step(run, token)


class ServiceTaskBehavior:
    """Calls a registered handler (through an effect) and/or sets variables."""

    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, ServiceTask)
        if element.http is not None:
            request_http(run, token, element)
            return
        if element.handler:
            run.emit("service_requested", token=token["id"], element=element.id,
                     handler=element.handler)
            effect = {"type": "invoke_service", "token": token["id"], "element": element.id,
                      "handler": element.handler, "options": dict(element.extensions)}
            if instance_scopes(run.state, token["scope"]):  # the handler sees the item
                effect["variables"] = run.variables(token["scope"])
            run.effects.append(effect)
            return
        finish_service(run, token, {})


def request_http(run: Run, token: Token, element: ServiceTask) -> None:
    """The token waits (`service`) while the runtime runs the call as a job."""
    from liucheng.engine.http_requests import build_request

    assert element.http is not None
    try:
        request = build_request(element.http, run.variables(token["scope"]), run.functions)
    except ExpressionError as exc:
        run.incident(token, f"the HTTP request could not be worked out: {exc.message}; "
                     "set the data, then retry")
        return
    call = run.ctx.new_id()
    run.emit("service_requested", token=token["id"], element=element.id, handler="http",
             call=call, method=request["method"], url=request["url"])
    run.effects.append({"type": "http_call", "call": call, "token": token["id"],
                        "element": element.id, "request": request})


def finish_service(run: Run, token: Token, outputs: dict[str, Any]) -> None:
    element = run.definition.element(token["element"])
    assert isinstance(element, ServiceTask)
    values = dict(outputs)
    scope = {**run.variables(token["scope"]), **values}
    try:
        for var, expr in element.assignments:
            from liucheng.rules.expressions import compile_expression

            scope[var] = values[var] = to_json(compile_expression(expr).evaluate(
                scope, run.functions))
    except ExpressionError as exc:
        run.incident(token, f"could not compute a value: {exc.message}")
        return
    if values:
        run.set_variables(token, values, element=element.id)
    if element.handler or element.http is not None:
        run.emit("service_completed", token=token["id"], element=element.id)
    run.leave(token)


class SubProcessBehavior:
    """Opens the inner scope (of a sub-process or a started event sub-process)."""

    def enter(self, run: Run, token: Token) -> None:
        from liucheng.engine.event_subprocesses import arm_scope

        element = run.definition.element(token["element"])
        assert isinstance(element, SubProcess)
        scope = run.ctx.new_id()
        run.emit("scope_opened", scope=scope, element=element.id, parent_token=token["id"])
        arm_scope(run, scope)
        run.enter(run.definition.start_event(element.id).id, scope, None)
