"""Checks made before a command reaches the engine: may this person see the case or task,
and may they act on it now. Invisible cases and tasks are reported as not found, so
another organisation cannot even learn that they exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from liucheng.errors import ConflictError, ForbiddenError, NotFoundError
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db, built
from liucheng.org.visibility import case_is_visible, may_take, sees_all

Row = dict[str, Any]


def resolve(db: Db, table: sa.Table, prefix: str) -> str:
    """The full id for an unambiguous prefix of at least 4 characters (else `prefix`)."""
    if len(prefix) >= 32 or len(prefix) < 4:
        return prefix
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found = db.conn.execute(sa.select(table.c.id).where(
        table.c.id.like(escaped + "%", escape="\\")).limit(2)).scalars().all()
    return str(found[0]) if len(found) == 1 else prefix


def visible_case(db: Db, principal: Principal, case_id: str) -> Row:
    """The case row (id prefixes allowed) if this principal may see it."""
    full = resolve(db, db.t.instances, case_id)
    cases = db.t.instances
    stmt = built(db.t, "case", None,
                 lambda: sa.select(cases).where(cases.c.id == sa.bindparam("id")))
    row = db.remembered(("case", full), lambda: db.one(stmt, {"id": full}))
    if row is None or not case_is_visible(db, principal, full):
        raise NotFoundError(f"no case '{case_id}'", case=case_id,
                            hint="search your cases, or check the id",
                            message_zh=f"没有业务“{case_id}”", hint_zh="请搜索你的业务，或核对编号")
    return dict(row)  # the caller's own copy of a remembered row


def visible_task(db: Db, principal: Principal, task_id: str) -> Row:
    """The task row if this principal may see its case."""
    full = resolve(db, db.t.tasks, task_id)
    tasks = db.t.tasks
    stmt = built(db.t, "task", None,
                 lambda: sa.select(tasks).where(tasks.c.id == sa.bindparam("id")))
    row = db.remembered(("task", full), lambda: db.one(stmt, {"id": full}))
    if row is None or not case_is_visible(db, principal, row["instance_id"]):
        raise NotFoundError(f"no task '{task_id}'", task=task_id,
                            hint="open it from your inbox",
                            message_zh=f"没有任务“{task_id}”", hint_zh="请从待办中打开")
    return dict(row)  # the caller's own copy of a remembered row


def actions(db: Db, principal: Principal, task: Row) -> list[str]:
    """What this person may do with the task now: claim, unclaim, complete."""
    if task["status"] != "open":
        return []
    if task["assignee"] == principal.user:
        return ["complete", "unclaim"]
    if task["assignee"] is None and (principal.admin or may_take(db, principal, task["id"])):
        return ["claim", "complete"]
    if principal.admin:
        return ["complete", "unclaim"]
    return []


def require_action(db: Db, principal: Principal, task: Row, action: str) -> None:
    if action in actions(db, principal, task):
        return
    if task["status"] != "open":
        by = f" by {task['completed_by']}" if task.get("completed_by") else ""
        done = "已办结" if task["status"] == "completed" else "已取消"
        by_zh = f"（{task['completed_by']}）" if task.get("completed_by") else ""
        raise ConflictError(f"task '{task['id']}' ({task['name']}) is already "
                            f"{task['status']}{by}", task=task["id"], hint="reload the inbox",
                            message_zh=f"任务“{task['name']}”{done}{by_zh}", hint_zh="请刷新待办")
    if task["assignee"] is not None:
        why = f"it is assigned to {task['assignee']}"
        why_zh = f"已指派给{task['assignee']}"
    else:
        why = "it is not offered to you or your roles"
        why_zh = "它没有分给你或你的角色"
    raise ForbiddenError(f"{principal.user} may not {action} task '{task['id']}' "
                         f"({task['name']}): {why}", task=task["id"],
                         message_zh=f"你不能办理任务“{task['name']}”：{why_zh}")


def require_cancel(principal: Principal, case: Row) -> None:
    if sees_all(principal) or case["started_by"] == principal.user:
        return
    raise ForbiddenError(f"{principal.user} may not cancel case '{case['id']}': only the "
                         "person who started it or an administrator may", case=case["id"],
                         message_zh="只有发起人或管理员可以撤销此业务")
