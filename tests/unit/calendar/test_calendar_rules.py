"""Date rules: parsing, errors that name the problem, and evaluation on real dates."""

from __future__ import annotations

from datetime import date

import pytest

from liucheng.calendar import (
    DayRule,
    WindowRule,
    WorkingDaysRule,
    contains,
    default_calendar,
    next_window_after,
    parse_rule,
    window_for,
)
from liucheng.errors import ModelError

CAL = default_calendar()

FILING = {"window": [1, 19], "working_days_only": True, "month_offset": 1}
CARD = {"working_days": 10, "from": "month_start", "month_offset": 1}


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        ({"day": 27, "roll": "earlier"}, DayRule(27, "earlier")),
        ({"day": 28}, DayRule(28)),
        ({"day": "last", "roll": "later"}, DayRule(-1, "later")),
        (FILING, WindowRule(1, 19, True, 1)),
        ({"window": [24, 25]}, WindowRule(24, 25)),
        (CARD, WorkingDaysRule(10, False, 1)),
        ({"working_days": 3, "from": "month_end"}, WorkingDaysRule(3, True)),
        ("27 earlier", DayRule(27, "earlier")),
        ("28", DayRule(28)),
        (20, DayRule(20)),
        ("1-19 working next month", WindowRule(1, 19, True, 1)),
        ("24–25", WindowRule(24, 25)),
        ("20-last", WindowRule(20, -1)),
        ("first 10 working days next month", WorkingDaysRule(10, False, 1)),
        ("last 2 working -1 months", WorkingDaysRule(2, True, -1)),
    ],
)
def test_parse_rule(data: object, rule: object) -> None:
    parsed = parse_rule(data)
    assert parsed == rule
    assert parse_rule(parsed.to_data()) == parsed
    assert parse_rule(str(parsed)) == parsed


@pytest.mark.parametrize(
    ("data", "message", "field"),
    [
        ({"window": [1, 19], "working_day_only": True}, "did you mean 'working_days_only'",
         "deadline.working_day_only"),
        ({"day": 32}, "not a day of the month", "deadline.day"),
        ({"day": 27, "roll": "before"}, "'earlier' or 'later'", "deadline.roll"),
        ({"window": [19, 1]}, "ends before it starts", "deadline.window"),
        ({"window": 19}, "pair of days", "deadline.window"),
        ({"day": 27, "window": [1, 19]}, "exactly one of", "deadline"),
        ({"working_days": 40}, "1..23", "deadline.working_days"),
        ({"working_days": 10, "from": "start"}, "month_start or month_end", "deadline.from"),
        ({"day": 1, "month_offset": "next"}, "number of months", "deadline.month_offset"),
        ("1-19 workin", "is not a date rule", "deadline"),
        ([1, 19], "mapping or a text", "deadline"),
    ],
)
def test_parse_rule_errors_name_the_problem(data: object, message: str, field: str) -> None:
    with pytest.raises(ModelError) as caught:
        parse_rule(data, element="file_reduction", field="deadline", line=12)
    [problem] = caught.value.problems
    assert message in str(problem)
    assert problem.element == "file_reduction" and problem.line == 12
    assert problem.field == field


def test_filing_window_the_month_after_death() -> None:
    rule = parse_rule(FILING)
    death = date(2026, 1, 20)
    found = window_for(rule, death, cal=CAL)
    assert (found.open_date, found.close_date) == (date(2026, 2, 2), date(2026, 2, 14))
    assert contains(rule, death, date(2026, 2, 14), cal=CAL)  # swapped Saturday
    assert not contains(rule, death, date(2026, 2, 16), cal=CAL)  # Spring Festival
    assert not contains(rule, death, date(2026, 2, 20), cal=CAL)  # after the 19th
    assert not contains(rule, death, date(2026, 1, 21), cal=CAL)  # the month of death


def test_filing_window_after_a_september_death_waits_for_national_day() -> None:
    found = window_for(parse_rule(FILING), date(2026, 9, 3))
    assert (found.open_date, found.close_date) == (date(2026, 10, 8), date(2026, 10, 19))


def test_card_collection_first_ten_working_days_of_next_month() -> None:
    found = window_for(parse_rule(CARD), date(2026, 9, 15))
    assert (found.open_date, found.close_date) == (date(2026, 10, 8), date(2026, 10, 20))
    assert len(found.days) == 10


def test_transfer_on_the_27th_moved_earlier_and_payment_by_the_28th() -> None:
    assert window_for(parse_rule("27 earlier"), date(2026, 9, 1)).open_date == date(2026, 9, 24)
    assert window_for(parse_rule({"day": 28}), date(2026, 9, 1)).open_date == date(2026, 9, 28)


def test_next_window_after_a_late_filing() -> None:
    rule = parse_rule("1-19 working")
    later = next_window_after(rule, date(2026, 3, 25))
    assert (later.open_date, later.close_date) == (date(2026, 4, 1), date(2026, 4, 17))
    # On a Saturday inside the window, the current window is still the answer.
    current = next_window_after(rule, date(2026, 3, 14))
    assert current.open_date == date(2026, 3, 2)
    assert current.next_open_day(date(2026, 3, 14)) == date(2026, 3, 16)
    assert next_window_after(rule, date(2026, 9, 30)).open_date == date(2026, 10, 8)


def test_next_window_after_for_day_rules() -> None:
    assert next_window_after(parse_rule("27 earlier"), date(2026, 9, 25)).open_date == date(
        2026, 10, 27)
    assert next_window_after(parse_rule("27 earlier"), date(2026, 9, 24)).open_date == date(
        2026, 9, 24)
    # The last day of January 2026 is a Saturday; rolled later it opens on 2 February.
    assert next_window_after(parse_rule("last later"), date(2026, 2, 1)).open_date == date(
        2026, 2, 2)
