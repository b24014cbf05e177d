"""Shared checks for human-task commands: open tasks, who may act, four-eyes, involvement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.commands import Actor
from liucheng.errors import ConflictError, ForbiddenError

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Task = dict[str, Any]


def require_active(run: Run) -> None:
    status = run.state["status"]
    if status != "active":
        raise ConflictError(f"the case is {status}, so nothing more can be done on it",
                            message_zh="此业务已结束或已撤销，不能再办理")


def open_task(run: Run, task_id: str) -> Task:
    require_active(run)
    task = run.state["tasks"].get(task_id)
    if task is None:
        raise ConflictError(f"task '{task_id}' is no longer open: it was completed or cancelled",
                            task=task_id, hint="reload the inbox",
                            message_zh="此任务已办结或已取消", hint_zh="请刷新待办")
    return task  # type: ignore[no-any-return]


def may_act(task: Task, actor: Actor) -> bool:
    if actor.admin:
        return True
    if task["assignee"] is not None:
        return bool(task["assignee"] == actor.user)
    return bool(actor.roles.intersection(task["roles"])) or actor.user in task["candidate_users"]


def authorize(run: Run, task: Task, actor: Actor, action: str) -> None:
    """Raise ForbiddenError unless `actor` may do `action` on `task` now."""
    if not may_act(task, actor):
        if task["assignee"] is not None:
            why = f"it is assigned to {task['assignee']}"
            why_zh = f"已指派给{task['assignee']}"
        elif task["roles"]:
            why = f"it is for role {'/'.join(task['roles'])}, which {actor.user} does not hold"
            why_zh = f"需要角色{'/'.join(task['roles'])}"
        else:
            why = f"{actor.user} is not one of its candidates"
            why_zh = "你不在候选人之中"
        raise ForbiddenError(f"{actor.user} may not {action} task '{task['id']}' "
                             f"({task['name']}): {why}", task=task["id"],
                             message_zh=f"你不能办理任务“{task['name']}”：{why_zh}")
    check_four_eyes(run, task["element"], actor.user, task["id"])


def check_four_eyes(run: Run, element_id: str, user: str, task_id: str | None = None) -> None:
    """`distinct_from`: the same person may not do both steps (either way round)."""
    others = run.definition.four_eyes.get(element_id, ())
    for other in others:
        record = run.state["variables"].get(other)
        performers = record.get("by") if isinstance(record, dict) else None
        if performers == user or (isinstance(performers, list) and user in performers):
            raise ForbiddenError(
                f"four-eyes rule: {user} did '{_name(run, other)}', so another person must do "
                f"'{_name(run, element_id)}'", task=task_id, element=element_id,
                message_zh=f"不相容岗位：你已办理“{_name(run, other)}”，"
                           f"“{_name(run, element_id)}”须由另一人办理")


def _name(run: Run, element_id: str) -> str:
    return run.definition.element(element_id).name.get() or element_id


def involved(run: Run, actor: Actor) -> bool:
    """The starter, anyone who did a step, holds or may take an open task, or was CC'd."""
    if actor.admin or actor.user == run.state.get("started_by"):
        return True
    for value in run.state["variables"].values():
        if isinstance(value, dict) and (value.get("by") == actor.user or (
                isinstance(value.get("by"), list) and actor.user in value["by"])):
            return True
    if any(may_act(t, actor) or t.get("owner") == actor.user
           for t in run.state["tasks"].values()):
        return True
    if any(isinstance(r, dict) and r.get("by") == actor.user  # an instance done already
           for t in run.state["tokens"].values() for r in t.get("mi", {}).get("records", ())):
        return True
    return any(c["user"] == actor.user for c in run.state.get("cc", {}).values())


def require_involved(run: Run, actor: Actor, action: str) -> None:
    if not involved(run, actor):
        raise ForbiddenError(f"{actor.user} may not {action} on this case: only the starter, "
                             "the people working on it and those it was copied to may",
                             message_zh="只有发起人、经办人和抄送对象可以在此业务上这样做")


def tasks_of(run: Run, token_id: str) -> list[Task]:
    return [t for t in run.state["tasks"].values() if t["token"] == token_id]


def step_record(run: Run, element_id: str, **record: Any) -> dict[str, Any]:
    """The step's variable: {outcome, by, at, seq} (seq orders steps done in one instant)."""
    return {element_id: {**record, "at": run.ctx.timestamp, "seq": run.state["seq"]}}


def record_step(run: Run, element_id: str, *, token: dict[str, Any], **record: Any) -> None:
    """Set the step's variable where `token` works (an instance of a multi-instance
    activity keeps its own)."""
    run.set_variables(token, step_record(run, element_id, **record), element=element_id)
