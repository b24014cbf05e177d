"""Step windows on the Chinese working calendar: claiming and completing outside the
window is refused with the next window's dates; real 2026 dates (National Day, the
swapped working Saturday of 10 October, Mid-Autumn)."""

from __future__ import annotations

from datetime import datetime

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine.commands import Actor, ClaimTask
from liucheng.errors import ModelError, StateError

UNIT = Actor("unit_clerk", frozenset({"unit"}))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "T10:00+08:00")


def process(window: str, form: str = "") -> str:
    return f"""
process: windows
roles: {{unit: 参保单位, clerk: 经办人}}
steps:
  - id: file_reduction
    name: {{zh: 申报死亡减员, en: File the death reduction}}
    role: unit
    window: {window}
    {form}
  - id: record
    role: clerk
"""


DEATH = process("{from: death_date, month_offset: 1, days: [1, 19], working_days_only: true}",
                "form: [{id: death_date, type: date, required: true}]")


def test_filing_before_the_window_is_refused_naming_the_next_window() -> None:
    case = Case(DEATH)
    case.now = at("2026-09-20")
    case.start()
    with pytest.raises(StateError) as err:
        case.complete("file_reduction", UNIT, death_date="2026-09-03")
    # October 2026: National Day 1–7, so the window opens on Thursday 8 October
    assert "2026-10-08 – 2026-10-19" in err.value.message
    assert "it next opens on 2026-10-08" in err.value.message
    assert err.value.context["next_open"] == "2026-10-08"
    assert err.value.context["element"] == "file_reduction"
    case.now = at("2026-10-08")
    case.complete("file_reduction", UNIT, death_date="2026-09-03")
    assert case.open_steps() == ["record"]


def test_rest_days_inside_the_window_are_closed_the_swapped_saturday_is_open() -> None:
    case = Case(DEATH).start(death_date="2026-09-03")
    case.now = at("2026-10-11")  # Sunday
    with pytest.raises(StateError) as err:
        case.run(ClaimTask(UNIT, case.task_id("file_reduction")))
    assert "it next opens on 2026-10-12" in err.value.message
    case.now = at("2026-10-10")  # Saturday, a working day in 2026 (调休)
    case.run(ClaimTask(UNIT, case.task_id("file_reduction")))
    case.complete("file_reduction", UNIT)
    assert case.open_steps() == ["record"]


def test_a_late_filing_is_accepted_in_a_later_months_window() -> None:
    case = Case(DEATH).start()
    case.now = at("2026-11-20")  # after the 19th: refused, December's window comes next
    with pytest.raises(StateError) as err:
        case.complete("file_reduction", UNIT, death_date="2026-09-03")
    assert err.value.context["window"]["open"] == "2026-12-01"
    case.now = at("2026-11-19")
    case.complete("file_reduction", UNIT, death_date="2026-09-03")


def test_a_claim_without_the_reference_date_is_allowed_the_completion_decides() -> None:
    case = Case(DEATH)
    case.now = at("2026-09-20")
    case.start()
    case.run(ClaimTask(UNIT, case.task_id("file_reduction")))
    with pytest.raises(StateError):
        case.complete("file_reduction", UNIT, death_date="2026-09-03")


def test_the_templates_shape_with_reference_and_rule() -> None:
    source = process("{reference: review_completed_on, rule: {working_days: 10, from: "
                     "month_start, month_offset: 1}, kind: period}")
    case = Case(source).start(review_completed_on="2026-09-15")
    case.now = at("2026-10-21")
    with pytest.raises(StateError) as err:
        case.complete("file_reduction", UNIT)
    # the first 10 working days of October 2026: 8–20 Oct, Saturday 10 Oct included
    assert "period" in err.value.message
    case.now = at("2026-10-20")
    case.complete("file_reduction", UNIT)


def test_first_working_days_with_a_date_time_reference() -> None:
    source = process("{from: review_completed_at, month_offset: 1, first_working_days: 10}")
    case = Case(source).start(review_completed_at="2026-09-30T17:00:00+00:00")  # 1 Oct local
    case.now = at("2026-11-09")
    case.complete("file_reduction", UNIT)  # November's first 10 working days: 2–13 Nov


def test_a_day_rule_without_reference_is_this_months_day() -> None:
    case = Case(process("{day: 27, roll: earlier}")).start()
    case.now = at("2026-09-25")  # Mid-Autumn: the transfer day is Thursday 24 September
    with pytest.raises(StateError) as err:
        case.complete("file_reduction", UNIT)
    assert err.value.context["window"]["open"] == "2026-10-27"
    case.now = at("2026-09-24")
    case.complete("file_reduction", UNIT)


def test_days_before_a_due_date_open_early_and_stay_open() -> None:
    case = Case(process("{reference: next_due_date, days_before: 3}")).start(
        next_due_date="2026-05-10")
    case.now = at("2026-05-06")
    with pytest.raises(StateError) as err:
        case.complete("file_reduction", UNIT)
    assert "opens on 2026-05-07" in err.value.message
    case.now = at("2026-05-20")  # late is allowed: the step records the days late
    case.complete("file_reduction", UNIT)


def test_a_reference_the_case_does_not_hold_is_refused_on_completion() -> None:
    case = Case(process("{reference: ended_on, days_before: 0, days_after: 5}")).start()
    with pytest.raises(StateError) as err:
        case.complete("file_reduction", ADMIN)
    assert "'ended_on'" in err.value.message


@pytest.mark.parametrize("window, message", [
    ("{from: death_date, days: [1, 19], working_day_only: true}", "working_days_only"),
    ("{reference: 'a +', rule: {day: 3}}", "does not parse"),
    ("{days_before: 3}", "count from a reference date"),
    ("{reference: d, rule: {day: 3}, extra: 1}", "unknown key 'extra'"),
    ("[1, 19]", "must be a date rule"),
])
def test_bad_windows_are_model_errors_with_the_line(window: str, message: str) -> None:
    with pytest.raises(ModelError) as err:
        Case(process(window))
    text = " ".join(f"{p.message} {p.hint or ''}" for p in err.value.problems)
    assert message in text
    assert err.value.problems[0].element == "file_reduction"
    assert err.value.problems[0].line == 5
