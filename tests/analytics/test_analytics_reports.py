"""Cycle time, workload, rework, measures, the progress list and the report writers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analytics_history import NOW, PRODUCT, History, at, hours
from openpyxl import load_workbook

from liucheng.analytics import (
    Filters,
    Measure,
    bottleneck_report,
    cycle_report,
    measure,
    progress,
    rework,
    steps_report,
    workload,
    write_xlsx,
)
from liucheng.calendar import default_calendar
from liucheng.errors import ValidationError

CAL = Measure.elapsed()
WORK = Measure.working(default_calendar())
REVIEW = Filters("review")


def test_cycle_time_and_throughput(history: History) -> None:
    with history.engine.db.connect() as conn:
        weekly = cycle_report(conn, PRODUCT, REVIEW, NOW, CAL, "week")
        daily = cycle_report(conn, PRODUCT, REVIEW, NOW, WORK, "day")
    [week] = weekly.periods
    assert (week.period, week.started, week.completed) == ("2026-W10", 2, 1)
    assert hours(week.cycle.median) == 27  # Mon 09:00 → Tue 12:00
    assert (weekly.open_cases, hours(weekly.open_age.median)) == (1, 6)
    assert [(p.period, p.started, p.completed) for p in daily.periods] == [
        ("2026-03-02", 1, 0), ("2026-03-03", 1, 1)]
    assert hours(daily.overall.median) == 10.5  # 7 working hours Mon + 3.5 Tue
    assert hours(daily.open_age.median) == 4.5
    assert daily.cycle_slope is None  # one period with finished cases


def test_workload_per_person_and_role(history: History) -> None:
    with history.engine.db.connect() as conn:
        people = {w.who: w for w in workload(conn, PRODUCT, REVIEW, NOW, CAL)}
        worked = {w.who: hours(w.working) for w in workload(conn, PRODUCT, REVIEW, NOW, WORK)}
        roles = {w.who: w for w in workload(conn, PRODUCT, REVIEW, NOW, CAL, "role")}
    assert {k: (w.steps, w.cases) for k, w in people.items()} == {
        "ann": (1, 1), "cat": (1, 1), "bob": (2, 1)}
    # ann held prepare#1 10:00–11:00 before returning it, and did prepare#2 (18 h)
    assert {k: hours(w.working) for k, w in people.items()} == {"ann": 19, "cat": 1, "bob": 2}
    assert worked == {"ann": 4, "cat": 1, "bob": 2}
    assert (roles["clerk"].steps, roles["clerk"].people, hours(roles["clerk"].working)) == (
        2, 2, 20)


def test_rework_counts_repeated_steps(history: History) -> None:
    with history.engine.db.connect() as conn:
        found = {r.element: r for r in rework(conn, PRODUCT, REVIEW)}
    assert (found["prepare"].cases, found["prepare"].repeated, found["prepare"].extra_visits,
            found["prepare"].max_visits) == (2, 1, 1, 2)
    assert (found["approve"].cases, found["approve"].repeated) == (1, 1)


def test_measures_over_case_and_task_fields(history: History) -> None:
    with history.engine.db.connect() as conn:
        by_dealer = {m.group: (m.count, m.sum) for m in
                     measure(conn, PRODUCT, REVIEW, "amount", group_by="dealer")}
        whole = measure(conn, PRODUCT, REVIEW, "amount")
        from_form = measure(conn, PRODUCT, REVIEW, "amount", group_by="dealer",
                            source="task", step="prepare")
        with pytest.raises(ValidationError, match="not a field name"):
            measure(conn, PRODUCT, REVIEW, "amount'); drop")
    assert by_dealer == {"D1": (1, 100.0), "D2": (1, 50.0)}
    assert (whole[0].count, whole[0].sum, whole[0].mean) == (2, 150.0, 75.0)
    assert [(m.group, m.count, m.sum) for m in from_form] == [("D1", 1, 100.0)]


def test_progress_list_per_dealer(history: History) -> None:
    with history.engine.db.connect() as conn:
        active = progress(conn, PRODUCT, REVIEW, "dealer")
        every = progress(conn, PRODUCT, REVIEW, "dealer", active_only=False)
    assert [(p.group, p.current, p.since) for p in active] == [("D2", "Prepare", at(3, 9))]
    assert [(p.group, p.status, p.current, p.remarks) for p in every] == [
        ("D1", "completed", "completed", "amount missing"), ("D2", "active", "Prepare", None)]


def test_version_filter(history: History) -> None:
    from analytics_history import REVIEW as SOURCE

    history.engine.deploy(SOURCE.replace("name: Review", "name: Review v2"))
    history.engine.start("review", {"dealer": "D3"}, user="ann")
    with history.engine.db.connect() as conn:
        v1 = steps_report(conn, PRODUCT, Filters("review", 1), NOW, CAL)
        v2 = steps_report(conn, PRODUCT, Filters("review", 2), NOW, CAL)
    assert sum(r["visits"] for r in v1.rows) == 5
    assert [(r["step"], r["visits"]) for r in v2.rows] == [("prepare", 1)]


def test_report_writers(history: History, tmp_path: Path) -> None:
    with history.engine.db.connect() as conn:
        report = bottleneck_report(conn, PRODUCT, REVIEW, NOW, WORK)
        steps = steps_report(conn, PRODUCT, REVIEW, NOW, CAL)
    data = json.loads(json.dumps(report.to_data()))
    assert data["measure"] == "working" and data["rows"][0]["wait_median"] == 2.5
    lines = steps.csv_text().splitlines()
    assert lines[0].startswith("process,step,name,role,visits,open,overdue,wait_mean_h")
    assert lines[1].startswith("review,prepare,Prepare,clerk,3,1,1,")
    path = tmp_path / "report.xlsx"
    write_xlsx([steps, report], path)
    book = load_workbook(path)
    assert book.sheetnames == ["steps", "bottlenecks"]
    sheet = book["steps"]
    assert sheet["A1"].value == "Steps (calendar time)"
    assert [c.value for c in sheet[3]][:5] == ["process", "step", "name", "role", "visits"]
    assert [c.value for c in sheet[4]][:9] == ["review", "prepare", "Prepare", "clerk", 3, 1, 1,
                                               pytest.approx(10 / 3, abs=1e-4), 4]
    assert book["bottlenecks"]["J4"].value.startswith("queue of 1")
