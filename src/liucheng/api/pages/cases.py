"""Starting cases (process list, start form), case search, the case page and its print view.

The start form is the first step's form. Submitting it starts the case; when that first
step is the starter's own (assigned to the starter, or for a role the starter holds) it is
completed at once with the same values — with the outcome chosen by the start button when
the step has outcomes — so the application is handed in. A step with a document checklist
opens for the starter to tick it; a step for someone else keeps the values for them. The
start page says which of these will happen.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages.acting import problem_texts
from liucheng.api.pages.case_work import case_work
from liucheng.api.pages.casedata import case_context
from liucheng.api.pages.common import form_data, nest_groups, render, see_other, text_lang
from liucheng.api.pages.inbox import notice_key
from liucheng.api.pages.labels import Labels
from liucheng.api.pages.people import pickable
from liucheng.api.pages.tasks import task_response
from liucheng.api.routes.cases import start_case
from liucheng.api.routes.tasks import complete_task
from liucheng.api.schemas import LARGEST
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.api.views import first_step
from liucheng.errors import ValidationError
from liucheng.model import UserTask
from liucheng.org import access, inbox
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.storage.repository import Repository

router = APIRouter(include_in_schema=False)
PER_PAGE = 20


def _processes(svc: Services) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    with svc.db() as db:
        for row in Repository(db.conn).definitions():
            latest[row["key"]] = row
        labels = Labels(svc, db)
        return [{"key": key, "version": row["version"],
                 "definition": labels.definition(row["id"])}
                for key, row in sorted(latest.items())]


@router.get("/start")
async def start_list(request: Request, who: Principal = Depends(Need(P.CASES_START)),
                     svc: Services = Depends(services)) -> Response:
    processes = await run_in_threadpool(_processes, svc)
    return render(request, who, "start.html", section="start", title="start.title",
                  processes=processes)


def _start_page(request: Request, who: Principal, svc: Services, key: str, *,
                values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                status: int = 200) -> Response:
    definition = svc.engine.process(key)
    step = first_step(definition)
    fields = step.form if step else ()
    own = step is not None and starters_own(step, who)
    with svc.db() as db:
        labels = Labels(svc, db)
        holders = "、".join(labels.role(r).get(text_lang(request, who)) for r in step.roles) \
            if step is not None else ""
        people = pickable(db, who, fields)
    nxt = None if step is None else "start.next_task" if own and step.documents else \
        "start.next_done" if own else "start.next_other"
    return render(request, who, "start_form.html", status=status, section="start",
                  title="start.title", definition=definition, step=step, fields=fields,
                  values=nest_groups(values or {}, fields), errors=errors or {},
                  people=people, next_step=nxt, holders=holders,
                  outcomes=step.outcomes if own and step is not None and not step.documents
                  else ())


@router.get("/start/{key}")
async def start_form(key: str, request: Request, who: Principal = Depends(Need(P.CASES_START)),
                     svc: Services = Depends(services)) -> Response:
    return await run_in_threadpool(_start_page, request, who, svc, key)


def field_errors(exc: ValidationError, lang: str | None = None) -> dict[str, str]:
    """field → message; with `lang`, the engine's bilingual problems in that language."""
    if lang is not None:
        return problem_texts(exc, lang)
    out: dict[str, str] = {}
    for problem in exc.problems:
        out.setdefault(problem.field or "_", problem.message)
    return out


def starters_own(step: UserTask, who: Principal) -> bool:
    """Whether the person starting a case will hold its first step (as the page predicts;
    the engine decides when the case has started)."""
    if step.assignee:
        return step.assignee.strip() == "starter"
    return who.admin or bool(who.roles & set(step.roles)) or who.user in step.candidate_users


def _start(request: Request, svc: Services, who: Principal, key: str, data: dict[str, Any],
           lang: str) -> str | Response:
    """Start the case (and hand in the first step when it is the starter's); the next URL,
    or the first step's page with its errors when handing it in was refused."""
    business_key = str(data.pop("business_key", "") or "").strip() or None
    outcome = str(data.pop("outcome", "") or "") or None
    step = first_step(svc.engine.process(key))
    values = nest_groups({k: v for k, v in data.items() if k not in ("csrf_token",)},
                         step.form if step else ())
    case = start_case(svc, who, key, values, lang=lang, business_key=business_key,
                      from_form=True)
    step = first_step(svc.engine.process(key, int(case["definition"].rsplit(":", 1)[1])))
    first = next((t for t in case["open_tasks"] if step and t["element"] == step.id), None)
    if first is None or step is None:
        return f"/cases/{case['id']}?notice=started"
    with svc.db() as db:
        can_complete = "complete" in access.actions(db, who, access.visible_task(
            db, who, first["id"]))
    if not can_complete:
        return f"/cases/{case['id']}?notice=started"
    if step.documents or (step.outcomes and outcome not in step.outcomes):
        return f"/tasks/{first['id']}?notice=started"  # a checklist is ticked on the task page
    try:
        complete_task(svc, who, first["id"], values, outcome=outcome, comment=None, lang=lang,
                      from_form=True)
    except ValidationError as exc:  # the case has started: the step is fixed on its page
        return task_response(request, who, svc, first["id"], notice="notice.started",
                             posted=values, errors=field_errors(exc, lang), status=422)
    return f"/cases/{case['id']}?notice=started"


@router.post("/start/{key}")
async def start(key: str, request: Request, who: Principal = Depends(Need(P.CASES_START)),
                svc: Services = Depends(services)) -> Response:
    data = await form_data(request)
    lang = text_lang(request, who)
    try:
        target = await run_in_threadpool(_start, request, svc, who, key, dict(data), lang)
    except ValidationError as exc:
        return await run_in_threadpool(_start_page, request, who, svc, key, values=data,
                                       errors=field_errors(exc, lang), status=422)
    return see_other(target) if isinstance(target, str) else target


def _search(svc: Services, who: Principal, q: str | None, status: str | None,
            page: int) -> dict[str, Any]:
    with svc.db() as db:
        found = inbox.search_cases(db, who, q=q, status=status or None, limit=PER_PAGE,
                                   offset=(page - 1) * PER_PAGE)
        labels = Labels(svc, db)
        rows = [{**r, "title": labels.case_title(r), "starter": labels.person(r["started_by"])}
                for r in found.rows]
    return {"rows": rows, "total": found.total, "page": page, "has_next": found.has_next,
            "pages": max(1, (found.total + PER_PAGE - 1) // PER_PAGE)}


@router.get("/cases")
async def cases_page(request: Request, q: str | None = Query(None, max_length=100),
                     status: str | None = None, page: int = Query(1, ge=1, le=LARGEST),
                     who: Principal = Depends(Need(P.CASES_READ)),
                     svc: Services = Depends(services)) -> Response:
    data = await run_in_threadpool(_search, svc, who, q, status, page)
    return render(request, who, "cases.html", section="cases", title="cases.title", q=q or "",
                  status_filter=status or "", **data)


@router.get("/cases/{case_id}")
async def case_page(case_id: str, request: Request, notice: str | None = None,
                    who: Principal = Depends(Need(P.CASES_READ)),
                    svc: Services = Depends(services)) -> Response:
    data = await run_in_threadpool(case_context, svc, who, case_id)
    data.update(await run_in_threadpool(case_work, svc, who, case_id))  # case_work.py
    return render(request, who, "case.html", section="cases", title="case.title",
                  notice=notice_key(notice), **data)


@router.get("/cases/{case_id}/print")
async def case_print(case_id: str, request: Request,
                     who: Principal = Depends(Need(P.CASES_READ)),
                     svc: Services = Depends(services)) -> Response:
    data = await run_in_threadpool(case_context, svc, who, case_id)
    return render(request, who, "print.html", title="print.title", **data)


@router.post("/cases/{case_id}/cancel")
async def cancel(case_id: str, request: Request, who: Principal = Depends(Need(P.CASES_CANCEL)),
                 svc: Services = Depends(services)) -> Response:
    data = await form_data(request)

    def run() -> str:
        with svc.db() as db:
            row = access.visible_case(db, who, case_id)
            access.require_cancel(who, row)
        reason = str(data.get("reason") or "").strip()[:500] or None
        svc.engine.cancel(row["id"], user=who.user, reason=reason)
        return str(row["id"])

    full = await run_in_threadpool(run)
    return see_other(f"/cases/{full}?notice=cancelled")
