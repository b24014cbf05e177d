"""Working days of the mainland-China calendar, checked against the 2026 State Council
schedule (国办发明电〔2025〕7号) as the holidays package carries it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from liucheng.calendar import BusinessCalendar, CalendarError, default_calendar

CAL = default_calendar()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.mark.parametrize(
    "swapped",
    [
        date(2026, 1, 4),  # Sunday, for New Year
        date(2026, 2, 14),  # Saturday, for the Spring Festival
        date(2026, 2, 28),  # Saturday, for the Spring Festival
        date(2026, 5, 9),  # Saturday, for Labour Day
        date(2026, 9, 20),  # Sunday, for National Day
        date(2026, 10, 10),  # Saturday, for National Day
    ],
)
def test_2026_swapped_working_weekends_are_working_days(swapped: date) -> None:
    assert swapped.weekday() in (5, 6)
    assert CAL.is_working_day(swapped)
    assert CAL.day_name(swapped) is not None and "调休上班" in str(CAL.day_name(swapped))


def test_2026_has_exactly_six_swapped_working_weekends() -> None:
    weekend_work = [d for d in days(date(2026, 1, 1), date(2026, 12, 31))
                    if d.weekday() >= 5 and CAL.is_working_day(d)]
    assert weekend_work == [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28),
                            date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)]


def test_2026_spring_festival_is_nine_days_off() -> None:
    festival = days(date(2026, 2, 15), date(2026, 2, 23))
    assert not any(CAL.is_working_day(d) for d in festival)
    assert CAL.is_working_day(date(2026, 2, 13))  # Friday before
    assert CAL.is_working_day(date(2026, 2, 24))  # back at work on Tuesday
    assert CAL.day_name(date(2026, 2, 17)) == "春节"
    assert CAL.day_name(date(2026, 2, 16)) == "农历除夕"


def test_2026_national_day_is_seven_days_off() -> None:
    assert not any(CAL.is_working_day(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert CAL.is_working_day(date(2026, 10, 8))
    assert CAL.day_name(date(2026, 10, 1)) == "国庆节"


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2026, 1, 1), date(2026, 1, 3)),  # New Year
        (date(2026, 4, 4), date(2026, 4, 6)),  # Tomb-Sweeping Day
        (date(2026, 5, 1), date(2026, 5, 5)),  # Labour Day
        (date(2026, 6, 19), date(2026, 6, 21)),  # Dragon Boat Festival
        (date(2026, 9, 25), date(2026, 9, 27)),  # Mid-Autumn Festival
    ],
)
def test_2026_other_holidays_are_off(first: date, last: date) -> None:
    assert not any(CAL.is_working_day(d) for d in days(first, last))


def test_ordinary_weekdays_and_weekends() -> None:
    assert CAL.is_working_day(date(2026, 3, 2))  # Monday
    assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday
    assert CAL.day_name(date(2026, 3, 2)) is None


def test_2026_is_known_2035_is_not() -> None:
    assert CAL.has_data(2026)
    assert CAL.has_data(2001)
    assert not CAL.has_data(2035)
    assert CAL.warnings_for(date(2026, 6, 1)) == []
    [warning] = CAL.warnings_for(date(2035, 3, 1), date(2035, 4, 1), date(2026, 1, 5))
    assert "2035" in warning.message and "estimated" in warning.message
    assert warning.hint is not None and "complete_years" in warning.hint


def test_2027_is_estimated_until_the_package_publishes_it() -> None:
    if CAL.has_data(2027):
        pytest.skip("this holidays release carries the 2027 schedule")
    assert len(CAL.warnings_for(date(2027, 2, 1))) == 1
    # Statutory days are estimated from the lunar calendar: 除夕 and 春节 (6–8 Feb)...
    assert not any(CAL.is_working_day(d) for d in days(date(2027, 2, 5), date(2027, 2, 8)))
    assert not CAL.is_working_day(date(2027, 10, 1))
    # ...but no weekend of 2027 is a swapped working day yet.
    assert not any(CAL.is_working_day(d) for d in days(date(2027, 1, 1), date(2027, 12, 31))
                   if d.weekday() >= 5)


def test_add_working_days_skips_the_spring_festival() -> None:
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)  # swapped Saturday
    assert CAL.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert CAL.add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)
    assert CAL.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_add_working_days_from_a_rest_day_counts_the_next_working_day_as_one() -> None:
    assert CAL.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday → Monday
    assert CAL.add_working_days(date(2026, 3, 8), -1) == date(2026, 3, 6)  # Sunday → Friday
    assert CAL.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
    assert CAL.working_days_between(date(2026, 2, 24), date(2026, 2, 13)) == -2
    assert CAL.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert CAL.working_days_between(date(2026, 3, 1), date(2026, 3, 31)) == 22


def test_roll() -> None:
    assert CAL.roll(date(2026, 9, 27), "earlier") == date(2026, 9, 24)  # over Mid-Autumn
    assert CAL.roll(date(2026, 10, 1), "later") == date(2026, 10, 8)
    assert CAL.roll(date(2026, 3, 2), "earlier") == date(2026, 3, 2)
    with pytest.raises(CalendarError):
        CAL.roll(date(2026, 3, 7), "sideways")  # type: ignore[arg-type]


def test_nth_working_day() -> None:
    assert CAL.nth_working_day(2026, 1, 1) == date(2026, 1, 4)  # the swapped Sunday
    assert CAL.nth_working_day(2026, 10, 1) == date(2026, 10, 8)
    assert CAL.nth_working_day(2026, 10, 10) == date(2026, 10, 20)
    assert CAL.nth_working_day(2026, 2, -1) == date(2026, 2, 28)  # swapped Saturday
    assert len(CAL.working_days_in_month(2026, 10)) == 18
    with pytest.raises(CalendarError, match="18 working days"):
        CAL.nth_working_day(2026, 10, 19)
    with pytest.raises(CalendarError):
        CAL.nth_working_day(2026, 10, 0)


def test_weekends_only_calendar_without_a_country() -> None:
    plain = BusinessCalendar.from_data({"country": None, "name": "weekends only"})
    assert plain.is_working_day(date(2026, 10, 1))
    assert not plain.is_working_day(date(2026, 2, 14))
    assert plain.has_data(2035)
