"""What the case page shows beyond the case data and the timeline: the documents (files
with download links and the checklist ticks they belong to), the supplement list (补件:
requested by and when, received when) with "mark received", the copies sent (抄送) with
read receipts, the comments, and the forms for the actions open to this person now —
carbon copy, comment, request a supplement, upload a file, withdraw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from liucheng.api.checklist import attached
from liucheng.api.colleagues import colleagues
from liucheng.api.pages.acting import refused
from liucheng.api.pages.labels import Labels
from liucheng.api.possible import case_options
from liucheng.api.routes.case_actions import copies_of, supplements_of
from liucheng.api.services import Services
from liucheng.model import Text, UserTask
from liucheng.org import access
from liucheng.org.permissions import Principal
from liucheng.storage.repository import Repository

Row = dict[str, Any]


def item_labels(labels: Labels, definition_id: str) -> dict[str, Text]:
    """Checklist item id → label, over every step of the process."""
    out: dict[str, Text] = {}
    for element, _ in labels.definition(definition_id).walk():
        if isinstance(element, UserTask):
            for item in element.documents:
                out.setdefault(item.id, item.label or Text(item.id, item.id))
    return out


def documents_of(variables: Mapping[str, Any], names: dict[str, Text],
               files: dict[str, Row]) -> tuple[list[Row], dict[str, list[Text]]]:
    """(checklist entries as ticked on the case, file sha → the items it was attached to)."""
    found = variables.get("documents")
    ticks: Mapping[str, Any] = found if isinstance(found, dict) else {}
    entries: list[Row] = []
    used: dict[str, list[Text]] = {}
    for item, entry in ticks.items():
        if not isinstance(entry, dict):
            continue
        label = names.get(item, Text(item, item))
        shas = [s for s in entry.get("files") or [] if isinstance(s, str)]
        entries.append({"id": item, "label": label, "checked": bool(entry.get("checked")),
                        "files": [{"sha": s, "filename": files[s]["filename"] if s in files
                                   else s[:12]} for s in shas]})
        for sha in shas:
            used.setdefault(sha, []).append(label)
    return entries, used


def case_work(svc: Services, who: Principal, case_id: str, *, action: str | None = None,
              errors: Mapping[str, str] | None = None,
              posted: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`casework` for case.html (`action`/`errors`/`posted`: a refused form, shown again)."""
    with svc.db() as db:
        case = access.visible_case(db, who, case_id)
        labels = Labels(svc, db)
        definition_id = case["definition_id"]
        files = attached(db, case["id"])
        entries, used = documents_of(case["state"].get("variables", {}),
                                   item_labels(labels, definition_id), files)
        options = case_options(svc, db, who, case)
        supplements = [{**e, "by_name": labels.person(e["by"]),
                        "received_name": labels.person(e.get("received_by"))}
                       for e in supplements_of(case)]
        copies = [{**e, "user_name": labels.person(e["user"]), "by_name": labels.person(e["by"])}
                  for e in copies_of(case)]
        comments = [{"at": h["at"], "by": labels.person(h["actor"]),
                     "step": labels.step(definition_id, h["element"]),
                     "text": (h["data"] or {}).get("text", "")}
                    for h in Repository(db.conn).history(case["id"])
                    if h["type"] == "comment_added"]
        people = colleagues(db, who)
        steps = [(s, labels.step(definition_id, s)) for s in options.withdraw_steps]
        shown = {*options.actions, *(["upload"] if "comment" in options.actions else []),
                 *(["received"] if "supplement" in options.actions else [])}
        return {"casework": {
            "case_id": case["id"], "active": case["status"] == "active",
            "refused": refused(action, shown, errors),
            "actions": options.actions, "withdraw_steps": steps,
            "withdraw_case": options.withdraw_case,
            # uploading is for the people on the case, as the engine decides (comment ⇔ on it)
            "can_upload": "comment" in options.actions,
            "files": [{**f, "by_name": labels.person(f["uploaded_by"]),
                       "items": used.get(sha, [])} for sha, f in files.items()],
            "checklist": entries, "supplements": supplements, "copies": copies,
            "my_unread": [c["id"] for c in copies if c["user"] == who.user
                          and not c["read_at"]],
            "comments": comments, "people": people, "open": action,
            "errors": dict(errors or {}), "posted": dict(posted or {})}}
