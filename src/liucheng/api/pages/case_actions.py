"""The forms for actions on a whole case, from the case page or the task page: carbon copy,
comment, request a supplement and mark it received, upload a file, withdraw.

Each calls the same function as its REST route. Withdrawing asks for confirmation first. A
form sent from the task page carries `task` and is shown again there when refused;
otherwise the case page is shown again, with the form open and the error at its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages.acting import confirm_page, confirmed, problem_texts, with_notice
from liucheng.api.pages.case_work import case_work
from liucheng.api.pages.casedata import case_context
from liucheng.api.pages.common import form_data, render, see_other, text_lang
from liucheng.api.pages.labels import Labels
from liucheng.api.pages.task_actions import task_page
from liucheng.api.problems import status_for
from liucheng.api.routes import case_actions as do
from liucheng.api.routes.files import no_file, read_upload, store
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import ConflictError, ForbiddenError, StateError, ValidationError
from liucheng.org import access
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal

router = APIRouter(include_in_schema=False)
Form = dict[str, Any]


def case_page(request: Request, who: Principal, svc: Services, case_id: str, *,
              action: str | None = None, errors: dict[str, str] | None = None,
              posted: Form | None = None, status: int = 200) -> Response:
    """The case page with one form open again (after a refusal)."""
    data = case_context(svc, who, case_id)
    data.update(case_work(svc, who, case_id, action=action, errors=errors, posted=posted))
    return render(request, who, "case.html", status=status, section="cases",
                  title="case.title", **data)


def _full(svc: Services, who: Principal, case_id: str) -> str:
    with svc.db() as db:
        return str(access.visible_case(db, who, case_id)["id"])


async def act(request: Request, who: Principal, svc: Services, case_id: str, action: str,
              run: Callable[[Form], str], ask: Callable[[Form], Response] | None = None,
              data: Form | None = None) -> Response:
    """Run a case action from its form and go back with a notice, or show the form again."""
    data = data if data is not None else await form_data(request)
    data.pop("csrf_token", None)
    if ask is not None and not confirmed(data):
        return await run_in_threadpool(ask, data)
    try:
        notice = await run_in_threadpool(run, data)
    except ValidationError as exc:
        errors, status = problem_texts(exc, text_lang(request, who)), 422
    except (ForbiddenError, ConflictError, StateError) as exc:
        errors, status = {"_": exc.text(text_lang(request, who))}, status_for(exc)[0]
    else:
        full = await run_in_threadpool(_full, svc, who, case_id)
        return see_other(with_notice(str(data.get("next") or ""), notice, f"/cases/{full}"))
    task = str(data.get("task") or "")
    if task:
        return await run_in_threadpool(lambda: task_page(
            request, who, svc, task, action=action, errors=errors, posted=data, status=status))
    return await run_in_threadpool(lambda: case_page(
        request, who, svc, case_id, action=action, errors=errors, posted=data, status=status))


def _users(data: Form) -> list[str]:
    users = data.get("users") or []
    return [str(u) for u in (users if isinstance(users, list) else [users])]


def _text(data: Form, name: str, limit: int = 2000) -> str | None:
    return str(data.get(name) or "")[:limit] or None


@router.post("/cases/{case_id}/withdraw")
async def withdraw(case_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                   svc: Services = Depends(services)) -> Response:
    def ask(data: Form) -> Response:
        step = str(data.get("step") or "")
        with svc.db() as db:
            case = access.visible_case(db, who, case_id)
            name = Labels(svc, db).step(case["definition_id"], step) if step else None
        question = "act.confirm_withdraw_step" if step else "act.confirm_withdraw_case"
        return confirm_page(request, who, action=f"/cases/{case['id']}/withdraw",
                            title="act.withdraw", question=question, params={"step": name},
                            fields={"step": step, "comment": _text(data, "comment")},
                            back=f"/cases/{case['id']}", button="act.do_withdraw")

    def run(data: Form) -> str:
        do.withdraw(svc, who, case_id, _text(data, "step", 120), _text(data, "comment"))
        return "withdrawn"

    return await act(request, who, svc, case_id, "withdraw", run, ask)


@router.post("/cases/{case_id}/cc")
async def carbon_copy(case_id: str, request: Request,
                      who: Principal = Depends(Need(P.TASKS_ACT)),
                      svc: Services = Depends(services)) -> Response:
    def run(data: Form) -> str:
        do.carbon_copy(svc, who, case_id, _users(data), _text(data, "task", 64),
                       _text(data, "comment"))
        return "copied"

    return await act(request, who, svc, case_id, "cc", run)


@router.post("/cases/{case_id}/comments")
async def comment(case_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                  svc: Services = Depends(services)) -> Response:
    def run(data: Form) -> str:
        do.add_comment(svc, who, case_id, _text(data, "text", 4000), _text(data, "task", 64))
        return "commented"

    return await act(request, who, svc, case_id, "comment", run)


@router.post("/cases/{case_id}/supplements")
async def supplement(case_id: str, request: Request,
                     who: Principal = Depends(Need(P.TASKS_ACT)),
                     svc: Services = Depends(services)) -> Response:
    def run(data: Form) -> str:
        do.request_supplement(svc, who, case_id, _text(data, "item", 200),
                              _text(data, "note", 500), _text(data, "task", 64))
        return "supplement_requested"

    return await act(request, who, svc, case_id, "supplement", run)


@router.post("/cases/{case_id}/supplements/{supplement_id}/received")
async def received(case_id: str, supplement_id: str, request: Request,
                   who: Principal = Depends(Need(P.TASKS_ACT)),
                   svc: Services = Depends(services)) -> Response:
    def run(data: Form) -> str:
        do.receive_supplement(svc, who, case_id, supplement_id, [], _text(data, "note", 500))
        return "supplement_received"

    return await act(request, who, svc, case_id, "received", run)


@router.post("/cases/{case_id}/files")
async def upload(case_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                 svc: Services = Depends(services)) -> Response:
    """Upload a file from the case page (a plain multipart form)."""
    full = await run_in_threadpool(_full, svc, who, case_id)
    data = await form_data(request)
    found = await read_upload((await request.form()).get("file"), svc.engine.files.max_size)

    def run(data: Form) -> str:
        if found is None:
            raise no_file()
        store(svc, who, full, *found)
        return "uploaded"

    return await act(request, who, svc, full, "upload", run, data=data)
