"""The task page's action forms: return, transfer, delegate, add and remove signers, urge.

Each posts to a page route here, which calls the same function as the REST route. Return,
transfer, delegate and removing a signer first show a confirmation page (see
`pages.acting`). A refused action shows the task page again with the action's form open
and the error at its field (or at the top of the form when it is not about a field).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages import tasks as task_pages
from liucheng.api.pages.acting import confirm_page, confirmed, problem_texts, with_notice
from liucheng.api.pages.common import form_data, render, see_other, text_lang
from liucheng.api.pages.labels import Labels
from liucheng.api.pages.task_work import task_work
from liucheng.api.problems import status_for
from liucheng.api.routes import actions
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import ConflictError, ForbiddenError, StateError, ValidationError
from liucheng.org import access
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal

router = APIRouter(include_in_schema=False)
Form = dict[str, Any]
DONE = {"transfer": "transferred", "delegate": "delegated"}


def task_page(request: Request, who: Principal, svc: Services, task_id: str, *,
              action: str | None = None, errors: dict[str, str] | None = None,
              posted: Form | None = None, status: int = 200) -> Response:
    """The task page with one action's form open again (after a refusal)."""
    data = task_pages.task_data(svc, who, task_id, posted, action=action, errors=errors)
    return render(request, who, "task.html", status=status, section="inbox",
                  title="task.title", errors={}, comment="", **data)


async def act(request: Request, who: Principal, svc: Services, task_id: str, action: str,
              run: Callable[[Form], str],
              ask: Callable[[Form], Response] | None = None) -> Response:
    """Run an action from its form: confirm first (`ask`), then go to `run`'s URL."""
    data = await form_data(request)
    data.pop("csrf_token", None)
    if ask is not None and not confirmed(data):
        return await run_in_threadpool(ask, data)
    try:
        target = await run_in_threadpool(run, data)
    except ValidationError as exc:
        errors, status = problem_texts(exc, text_lang(request, who)), 422
    except (ForbiddenError, ConflictError, StateError) as exc:
        errors, status = {"_": exc.text(text_lang(request, who))}, status_for(exc)[0]
    else:
        return see_other(target)
    return await run_in_threadpool(lambda: task_page(request, who, svc, task_id, action=action,
                                                     errors=errors, posted=data, status=status))


def _names(svc: Services) -> Labels:
    with svc.db() as db:
        labels = Labels(svc, db)
        labels.person(None)  # loads the names inside the transaction
        return labels


def _back(task_id: str) -> str:
    return f"/tasks/{task_id}"


def _comment(data: Form) -> str | None:
    return str(data.get("comment") or "")[:2000] or None


@router.post("/tasks/{task_id}/return")
async def return_(task_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                  svc: Services = Depends(services)) -> Response:
    def ask(data: Form) -> Response:
        with svc.db() as db:
            work = task_work(svc, db, Labels(svc, db), who, task_id)["work"]
        to = str(data.get("to") or "previous")
        step = next((label for _, value, label, _ in work["return_to"] if value == to), to)
        return confirm_page(request, who, action=f"/tasks/{task_id}/return",
                            title="act.return", question="act.confirm_return",
                            params={"step": step}, fields={"to": to,
                                                           "comment": _comment(data)},
                            back=_back(task_id), button="act.do_return")

    def run(data: Form) -> str:
        case = actions.return_task(svc, who, task_id, str(data.get("to") or "previous"),
                                   _comment(data))
        return f"/cases/{case}?notice=returned"

    return await act(request, who, svc, task_id, "return", run, ask)


def _hand_over(kind: str, svc: Services, who: Principal, task_id: str,
               request: Request) -> tuple[Callable[[Form], Response], Callable[[Form], str]]:
    def ask(data: Form) -> Response:
        to = str(data.get("to") or "")
        return confirm_page(request, who, action=f"/tasks/{task_id}/{kind}",
                            title=f"act.{kind}", question=f"act.confirm_{kind}",
                            params={"who": _names(svc).person(to) or to},
                            fields={"to": to, "comment": _comment(data)},
                            back=_back(task_id), button=f"act.do_{kind}")

    def run(data: Form) -> str:
        do = actions.transfer_task if kind == "transfer" else actions.delegate_task
        case = do(svc, who, task_id, str(data.get("to") or ""), _comment(data))
        return f"/cases/{case}?notice={DONE[kind]}"

    return ask, run


@router.post("/tasks/{task_id}/transfer")
async def transfer(task_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                   svc: Services = Depends(services)) -> Response:
    ask, run = _hand_over("transfer", svc, who, task_id, request)
    return await act(request, who, svc, task_id, "transfer", run, ask)


@router.post("/tasks/{task_id}/delegate")
async def delegate(task_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                   svc: Services = Depends(services)) -> Response:
    ask, run = _hand_over("delegate", svc, who, task_id, request)
    return await act(request, who, svc, task_id, "delegate", run, ask)


@router.post("/tasks/{task_id}/signers")
async def signers(task_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                  svc: Services = Depends(services)) -> Response:
    def run(data: Form) -> str:
        users = data.get("users") or []
        position = str(data.get("position") or "alongside")
        if position not in ("before", "after", "alongside"):
            position = "alongside"
        actions.add_signers(svc, who, task_id, users if isinstance(users, list) else [users],
                            position, _comment(data))
        return with_notice(_back(task_id), "signers_added", _back(task_id))

    return await act(request, who, svc, task_id, "add_signers", run)


@router.post("/tasks/{task_id}/signers/{user_id}/remove")
async def unsign(task_id: str, user_id: str, request: Request,
                 who: Principal = Depends(Need(P.TASKS_ACT)),
                 svc: Services = Depends(services)) -> Response:
    def ask(data: Form) -> Response:
        return confirm_page(request, who, action=f"/tasks/{task_id}/signers/{user_id}/remove",
                            title="act.remove_signer", question="act.confirm_remove_signer",
                            params={"who": _names(svc).person(user_id) or user_id},
                            fields={}, back=_back(task_id), button="act.do_remove_signer")

    def run(data: Form) -> str:
        actions.remove_signer(svc, who, task_id, user_id)
        return with_notice(_back(task_id), "signer_removed", _back(task_id))

    return await act(request, who, svc, task_id, "remove_signer", run, ask)


@router.post("/tasks/{task_id}/urge")
async def urge(task_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
               svc: Services = Depends(services)) -> Response:
    def run(data: Form) -> str:
        actions.urge_task(svc, who, task_id, _comment(data))
        with svc.db() as db:
            full = access.visible_task(db, who, task_id)["id"]
        return with_notice(_back(full), "urged", _back(full))

    return await act(request, who, svc, task_id, "urge", run)
