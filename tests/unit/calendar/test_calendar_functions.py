"""Calendar functions as the sandboxed expression language sees them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from liucheng.calendar import calendar_functions, default_calendar
from liucheng.errors import ExpressionError
from liucheng.rules.expressions import BUILTINS, evaluate

FUNCTIONS = {**BUILTINS, **calendar_functions(default_calendar())}


def run(source: str, **variables: Any) -> Any:
    return evaluate(source, variables, FUNCTIONS)


def test_function_names() -> None:
    assert set(calendar_functions(default_calendar())) == {
        "is_working_day", "add_working_days", "working_days_between", "roll_to_working_day",
        "add_months", "month_start", "month_end", "nth_working_day", "month_day",
        "add_working_hours", "working_hours_between", "hours_between",
    }


def test_hours_between_counts_the_clock_not_working_time() -> None:
    fns = calendar_functions(default_calendar())
    # over lunch and into the evening: 11:30 to 19:15 is 7.75 hours on the clock
    assert fns["hours_between"]("2026-03-04T11:30:00+08:00", "2026-03-04T19:15:00+08:00") == (
        Decimal("7.75"))
    assert fns["working_hours_between"]("2026-03-04T11:30:00+08:00",
                                        "2026-03-04T19:15:00+08:00") == Decimal("4.5")


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("is_working_day('2026-02-14')", True),
        ("is_working_day(d)", False),
        ("add_working_days(d, 1)", "2026-02-24"),
        ("add_working_days('2026-02-24', -2)", "2026-02-13"),
        ("working_days_between('2026-02-13', '2026-02-24')", 2),
        ("roll_to_working_day('2026-09-27', 'earlier')", "2026-09-24"),
        ("roll_to_working_day('2026-10-01')", "2026-10-08"),
        ("add_months('2026-01-31', 1)", "2026-02-28"),
        ("month_start(d)", "2026-02-01"),
        ("month_end(d)", "2026-02-28"),
        ("nth_working_day('2026-10-15', 1)", "2026-10-08"),
        ("nth_working_day(2026, 10, 10)", "2026-10-20"),
        ("month_day('2026-09-03', 27, 'earlier')", "2026-09-24"),
        ("month_day('2026-06-03', 28)", "2026-06-28"),
        ("month_day(add_months(d, 1), 1)", "2026-03-01"),
        ("add_working_hours('2026-03-02T11:00:00+08:00', 2)", "2026-03-02T14:30:00+08:00"),
        ("add_working_hours('2026-03-06T16:00', 1.5)", "2026-03-06T17:30:00+08:00"),
        ("working_hours_between('2026-03-02T08:30', '2026-03-03T08:30')", Decimal("7.5")),
        ("add_working_days(d, 1) <= '2026-02-28'", True),
    ],
)
def test_expressions(source: str, result: Any) -> None:
    assert run(source, d="2026-02-17") == result


def test_date_objects_are_accepted_too() -> None:
    assert run("add_working_days(d, 1)", d=date(2026, 9, 30)) == "2026-10-08"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("add_working_days('2026-02-30', 1)", "not a date"),
        ("add_working_days('2026-02-03', 1.5)", "whole number"),
        ("nth_working_day('2026-10-01', 19)", "18 working days"),
        ("roll_to_working_day('2026-10-01', 'up')", "'earlier' or 'later'"),
        ("nth_working_day(1)", "nth_working_day"),
    ],
)
def test_bad_arguments_become_expression_errors(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        run(source)
