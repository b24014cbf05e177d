"""Everything the case page and the print view (审批单) show about one case: the case with
its variables (masked as needed), open tasks, the timeline from the history, approvals,
and whether a diagram can be drawn.
"""

from __future__ import annotations

from typing import Any

from liucheng.api.pages.labels import Labels
from liucheng.api.pages.timeline import ACTION_EVENTS, event_detail
from liucheng.api.problems import NotImplementedYet
from liucheng.api.services import Services
from liucheng.api.views import bpmn_exporter, case_public, history_public
from liucheng.org import access
from liucheng.org.permissions import Principal
from liucheng.org.visibility import sees_all
from liucheng.storage.repository import Repository

TIMELINE = ("instance_started", "task_created", "task_claimed", "task_unclaimed",
            "task_completed", "task_cancelled", "variables_set", "incident_raised",
            "incident_resolved", "instance_completed", "instance_terminated",
            "instance_cancelled", *ACTION_EVENTS)
HIDDEN_VARIABLES = frozenset({"starter"})


def _diagram_available(svc: Services, definition_id: str, repo: Repository) -> bool:
    if repo.definition(definition_id)["format"] == "bpmn":
        return True
    try:
        bpmn_exporter()
    except NotImplementedYet:
        return False
    return True


def in_form_order(values: dict[str, Any], names: dict[str, Any]) -> list[tuple[str, Any]]:
    """Variables in the order the process asks for them, the rest alphabetically after."""
    order = {name: i for i, name in enumerate(names)}
    return sorted(values.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))


def shown(value: Any) -> bool:
    """Whether a value is listed with the case data: not a step record or the checklist (a
    mapping), but a list of choices or a repeating group."""
    return not isinstance(value, dict)


def _values(data: dict[str, Any] | None) -> dict[str, Any]:
    """Submitted values of an event (step records and the checklist left out)."""
    return {k: v for k, v in (data or {}).items() if shown(v)}


def case_context(svc: Services, who: Principal, case_id: str) -> dict[str, Any]:
    with svc.db() as db:
        row = access.visible_case(db, who, case_id)
        labels = Labels(svc, db)
        case = case_public(svc, db, who, row)
        history = history_public(svc, db, who, row)
        definition_id = row["definition_id"]
        names = labels.fields(definition_id)
        timeline: list[dict[str, Any]] = []
        for entry in history:
            if entry["type"] not in TIMELINE:
                continue
            if entry["type"] == "task_cancelled" and timeline and timeline[-1]["type"] in (
                    "task_returned", "task_withdrawn"):
                continue  # cancelled by the return or withdrawal just shown
            data = entry["data"]
            submitted = _values(data.get("variables") if entry["type"] in (
                "variables_set", "instance_started") else None)
            if entry["type"] == "variables_set" and (data.get("task") or not submitted):
                continue  # shown with the task_completed entry, or only step records
            if entry["type"] == "task_completed":
                submitted = _values(data.get("data"))
            timeline.append({
                "type": entry["type"], "at": entry["at"], "actor": labels.person(entry["actor"]),
                "step": labels.step(definition_id, entry["element"]),
                "outcome": data.get("outcome"), "comment": data.get("comment"),
                "reason": data.get("reason"), "task": entry["task"],
                "detail": event_detail(entry, labels, definition_id, row),
                "values": [(names.get(k), k, *labels.row(definition_id, k, v))
                           for k, v in submitted.items() if k not in HIDDEN_VARIABLES]})
        completed = [t for t in timeline if t["type"] == "task_completed"]
        open_tasks = []
        for task in case["open_tasks"]:
            open_tasks.append({**task, "step": labels.step(definition_id, task["element"]),
                               "role_name": labels.role(task["role"]),
                               "assignee_name": labels.person(task["assignee"])})
        variables = [(names.get(k), k, *labels.row(definition_id, k, v), k in case["masked"])
                     for k, v in in_form_order(case["variables"], names)
                     if shown(v) and k not in HIDDEN_VARIABLES]
        return {
            "case": case, "title_text": labels.case_title(row),
            "process_name": labels.process(definition_id),
            "version": definition_id.rsplit(":", 1)[-1],
            "starter": labels.person(row["started_by"]), "timeline": timeline,
            "approvals": completed, "open_tasks": open_tasks, "variables": variables,
            "can_cancel": case["status"] == "active" and (
                sees_all(who) or row["started_by"] == who.user),
            "diagram": _diagram_available(svc, definition_id, Repository(db.conn)),
            "printed_at": svc.now()}
