"""Process definitions: validate, deploy, list, versions, source and BPMN diagram."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from liucheng.api import schemas
from liucheng.api.schemas import LARGEST
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.api.views import bpmn_exporter, bpmn_xml, compiled, process_public, texts
from liucheng.errors import NotFoundError
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.runtime import Engine
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/api/v1/definitions", tags=["definitions"])


def _row(svc: Services, key: str, version: int | None) -> dict[str, Any]:
    with svc.engine.transaction() as repo:
        row = (repo.latest_definition(key) if version is None
               else repo.definition_version(key, version))
    if row is None:
        raise NotFoundError(f"no process '{key}'" + (f" version {version}" if version else ""),
                            hint="list the deployed processes at /api/v1/definitions")
    return row


@router.post("/validate", response_model=schemas.Validated)
def validate(body: schemas.DefinitionSource,
             who: Principal = Depends(Need(P.DEFINITIONS_READ))) -> dict[str, Any]:
    """Check a process source without deploying it; problems come back as 422."""
    definition = Engine.validate(body.source, format=body.format, source_name=body.source_name)
    return {"valid": True, "key": definition.key, "name": texts(definition.name),
            "elements": sum(1 for _ in definition.walk())}


@router.post("/draft", response_model=schemas.Drafted)
def draft(body: schemas.DefinitionSource,
          who: Principal = Depends(Need(P.DEFINITIONS_READ))) -> dict[str, Any]:
    """Import a BPMN drawing as a draft: its findings and its BPMN (docs/bpmn.md, Drafts);
    a broken file comes back as 422."""
    definition = Engine.draft(body.source, source_name=body.source_name)
    return {"key": definition.key, "name": texts(definition.name),
            "draft": bool(definition.extensions["bpmn_import"].get("findings")),
            "findings": definition.extensions["bpmn_import"].get("findings", []),
            "bpmn": bpmn_exporter()(definition)}


@router.post("", response_model=schemas.DefinitionPublic, status_code=201)
def deploy(body: schemas.DefinitionSource, response: Response,
           who: Principal = Depends(Need(P.DEFINITIONS_DEPLOY)),
           svc: Services = Depends(services)) -> dict[str, Any]:
    """Deploy a process; a changed source becomes version N+1 (201), the same one is kept (200)."""
    view = svc.engine.deploy(body.source, format=body.format, source_name=body.source_name,
                             by=who.user)
    if not view.created:
        response.status_code = 200
    return view.to_dict()


@router.get("", response_model=list[schemas.ProcessPublic])
def processes(who: Principal = Depends(Need(P.DEFINITIONS_READ)),
              svc: Services = Depends(services)) -> list[dict[str, Any]]:
    """Every deployed process in its latest version, with description and start form."""
    with svc.db() as db:
        rows = Repository(db.conn).definitions()
        latest: dict[str, dict[str, Any]] = {}
        count: dict[str, int] = {}
        for row in rows:
            latest[row["key"]] = row
            count[row["key"]] = count.get(row["key"], 0) + 1
        return [process_public(compiled(svc, db, row["id"]), row, count[key])
                for key, row in sorted(latest.items())]


@router.get("/{key}", response_model=schemas.ProcessPublic)
def process(key: str, version: int | None = Query(None, ge=1, le=LARGEST),
            who: Principal = Depends(Need(P.DEFINITIONS_READ)),
            svc: Services = Depends(services)) -> dict[str, Any]:
    row = _row(svc, key, version)
    with svc.db() as db:
        versions = len(Repository(db.conn).definitions(key))
        return process_public(compiled(svc, db, row["id"]), row, versions)


@router.get("/{key}/versions", response_model=list[schemas.DefinitionPublic])
def versions(key: str, who: Principal = Depends(Need(P.DEFINITIONS_READ)),
             svc: Services = Depends(services)) -> list[dict[str, Any]]:
    views = svc.engine.definitions(key)
    if not views:
        raise NotFoundError(f"no process '{key}'")
    return [v.to_dict() for v in views]


@router.get("/{key}/source", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def source(key: str, version: int | None = Query(None, ge=1, le=LARGEST),
           who: Principal = Depends(Need(P.DEFINITIONS_READ)),
           svc: Services = Depends(services)) -> Response:
    """The source text as deployed (YAML or BPMN XML)."""
    row = _row(svc, key, version)
    media = "application/xml" if row["format"] == "bpmn" else "text/plain; charset=utf-8"
    return Response(row["source"], media_type=media)


@router.get("/{key}/bpmn", response_class=Response,
            responses={200: {"content": {"application/xml": {}}}, 501: {}})
def bpmn(key: str, version: int | None = Query(None, ge=1, le=LARGEST),
         who: Principal = Depends(Need(P.DEFINITIONS_READ)),
         svc: Services = Depends(services)) -> Response:
    """The process as BPMN 2.0 XML with diagram layout (501 when export is unavailable)."""
    row = _row(svc, key, version)
    with svc.db() as db:
        xml = bpmn_xml(svc, db, row["id"])
    return Response(xml, media_type="application/xml")


