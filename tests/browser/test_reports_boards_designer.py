"""Dashboards, the public status board and the designer in Chromium: the bottleneck heat map
on the sales order's diagram, the operating-room wall screen (masked, refreshed by htmx,
without sign-in), and the designer deploying the sales order's diagram unchanged as the
next version and marking an unsupported element. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from webworld import PASSWORDS, World

from liucheng.demo import generate
from liucheng.loaders.bpmn_roundtrip import differences
from liucheng.runtime import Engine

pytestmark = pytest.mark.browser

COMPLEX = Path(__file__).parent / "complex_gateway.bpmn"
OR_PEOPLE = {"or.doc": ("周医生", ["resident_in_chief"]), "or.head": ("孙护士长", ["head_nurse"]),
             "or.nurse": ("钱护士", ["circulating_nurse"]),
             "or.anaes": ("麻醉科", ["anaesthesia", "anaesthetist"]),  # also the anaesthetist
             "or.ward": ("病房护士", ["ward_nurse"])}
# name, inpatient number, as the board shows the name, received in pre-op, emergency
PATIENTS = [("欧阳娜娜", "Z0012345", "欧阳**", True, False),
            ("张小三", "Z0067890", "张*三", False, True),
            ("王芳", "Z0024680", "王*", False, False)]


def _step(engine: Engine, case_id: str, element: str, user: str, values: dict[str, Any]) -> None:
    task = next(t for t in engine.tasks(case=case_id) if t.element == element)
    engine.complete(task.id, values, user=user)


def _operation(engine: Engine, name: str, inpatient: str, pre_op: bool, emergency: bool) -> None:
    """An operation applied for (waiting), or scheduled, confirmed and received in pre-op."""
    case = engine.start("operating_room", user="or.doc", business_key=f"SS-{inpatient}")
    _step(engine, case.id, "apply", "or.doc", {
        "patient_name": name, "inpatient_no": inpatient, "specialty": "普外科",
        "ward": "外科2病区", "procedure": "腹腔镜胆囊切除术", "site": "胆囊", "side": "none",
        "approach": "腹腔镜", "planned_date": (date.today() + timedelta(days=14)).isoformat(),
        "urgency": "emergency" if emergency else "elective", "clinically_urgent": emergency,
        "phoned_in": emergency})
    if pre_op:
        _step(engine, case.id, "schedule", "or.head", {
            "room": 3, "room_order": 1, "circulating_nurse": "or.nurse", "scrub_nurse": "or.nurse"})
        _step(engine, case.id, "room_confirm", "or.nurse", {})
        _step(engine, case.id, "anaesthesia_confirm", "or.anaes", {"anaesthetist": "or.anaes"})
        _step(engine, case.id, "ward_confirm", "or.ward", {})
        _step(engine, case.id, "patient_in_pre_op", "or.nurse", {"site_side_confirmed": True})


@pytest.fixture(scope="module")
def office(live: tuple[World, str]) -> Iterator[tuple[World, str]]:
    """The live app with a month of demo history (every template) and three operations."""
    world, base = live
    engine = world.svc.engine
    generate(engine, months=1, cases=40, seed=7)
    for user, (name, roles) in OR_PEOPLE.items():
        engine.add_user(user, name, roles=roles)
    for name, inpatient, _, pre_op, emergency in PATIENTS:
        _operation(engine, name, inpatient, pre_op, emergency)
    yield world, base


def _sign_in(page: Any, base: str, user: str = "admin") -> None:
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("用户名|User id")).fill(user)
    page.get_by_label(re.compile("^(密码|Password)$")).fill(PASSWORDS[user])
    page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
    page.wait_for_url(re.compile(r"/inbox"))


def _watch(page: Any) -> list[str]:
    """Console errors and refused resources (a CSP violation shows up here)."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def _no_csp_trouble(seen: list[str]) -> None:
    assert not [s for s in seen if "Content Security Policy" in s or "Refused" in s], seen


def test_the_dashboard_shows_the_bottleneck_heat_map(office: tuple[World, str], chromium: Any,
                                                     shots: Path) -> None:
    world, base = office
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    seen = _watch(page)
    _sign_in(page, base)
    page.get_by_role("link", name="统计").first.click()
    page.wait_for_selector(".lc-chart[data-ready=true]")
    page.screenshot(path=shots / "30-reports-index.png", full_page=True)
    page.get_by_role("link", name="销售流程").first.click()
    page.wait_for_selector("#chart-cycle[data-ready=true]")
    assert page.locator(".stats .stat").count() == 7
    page.screenshot(path=shots / "31-reports-overview.png", full_page=True)

    page.get_by_role("link", name="瓶颈").click()
    heat = page.locator("#heatmap")
    page.wait_for_selector("#heatmap[data-ready=true]", timeout=15000)
    assert int(heat.get_attribute("data-coloured") or 0) >= 6
    assert page.locator("#heatmap .djs-element.lc-heat-4").count() >= 1  # the worst step
    assert page.locator("#heatmap .lc-heat-badge").count() >= 6
    levels = json.loads(heat.get_attribute("data-heat") or "{}")
    hottest = [step for step, figures in levels.items() if figures["wait"] == 4]
    assert hottest  # the longest median wait is the top level, and drawn so
    for step in hottest:
        assert page.locator(f'#heatmap [data-element-id="{step}"].lc-heat-4').count() == 1
    assert page.locator(".heat-legend li .swatch").count() == 5
    page.screenshot(path=shots / "32-reports-heat-map.png", full_page=True)
    page.get_by_role("link", name="当前排队数").click()
    page.wait_for_selector("#heatmap[data-ready=true]", timeout=15000)
    assert page.locator("#heatmap .lc-heat-badge", has_text="排队").count() >= 6

    for name, shot in (("趋势", "33-reports-trends.png"), ("工作量", "34-reports-workload.png")):
        page.get_by_role("link", name=name).click()
        page.wait_for_selector(".lc-chart[data-ready=true]")
        page.screenshot(path=shots / shot, full_page=True)
    page.goto(f"{base}/reports/vehicle_loan/progress?all=1")  # finished ones too
    assert page.locator("section.group").count() >= 1
    page.screenshot(path=shots / "35-reports-dealer-progress.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").first.click()
    assert download.value.suggested_filename == "progress-vehicle_loan.xlsx"

    english = chromium.new_context(locale="en", viewport={"width": 1400, "height": 1000})
    page_en = english.new_page()
    seen_en = _watch(page_en)
    _sign_in(page_en, base)
    page_en.goto(f"{base}/reports/sales_order/bottlenecks")
    page_en.wait_for_selector("#heatmap[data-ready=true]", timeout=15000)
    assert "Bottleneck ranking" in page_en.inner_text("main")
    page_en.screenshot(path=shots / "36-reports-heat-map-en.png", full_page=True)
    _no_csp_trouble(seen + seen_en)
    context.close()
    english.close()


def test_the_operating_room_board_on_a_wall_screen(office: tuple[World, str], chromium: Any,
                                                   shots: Path) -> None:
    world, base = office
    screen = chromium.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = screen.new_page()
    seen = _watch(page)
    page.goto(f"{base}/boards/operating_room")  # nobody signs in
    assert page.url.endswith("/boards/operating_room")
    text = page.inner_text("body")
    content = page.content()
    for name, inpatient, masked, _, _ in PATIENTS:
        assert masked in text
        assert name not in content and inpatient not in content
        assert f"****{inpatient[-4:]}" in text
    assert "术前准备" in text and "等待手术" in text and "急诊" in text
    assert "腹腔镜胆囊切除术" not in content  # the procedure is not a board field
    assert "周医生" not in content and "SS-Z00" not in content
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.board-table td'))"
                         ".fontSize)")
    assert size >= 28  # large type for a wall screen
    page.screenshot(path=shots / "40-board-operating-room.png")

    # a new operation appears at the next refresh, without reloading the page
    _operation(world.svc.engine, "司马相如", "Z0055555", False, False)
    with page.expect_response(lambda r: "/boards/operating_room/rows" in r.url, timeout=35000):
        pass
    # functions, not expression strings: Playwright evals strings, which the CSP refuses
    page.wait_for_function("() => document.body.innerText.indexOf('司马**') >= 0",
                           timeout=5000)
    assert "司马相如" not in page.content()

    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert "In pre-op" in page.inner_text("body") and "Operation status board" in page.title()
    page.screenshot(path=shots / "41-board-operating-room-en.png")
    phone = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    small = phone.new_page()
    small.goto(f"{base}/boards/operating_room")
    assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    small.screenshot(path=shots / "42-board-phone.png", full_page=True)
    assert page.goto(f"{base}/boards/sales_order").status == 404
    _no_csp_trouble(seen)
    screen.close()
    phone.close()


def test_the_designer_deploys_a_diagram_and_marks_unsupported_elements(
        office: tuple[World, str], chromium: Any, shots: Path) -> None:
    world, base = office
    engine = world.svc.engine
    before = [v.version for v in engine.definitions("sales_order")]
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    seen = _watch(page)
    _sign_in(page, base)
    page.get_by_role("link", name="设计器").first.click()
    page.get_by_role("link", name="销售流程").click()
    page.wait_for_selector("#canvas[data-ready=true]", timeout=15000)
    assert page.locator("#canvas .djs-element[data-element-id=credit_check]").count() == 1
    page.screenshot(path=shots / "50-designer-sales-order.png")
    page.get_by_role("button", name="发布为新版本").click()  # nothing moved
    page.wait_for_selector("#canvas[data-deployed]", timeout=15000)
    assert "已发布" in page.inner_text("#designer-status")
    after = [v.version for v in engine.definitions("sales_order")]
    assert after == before + [before[-1] + 1]
    latest = engine.definitions("sales_order")[-1]
    assert latest.format == "bpmn"
    assert differences(engine.process("sales_order", before[-1]),
                       engine.process("sales_order", after[-1])) == []
    page.screenshot(path=shots / "51-designer-deployed.png")

    page.goto(f"{base}/designer/new?key=complex_choice")
    page.wait_for_selector("#canvas[data-ready=true]", timeout=15000)
    page.set_input_files("#open-file", str(COMPLEX))
    page.wait_for_function("() => document.getElementById('d-key').textContent === "
                           "'complex_choice'"
                           " && !!document.querySelector('[data-element-id=pick]')")
    page.get_by_role("button", name="检查", exact=True).click()
    page.wait_for_selector("#problems li")
    assert page.locator("#canvas [data-element-id=pick].lc-error").count() == 1
    assert page.locator("#canvas .lc-problem-badge").count() == 1
    problem = page.locator("#problems li").first
    assert problem.get_attribute("data-element") == "pick"
    assert "complex gateways are not supported" in problem.inner_text()
    problem.get_by_role("button").click()  # selects the element
    assert page.locator("#canvas .djs-element.selected[data-element-id=pick]").count() == 1
    page.screenshot(path=shots / "52-designer-problem-on-element.png")
    page.get_by_role("button", name="按草稿检查").click()  # the drawing as a draft
    page.wait_for_function("() => document.getElementById('designer-status').textContent"
                           ".includes('草稿')")
    finding = page.locator("#problems li").first
    assert finding.get_attribute("data-element") == "pick"
    assert "complexGateway" in finding.inner_text()
    assert page.locator("#canvas [data-element-id=pick].lc-error").count() == 1
    assert engine.definitions("complex_choice") == []

    # renaming through the properties panel reaches the deployed process
    page.goto(f"{base}/designer/new?key=purchase&name=采购申请")
    page.wait_for_selector("#canvas[data-ready=true]", timeout=15000)
    page.locator("#canvas .djs-element[data-element-id=first]").click()
    page.get_by_label("英文名称").fill("Request the purchase")
    page.get_by_label("英文名称").press("Tab")
    page.get_by_label("办理角色").fill("purchasing,finance")
    page.get_by_label("办理角色").press("Tab")
    page.get_by_role("button", name="发布为新版本").click()
    page.wait_for_selector("#canvas[data-deployed='1']", timeout=15000)
    step = engine.process("purchase").element("first")
    assert step.name.en == "Request the purchase"
    assert list(getattr(step, "roles", [])) == ["purchasing", "finance"]
    _no_csp_trouble([s for s in seen if "422" not in s])
    context.close()
