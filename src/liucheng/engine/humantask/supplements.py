"""Supplement requests (补件): the case keeps a list of missing items and when they arrive.

Anyone on the case may request an item; the list records who asked and when, and when it
was received and by whom; the requester is notified when it arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from liucheng.engine import commands as c
from liucheng.engine.humantask.common import require_active, require_involved
from liucheng.errors import ConflictError, NotFoundError, StateError

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run


def request(run: Run, cmd: c.RequestSupplement) -> None:
    require_active(run)
    require_involved(run, cmd.actor, "request a supplement")
    item = cmd.item.strip()
    if not item:
        raise StateError("say which item is missing", message_zh="请说明缺少哪项材料")
    supplement_id = run.ctx.new_id()
    task = run.state["tasks"].get(cmd.task) if cmd.task else None
    run.emit("supplement_requested", supplement=supplement_id, item=item[:200],
             note=cmd.note, actor=cmd.actor.user, task=cmd.task,
             element=task["element"] if task else None)


def receive(run: Run, cmd: c.ReceiveSupplement) -> None:
    require_active(run)
    require_involved(run, cmd.actor, "record a supplement")
    entry = run.state.get("supplements", {}).get(cmd.supplement)
    if entry is None:
        raise NotFoundError(f"no supplement request '{cmd.supplement}' on this case",
                            message_zh=f"此业务没有补件要求“{cmd.supplement}”")
    if entry["received_at"]:
        raise ConflictError(f"'{entry['item']}' was already received at "
                            f"{entry['received_at'][:16]} by {entry['received_by']}",
                            message_zh=f"“{entry['item']}”已由{entry['received_by']}于"
                                       f"{entry['received_at'][:16]}收到")
    run.emit("supplement_received", supplement=cmd.supplement, files=list(cmd.files),
             note=cmd.note, actor=cmd.actor.user)
    run.effects.append({"type": "notify", "kind": "supplement", "users": [entry["by"]],
                        "roles": [], "task": None, "name": entry["item"], "comment": cmd.note,
                        "message_id": run.ctx.new_id()})
