"""Administration: incidents and retry; users, roles and their permissions; organisations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends

from liucheng.api import schemas
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import NotFoundError
from liucheng.org import access, accounts
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db
from liucheng.org.visibility import visible_cases
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/api/v1", tags=["administration"])


def visible_incidents(db: Db, who: Principal) -> list[dict[str, Any]]:
    """Open incidents on the cases this person may see, oldest first."""
    case = db.t.instances
    visible = set(db.conn.execute(sa.select(case.c.id).where(
        case.c.status == "active", visible_cases(db.t, who))).scalars())
    return [r for r in Repository(db.conn).open_incidents() if r["instance_id"] in visible]


def retry_incident(svc: Services, who: Principal, incident_id: str) -> str:
    with svc.db() as db:
        row = Repository(db.conn).incident(incident_id)
        access.visible_case(db, who, row["instance_id"])
    svc.engine.retry(incident_id, user=who.user)
    return str(row["instance_id"])


@router.get("/incidents", response_model=list[schemas.IncidentPublic])
def incidents(who: Principal = Depends(Need(P.INCIDENTS_READ)),
              svc: Services = Depends(services)) -> list[dict[str, Any]]:
    """Cases stuck on an error, waiting for a fix and a retry."""
    with svc.db() as db:
        return visible_incidents(db, who)


@router.post("/incidents/{incident_id}/retry", response_model=schemas.CaseSummary)
def retry(incident_id: str, who: Principal = Depends(Need(P.INCIDENTS_RETRY)),
          svc: Services = Depends(services)) -> dict[str, Any]:
    """Run the failed step again (after its cause was fixed)."""
    view = svc.engine.case(retry_incident(svc, who, incident_id))
    return view.to_dict()


@router.get("/users", response_model=list[schemas.UserPublic])
def users(who: Principal = Depends(Need(P.USERS_READ)),
          svc: Services = Depends(services)) -> list[dict[str, Any]]:
    with svc.db() as db:
        return accounts.people(db)


def _person(db: Db, user_id: str) -> dict[str, Any]:
    for row in accounts.people(db):
        if row["id"] == user_id:
            return row
    raise NotFoundError(f"no user '{user_id}'")


@router.post("/users", response_model=schemas.UserPublic, status_code=201)
def create_user(body: schemas.UserIn, who: Principal = Depends(Need(P.USERS_ADMIN)),
                svc: Services = Depends(services)) -> dict[str, Any]:
    """Add a person (or update one) with password, roles, organisation and department."""
    with svc.db() as db:
        accounts.save_user(db, body.id, now=svc.now(), name=body.name, roles=body.roles,
                           admin=body.admin, organisation=body.organisation,
                           department=body.department, password=body.password)
        return _person(db, body.id)


@router.get("/users/{user_id}", response_model=schemas.UserPublic)
def read_user(user_id: str, who: Principal = Depends(Need(P.USERS_READ)),
              svc: Services = Depends(services)) -> dict[str, Any]:
    with svc.db() as db:
        return _person(db, user_id)


@router.patch("/users/{user_id}", response_model=schemas.UserPublic)
def update_user(user_id: str, body: schemas.UserPatch,
                who: Principal = Depends(Need(P.USERS_ADMIN)),
                svc: Services = Depends(services)) -> dict[str, Any]:
    """Change a person; `roles` replaces their roles; a new password signs them out."""
    with svc.db() as db:
        accounts.require_user(db, user_id)
        accounts.save_user(db, user_id, now=svc.now(), name=body.name, roles=body.roles,
                           replace_roles=body.roles is not None, admin=body.admin,
                           active=body.active, organisation=body.organisation,
                           department=body.department, password=body.password)
        return _person(db, user_id)


def roles_public(db: Db) -> list[dict[str, Any]]:
    repo = Repository(db.conn)
    grants = P.role_grants(db)
    return [{**r, "members": repo.role_members(r["id"]), "permissions": grants.get(r["id"], [])}
            for r in repo.roles()]


@router.get("/roles", response_model=list[schemas.RolePublic])
def roles(who: Principal = Depends(Need(P.USERS_READ)),
          svc: Services = Depends(services)) -> list[dict[str, Any]]:
    with svc.db() as db:
        return roles_public(db)


def set_role_permissions(db: Db, role_id: str, wanted: list[str]) -> None:
    if not any(r["id"] == role_id for r in Repository(db.conn).roles()):
        raise NotFoundError(f"no role '{role_id}'")
    current = set(P.role_grants(db).get(role_id, []))
    for permission in sorted(set(wanted) - current):
        P.grant(db, role_id, permission)
    for permission in sorted(current - set(wanted)):
        P.revoke(db, role_id, permission)


@router.put("/roles/{role_id}/permissions", response_model=schemas.RolePublic)
def put_role_permissions(role_id: str, body: schemas.RolePermissions,
                         who: Principal = Depends(Need(P.USERS_ADMIN)),
                         svc: Services = Depends(services)) -> dict[str, Any]:
    """Grant a role exactly these permissions beyond what all staff have."""
    with svc.db() as db:
        set_role_permissions(db, role_id, body.permissions)
        return next(r for r in roles_public(db) if r["id"] == role_id)


@router.get("/organisations", response_model=list[schemas.OrganisationPublic])
def organisations(who: Principal = Depends(Need(P.USERS_READ)),
                  svc: Services = Depends(services)) -> list[dict[str, Any]]:
    with svc.db() as db:
        depts = accounts.departments_list(db)
        return [{**o, "departments": [d for d in depts if d["organisation_id"] == o["id"]]}
                for o in accounts.organisations_list(db)]


@router.post("/organisations", status_code=201, response_model=schemas.OrganisationPublic)
def add_organisation(body: schemas.OrganisationIn, who: Principal = Depends(Need(P.USERS_ADMIN)),
                     svc: Services = Depends(services)) -> dict[str, Any]:
    with svc.db() as db:
        accounts.add_organisation(db, body.id, body.name, body.name_en, now=svc.now())
        row = next(o for o in accounts.organisations_list(db) if o["id"] == body.id)
        return {**row, "departments": accounts.departments_list(db, body.id)}


@router.post("/organisations/{org_id}/departments", status_code=201,
             response_model=schemas.OrganisationPublic)
def add_department(org_id: str, body: schemas.DepartmentIn,
                   who: Principal = Depends(Need(P.USERS_ADMIN)),
                   svc: Services = Depends(services)) -> dict[str, Any]:
    with svc.db() as db:
        accounts.add_department(db, body.id, org_id, body.name, body.name_en, body.parent)
        row = next(o for o in accounts.organisations_list(db) if o["id"] == org_id)
        return {**row, "departments": accounts.departments_list(db, org_id)}
