"""The task page: instructions, the form with errors at each field, and the actions open
now — claim, complete with each outcome, unclaim — with a comment.

A sensitive value the reader may not see is never put back into the form (it would come
back masked); left empty, the recorded value stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages.acting import problem_texts
from liucheng.api.pages.casedata import in_form_order, shown
from liucheng.api.pages.common import form_data, nest_groups, render, see_other, text_lang
from liucheng.api.pages.inbox import notice_key
from liucheng.api.pages.labels import Labels
from liucheng.api.pages.people import pickable
from liucheng.api.pages.task_work import checklist_values, scanned_files, task_work
from liucheng.api.routes.tasks import claim_task, complete_task, unclaim_task
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.api.views import case_public, task_public
from liucheng.errors import ValidationError
from liucheng.model import UserTask
from liucheng.org import access
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db

router = APIRouter(include_in_schema=False)


def task_data(svc: Services, who: Principal, task_id: str,
              posted: Mapping[str, Any] | None = None, *, action: str | None = None,
              errors: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What task.html shows, read in one snapshot: the task, its case and form (here), the
    checklist and the actions (`task_work`); `posted` / `action` / `errors` as there."""
    with svc.db() as db:
        labels = Labels(svc, db)
        data = _context(svc, db, labels, who, task_id)
        data.update(task_work(svc, db, labels, who, task_id, posted, action=action,
                              errors=errors))
    return data


def _context(svc: Services, db: Db, labels: Labels, who: Principal, task_id: str
             ) -> dict[str, Any]:
    row = access.visible_task(db, who, task_id)
    task = task_public(svc, db, who, row)
    case_row = access.visible_case(db, who, row["instance_id"])
    case = case_public(svc, db, who, case_row)
    definition = labels.definition(case_row["definition_id"])
    element = definition.element(row["element"])
    fields = element.form if isinstance(element, UserTask) else ()
    known = case["variables"]
    masked = set(case["masked"])
    names = labels.fields(case_row["definition_id"])
    own = {f.id for f in fields}
    definition_id = case_row["definition_id"]
    listed = [(names.get(k), k, *labels.row(definition_id, k, v), k in masked)
              for k, v in in_form_order(known, names)
              if k not in own and k != "starter" and shown(v)]
    submitted = [(names.get(k), k, *labels.row(definition_id, k, v))
                 for k, v in (task["data"] or {}).items() if shown(v)]
    values = {f.id: known[f.id] for f in fields if f.id in known and f.id not in masked}
    out = {"task": task, "case": case, "fields": fields, "values": values,
           "prefilled": list(values),
           "case_values": listed, "submitted": submitted,
           "masked_values": {f.id: known[f.id] for f in fields if f.id in masked},
           "step": labels.step(case_row["definition_id"], row["element"]),
           "case_title": labels.case_title(case_row),
           "role_name": labels.role(row["role"]),
           "assignee_name": labels.person(row["assignee"]),
           "completed_by_name": labels.person(row["completed_by"]),
           "people": pickable(db, who, fields)}
    return out


def task_response(request: Request, who: Principal, svc: Services, task_id: str, *,
          notice: str | None = None, posted: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None, status: int = 200) -> Response:
    data = task_data(svc, who, task_id, posted)
    if posted is not None:
        data["values"] = {**data["values"], **nest_groups(posted, data["fields"])}
    return render(request, who, "task.html", status=status, section="inbox", title="task.title",
                  notice=notice, errors=errors or {},
                  comment=(posted or {}).get("comment", ""), **data)


@router.get("/tasks/{task_id}")
async def task_page(task_id: str, request: Request, notice: str | None = None,
                    who: Principal = Depends(Need(P.TASKS_READ)),
                    svc: Services = Depends(services)) -> Response:
    return await run_in_threadpool(task_response, request, who, svc, task_id,
                                   notice=notice_key(notice))


@router.post("/tasks/{task_id}/claim")
async def claim(task_id: str, who: Principal = Depends(Need(P.TASKS_ACT)),
                svc: Services = Depends(services)) -> Response:
    full = await run_in_threadpool(claim_task, svc, who, task_id)
    return see_other(f"/tasks/{full}?notice=claimed")


@router.post("/tasks/{task_id}/unclaim")
async def unclaim(task_id: str, who: Principal = Depends(Need(P.TASKS_ACT)),
                  svc: Services = Depends(services)) -> Response:
    full = await run_in_threadpool(unclaim_task, svc, who, task_id)
    return see_other(f"/tasks/{full}?notice=unclaimed")


@router.post("/tasks/{task_id}/complete")
async def complete(task_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                   svc: Services = Depends(services)) -> Response:
    data = await form_data(request)
    outcome = str(data.pop("outcome", "") or "") or None
    comment = str(data.pop("comment", "") or "")
    data.pop("csrf_token", None)
    scans = await scanned_files(request, svc.engine.files.max_size)
    try:
        case_id = await run_in_threadpool(
            lambda: complete_task(svc, who, task_id,
                                  checklist_values(svc, who, task_id, data, scans),
                                  outcome=outcome, comment=comment,
                                  lang=text_lang(request, who), from_form=True))
    except ValidationError as exc:
        errors = problem_texts(exc, text_lang(request, who))
        return await run_in_threadpool(lambda: task_response(
            request, who, svc, task_id, posted={**data, "comment": comment},
            errors=errors, status=422))
    return see_other(f"/cases/{case_id}?notice=completed")
