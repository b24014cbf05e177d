"""Opening a user step: who gets the task, when it is due, and countersign instances."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from liucheng.engine.humantask.deadlines import arm_deadline
from liucheng.engine.state import instance_scopes
from liucheng.errors import ExpressionError
from liucheng.model import UserTask

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


def open_step(run: Run, token: Token) -> None:
    element = run.definition.element(token["element"])
    assert isinstance(element, UserTask)
    if element.countersign is not None:
        from liucheng.engine.humantask.votes import open_vote

        open_vote(run, token, element)
        return
    assignee: str | None = token.get("assign_to")
    if assignee is None and element.assignee:
        try:
            value = run.evaluate(element.assignee, token["scope"])
        except ExpressionError as exc:
            run.incident(token, f"assignee could not be worked out: {exc.message}")
            return
        if value in (None, ""):
            run.incident(token, f"assignee expression '{element.assignee}' gave no user")
            return
        assignee = str(value)
        if not run.ctx.directory.has_user(assignee):
            run.incident(token, f"'{assignee}' (from '{element.assignee}') is not the id of an "
                         "active user; correct it (liucheng set CASE --var …), then retry")
            return
    roles = list(element.roles)
    if assignee is None and element.on_empty != "pool":
        members = {u for r in roles for u in run.ctx.directory.members(r)}
        if not members and not element.candidate_users:
            if element.on_empty == "skip":
                run.emit("task_skipped", token=token["id"], element=element.id,
                         reason=f"nobody holds role {'/'.join(roles)}")
                from liucheng.engine.humantask.common import record_step

                record_step(run, element.id, token=token, outcome=None, by=None, skipped=True)
                run.leave(token)
                return
            if element.on_empty == "incident":
                run.incident(token, f"nobody holds role {'/'.join(roles)}; give someone the "
                             "role, then retry")
                return
            roles = ["admin"]
    create_task(run, token, element, assignee, roles=roles)


def create_task(run: Run, token: Token, element: UserTask, assignee: str | None, *,
                roles: list[str] | None = None, kind: str = "main", **extra: Any) -> str:
    """Emit task_created; an out-of-office assignee's task goes to their delegate."""
    on_behalf_of = None
    if assignee is not None:
        stand_in = run.ctx.directory.delegate(assignee, run.definition.key, run.ctx.now)
        if stand_in and stand_in != assignee:
            on_behalf_of, assignee = assignee, stand_in
    task_id = run.ctx.new_id()
    due = due_at(run, element.due) if element.due else None
    run.emit("task_created", task=task_id, token=token["id"], element=element.id,
             name=_instance_label(run, token, element.name.get() or element.id),
             roles=list(element.roles if roles is None else roles), assignee=assignee,
             candidate_users=list(element.candidate_users) if assignee is None else [],
             priority=element.priority, due_at=due, kind=kind,
             on_behalf_of=on_behalf_of, **extra)
    if kind == "main" and element.deadline is not None and due is not None:
        arm_deadline(run, token, element, element.deadline, task_id, due)
    return task_id


def _instance_label(run: Run, token: Token, name: str) -> str:
    """In an instance of a multi-instance activity the task says which: `审核 (2/3)`."""
    layers = instance_scopes(run.state, token["scope"])
    if not layers:
        return name
    scope = run.state["scopes"][layers[0]]
    count = run.state["tokens"][scope["parent_token"]]["mi"]["count"]
    return f"{name} ({scope['index'] + 1}/{count})"


def due_at(run: Run, due: Mapping[str, Any]) -> str:
    """`due: {working_days: 2}`, `{working_hours: 4}`, `{hours: 4}`, `{days: 3}`, `{minutes: 5}`."""
    now, cal = run.ctx.now, run.ctx.calendar
    if "working_days" in due:
        return cal.add_working_hours(now, cal.hours.per_day * float(due["working_days"])
                                     ).isoformat()
    if "working_hours" in due:
        return cal.add_working_hours(now, float(due["working_hours"])).isoformat()
    delta = timedelta(days=float(due.get("days", 0)), hours=float(due.get("hours", 0)),
                      minutes=float(due.get("minutes", 0)))
    return (now + delta).isoformat()
