"""Step figures on the hand-computed history of conftest.py, calendar and working time."""

from __future__ import annotations

import pytest
from analytics_history import NOW, PRODUCT, History, at, hours

from liucheng.analytics import (
    Filters,
    Measure,
    StepStats,
    bottlenecks,
    directly_follows,
    performance,
    step_stats,
    visits,
)
from liucheng.calendar import default_calendar

CAL = Measure.elapsed()
WORK = Measure.working(default_calendar())


def stats(history: History, measure: Measure,
          filters: Filters | None = None) -> dict[str, StepStats]:
    with history.engine.db.connect() as conn:
        return {s.element: s for s in step_stats(conn, PRODUCT, filters or Filters("review"),
                                                 NOW, measure)}


def test_visits_split_waiting_and_working_periods(history: History) -> None:
    with history.engine.db.connect() as conn:
        found = list(visits(conn, PRODUCT, Filters("review"), NOW))
    assert len(found) == 5
    first = min((v for v in found if v.element == "prepare"), key=lambda v: v.created)
    assert [(s.kind, s.start, s.end, s.actor) for s in first.segments] == [
        ("waiting", at(2, 9), at(2, 10), None), ("working", at(2, 10), at(2, 11), "ann"),
        ("waiting", at(2, 11), at(2, 14), None), ("working", at(2, 14), at(2, 15), "cat")]
    pool = [v for v in found if v.element == "approve" and v.created == at(2, 15)][0]
    assert [(s.kind, s.actor) for s in pool.segments] == [("working", "bob")]  # from the pool
    open_ = [v for v in found if v.open]
    assert len(open_) == 1 and open_[0].case == history.case_b
    assert open_[0].segments[-1].end == NOW


def test_step_figures_in_calendar_time(history: History) -> None:
    s = stats(history, CAL)
    prepare, approve = s["prepare"], s["approve"]
    assert (prepare.visits, prepare.open, prepare.overdue) == (3, 1, 1)
    # waits 4 h (two pool periods), 0, 6 h (open); works 2 h, 18 h, 0
    assert hours(prepare.waiting.median) == 4 and hours(prepare.waiting.total) == 10
    assert hours(prepare.waiting.p90) == pytest.approx(5.6)
    assert hours(prepare.working.mean) == pytest.approx(20 / 3)
    assert hours(prepare.total.median) == 6 and hours(prepare.total.max) == 18
    assert (approve.visits, approve.open) == (2, 0)
    assert hours(approve.waiting.total) == 1 and hours(approve.working.total) == 2


def test_step_figures_in_working_time(history: History) -> None:
    s = stats(history, WORK)
    prepare, approve = s["prepare"], s["approve"]
    # prepare#1 waits 1 h + 1.5 h (11:00–12:00, 13:30–14:00); B waits 3 h + 1.5 h until 15:00
    assert [hours(x) for x in (prepare.waiting.min, prepare.waiting.median,
                               prepare.waiting.max)] == [0, 2.5, 4.5]
    # prepare#2 worked Mon 16:00–17:30 and Tue 08:30–10:00
    assert hours(prepare.working.max) == 3 and hours(prepare.working.total) == 5
    assert hours(prepare.total.total) == 12
    assert hours(approve.working.total) == 2


def test_completed_only_leaves_the_open_step_out(history: History) -> None:
    prepare = stats(history, CAL, Filters("review", include_open=False))["prepare"]
    assert (prepare.visits, prepare.open) == (2, 0)
    assert hours(prepare.waiting.total) == 4


def test_date_range_counts_steps_by_creation(history: History) -> None:
    s = stats(history, CAL, Filters("review", start=at(3, 0)))
    assert {k: v.visits for k, v in s.items()} == {"prepare": 1, "approve": 1}
    assert stats(history, CAL, Filters("review", end=at(2, 12))).keys() == {"prepare"}


def test_bottleneck_ranking_explains_itself(history: History) -> None:
    with history.engine.db.connect() as conn:
        ranked = bottlenecks(conn, PRODUCT, Filters("review"), NOW, CAL)
        working = bottlenecks(conn, PRODUCT, Filters("review"), NOW, WORK)
    assert [b.step.element for b in ranked] == ["prepare", "approve"]
    top = ranked[0]
    assert top.ratio == pytest.approx(4.0)  # median wait 4 h; median of all waits 1 h
    assert top.share == pytest.approx(10 / 11)
    assert top.reason == ("queue of 1; median wait 4.0 h, 4× the process median; "
                          "91% of all waiting in review; 1 overdue; 3 visits, p90 wait 5.6 h")
    assert working[0].reason.startswith("queue of 1; median wait 2.5 h, 2.5× the process median")


def test_directly_follows_from_completion_to_start(history: History) -> None:
    with history.engine.db.connect() as conn:
        flows = {(f.source, f.target): f.time
                 for f in directly_follows(conn, PRODUCT, Filters("review"), NOW, CAL)}
    assert flows.keys() == {("Prepare", "Approve"), ("Approve", "Prepare")}
    forward = flows[("Prepare", "Approve")]
    assert forward.count == 2 and hours(forward.total) == 1  # 0 and Tue 10:00 → 11:00
    assert hours(flows[("Approve", "Prepare")].total) == 0


def test_performance_gives_the_flows_and_the_service_times(history: History) -> None:
    with history.engine.db.connect() as conn:
        figures = performance(conn, PRODUCT, Filters("review"), NOW, CAL)
    assert [(f.source, f.target, f.time.count) for f in figures.flows] == [
        ("Prepare", "Approve", 2), ("Approve", "Prepare", 1)]
    # finished visits only: prepare 2 h (ann, cat) and 18 h from the pool; approve 1 h + 1 h
    assert {name: (s.count, hours(s.total)) for (_, name), s in figures.service.items()} == {
        "Prepare": (2, 20), "Approve": (2, 2)}


def test_filters_reject_bad_input() -> None:
    from datetime import datetime

    from liucheng.errors import ValidationError

    with pytest.raises(ValidationError, match="no time zone"):
        Filters(start=datetime(2026, 3, 1))
    with pytest.raises(ValidationError, match="not after its start"):
        Filters(start=at(3, 0), end=at(2, 0))
    with pytest.raises(ValidationError, match="needs a process"):
        Filters(version=2)
