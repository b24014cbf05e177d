"""User tasks, service tasks and embedded sub-processes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.commands import Actor, CompleteTask
from liucheng.errors import ExpressionError, ForbiddenError, Problem, ValidationError
from liucheng.model import ServiceTask, SubProcess, UserTask
from liucheng.rules.expressions import to_json

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


class UserTaskBehavior:
    """Opens a task for a person; the token waits until the task is completed."""

    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, UserTask)
        assignee: str | None = None
        if element.assignee:
            try:
                value = run.evaluate(element.assignee)
            except ExpressionError as exc:
                run.incident(token, f"assignee could not be worked out: {exc.message}")
                return
            if value in (None, ""):
                run.incident(token, f"assignee expression '{element.assignee}' gave no user")
                return
            assignee = str(value)
        run.emit("task_created", task=run.ctx.new_id(), token=token["id"], element=element.id,
                 name=element.name.get() or element.id, roles=list(element.roles), assignee=assignee,
                 candidate_users=list(element.candidate_users), priority=element.priority)


def authorize(run: Run, task: dict[str, Any], actor: Actor, action: str) -> None:
    from liucheng.engine.interpreter import may_act

    if may_act(task, actor):
        return
    if task["assignee"] is not None:
        why = f"it is assigned to {task['assignee']}"
    elif task["roles"]:
        why = f"it is for role {'/'.join(task['roles'])}, which {actor.user} does not hold"
    else:
        why = f"{actor.user} is not one of its candidates"
    raise ForbiddenError(f"{actor.user} may not {action} task '{task['id']}' "
                         f"({task['name']}): {why}", task=task["id"])


def complete_task(run: Run, task: dict[str, Any], cmd: CompleteTask) -> None:
    authorize(run, task, cmd.actor, "complete")
    element = run.definition.element(task["element"])
    assert isinstance(element, UserTask)
    data = dict(cmd.variables)
    problems: list[Problem] = []
    if element.outcomes and cmd.outcome not in element.outcomes:
        problems.append(Problem(f"choose an outcome: {', '.join(element.outcomes)}",
                                element=element.id, field="outcome"))
    known = run.state["variables"]
    for f in element.form:
        if f.required and data.get(f.id, known.get(f.id)) in (None, "", []):
            problems.append(Problem(f"'{f.label.get() or f.id}' is required",
                                    element=element.id, field=f.id))
    if problems:
        raise ValidationError(problems, task=task["id"])
    if task["assignee"] is None:
        run.emit("task_claimed", task=task["id"], element=element.id, actor=cmd.actor.user,
                 implicit=True)
    record = {"outcome": cmd.outcome, "by": cmd.actor.user, "at": run.ctx.timestamp}
    run.emit("variables_set", variables={**data, element.id: record}, actor=cmd.actor.user,
             element=element.id, task=task["id"])
    run.emit("task_completed", task=task["id"], element=element.id, actor=cmd.actor.user,
             outcome=cmd.outcome, comment=cmd.comment, data=data,
             on_behalf=cmd.actor.admin and task["assignee"] not in (None, cmd.actor.user))
    run.leave(run.state["tokens"][task["token"]])


class ServiceTaskBehavior:
    """Calls a registered handler (through an effect) and/or sets variables."""

    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, ServiceTask)
        if element.handler:
            run.emit("service_requested", token=token["id"], element=element.id,
                     handler=element.handler)
            run.effects.append({"type": "invoke_service", "token": token["id"],
                                "element": element.id, "handler": element.handler,
                                "options": dict(element.extensions)})
            return
        finish_service(run, token, {})


def finish_service(run: Run, token: Token, outputs: dict[str, Any]) -> None:
    element = run.definition.element(token["element"])
    assert isinstance(element, ServiceTask)
    values = dict(outputs)
    scope = {**run.state["variables"], **values}
    try:
        for var, expr in element.assignments:
            from liucheng.rules.expressions import compile_expression

            scope[var] = values[var] = to_json(compile_expression(expr).evaluate(
                scope, run.ctx.functions))
    except ExpressionError as exc:
        run.incident(token, f"could not compute a value: {exc.message}")
        return
    if values:
        run.emit("variables_set", variables=values, element=element.id)
    if element.handler:
        run.emit("service_completed", token=token["id"], element=element.id)
    run.leave(token)


class SubProcessBehavior:
    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, SubProcess)
        scope = run.ctx.new_id()
        run.emit("scope_opened", scope=scope, element=element.id, parent_token=token["id"])
        run.enter(run.definition.start_event(element.id).id, scope, None)
