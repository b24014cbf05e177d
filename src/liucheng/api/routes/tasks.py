"""Tasks: the inbox tabs with counts, one task with its form, claim, unclaim, complete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from liucheng.api import schemas
from liucheng.api.checklist import checklist_problems
from liucheng.api.exact import ExactRoute
from liucheng.api.forms import clean, message
from liucheng.api.routes.cases import lang_of
from liucheng.api.schemas import LARGEST
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.api.views import case_public, compiled, task_public, task_summary
from liucheng.errors import Problem, ValidationError
from liucheng.model import UserTask
from liucheng.org import access, inbox
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/api/v1", tags=["tasks"], route_class=ExactRoute)


@router.get("/tasks", response_model=schemas.TaskPage)
def list_tasks(tab: str = Query("mine", pattern="^(mine|pool|done|overdue)$"),
               q: str | None = Query(None, max_length=100), limit: int = Query(20, ge=1, le=200),
               offset: int = Query(0, ge=0, le=LARGEST),
               who: Principal = Depends(Need(P.TASKS_READ)),
               svc: Services = Depends(services)) -> dict[str, Any]:
    """An inbox tab: mine (assigned to me), pool (offered to me or my roles), done, overdue."""
    with svc.db() as db:
        page = inbox.inbox(db, who, tab, now=svc.now(), q=q, limit=limit, offset=offset)
    return {"items": [task_summary(r) for r in page.rows], "total": page.total,
            "limit": limit, "offset": offset}


@router.get("/inbox/counts", response_model=schemas.Counts)
def counts(who: Principal = Depends(Need(P.TASKS_READ)),
           svc: Services = Depends(services)) -> dict[str, int]:
    with svc.db() as db:
        return inbox.counts(db, who, now=svc.now())


@router.get("/tasks/{task_id}", response_model=schemas.TaskPublic)
def read(task_id: str, who: Principal = Depends(Need(P.TASKS_READ)),
         svc: Services = Depends(services)) -> dict[str, Any]:
    """A task with its instructions, form, outcomes and the actions open to you now."""
    with svc.db() as db:
        return task_public(svc, db, who, access.visible_task(db, who, task_id))


def checked_task(svc: Services, who: Principal, task_id: str, action: str) -> dict[str, Any]:
    with svc.db() as db:
        row = access.visible_task(db, who, task_id)
        access.require_action(db, who, row, action)
        return row


def claim_task(svc: Services, who: Principal, task_id: str) -> str:
    row = checked_task(svc, who, task_id, "claim")
    svc.engine.claim(row["id"], user=who.user)
    return str(row["id"])


def unclaim_task(svc: Services, who: Principal, task_id: str) -> str:
    row = checked_task(svc, who, task_id, "unclaim")
    svc.engine.unclaim(row["id"], user=who.user)
    return str(row["id"])


def complete_task(svc: Services, who: Principal, task_id: str, raw: dict[str, Any], *,
                  outcome: str | None, comment: str | None, lang: str,
                  from_form: bool = False) -> str:
    """Check the step's form values, then complete; returns the case id."""
    row = checked_task(svc, who, task_id, "complete")
    with svc.db() as db:
        case = Repository(db.conn).instance(row["instance_id"])
        definition = compiled(svc, db, case["definition_id"])
    element = definition.element(row["element"])
    fields = element.form if isinstance(element, UserTask) else ()
    documents = raw.get("documents")  # the checklist: {item: {checked, files}}
    values, problems = clean(fields, {k: v for k, v in raw.items() if k != "documents"},
                             lang=lang, today=svc.now().date(),
                             known=case["state"].get("variables", {}),
                             booleans_absent_false=from_form)
    outcomes = element.outcomes if isinstance(element, UserTask) else ()
    if outcomes and outcome not in outcomes:
        problems.append(Problem(message("outcome", lang, choices=", ".join(outcomes)),
                                field="outcome"))
    problems += checklist_problems(svc, who, row, documents, values, outcome,
                                   dry_run=bool(problems))
    if problems:
        raise ValidationError(problems, task=row["id"])
    if documents is not None:
        values["documents"] = documents
    svc.engine.complete(row["id"], values, user=who.user, outcome=outcome or None,
                        comment=(comment or "").strip() or None)
    return str(row["instance_id"])


@router.post("/tasks/{task_id}/claim", response_model=schemas.TaskPublic)
def claim(task_id: str, who: Principal = Depends(Need(P.TASKS_ACT)),
          svc: Services = Depends(services)) -> dict[str, Any]:
    """Take a task from the group pool: it becomes yours alone."""
    full = claim_task(svc, who, task_id)
    with svc.db() as db:
        return task_public(svc, db, who, access.visible_task(db, who, full))


@router.post("/tasks/{task_id}/unclaim", response_model=schemas.TaskPublic)
def unclaim(task_id: str, who: Principal = Depends(Need(P.TASKS_ACT)),
            svc: Services = Depends(services)) -> dict[str, Any]:
    """Give a claimed task back to the group pool."""
    full = unclaim_task(svc, who, task_id)
    with svc.db() as db:
        return task_public(svc, db, who, access.visible_task(db, who, full))


@router.post("/tasks/{task_id}/complete", response_model=schemas.CasePublic)
def complete(task_id: str, body: schemas.Completion, request: Request,
             who: Principal = Depends(Need(P.TASKS_ACT)),
             svc: Services = Depends(services)) -> dict[str, Any]:
    """Complete a task with its form values and an outcome; returns the case afterwards."""
    case_id = complete_task(svc, who, task_id, body.variables, outcome=body.outcome,
                            comment=body.comment, lang=lang_of(request))
    with svc.db() as db:
        return case_public(svc, db, who, Repository(db.conn).instance(case_id))


