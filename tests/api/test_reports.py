"""Reports over the REST API (JSON, CSV, Excel; filters; who may read them and which cases
they cover) and the dashboard pages built on the same reports."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from webworld import World

HERE = Path(__file__).parent
DEALERS = (HERE / "dealer_cases.yaml").read_text(encoding="utf-8")
KINDS = {"steps": "", "bottlenecks": "", "cycle": "&period=month", "workload": "&by=role",
         "rework": "", "flows": "", "measures": "&field=days", "progress": "&group_by=reason"}


def _grant(world: World, *permissions: str) -> None:
    done = world.client("admin").put("/api/v1/roles/manager/permissions",
                                     json={"permissions": list(permissions)})
    assert done.status_code == 200, done.text


def _dealer_cases(world: World) -> None:
    world.svc.engine.deploy(DEALERS, source_name="dealer_cases.yaml", by="admin")
    alice = world.client("alice")
    for dealer, amount in (("济南陕汽专营店", 300000), ("临沂重汽经销处", 200000),
                           ("济南陕汽专营店", 150000)):
        case = alice.post("/api/v1/cases", json={"process": "dealer_case"}).json()
        done = alice.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete",
                          json={"variables": {"dealer": dealer, "amount": amount}})
        assert done.status_code == 200, done.text


def test_reports_need_reports_read(world: World) -> None:
    assert world.client().get("/api/v1/reports/steps").status_code == 401
    assert world.client("bob").get("/api/v1/reports/steps").status_code == 403
    _grant(world, "reports.read")
    assert world.client("bob").get("/api/v1/reports/steps").status_code == 200
    assert world.client("alice").get("/api/v1/reports/steps").status_code == 403
    token = world.client("bob", scopes=["tasks.read"])  # a token without the scope
    assert token.get("/api/v1/reports/steps").status_code == 403


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_report_comes_as_json_csv_and_excel(world: World, kind: str) -> None:
    admin = world.client("admin")
    base = f"/api/v1/reports/{kind}?process=leave_request{KINDS[kind]}"
    data = admin.get(base)
    assert data.status_code == 200, data.text
    body = data.json()
    assert body["report"] == kind and body["columns"] and isinstance(body["rows"], list)
    csv = admin.get(base + "&format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"] == f'attachment; filename="{kind}-leave_request.csv"'
    assert csv.text.startswith("\ufeff")  # Excel reads UTF-8 with a BOM
    assert csv.text.lstrip("\ufeff").split("\n")[0].split(",")[0] == body["columns"][0]["key"]
    xlsx = admin.get(base + "&format=xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0]["A1"].value == body["title"]


def test_report_filters_are_checked(world: World) -> None:
    admin = world.client("admin")
    wrong = admin.get("/api/v1/reports/steps?version=2")
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["field"] == "version"
    bad_day = admin.get("/api/v1/reports/steps?from=yesterday")
    assert bad_day.status_code == 422 and bad_day.json()["problems"][0]["field"] == "from"
    assert admin.get("/api/v1/reports/steps?from=2026-03-02&to=2026-03-01").status_code == 422
    assert admin.get("/api/v1/reports/cycle?period=year").status_code == 422
    assert admin.get("/api/v1/reports/steps?format=pdf").status_code == 422
    assert admin.get("/api/v1/reports/steps?time=lunar").status_code == 422
    assert admin.get("/api/v1/reports/measures").status_code == 422  # needs a field
    assert admin.get("/api/v1/reports/nonsense").status_code == 404


def test_the_last_day_of_a_range_is_included(world: World) -> None:
    today = world.svc.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    admin = world.client("admin")

    def visits(start: Any, end: Any) -> int:
        rows = admin.get(f"/api/v1/reports/steps?process=leave_request&from={start}&to={end}"
                         ).json()["rows"]
        return sum(r["visits"] for r in rows)

    assert visits(today, today) >= 2  # started today: counted with to=today
    assert visits(today - timedelta(days=3), today - timedelta(days=1)) == 0
    assert visits(today + timedelta(days=1), today + timedelta(days=2)) == 0


def test_reports_cover_only_the_cases_the_reader_may_see(world: World) -> None:
    _grant(world, "reports.read")

    def visits(who: str) -> int:
        rows = world.client(who).get("/api/v1/reports/steps?process=leave_request"
                                     ).json()["rows"]
        return sum(r["visits"] for r in rows)

    assert visits("admin") >= 2
    assert visits("bob") == visits("admin")  # acme's leave request
    assert visits("carol") == 0               # another organisation sees none of it
    other = world.session("carol").get("/reports/leave_request/bottlenecks")
    assert other.status_code == 200 and "data-heat='{}'" in other.text


def test_the_dashboard_pages_show_charts_tables_and_downloads(world: World) -> None:
    admin = world.session("admin")
    pages = ["/reports", "/reports/leave_request", "/reports/leave_request/bottlenecks",
             "/reports/leave_request/bottlenecks?metric=queue",
             "/reports/leave_request/trends?period=month", "/reports/leave_request/workload",
             "/reports/leave_request/progress?group_by=reason"]
    for url in pages:
        page = admin.get(url)
        assert page.status_code == 200, (url, page.text[:500])
        assert 'aria-current="page">统计</a>' in page.text
        for spec in re.findall(r"data-lc-chart='([^']*)'", page.text):
            chart = json.loads(spec.replace("&#34;", '"').replace("&amp;", "&"))
            assert chart["categories"] is not None and chart["series"]
        assert "/api/v1/reports/" in page.text and "format=xlsx" in page.text
    heat = admin.get("/reports/leave_request/bottlenecks").text
    assert 'id="heatmap"' in heat and "/api/v1/definitions/leave_request/bpmn?version=1" in heat
    assert '"approve"' in heat.replace("&#34;", '"')
    assert "lc-heat-swatch-4" in heat or "lc-heat-swatch-0" in heat
    english = world.session("admin", lang="en").get("/reports/leave_request").text
    assert "Cycle time trend (weekly)" in english and "Main bottlenecks" in english


def test_dashboard_filters_go_to_the_chosen_process_and_report_errors(world: World) -> None:
    admin = world.session("admin")
    go = admin.get("/reports?process=leave_request&page=trends&from=2026-01-01&version=1"
                   "&current=broken_check")
    assert go.status_code == 303
    assert go.headers["location"] == "/reports/leave_request/trends?from=2026-01-01"
    bad = admin.get("/reports/leave_request?from=2026-13-01")
    assert bad.status_code == 422 and 'id="e-from"' in bad.text
    assert 'aria-invalid="true"' in bad.text
    no_version = admin.get("/reports/leave_request?version=9")
    assert no_version.status_code == 422 and 'id="e-version"' in no_version.text
    assert admin.get("/reports/no_such_process").status_code == 404
    assert world.session("alice").get("/reports").status_code == 403


def test_the_progress_list_per_dealer_as_a_page_and_a_workbook(world: World) -> None:
    _dealer_cases(world)
    page = world.session("admin").get("/reports/dealer_case/progress")
    assert page.status_code == 200
    assert 'value="dealer"' in page.text  # the group the process declares in reports:
    assert page.text.count("<h2 id=\"h-g") == 2
    assert "济南陕汽专营店" in page.text and "临沂重汽经销处" in page.text
    assert "审批" in page.text  # where each case is now
    xlsx = world.client("admin").get("/api/v1/reports/progress?process=dealer_case"
                                     "&group_by=dealer&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["progress", "临沂重汽经销处", "济南陕汽专营店"] or \
        book.sheetnames == ["progress", "济南陕汽专营店", "临沂重汽经销处"]
    jinan = book["济南陕汽专营店"]
    assert jinan.max_row == 3 + 2  # title, unit, header, two cases


def test_pages_keep_the_content_security_policy(world: World) -> None:
    for url in ("/reports/leave_request/bottlenecks", "/designer/process/leave_request"):
        page = world.session("admin").get(url)
        policy = page.headers["content-security-policy"]
        assert "script-src" not in policy and "unsafe-eval" not in policy
        assert "default-src 'self'" in policy
        assert "<script>" not in page.text and " onclick=" not in page.text
