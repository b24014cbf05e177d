"""Month arithmetic and day windows on real 2026 dates."""

from __future__ import annotations

from datetime import date

import pytest

from liucheng.calendar import (
    CalendarError,
    add_months,
    day_of_month,
    day_range,
    default_calendar,
    month_end,
    month_start,
    single_day,
    window,
    working_days,
)

CAL = default_calendar()


@pytest.mark.parametrize(
    ("start", "months", "result"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 5, 31), 13, date(2027, 6, 30)),
        (date(2026, 2, 28), 0, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, result: date) -> None:
    assert add_months(start, months) == result


def test_month_start_end_and_day_of_month() -> None:
    assert month_start(date(2026, 2, 17)) == date(2026, 2, 1)
    assert month_end(date(2026, 2, 17)) == date(2026, 2, 28)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert day_of_month(2026, 4, 31) == date(2026, 4, 30)
    assert day_of_month(2026, 2, -1) == date(2026, 2, 28)
    with pytest.raises(ValueError):
        day_of_month(2026, 2, 0)


def test_filing_window_february_2026_crosses_the_spring_festival() -> None:
    # 1st–19th, statutory rest days excluded: 1 Feb is a Sunday, 14 Feb a swapped
    # working Saturday, 15–19 Feb the Spring Festival.
    assert window(CAL, 2026, 2, 1, 19, working_days_only=True) == (
        date(2026, 2, 2), date(2026, 2, 14))
    found = day_range(CAL, 2026, 2, 1, 19, working_days_only=True)
    assert len(found.days) == 11
    assert found.contains(date(2026, 2, 14))
    assert not found.contains(date(2026, 2, 8))  # Sunday inside the range
    assert not found.contains(date(2026, 2, 16))
    assert found.next_open_day(date(2026, 2, 7)) == date(2026, 2, 9)
    assert found.next_open_day(date(2026, 2, 15)) is None


def test_filing_window_october_2026_opens_after_national_day() -> None:
    assert window(CAL, 2026, 10, 1, 19, working_days_only=True) == (
        date(2026, 10, 8), date(2026, 10, 19))
    assert window(CAL, 2026, 10, 1, 19) == (date(2026, 10, 1), date(2026, 10, 19))


def test_a_window_with_no_working_day_is_an_error() -> None:
    with pytest.raises(CalendarError, match="no working day"):
        day_range(CAL, 2026, 10, 1, 7, working_days_only=True)
    with pytest.raises(CalendarError):
        day_range(CAL, 2026, 10, 19, 1)


def test_first_ten_working_days() -> None:
    october = working_days(CAL, 2026, 10, 10)
    assert (october.open_date, october.close_date) == (date(2026, 10, 8), date(2026, 10, 20))
    assert date(2026, 10, 10) in october  # the swapped Saturday counts
    january = working_days(CAL, 2026, 1, 10)
    assert (january.open_date, january.close_date) == (date(2026, 1, 4), date(2026, 1, 15))
    march = working_days(CAL, 2026, 3, 10)
    assert (march.open_date, march.close_date) == (date(2026, 3, 2), date(2026, 3, 13))
    last_three = working_days(CAL, 2026, 2, 3, from_end=True)
    assert last_three.days == (date(2026, 2, 26), date(2026, 2, 27), date(2026, 2, 28))


@pytest.mark.parametrize(
    ("month", "rolled"),
    [
        (2, date(2026, 2, 27)),  # a Friday: stays
        (6, date(2026, 6, 26)),  # Saturday → Friday
        (9, date(2026, 9, 24)),  # Sunday; Saturday; Friday is Mid-Autumn → Thursday
        (12, date(2026, 12, 25)),  # Sunday → Friday
    ],
)
def test_the_27th_moved_earlier(month: int, rolled: date) -> None:
    assert single_day(CAL, 2026, month, 27, roll="earlier").open_date == rolled


def test_single_day_without_roll_and_rolled_later() -> None:
    assert single_day(CAL, 2026, 6, 28).open_date == date(2026, 6, 28)  # a Sunday, kept
    assert single_day(CAL, 2026, 1, -1, roll="later").open_date == date(2026, 2, 2)
    assert str(single_day(CAL, 2026, 6, 27, roll="earlier")) == "2026-06-26"
