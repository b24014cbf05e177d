"""Deadlines on steps: remind before the due time, and act when it is overdue.

A step with `due:` and `deadline:` arms timers when its task is created (so a step
entered again after a return gets fresh ones); they are cancelled when the step ends.
Overdue, the step either reminds the holder again (`remind`), is escalated (`escalate`:
to the department leader of whoever holds it, or into the pool of a role), or is decided
by the system with an outcome (`approve` / `reject`), recorded as such in the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from liucheng.engine.humantask.common import record_step
from liucheng.model import UserTask

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


def _before(run: Run, due: datetime, amount: dict[str, Any]) -> datetime:
    cal = run.ctx.calendar
    if "working_days" in amount:
        return cal.add_working_hours(due, -cal.hours.per_day * float(amount["working_days"]))
    if "working_hours" in amount:
        return cal.add_working_hours(due, -float(amount["working_hours"]))
    return due - timedelta(days=float(amount.get("days", 0)),
                           hours=float(amount.get("hours", 0)),
                           minutes=float(amount.get("minutes", 0)))


def arm_deadline(run: Run, token: Token, element: UserTask, deadline: Mapping[str, Any],
                 task: str, due: str) -> None:
    """Arm the timers of `element`'s `deadline` for the task just created, due at `due`."""
    moment = datetime.fromisoformat(due)
    before = deadline.get("remind_before")
    if isinstance(before, dict):
        remind_at = _before(run, moment, before)
        if remind_at > run.ctx.now:
            run.emit("timer_armed", timer=run.ctx.new_id(), element=element.id,
                     token=token["id"], due_at=remind_at.isoformat(), purpose="remind", task=task)
    run.emit("timer_armed", timer=run.ctx.new_id(), element=element.id, token=token["id"],
             due_at=moment.isoformat(), purpose="overdue", task=task)


def on_deadline(run: Run, element: UserTask, token: Token, timer: dict[str, Any]) -> None:
    """A deadline timer of `element` fired for `token`."""
    tasks = [t for t in run.state["tasks"].values()
             if t["token"] == token["id"] and t["kind"] == "main"]
    if not tasks or element.deadline is None:
        return
    action = "remind" if timer.get("purpose") == "remind" else element.deadline.get(
        "overdue", "remind")
    if action == "remind":
        _remind(run, tasks, overdue=timer.get("purpose") != "remind")
    elif action == "escalate":
        for task in tasks:
            _escalate(run, task, str(element.deadline["escalate_to"]))
    else:
        _decide(run, element, token, tasks[0], str(action))


def _remind(run: Run, tasks: list[dict[str, Any]], *, overdue: bool) -> None:
    for task in tasks:
        users = [task["assignee"]] if task["assignee"] else list(task["candidate_users"])
        roles = [] if task["assignee"] else list(task["roles"])
        run.emit("deadline_reminder", task=task["id"], element=task["element"], users=users,
                 roles=roles, overdue=overdue)
        run.effects.append({"type": "notify", "kind": "urge", "users": users, "roles": roles,
                            "task": task["id"], "name": task["name"],
                            "comment": "已逾期 / overdue" if overdue else "即将到期 / due soon",
                            "message_id": run.ctx.new_id()})


def _escalate(run: Run, task: dict[str, Any], target: str) -> None:
    if target == "leader":
        holder = task["assignee"] or run.state.get("started_by") or ""
        leader = run.ctx.directory.leader(str(holder), 1)
        if leader is None or leader == task["assignee"]:
            _remind(run, [task], overdue=True)  # nobody above: remind instead
            return
        run.emit("task_escalated", task=task["id"], element=task["element"], to=leader,
                 roles=[], **{"from": task["assignee"]}, actor="system")
        users, roles = [leader], []
    else:
        run.emit("task_escalated", task=task["id"], element=task["element"], to=None,
                 roles=[target], **{"from": task["assignee"]}, actor="system")
        users, roles = [], [target]
    run.effects.append({"type": "notify", "kind": "assigned", "users": users, "roles": roles,
                        "task": task["id"], "name": task["name"],
                        "comment": "逾期升级 / escalated, overdue",
                        "message_id": run.ctx.new_id()})


def _decide(run: Run, element: UserTask, token: Token, task: dict[str, Any],
            outcome: str) -> None:
    for other in [t for t in run.state["tasks"].values() if t["token"] == token["id"]]:
        if other["id"] != task["id"]:
            run.emit("task_cancelled", task=other["id"], element=element.id,
                     reason=f"the step was decided automatically: {outcome}")
    run.emit("task_completed", task=task["id"], element=element.id, actor="system",
             outcome=outcome, comment="逾期自动处理 / decided automatically when overdue",
             data={}, automatic=True)
    record_step(run, element.id, token=token, outcome=outcome, by="system",
                automatic=True)
    run.leave(token)
