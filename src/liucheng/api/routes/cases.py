"""Cases: start, search, read, cancel, history and the diagram with progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from liucheng.api import schemas
from liucheng.api.exact import ExactRoute
from liucheng.api.forms import clean
from liucheng.api.schemas import LARGEST
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.api.views import case_public, diagram, first_step, history_public
from liucheng.errors import ValidationError
from liucheng.org import access, inbox
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/api/v1/cases", tags=["cases"], route_class=ExactRoute)


def lang_of(request: Request) -> str:
    """Messages in English unless the client asks for Chinese first."""
    first = request.headers.get("accept-language", "en").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def start_case(svc: Services, who: Principal, process: str, raw: dict[str, Any], *,
               lang: str, version: int | None = None, business_key: str | None = None,
               from_form: bool = False) -> dict[str, Any]:
    """Start a case with values of the start form (the first step's fields) only.

    From the API only the given values are checked; from the start page (`from_form`)
    every required field must be filled, since the page completes the step when it is
    the starter's.
    """
    definition = svc.engine.process(process, version)
    step = first_step(definition)
    values, problems = clean(step.form if step else (), raw, lang=lang,
                             today=svc.now().date(), booleans_absent_false=from_form,
                             require=from_form)
    if problems:
        raise ValidationError(problems, process=process)
    view = svc.engine.start(process, values, user=who.user, business_key=business_key or None,
                            version=version)
    with svc.db() as db:
        return case_public(svc, db, who, Repository(db.conn).instance(view.id))


@router.post("", response_model=schemas.CasePublic, status_code=201)
def start(body: schemas.CaseStart, request: Request,
          who: Principal = Depends(Need(P.CASES_START)),
          svc: Services = Depends(services)) -> dict[str, Any]:
    """Start a case. `variables` may hold the fields of the process's first step."""
    return start_case(svc, who, body.process, body.variables, lang=lang_of(request),
                      version=body.version, business_key=body.business_key)


@router.get("", response_model=schemas.CasePage)
def search(q: str | None = Query(None, max_length=100), status: str | None = None,
           process: str | None = None, limit: int = Query(50, ge=1, le=200),
           offset: int = Query(0, ge=0, le=LARGEST), who: Principal = Depends(Need(P.CASES_READ)),
           svc: Services = Depends(services)) -> dict[str, Any]:
    """Cases your organisation takes part in (all cases for administrators)."""
    with svc.db() as db:
        page = inbox.search_cases(db, who, q=q, status=status, process=process, limit=limit,
                                  offset=offset)
    items = [{**r, "process": r["definition_key"], "definition": r["definition_id"]}
             for r in page.rows]
    return {"items": items, "total": page.total, "limit": limit, "offset": offset}


@router.get("/{case_id}", response_model=schemas.CasePublic)
def read(case_id: str, who: Principal = Depends(Need(P.CASES_READ)),
         svc: Services = Depends(services)) -> dict[str, Any]:
    with svc.db() as db:
        return case_public(svc, db, who, access.visible_case(db, who, case_id))


@router.post("/{case_id}/cancel", response_model=schemas.CasePublic)
def cancel(case_id: str, body: schemas.CaseCancel,
           who: Principal = Depends(Need(P.CASES_CANCEL)),
           svc: Services = Depends(services)) -> dict[str, Any]:
    """Cancel a running case: its starter or an administrator."""
    with svc.db() as db:
        row = access.visible_case(db, who, case_id)
        access.require_cancel(who, row)
    svc.engine.cancel(row["id"], user=who.user, reason=body.reason)
    with svc.db() as db:
        return case_public(svc, db, who, Repository(db.conn).instance(row["id"]))


@router.get("/{case_id}/history", response_model=list[schemas.HistoryPublic])
def history(case_id: str, who: Principal = Depends(Need(P.CASES_READ)),
            svc: Services = Depends(services)) -> list[dict[str, Any]]:
    """The audit trail: every event of the case in order, sensitive values masked."""
    with svc.db() as db:
        return history_public(svc, db, who, access.visible_case(db, who, case_id))


@router.get("/{case_id}/diagram", response_model=schemas.Diagram,
            responses={501: {"description": "BPMN export is not available"}})
def case_diagram(case_id: str, who: Principal = Depends(Need(P.CASES_READ)),
                 svc: Services = Depends(services)) -> dict[str, Any]:
    """BPMN XML of the case's process version, with the steps done and waiting."""
    with svc.db() as db:
        return diagram(svc, db, access.visible_case(db, who, case_id))

