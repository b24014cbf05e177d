"""The process designer (`definitions.deploy`): bpmn-js's modeler in the page, a process
opened from its BPMN (YAML processes through their BPMN export), or a new one; deploying
posts the XML to `POST /api/v1/definitions` (format bpmn), so a changed process becomes
the next version and a problem of the import is shown on its element.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import quoteattr

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages.common import render
from liucheng.api.pages.dashboard_data import processes
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import NotFoundError
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/designer", include_in_schema=False)
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:lc="https://liucheng.dev/schema/bpmn" id="Definitions_{key}" \
targetNamespace="https://liucheng.dev/processes" exporter="liucheng designer">
  <bpmn:process id="{key}" name={name} lc:nameEn={name_en} isExecutable="true">
    <bpmn:startEvent id="start" name="开始" lc:nameEn="Start">
      <bpmn:outgoing>start_to_first</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="first" name="填写申请" lc:nameEn="Fill in the application" \
lc:roles="staff">
      <bpmn:incoming>start_to_first</bpmn:incoming>
      <bpmn:outgoing>first_to_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="结束" lc:nameEn="End">
      <bpmn:incoming>first_to_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="start_to_first" sourceRef="start" targetRef="first"/>
    <bpmn:sequenceFlow id="first_to_end" sourceRef="first" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_{key}">
    <bpmndi:BPMNPlane id="Plane_{key}" bpmnElement="{key}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="152" y="102" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="first_di" bpmnElement="first">
        <dc:Bounds x="240" y="80" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="392" y="102" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="start_to_first_di" bpmnElement="start_to_first">
        <di:waypoint x="188" y="120"/><di:waypoint x="240" y="120"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="first_to_end_di" bpmnElement="first_to_end">
        <di:waypoint x="340" y="120"/><di:waypoint x="392" y="120"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def blank(key: str, name: str, name_en: str) -> str:
    """A new process: start → one step for `staff` → end, laid out, ready to edit."""
    return BLANK.format(key=key, name=quoteattr(name or key), name_en=quoteattr(name_en or key))


@router.get("")
async def index(request: Request, who: Principal = Depends(Need(P.DEFINITIONS_DEPLOY)),
                svc: Services = Depends(services)) -> Response:
    """The processes to open, and the form for a new one."""

    def load() -> list[dict[str, Any]]:
        with svc.db() as db:
            return processes(Repository(db.conn))

    found = await run_in_threadpool(load)
    return render(request, who, "designer_index.html", section="designer",
                  title="designer.title", processes=found, error=None, values={})


@router.get("/new")
async def new(request: Request, key: str = "", name: str = "", name_en: str = "",
              who: Principal = Depends(Need(P.DEFINITIONS_DEPLOY)),
              svc: Services = Depends(services)) -> Response:
    """A new process in the designer; the key must be an identifier (it names the process)."""
    key = key.strip()
    if not KEY.match(key):
        def load() -> list[dict[str, Any]]:
            with svc.db() as db:
                return processes(Repository(db.conn))

        found = await run_in_threadpool(load)
        return render(request, who, "designer_index.html", status=422, section="designer",
                      title="designer.title", processes=found, error="designer.bad_key",
                      values={"key": key, "name": name, "name_en": name_en})
    return render(request, who, "designer.html", section="designer", title="designer.title",
                  key=key, name=name.strip() or key, version=None, source=None,
                  xml=blank(key, name.strip(), name_en.strip()))


@router.get("/process/{key}")
async def edit(key: str, request: Request, version: int | None = None,
               who: Principal = Depends(Need(P.DEFINITIONS_DEPLOY)),
               svc: Services = Depends(services)) -> Response:
    """An existing process (its latest version, or `?version=`) opened for editing."""

    def load() -> dict[str, Any]:
        with svc.db() as db:
            repo = Repository(db.conn)
            row = (repo.latest_definition(key) if version is None
                   else repo.definition_version(key, version))
            if row is None:
                raise NotFoundError(f"no process '{key}'", hint="open one from the designer")
            return row

    row = await run_in_threadpool(load)
    return render(request, who, "designer.html", section="designer", title="designer.title",
                  key=key, name=row["name"], version=row["version"], source=row["format"],
                  xml=None)
