"""The task page's checklist and actions: what `task.html` shows beyond the form.

- the step's document checklist — each item's label, what to check, whether it is
  required now, a tick box, a scan upload and the files already attached;
- the actions open to this person now (from `api.possible`, which asks the engine):
  return with the earlier steps it may go to, transfer, delegate, add or remove signers,
  urge, carbon copy, comment, request a supplement — with the colleagues to pick from;
- a note when the task came back by a return or a withdrawal, with who and why.

`checklist_values` turns the posted checklist (`doc.<item>` ticks, `docfile.<item>` file
ids, `docdrop.<item>` files taken off the item, `docscan.<item>` uploads sent without
JavaScript) into the completion's `documents`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fastapi import Request

from liucheng.api.checklist import attached
from liucheng.api.colleagues import colleagues
from liucheng.api.pages.acting import refused
from liucheng.api.pages.case_work import documents_of, item_labels
from liucheng.api.pages.common import nest_groups
from liucheng.api.pages.labels import Labels
from liucheng.api.possible import case_options, task_options
from liucheng.api.routes.files import read_upload, store
from liucheng.api.services import Services
from liucheng.errors import ExpressionError, ValidationError
from liucheng.model import DocumentItem, ProcessDefinition, UserTask
from liucheng.org import access
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db
from liucheng.rules.expressions import compile_expression
from liucheng.storage.repository import Repository

Row = dict[str, Any]
Scans = dict[str, list[tuple[str, bytes]]]
TICKED = ("on", "true", "1", "yes")


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _required(item: DocumentItem, scope: Mapping[str, Any], svc: Services) -> bool:
    if isinstance(item.required, bool):
        return item.required
    try:
        return bool(compile_expression(item.required).evaluate(scope, svc.engine.functions))
    except ExpressionError:
        return True  # as the engine does: not known yet, so asked for


def checklist(svc: Services, element: UserTask | None, variables: Mapping[str, Any],
              files: Mapping[str, Row], posted: Mapping[str, Any] | None) -> list[Row]:
    """The step's checklist items, ticked and with files as recorded or as just posted."""
    if element is None:
        return []
    found = variables.get("documents")
    recorded: Mapping[str, Any] = found if isinstance(found, dict) else {}
    out = []
    for item in element.documents:
        value = recorded.get(item.id)
        entry: Mapping[str, Any] = value if isinstance(value, dict) else {}
        if posted is not None:
            checked = str(posted.get(f"doc.{item.id}") or "").lower() in TICKED
            dropped = _list(posted.get(f"docdrop.{item.id}"))
            shas = [s for s in _list(posted.get(f"docfile.{item.id}")) if s not in dropped]
        else:
            checked, shas = bool(entry.get("checked")), _list(entry.get("files"))
        out.append({"id": item.id, "label": item.label, "check": item.check,
                    "required": _required(item, variables, svc), "scan": item.scan,
                    "checked": checked,
                    "files": [{"sha": s, "filename": files[s]["filename"] if s in files
                               else s[:12]} for s in dict.fromkeys(shas)]})
    return out


CAME_BACK = ("task_created", "task_returned", "task_withdrawn")  # what _came_back reads


def _came_back(history: list[Row], task: Row, labels: Labels, definition_id: str
               ) -> Row | None:
    """The return or withdrawal that brought this task's step back, if one did
    (`history`: the case's events of the CAME_BACK types)."""
    pending: Row | None = None
    for entry in history:
        kind, data = entry["type"], entry["data"] or {}
        if kind == "task_created" and entry["element"] == task["element"]:
            if task["id"] in (entry["task_id"], data.get("task")):
                return pending
            pending = None
        elif (kind == "task_returned" and data.get("to") == task["element"]) or (
                kind == "task_withdrawn" and entry["element"] == task["element"]):
            pending = {"kind": kind, "by": labels.person(entry["actor"]), "at": entry["at"],
                       "comment": data.get("comment"),
                       "step": labels.step(definition_id, entry["element"])}
    return None


def task_work(svc: Services, db: Db, labels: Labels, who: Principal, task_id: str,
              posted: Mapping[str, Any] | None = None, *, action: str | None = None,
              errors: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`work` for task.html: checklist, actions open now, people, a return note.

    `action` / `errors` / `posted`: an action form that was refused, shown open again with
    its errors and values.
    """
    row = access.visible_task(db, who, task_id)
    case = access.visible_case(db, who, row["instance_id"])
    definition: ProcessDefinition = labels.definition(case["definition_id"])
    element = definition.element(row["element"]) \
        if definition.has_element(row["element"]) else None
    step = element if isinstance(element, UserTask) else None
    files = attached(db, case["id"])
    variables = case["state"].get("variables", {})
    options = task_options(svc, db, who, row, case)
    on_case = case_options(svc, db, who, case)
    history = Repository(db.conn).history(case["id"], CAME_BACK)
    records = {k: v for k, v in variables.items() if isinstance(v, dict)}
    acts = [*options.actions, *on_case.actions]
    shown = {*acts, *(["remove_signer"] if options.removable else [])}
    return {"work": {
        "case_id": case["id"], "task_id": row["id"], "actions": acts,
        "refused": refused(action, shown, errors),
        "return_to": [(step_id, to, labels.step(case["definition_id"], step_id),
                       labels.person(str(records.get(step_id, {}).get("by") or "")))
                      for step_id, to in options.return_to],
        "removable": [(u, labels.person(u)) for u in options.removable],
        "people": colleagues(db, who),
        "checklist": checklist(svc, step, variables, files,
                               posted if action is None else None),
        # what earlier steps ticked and attached, for the steps that review it
        "case_documents": [] if step is not None and step.documents else documents_of(
            variables, item_labels(labels, case["definition_id"]), files)[0],
        "came_back": _came_back(history, row, labels, case["definition_id"]),
        "open": action, "errors": dict(errors or {}),
        "posted": dict(posted or {}) if action else {}}}


async def scanned_files(request: Request, limit: int) -> Scans:
    """Files sent in `docscan.<item>` fields (the form without JavaScript)."""
    form = await request.form()
    out: Scans = {}
    for key in form:
        if not key.startswith("docscan."):
            continue
        for value in form.getlist(key):
            found = await read_upload(value, limit)
            if found is not None:
                out.setdefault(key.removeprefix("docscan."), []).append(found)
    return out


def checklist_values(svc: Services, who: Principal, task_id: str, data: dict[str, Any],
                     scans: Scans) -> dict[str, Any]:
    """The completion's values with `documents` built from the posted checklist.

    Scans sent with the form are uploaded first and their ids added to `data` (so a page
    shown again after an error keeps them); a refused file is reported at its item.
    """
    with svc.db() as db:
        row = access.visible_task(db, who, task_id)
        case = access.visible_case(db, who, row["instance_id"])
        definition = Labels(svc, db).definition(case["definition_id"])
    element = definition.element(row["element"]) \
        if definition.has_element(row["element"]) else None
    items = [d.id for d in element.documents] if isinstance(element, UserTask) else []
    for item, uploads in scans.items():
        for filename, content in uploads:
            try:
                stored = store(svc, who, case["id"], filename, content)
            except ValidationError as exc:
                raise ValidationError([replace(p, field=f"documents.{item}")
                                       for p in exc.problems], task=row["id"]) from None
            data[f"docfile.{item}"] = [*_list(data.get(f"docfile.{item}")), stored["sha256"]]
    values = nest_groups({k: v for k, v in data.items()
                          if not k.startswith(("doc.", "docfile.", "docscan.", "docdrop."))},
                         element.form if isinstance(element, UserTask) else ())
    if items:
        values["documents"] = {item: {
            "checked": str(data.get(f"doc.{item}") or "").lower() in TICKED,
            "files": [s for s in dict.fromkeys(_list(data.get(f"docfile.{item}")))
                      if s not in _list(data.get(f"docdrop.{item}"))]}
            for item in items}
    return values
