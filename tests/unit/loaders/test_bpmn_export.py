"""Exporting BPMN 2.0 XML with an automatic diagram, and reading it back unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from liucheng.loaders.bpmn_export import export_bpmn
from liucheng.loaders.bpmn_layout import Box, layout
from liucheng.loaders.bpmn_ns import BPMN, BPMNDI, CAMUNDA, DC, DI, LC, XSI, q
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import EndEvent, ProcessDefinition, StartEvent, UserTask
from liucheng.model.elements import GATEWAYS

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "sales_order.yaml"
TEMPLATES = sorted((ROOT / "src" / "liucheng" / "templates").glob("*.yaml"))
ROLES = {"clerk": {"zh": "文员", "en": "Clerk"}, "boss": "主管"}


def sales_order() -> ProcessDefinition:
    return load_yaml(EXAMPLE.read_text(encoding="utf-8"), "sales_order.yaml")


def tree(definition: ProcessDefinition, lanes: bool = False) -> Any:
    return etree.fromstring(export_bpmn(definition, lanes=lanes).encode("utf-8"))


def bounds(root: Any) -> dict[str, Box]:
    out = {}
    for shape in root.iter(q(BPMNDI, "BPMNShape")):
        b = shape.find(q(DC, "Bounds"))
        out[shape.get("bpmnElement")] = Box(*(float(b.get(k)) for k in ("x", "y", "width",
                                                                        "height")))
    return out


@pytest.mark.parametrize("lanes", [False, True])
def test_the_sales_order_round_trips(lanes: bool) -> None:
    d = sales_order()
    again = load_bpmn(export_bpmn(d, lanes=lanes), "exported.bpmn")
    assert differences(d, again) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
@pytest.mark.parametrize("lanes", [False, True], ids=["plain", "lanes"])
def test_shipped_templates_round_trip_and_lay_out(path: Path, lanes: bool) -> None:
    d = load_yaml(path.read_text(encoding="utf-8"), path.name)
    assert differences(d, load_bpmn(export_bpmn(d, lanes=lanes))) == []
    check_layout(d, lanes)


def test_long_flows_go_around_the_columns_they_cross() -> None:
    d = load_yaml(yaml.safe_dump({"process": "skip", "roles": ROLES, "steps": [
        {"id": "a", "role": "clerk"},
        {"id": "g", "type": "exclusive", "routes": [
            {"to": "z", "when": "fast"}, {"to": "b", "default": True}]},
        {"id": "b", "role": "clerk"}, {"id": "c", "role": "boss"},
        {"id": "z", "role": "boss"}]}))
    out = layout(d)
    skip = next(f for f in d.flows if f.source == "g" and f.target == "z")
    for crossed in ("b", "c"):
        box = out.shapes[crossed]
        for (x1, y1), (x2, y2) in zip(out.edges[skip.id], out.edges[skip.id][1:], strict=False):
            if y1 == y2 and min(x1, x2) < box.x + box.w and max(x1, x2) > box.x:
                assert not box.y <= y1 <= box.y + box.h, f"crosses '{crossed}'"


def test_a_change_is_seen_by_the_comparison() -> None:
    d = sales_order()
    text = export_bpmn(d).replace('lc:roles="finance"', 'lc:roles="sales_rep"', 1)
    diff = differences(d, load_bpmn(text))
    assert diff and "roles" in diff[0]


def test_semantics_use_standard_and_camunda_attributes() -> None:
    root = tree(sales_order())
    process = root.find(q(BPMN, "process"))
    assert process.get("id") == "sales_order" and process.get("name") == "销售流程"
    assert process.get(q(LC, "nameEn")) == "Sales order"
    task = process.find(f"{q(BPMN, 'userTask')}[@id='credit_check']")
    assert task.get(q(CAMUNDA, "candidateGroups")) == "finance"
    assert task.get("name") == "客户信用评估"
    assert task.get(q(LC, "nameEn")) == "Customer credit evaluation"
    flow = process.find(f"{q(BPMN, 'sequenceFlow')}[@id='credit_result_to_rejected']")
    cond = flow.find(q(BPMN, "conditionExpression"))
    assert cond.get(q(XSI, "type")) == "bpmn:tFormalExpression"
    assert cond.text == 'credit_check.outcome == "reject"'
    gateway = process.find(f"{q(BPMN, 'exclusiveGateway')}[@id='credit_result']")
    assert gateway.get("default") == "credit_result_to_negotiate"


def test_every_element_has_a_shape_of_standard_size_and_every_flow_an_edge() -> None:
    d = sales_order()
    root = tree(d)
    shapes = bounds(root)
    for element, _ in d.walk():
        box = shapes[element.id]
        if isinstance(element, (StartEvent, EndEvent)):
            assert (box.w, box.h) == (36, 36)
        elif isinstance(element, GATEWAYS):
            assert (box.w, box.h) == (50, 50)
        elif isinstance(element, UserTask):
            assert (box.w, box.h) == (100, 80)
    edges = {e.get("bpmnElement"): e for e in root.iter(q(BPMNDI, "BPMNEdge"))}
    assert set(edges) == {f.id for f in d.all_flows()}
    for edge in edges.values():
        assert len(edge.findall(q(DI, "waypoint"))) >= 2


def _on_border(box: Box, x: float, y: float) -> bool:
    inside_x = box.x - 0.5 <= x <= box.x + box.w + 0.5
    inside_y = box.y - 0.5 <= y <= box.y + box.h + 0.5
    on_edge = min(abs(x - box.x), abs(x - box.x - box.w), abs(y - box.y),
                  abs(y - box.y - box.h)) < 0.5
    return inside_x and inside_y and on_edge


def check_layout(d: ProcessDefinition, lanes: bool = False) -> None:
    """Left to right, no overlaps in a scope, edges from border to border, nesting kept."""
    out = layout(d, lanes=lanes)
    scopes: dict[str | None, list[str]] = {}
    for element, parent in d.walk():
        scopes.setdefault(parent, []).append(element.id)
        if parent is not None:
            outer, inner = out.shapes[parent], out.shapes[element.id]
            assert outer.x < inner.x and inner.x + inner.w < outer.x + outer.w
            assert outer.y < inner.y and inner.y + inner.h < outer.y + outer.h
    for ids in scopes.values():
        boxes = [out.shapes[i] for i in ids]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                apart = (a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y
                         or b.y + b.h <= a.y)
                assert apart, (a, b)
    for flow in d.all_flows():
        src, tgt = out.shapes[flow.source], out.shapes[flow.target]
        points = out.edges[flow.id]
        assert _on_border(src, *points[0]) and _on_border(tgt, *points[-1])
        if flow.id not in out.back:
            assert tgt.x >= src.x + src.w, flow.id
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, "segments are horizontal or vertical"
    if lanes:
        lane_of = {role: box for role, box in out.lanes}
        for element in d.elements:
            if isinstance(element, UserTask) and element.roles:
                lane, box = lane_of[element.roles[0]], out.shapes[element.id]
                assert lane.y <= box.y and box.y + box.h <= lane.y + lane.h, element.id


@pytest.mark.parametrize("lanes", [False, True])
def test_the_sales_order_layout(lanes: bool) -> None:
    check_layout(sales_order(), lanes)


def test_loops_are_drawn_as_back_edges_below() -> None:
    d = load_yaml(yaml.safe_dump({"process": "loop", "roles": ROLES, "steps": [
        {"id": "draft", "role": "clerk"},
        {"id": "review", "role": "boss"},
        {"id": "ok", "type": "exclusive", "routes": [
            {"to": "draft", "when": "again"}, {"to": "done", "default": True}]},
        {"id": "done", "role": "clerk"}]}, allow_unicode=True))
    out = layout(d)
    back = [f for f in d.flows if f.id in out.back]
    assert [(f.source, f.target) for f in back] == [("ok", "draft")]
    lowest = max(b.y + b.h for b in out.shapes.values())
    assert all(y > lowest for _, y in out.edges[back[0].id][1:3])
    check_layout(d)


def test_lanes_are_a_pool_with_one_lane_per_role() -> None:
    root = tree(sales_order(), lanes=True)
    participant = root.find(f"{q(BPMN, 'collaboration')}/{q(BPMN, 'participant')}")
    assert participant.get("processRef") == "sales_order"
    lanes = root.findall(f".//{q(BPMN, 'lane')}")
    assert [lane.get(q(LC, "role")) for lane in lanes] == ["sales_rep", "finance",
                                                          "sales_manager"]
    refs = {r.text for lane in lanes for r in lane.findall(q(BPMN, "flowNodeRef"))}
    assert "credit_check" in refs
    plane = root.find(f".//{q(BPMNDI, 'BPMNPlane')}")
    assert plane.get("bpmnElement") == "Collaboration_sales_order"
    shapes = bounds(root)
    pool = shapes["Participant_sales_order"]
    for element in sales_order().elements:
        box = shapes[element.id]
        assert pool.x < box.x and box.x + box.w < pool.x + pool.w


def test_sub_processes_are_expanded_with_their_content_inside() -> None:
    d = load_yaml(yaml.safe_dump({"process": "sub", "roles": ROLES, "steps": [
        {"id": "a", "role": "clerk"},
        {"id": "reg", "type": "subprocess", "steps": [
            {"id": "hand_in", "role": "clerk"},
            {"id": "inner", "type": "subprocess", "steps": [{"id": "pay", "role": "boss"}]}]},
        {"id": "z", "role": "boss"}]}))
    root = tree(d)
    shape = next(s for s in root.iter(q(BPMNDI, "BPMNShape")) if s.get("bpmnElement") == "reg")
    assert shape.get("isExpanded") == "true"
    check_layout(d)
    assert differences(d, load_bpmn(export_bpmn(d))) == []


def test_human_task_settings_and_step_data_survive() -> None:
    d = load_yaml(yaml.safe_dump({"process": "hr", "roles": ROLES, "steps": [
        {"id": "apply", "role": "clerk", "priority": 70, "candidate_users": ["wang"],
         "outcomes": ["submit"], "documents": [{"id": "id_card", "required": True}],
         "instructions": {"zh": "填写申请", "en": "Fill in"},
         "form": [{"id": "days", "type": "integer", "required": True, "min": 1,
                   "label": {"zh": "天数", "en": "Days"}, "default": 1}]},
        {"id": "approve", "role": "boss", "assignee": "apply.by", "return_to": ["apply"],
         "distinct_from": ["apply"], "due": {"working_days": 2}},
        {"id": "fee", "set": {"total": "days * 100"}}]}, allow_unicode=True))
    text = export_bpmn(d, lanes=True)
    again = load_bpmn(text)
    assert differences(d, again) == []
    assert "id_card" in text  # the checklist travels (as a setting or step data)
    assert again.element("approve").due == {"working_days": 2}


BLOCKS = st.sampled_from(["user", "service", "parallel", "inclusive", "sub", "loop", "exclusive"])


def _steps(kinds: list[str]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    users: list[str] = []
    for i, kind in enumerate(kinds):
        if kind == "user":
            steps.append({"id": f"u{i}", "role": "clerk" if i % 2 else "boss"})
            users.append(f"u{i}")
        elif kind == "service":
            steps.append({"id": f"s{i}", "set": {f"x{i}": f"{i} + 1"}})
        elif kind == "parallel":
            steps.append({"id": f"p{i}", "type": "parallel", "branches": [
                [{"id": f"p{i}a", "role": "clerk"}],
                [{"id": f"p{i}b", "role": "boss"}, {"id": f"p{i}c", "role": "clerk"}]]})
        elif kind == "inclusive":
            steps.append({"id": f"i{i}", "type": "inclusive", "branches": [
                {"when": "amount > 10", "steps": [{"id": f"i{i}a", "role": "clerk"}]},
                {"default": True, "steps": [{"id": f"i{i}b", "role": "boss"}]}]})
        elif kind == "sub":
            steps.append({"id": f"q{i}", "type": "subprocess",
                          "steps": [{"id": f"q{i}a", "role": "clerk"}]})
        elif kind == "loop" and users:
            steps.append({"id": f"g{i}", "type": "exclusive", "routes": [
                {"to": users[0], "when": "again"}, {"to": f"after{i}", "default": True}]})
            steps.append({"id": f"after{i}", "role": "boss"})
        elif kind == "exclusive":
            steps.append({"id": f"e{i}", "type": "exclusive", "routes": [
                {"to": f"r{i}", "when": "amount < 5"}, {"to": f"m{i}", "default": True}]})
            steps.append({"id": f"r{i}", "type": "end", "terminate": True})
            steps.append({"id": f"m{i}", "role": "clerk"})
    return steps or [{"id": "only", "role": "clerk"}]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BLOCKS, min_size=1, max_size=7), st.booleans())
def test_generated_processes_round_trip_and_lay_out_cleanly(kinds: list[str],
                                                            lanes: bool) -> None:
    d = load_yaml(yaml.safe_dump({"process": "gen", "roles": ROLES, "steps": _steps(kinds)},
                                 allow_unicode=True))
    check_layout(d, lanes)
    assert differences(d, load_bpmn(export_bpmn(d, lanes=lanes))) == []
