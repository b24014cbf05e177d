"""What the API returns and the pages show: processes, cases, tasks and history as plain
dicts, with sensitive values masked for readers without `sensitive.read`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, cast

from liucheng.api.problems import NotImplementedYet
from liucheng.api.services import Services
from liucheng.model import FormField, ProcessDefinition, Text, UserTask
from liucheng.org import access
from liucheng.org.inbox import case_tasks
from liucheng.org.masking import mask_event, mask_values, sensitive_fields
from liucheng.org.permissions import SENSITIVE_READ, Principal
from liucheng.org.schema import Db
from liucheng.runtime.views import CaseView, HistoryEntry
from liucheng.storage.repository import Repository

Row = dict[str, Any]
TASK_KEYS = ("id", "element", "name", "status", "role", "assignee", "priority", "due_at",
             "created_at", "completed_at", "completed_by", "outcome")


def texts(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def compiled(svc: Services, db: Db, definition_id: str) -> ProcessDefinition:
    """The definition, compiled, from the Engine's cache (looked up by its checksum)."""
    repo = Repository(db.conn)
    digest = db.remembered(("checksum", definition_id),
                           lambda: repo.definition_checksum(definition_id))
    return svc.engine.definition(repo, definition_id, digest)


def first_step(definition: ProcessDefinition) -> UserTask | None:
    """The user task right after the start event: its form is the start form."""
    flows = definition.outgoing(definition.start_event().id)
    if len(flows) != 1:
        return None
    element = definition.element(flows[0].target)
    return element if isinstance(element, UserTask) else None


def field_public(field: FormField) -> Row:
    return {"id": field.id, "type": field.type, "label": texts(field.label),
            "required": field.required, "default": field.default,
            "options": dict(field.options)}


def process_public(definition: ProcessDefinition, row: Row, versions: int) -> Row:
    start = first_step(definition)
    steps = [{"id": e.id, "kind": e.kind, "name": texts(e.name),
              "roles": list(e.roles) if isinstance(e, UserTask) else []}
             for e, _ in definition.walk() if e.kind in ("user_task", "service_task")]
    return {"key": definition.key, "version": row["version"], "definition": row["id"],
            "name": texts(definition.name), "description": texts(definition.description),
            "roles": {r.id: texts(r.name) for r in definition.roles},
            "start_form": [field_public(f) for f in start.form] if start else [],
            "steps": steps, "versions": versions}


def kinds(svc: Services, principal: Principal, definition: ProcessDefinition) -> dict[str, str]:
    """The sensitive variables this reader must see masked (none with sensitive.read)."""
    if principal.has(SENSITIVE_READ):
        return {}
    return sensitive_fields(definition, svc.settings.masked_fields)


def task_summary(row: Row) -> Row:
    out = {k: row.get(k) for k in TASK_KEYS}
    out.update(case=row["instance_id"], process=row["definition_key"],
               case_title=row.get("case_title"), business_key=row.get("business_key"))
    return out


def case_public(svc: Services, db: Db, principal: Principal, row: Row) -> Row:
    view = CaseView.of(row)
    masking = kinds(svc, principal, compiled(svc, db, row["definition_id"]))
    out = view.to_dict()
    out["variables"] = mask_values(view.variables, masking)
    out["masked"] = sorted(k for k, v in view.variables.items() if k in masking or (
        isinstance(v, list) and any(isinstance(i, dict) and masking.keys() & i for i in v)))
    out["open_tasks"] = [task_summary({**t, "case_title": row["title"],
                                       "business_key": row["business_key"]})
                         for t in case_tasks(db, row["id"], status="open")]
    return out


def history_public(svc: Services, db: Db, principal: Principal, row: Row) -> list[Row]:
    masking = kinds(svc, principal, compiled(svc, db, row["definition_id"]))
    entries = [HistoryEntry.of(r).to_dict() for r in Repository(db.conn).history(row["id"])]
    for entry in entries:
        entry["data"] = mask_event(entry["data"], masking)
    return entries


def task_public(svc: Services, db: Db, principal: Principal, row: Row) -> Row:
    case = access.visible_case(db, principal, row["instance_id"])
    definition = compiled(svc, db, case["definition_id"])
    element = definition.element(row["element"]) if definition.has_element(row["element"]) \
        else None
    out = task_summary({**row, "case_title": case["title"],
                        "business_key": case["business_key"]})
    form = element.form if isinstance(element, UserTask) else ()
    out.update(
        instructions=texts(element.instructions) if isinstance(element, UserTask)
        else {"zh": "", "en": ""},
        outcomes=list(element.outcomes) if isinstance(element, UserTask) else [],
        form=[field_public(f) for f in form],
        data=mask_values(row["data"], kinds(svc, principal, definition))
        if row.get("data") else None,
        actions=access.actions(db, principal, row))
    return out


def bpmn_exporter() -> Callable[[ProcessDefinition], str]:
    """`liucheng.loaders.bpmn_export.export_bpmn`, or 501 when this installation lacks it."""
    try:
        module = importlib.import_module("liucheng.loaders.bpmn_export")
    except ImportError:
        module = None
    export = getattr(module, "export_bpmn", None)
    if export is None:
        raise NotImplementedYet("BPMN export is not available in this installation, so the "
                                "diagram of a YAML process cannot be drawn",
                                hint="install a liucheng version with liucheng.loaders."
                                "bpmn_export; BPMN-deployed processes show their own diagram")
    return cast(Callable[[ProcessDefinition], str], export)


def bpmn_xml(svc: Services, db: Db, definition_id: str) -> str:
    row = Repository(db.conn).definition(definition_id)
    if row["format"] == "bpmn":
        return str(row["source"])
    return bpmn_exporter()(compiled(svc, db, definition_id))


def diagram(svc: Services, db: Db, case: Row) -> Row:
    """The case's process diagram with the steps done and the steps where it waits now."""
    xml = bpmn_xml(svc, db, case["definition_id"])
    done: list[str] = []
    flows: list[str] = []
    for entry in Repository(db.conn).history(case["id"]):
        if entry["type"] == "element_left" and entry["element"] not in done:
            done.append(entry["element"])
        flow = entry["data"].get("flow") if entry["type"] == "element_entered" else None
        if flow and flow not in flows:
            flows.append(flow)
    return {"definition": case["definition_id"], "xml": xml, "completed": done,
            "flows": flows, "active": CaseView.of(case).active}
