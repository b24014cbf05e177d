"""In-app notifications from what a command did: new tasks, urges, copies, hand-overs.

Written in the command's own transaction (so a notification exists exactly when the
action does); each carries the stable id of the effect that caused it, so a receiver can
de-duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from liucheng.engine import Decision
from liucheng.storage.repository import Repository

TEXTS = {
    "assigned": "新任务：{name} / New task: {name}",
    "urge": "催办：{name} / Reminder: {name}",
    "cc": "抄送给您：{name} / Copied to you: {name}",
    "delegated": "委派给您：{name} / Delegated to you: {name}",
    "supplement": "补件已到：{name} / Supplement received: {name}",
}


def notifications_for(repo: Repository, case_id: str, decision: Decision,
                      new_id: Callable[[], str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(kind: str, users: list[str], task: str | None, name: str | None, at: str,
            comment: str | None = None) -> None:
        text = TEXTS[kind].format(name=name or "")
        if comment:
            text += f" — {comment}"
        for user in dict.fromkeys(users):
            rows.append({"id": new_id(), "user_id": user, "instance_id": case_id,
                         "task_id": task, "kind": kind, "text": text[:2000],
                         "created_at": datetime.fromisoformat(at)})

    at = decision.events[-1]["at"] if decision.events else None
    for event in decision.events:
        if event["type"] == "task_created" and event.get("assignee"):
            add("assigned", [event["assignee"]], event["task"], event.get("name"), event["at"])
    for effect in decision.effects:
        if effect["type"] != "notify" or at is None:
            continue
        users = list(effect["users"])
        for role in effect.get("roles") or []:
            users += repo.role_members(role)
        add(effect["kind"], users, effect.get("task"), effect.get("name"), at,
            effect.get("comment"))
    return rows
