"""Completing tasks: a step's main task, an added signer's task, a delegated task.

A step finishes — its token moves on — when none of its tasks is open any more and no
signer added "after" is still to come.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.commands import CompleteTask
from liucheng.engine.humantask.assign import create_task
from liucheng.engine.humantask.common import authorize, step_record, tasks_of
from liucheng.engine.humantask.forms import checked_data
from liucheng.errors import StateError
from liucheng.model import UserTask

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Task = dict[str, Any]


def complete(run: Run, task: Task, cmd: CompleteTask) -> None:
    authorize(run, task, cmd.actor, "complete")
    element = run.definition.element(task["element"])
    assert isinstance(element, UserTask)
    if task["status"] == "suspended":
        waiting = [t["assignee"] for t in tasks_of(run, task["token"])
                   if t["kind"] == "added" and t.get("position") == "before"]
        raise StateError(f"task '{task['id']}' waits for the signers added before it: "
                         f"{', '.join(str(w) for w in waiting)}", task=task["id"],
                         message_zh=f"须等前加签人先签：{'、'.join(str(w) for w in waiting)}")
    if task["delegated"] and task["assignee"] == cmd.actor.user != task["owner"]:
        run.emit("task_resolved", task=task["id"], element=element.id, actor=cmd.actor.user,
                 owner=task["owner"], data=dict(cmd.variables), comment=cmd.comment)
        return
    if task["kind"] == "vote":
        from liucheng.engine.humantask.votes import cast

        cast(run, task, element, cmd)
        return
    if task["kind"] == "added":
        _finish_added(run, task, element, cmd)
        return
    data = checked_data(run, task, element, cmd.outcome,
                        {**task.get("draft", {}), **cmd.variables})
    if not task["claimed"] and task["assignee"] is None:
        run.emit("task_claimed", task=task["id"], element=element.id, actor=cmd.actor.user,
                 implicit=True)
    token = run.state["tokens"][task["token"]]
    run.set_variables(token, {**data, **step_record(run, element.id, outcome=cmd.outcome,
                                                    by=cmd.actor.user)},
                      actor=cmd.actor.user, element=element.id, task=task["id"])
    on_behalf = task.get("on_behalf_of") or (
        task["owner"] if task["owner"] not in (None, cmd.actor.user) else None)
    run.emit("task_completed", task=task["id"], element=element.id, actor=cmd.actor.user,
             outcome=cmd.outcome, comment=cmd.comment, data=data, on_behalf_of=on_behalf,
             admin=cmd.actor.admin and task["assignee"] not in (None, cmd.actor.user))
    for user in task["after_signers"]:
        create_task(run, token, element, user, roles=[], kind="added", main=task["id"],
                    position="after", added_by=task["assignee"] or cmd.actor.user)
    finish_if_done(run, token)


def _finish_added(run: Run, task: Task, element: UserTask, cmd: CompleteTask) -> None:
    if cmd.variables:
        run.set_variables(run.state["tokens"][task["token"]], dict(cmd.variables),
                          actor=cmd.actor.user, element=element.id, task=task["id"])
    run.emit("task_completed", task=task["id"], element=element.id, actor=cmd.actor.user,
             outcome=cmd.outcome, comment=cmd.comment, data=dict(cmd.variables),
             added_by=task["added_by"], position=task.get("position"))
    resume_or_finish(run, run.state["tokens"][task["token"]])


def resume_or_finish(run: Run, token: dict[str, Any]) -> None:
    """After an added signer is done or removed: resume a suspended main task, or move on."""
    remaining = tasks_of(run, token["id"])
    main = next((t for t in remaining if t["kind"] == "main"), None)
    if main is not None and main["status"] == "suspended" and not any(
            t["kind"] == "added" and t.get("position") == "before" for t in remaining):
        run.emit("task_resumed", task=main["id"], element=main["element"])
    finish_if_done(run, token)


def finish_if_done(run: Run, token: dict[str, Any]) -> None:
    if not tasks_of(run, token["id"]):
        run.leave(token)
