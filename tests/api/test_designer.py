"""The designer's pages and what it sends: a new process's starting diagram deploys as it
is, a YAML process goes out as BPMN and comes back as the next version unchanged, and the
import's problems name their elements (what the designer marks on the diagram)."""

from __future__ import annotations

import html

from webworld import World

from liucheng.api.pages.designer import blank
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.runtime import Engine

COMPLEX = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="x">
  <bpmn:process id="complex_choice" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:complexGateway id="pick"/>
    <bpmn:userTask id="work"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pick"/>
    <bpmn:sequenceFlow id="f2" sourceRef="pick" targetRef="work"/>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_the_designer_is_for_those_who_may_deploy(world: World) -> None:
    assert world.session("alice").get("/designer").status_code == 403
    page = world.session("admin").get("/designer")
    assert page.status_code == 200
    assert 'href="/designer/process/leave_request"' in page.text
    assert 'action="/designer/new"' in page.text


def test_a_new_process_starts_from_a_diagram_that_deploys(world: World) -> None:
    admin = world.session("admin")
    assert admin.get("/designer/new?key=9lives").status_code == 422
    page = admin.get("/designer/new?key=purchase&name=采购申请&name_en=Purchase")
    assert page.status_code == 200
    assert "bpmn-modeler.production.min.js" in page.text and 'id="canvas"' in page.text
    xml = html.unescape(page.text.split('data-xml="', 1)[1].split('"', 1)[0])
    assert xml == blank("purchase", "采购申请", "Purchase")
    definition = Engine.validate(xml, format="bpmn")
    assert definition.key == "purchase" and definition.name.zh == "采购申请"
    assert definition.name.en == "Purchase"
    deployed = world.client("admin").post("/api/v1/definitions", json={
        "source": xml, "format": "bpmn", "source_name": "purchase.bpmn"})
    assert deployed.status_code == 201 and deployed.json()["version"] == 1
    assert '"><' not in blank("x", '"><script>', "")  # names are attribute-quoted


def test_a_yaml_process_comes_back_from_its_bpmn_as_the_next_version(world: World) -> None:
    page = world.session("admin").get("/designer/process/leave_request")
    assert page.status_code == 200
    assert 'data-src="/api/v1/definitions/leave_request/bpmn?version=1"' in page.text
    admin = world.client("admin")
    xml = admin.get("/api/v1/definitions/leave_request/bpmn?version=1").text
    deployed = admin.post("/api/v1/definitions", json={
        "source": xml, "format": "bpmn", "source_name": "leave_request.bpmn"})
    assert deployed.status_code == 201 and deployed.json()["version"] == 2
    again = admin.post("/api/v1/definitions", json={"source": xml, "format": "bpmn"})
    assert again.status_code == 200 and again.json()["version"] == 2  # unchanged: kept
    before = world.svc.engine.process("leave_request", version=1)
    after = world.svc.engine.process("leave_request", version=2)
    assert differences(before, after) == []
    assert world.session("admin").get("/designer/process/nope").status_code == 404


def test_import_problems_name_the_element_the_designer_marks(world: World) -> None:
    admin = world.client("admin")
    for route in ("/api/v1/definitions/validate", "/api/v1/definitions"):
        answer = admin.post(route, json={"source": COMPLEX, "format": "bpmn",
                                         "source_name": "complex_choice.bpmn"})
        assert answer.status_code == 422
        problems = answer.json()["problems"]
        assert [p["element"] for p in problems] == ["pick"]
        assert "complex gateways are not supported" in problems[0]["message"]
        assert problems[0]["line"] == 6


def test_a_drawing_opens_as_a_draft_that_cannot_be_deployed(world: World) -> None:
    admin = world.client("admin")
    answer = admin.post("/api/v1/definitions/draft", json={
        "source": COMPLEX, "format": "bpmn", "source_name": "complex_choice.bpmn"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["key"] == "complex_choice" and body["draft"] is True
    assert [(f["element"], f["tag"], f["line"]) for f in body["findings"]] == [
        ("pick", "complexGateway", 6)]
    assert 'lc:draft="true"' in body["bpmn"]
    before = admin.get("/api/v1/definitions").json()
    refused = admin.post("/api/v1/definitions", json={"source": body["bpmn"], "format": "bpmn"})
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert "is a draft imported from a drawing" in problems[0]["message"]
    assert any(p["element"] == "pick" for p in problems[1:])
    assert admin.get("/api/v1/definitions").json() == before
    broken = admin.post("/api/v1/definitions/draft", json={
        "source": COMPLEX.replace('id="work"', 'id="pick"'), "format": "bpmn"})
    assert broken.status_code == 422
    assert "duplicate id 'pick'" in broken.json()["problems"][0]["message"]
