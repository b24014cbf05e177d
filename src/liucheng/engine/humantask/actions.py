"""Claim, unclaim, transfer (转办), delegate (委派), add / remove signers (加签 / 减签),
urge (催办), carbon copy (抄送) with read receipts, and comments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from liucheng.engine import commands as c
from liucheng.engine.humantask.assign import create_task
from liucheng.engine.humantask.common import (
    authorize,
    check_four_eyes,
    open_task,
    require_active,
    require_involved,
    tasks_of,
)
from liucheng.engine.humantask.complete import resume_or_finish
from liucheng.errors import ConflictError, ForbiddenError, NotFoundError, StateError
from liucheng.model import UserTask

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Task = dict[str, Any]
POSITIONS = ("before", "after", "alongside")


def claim(run: Run, cmd: c.ClaimTask) -> None:
    task = open_task(run, cmd.task)
    if task["assignee"] is not None:
        if task["assignee"] == cmd.actor.user:
            return
        raise ConflictError(f"task '{cmd.task}' is already claimed by {task['assignee']}",
                            task=cmd.task, message_zh=f"任务“{cmd.task}”已由{task['assignee']}领取")
    authorize(run, task, cmd.actor, "claim")
    run.emit("task_claimed", task=cmd.task, element=task["element"], actor=cmd.actor.user)


def unclaim(run: Run, cmd: c.UnclaimTask) -> None:
    task = open_task(run, cmd.task)
    if task["assignee"] != cmd.actor.user and not cmd.actor.admin:
        raise ForbiddenError(f"task '{cmd.task}' is not claimed by {cmd.actor.user}",
                             task=cmd.task,
                             message_zh=f"任务“{cmd.task}”不是{cmd.actor.user}领取的")
    if task["kind"] != "main" or task["delegated"] or not (task["roles"] or
                                                          task["candidate_users"]):
        raise StateError(f"task '{cmd.task}' was given to {task['assignee']} by name and has "
                         "no pool to go back to; transfer it instead", task=cmd.task,
                         message_zh=f"任务“{cmd.task}”是指定{task['assignee']}办理的，"
                                    "不能退回待领；请改为转办")
    run.emit("task_unclaimed", task=cmd.task, element=task["element"], actor=cmd.actor.user)


def _take(run: Run, task: Task, actor: c.Actor, action: str) -> None:
    """Act on a task one holds; a pool task is claimed first."""
    authorize(run, task, actor, action)
    if task["assignee"] is None:
        run.emit("task_claimed", task=task["id"], element=task["element"], actor=actor.user,
                 implicit=True)


def transfer(run: Run, cmd: c.TransferTask) -> None:
    task = open_task(run, cmd.task)
    if cmd.to == task["assignee"]:
        raise StateError(f"task '{cmd.task}' is already {cmd.to}'s", task=cmd.task,
                         message_zh=f"任务“{cmd.task}”已经是{cmd.to}的待办")
    _take(run, task, cmd.actor, "transfer")
    check_four_eyes(run, task["element"], cmd.to, task["id"])
    run.emit("task_transferred", task=cmd.task, element=task["element"], actor=cmd.actor.user,
             **{"from": task["assignee"]}, to=cmd.to, comment=cmd.comment)
    run.effects.append(_notify(run, "assigned", [cmd.to], task))


def delegate(run: Run, cmd: c.DelegateTask) -> None:
    task = open_task(run, cmd.task)
    if task["delegated"]:
        raise StateError(f"task '{cmd.task}' is already delegated to {task['assignee']}",
                         task=cmd.task, message_zh=f"任务“{cmd.task}”已委派给{task['assignee']}")
    if cmd.to == cmd.actor.user:
        raise StateError("a task cannot be delegated to oneself", task=cmd.task,
                         message_zh="不能把任务委派给自己")
    _take(run, task, cmd.actor, "delegate")
    check_four_eyes(run, task["element"], cmd.to, task["id"])
    run.emit("task_delegated", task=cmd.task, element=task["element"], actor=cmd.actor.user,
             owner=cmd.actor.user, to=cmd.to, comment=cmd.comment)
    run.effects.append(_notify(run, "delegated", [cmd.to], task))


def add_signers(run: Run, cmd: c.AddSigners) -> None:
    task = open_task(run, cmd.task)
    if cmd.position not in POSITIONS:
        raise StateError(f"add signers 'before', 'after' or 'alongside', not '{cmd.position}'",
                         message_zh="加签顺序须为前加签（before）、后加签（after）或并加签"
                                    f"（alongside），不能是“{cmd.position}”")
    if task["kind"] != "main":
        raise StateError("signers can be added only to a step's own task, not to an added or "
                         "countersign task", task=cmd.task,
                         message_zh="只能在步骤本身的任务上加签，加签任务和会签任务不能再加签")
    if not cmd.users:
        raise StateError("name at least one signer to add", task=cmd.task,
                         message_zh="请至少选择一位加签人")
    _take(run, task, cmd.actor, "add signers to")
    holders = {t["assignee"] for t in tasks_of(run, task["token"])} | set(task["after_signers"])
    clash = [u for u in cmd.users if u in holders]
    if clash:
        raise ConflictError(f"{', '.join(clash)} already sign this step", task=cmd.task,
                            message_zh=f"{'、'.join(clash)}已是此步骤的签署人")
    for user in cmd.users:
        check_four_eyes(run, task["element"], user, task["id"])
    element = run.definition.element(task["element"])
    assert isinstance(element, UserTask)
    run.emit("signers_added", task=cmd.task, element=element.id, actor=cmd.actor.user,
             users=list(cmd.users), position=cmd.position, comment=cmd.comment)
    if cmd.position == "after":
        run.emit("signers_pending", task=cmd.task, element=element.id,
                 users=[*task["after_signers"], *cmd.users])
        return
    if cmd.position == "before" and task["status"] != "suspended":
        run.emit("task_suspended", task=cmd.task, element=element.id)
    token = run.state["tokens"][task["token"]]
    for user in cmd.users:
        create_task(run, token, element, user, roles=[], kind="added", main=cmd.task,
                    position=cmd.position, added_by=cmd.actor.user)


def remove_signer(run: Run, cmd: c.RemoveSigner) -> None:
    require_active(run)
    main = run.state["tasks"].get(cmd.task)
    if main is None:
        raise ConflictError(f"task '{cmd.task}' is no longer open", task=cmd.task,
                            message_zh=f"任务“{cmd.task}”已办结或已取消")
    if cmd.user in main["after_signers"]:
        if main["owner"] != cmd.actor.user and not cmd.actor.admin:
            raise ForbiddenError(f"only {main['owner']} may remove the signers they added",
                                 message_zh=f"只有发起加签的{main['owner']}可以减签")
        run.emit("signers_pending", task=cmd.task, element=main["element"],
                 users=[u for u in main["after_signers"] if u != cmd.user])
        run.emit("signer_removed", task=cmd.task, element=main["element"], user=cmd.user,
                 actor=cmd.actor.user, comment=cmd.comment)
        return
    added = [t for t in tasks_of(run, main["token"])
             if t["kind"] == "added" and t["main"] == cmd.task and t["assignee"] == cmd.user]
    if not added:
        raise NotFoundError(f"{cmd.user} is not an added signer of task '{cmd.task}' who still "
                            "has to sign", task=cmd.task,
                            message_zh=f"{cmd.user}不是任务“{cmd.task}”尚未签署的加签人")
    if added[0]["added_by"] != cmd.actor.user and not cmd.actor.admin:
        raise ForbiddenError(f"only {added[0]['added_by']} may remove the signers they added",
                             message_zh=f"只有发起加签的{added[0]['added_by']}可以减签")
    run.emit("task_cancelled", task=added[0]["id"], element=main["element"],
             reason=f"signer removed by {cmd.actor.user}")
    run.emit("signer_removed", task=cmd.task, element=main["element"], user=cmd.user,
             actor=cmd.actor.user, comment=cmd.comment)
    resume_or_finish(run, run.state["tokens"][main["token"]])


def urge(run: Run, cmd: c.UrgeTask) -> None:
    task = open_task(run, cmd.task)
    require_involved(run, cmd.actor, "urge")
    if task["urged_at"]:
        allowed = datetime.fromisoformat(task["urged_at"]) + timedelta(
            minutes=run.ctx.urge_interval_minutes)
        if run.ctx.now < allowed:
            raise ConflictError(f"task '{task['name']}' was urged at {task['urged_at'][:16]}; "
                                f"it can be urged again from {allowed.isoformat()[:16]}",
                                task=cmd.task,
                                message_zh=f"任务“{task['name']}”已于{task['urged_at'][:16]}催办，"
                                           f"{allowed.isoformat()[:16]}起可再次催办")
    users = [task["assignee"]] if task["assignee"] else list(task["candidate_users"])
    run.emit("task_urged", task=cmd.task, element=task["element"], actor=cmd.actor.user,
             to=users, roles=[] if task["assignee"] else task["roles"], comment=cmd.comment)
    run.effects.append(_notify(run, "urge", users, task, roles=None if task["assignee"]
                               else task["roles"], comment=cmd.comment))


def carbon_copy(run: Run, cmd: c.CarbonCopy) -> None:
    require_active(run)
    require_involved(run, cmd.actor, "copy the case")
    task = run.state["tasks"].get(cmd.task) if cmd.task else None
    users = [u for u in dict.fromkeys(cmd.users) if u != cmd.actor.user]
    if not users:
        raise StateError("name at least one other person to copy",
                         message_zh="请至少选择一位抄送对象（不含自己）")
    ccs = [run.ctx.new_id() for _ in users]
    run.emit("cc_sent", ccs=ccs, users=users, actor=cmd.actor.user, task=cmd.task,
             element=task["element"] if task else None, comment=cmd.comment)
    run.effects.append(_notify(run, "cc", users, task, comment=cmd.comment))


def mark_cc_read(run: Run, cmd: c.MarkCcRead) -> None:
    cc = run.state.get("cc", {}).get(cmd.cc)
    if cc is None:
        raise NotFoundError(f"no carbon copy '{cmd.cc}' on this case",
                            message_zh=f"此业务没有抄送“{cmd.cc}”")
    if cc["user"] != cmd.actor.user:
        raise ForbiddenError("only the person a copy was sent to can mark it read",
                             message_zh="只有抄送对象本人可以标记已阅")
    if cc["read_at"] is None:
        run.emit("cc_read", cc=cmd.cc, actor=cmd.actor.user)


def comment(run: Run, cmd: c.AddComment) -> None:
    require_involved(run, cmd.actor, "comment")
    text = cmd.text.strip()
    if not text:
        raise StateError("a comment needs some text", message_zh="请填写评论内容")
    task = run.state["tasks"].get(cmd.task) if cmd.task else None
    run.emit("comment_added", actor=cmd.actor.user, task=cmd.task,
             element=task["element"] if task else None, text=text[:4000])


def _notify(run: Run, kind: str, users: list[str], task: Task | None,
            roles: list[str] | None = None, comment: str | None = None) -> dict[str, Any]:
    return {"type": "notify", "kind": kind, "users": users, "roles": roles or [],
            "task": task["id"] if task else None, "name": task["name"] if task else None,
            "comment": comment, "message_id": run.ctx.new_id()}
