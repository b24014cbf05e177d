"""Administration pages: overview chart, users, roles and permissions, organisations and
departments, incidents with retry."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages.cases import field_errors
from liucheng.api.pages.common import form_data, render, see_other
from liucheng.api.pages.labels import Labels
from liucheng.api.routes.admin import (
    retry_incident,
    roles_public,
    set_role_permissions,
    visible_incidents,
)
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import LiuchengError, ValidationError
from liucheng.org import accounts
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.org.visibility import visible_cases

router = APIRouter(prefix="/admin", include_in_schema=False)


def _overview(svc: Services, who: Principal) -> dict[str, Any]:
    with svc.db() as db:
        t = db.t
        by_status: dict[Any, Any] = dict(db.conn.execute(
            sa.select(t.instances.c.status, sa.func.count()).where(visible_cases(t, who))
            .group_by(t.instances.c.status)).all())
        waiting = db.conn.execute(
            sa.select(t.tasks.c.definition_key, t.tasks.c.element,
                      sa.func.max(t.instances.c.definition_id), sa.func.count())
            .join(t.instances, t.instances.c.id == t.tasks.c.instance_id)
            .where(t.tasks.c.status == "open", visible_cases(t, who))
            .group_by(t.tasks.c.definition_key, t.tasks.c.element)
            .order_by(sa.func.count().desc()).limit(12)).all()
        labels = Labels(svc, db)
        rows = [{"step": labels.step(str(definition), str(element)),
                 "process": labels.process(str(definition)), "count": int(n)}
                for _key, element, definition, n in waiting]
        incidents = len(visible_incidents(db, who))
    return {"by_status": {str(k): int(v) for k, v in by_status.items()},
            "waiting": rows, "incidents": incidents}


@router.get("")
async def overview(request: Request, who: Principal = Depends(Need(P.INCIDENTS_READ)),
                   svc: Services = Depends(services)) -> Response:
    data = await run_in_threadpool(_overview, svc, who)
    return render(request, who, "admin_index.html", section="admin", title="admin.title",
                  **data)


def _users(svc: Services) -> dict[str, Any]:
    with svc.db() as db:
        return {"people": accounts.people(db), "organisations": accounts.organisations_list(db),
                "departments": accounts.departments_list(db),
                "roles": [r["id"] for r in roles_public(db)]}


def _users_page(request: Request, who: Principal, svc: Services, *, errors: dict[str, str]
                | None = None, values: dict[str, Any] | None = None, status: int = 200,
                notice: str | None = None) -> Response:
    return render(request, who, "admin_users.html", status=status, section="admin",
                  title="admin.users", errors=errors or {}, values=values or {},
                  notice=notice, **_users(svc))


@router.get("/users")
async def users(request: Request, notice: str | None = None,
                who: Principal = Depends(Need(P.USERS_READ)),
                svc: Services = Depends(services)) -> Response:
    key = "notice.saved" if notice == "saved" else None
    return await run_in_threadpool(lambda: _users_page(request, who, svc, notice=key))


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


@router.post("/users")
async def save_user(request: Request, who: Principal = Depends(Need(P.USERS_ADMIN)),
                    svc: Services = Depends(services)) -> Response:
    """Create a person, or change one (roles are replaced; an empty password keeps it)."""
    data = await form_data(request)

    def run() -> None:
        with svc.db() as db:
            accounts.save_user(
                db, str(data.get("id") or "").strip(), now=svc.now(),
                name=str(data.get("name") or "").strip() or None,
                roles=_as_list(data.get("roles")), replace_roles=True,
                admin=data.get("admin") == "on",
                active=data.get("active") == "on" if "has_active" in data else None,
                organisation=str(data.get("organisation") or "") or None,
                department=str(data.get("department") or ""),
                password=str(data.get("password") or "") or None)

    try:
        await run_in_threadpool(run)
    except ValidationError as exc:
        errors = field_errors(exc)
        return await run_in_threadpool(lambda: _users_page(
            request, who, svc, errors=errors, values=data, status=422))
    return see_other("/admin/users?notice=saved")


@router.get("/roles")
async def roles(request: Request, who: Principal = Depends(Need(P.USERS_READ)),
                svc: Services = Depends(services)) -> Response:
    def load() -> dict[str, Any]:
        with svc.db() as db:
            labels = Labels(svc, db)
            return {"roles": [{**r, "label": labels.role(r["id"])} for r in roles_public(db)]}

    data = await run_in_threadpool(load)
    return render(request, who, "admin_roles.html", section="admin", title="admin.roles",
                  grantable=sorted(P.GRANTABLE - P.STAFF), catalogue=P.CATALOGUE,
                  staff=sorted(P.STAFF), **data)


@router.post("/roles/{role_id}")
async def save_role(role_id: str, request: Request, who: Principal = Depends(Need(P.USERS_ADMIN)),
                    svc: Services = Depends(services)) -> Response:
    data = await form_data(request)

    def run() -> None:
        with svc.db() as db:
            set_role_permissions(db, role_id, _as_list(data.get("permissions")))

    await run_in_threadpool(run)
    return see_other("/admin/roles")


@router.get("/organisations")
async def organisations(request: Request, who: Principal = Depends(Need(P.USERS_READ)),
                        svc: Services = Depends(services)) -> Response:
    data = await run_in_threadpool(_users, svc)
    return render(request, who, "admin_orgs.html", section="admin", title="admin.orgs",
                  error=None, **data)


@router.post("/organisations")
async def save_organisation(request: Request, who: Principal = Depends(Need(P.USERS_ADMIN)),
                            svc: Services = Depends(services)) -> Response:
    data = {k: str(v).strip() for k, v in (await form_data(request)).items()}

    def run() -> None:
        with svc.db() as db:
            if data.get("organisation"):
                accounts.add_department(db, data.get("id", ""), data["organisation"],
                                        data.get("name", ""), data.get("name_en", ""),
                                        data.get("parent") or None)
            else:
                accounts.add_organisation(db, data.get("id", ""), data.get("name", ""),
                                          data.get("name_en", ""), now=svc.now())

    try:
        await run_in_threadpool(run)
    except LiuchengError as exc:
        extra = await run_in_threadpool(_users, svc)
        return render(request, who, "admin_orgs.html", status=422, section="admin",
                      title="admin.orgs", error=exc.message, **extra)
    return see_other("/admin/organisations")


@router.get("/incidents")
async def incidents(request: Request, who: Principal = Depends(Need(P.INCIDENTS_READ)),
                    svc: Services = Depends(services)) -> Response:
    def load() -> list[dict[str, Any]]:
        with svc.db() as db:
            labels = Labels(svc, db)
            out = []
            for row in visible_incidents(db, who):
                case = db.one(sa.select(db.t.instances).where(
                    db.t.instances.c.id == row["instance_id"]))
                assert case is not None
                out.append({**row, "title": labels.case_title(case),
                            "step": labels.step(case["definition_id"], row["element"])})
            return out

    rows = await run_in_threadpool(load)
    return render(request, who, "admin_incidents.html", section="admin",
                  title="admin.incidents", rows=rows)


@router.post("/incidents/{incident_id}/retry")
async def retry(incident_id: str, who: Principal = Depends(Need(P.INCIDENTS_RETRY)),
                svc: Services = Depends(services)) -> Response:
    case_id = await run_in_threadpool(retry_incident, svc, who, incident_id)
    return see_other(f"/cases/{case_id}")
