"""Working hours: 08:30–12:00 and 13:30–17:30 in Asia/Shanghai on working days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from liucheng.calendar import CalendarError, default_calendar

CAL = default_calendar()
SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2026, 3, 2, 9), 2, at(2026, 3, 2, 11)),  # inside the morning
        (at(2026, 3, 2, 11), 1, at(2026, 3, 2, 12)),  # ends exactly at lunch
        (at(2026, 3, 2, 11), 2, at(2026, 3, 2, 14, 30)),  # across lunch
        (at(2026, 3, 2, 12, 30), 1, at(2026, 3, 2, 14, 30)),  # starts during lunch
        (at(2026, 3, 2, 17), 1, at(2026, 3, 3, 9)),  # overnight
        (at(2026, 3, 2, 7), 1, at(2026, 3, 2, 9, 30)),  # starts before opening
        (at(2026, 3, 6, 16), 4, at(2026, 3, 9, 11)),  # over the weekend
        (at(2026, 3, 2, 8, 30), Decimal("7.5"), at(2026, 3, 2, 17, 30)),  # one full day
        (at(2026, 2, 13, 17), 1, at(2026, 2, 14, 9)),  # onto the swapped Saturday
        (at(2026, 2, 14, 17), 1, at(2026, 2, 24, 9)),  # over the Spring Festival
        (at(2026, 9, 30, 16), 8, at(2026, 10, 8, 16, 30)),  # over National Day
    ],
)
def test_add_working_hours(start: datetime, hours: int | Decimal, due: datetime) -> None:
    assert CAL.add_working_hours(start, hours) == due


def test_add_working_hours_backwards() -> None:
    assert CAL.add_working_hours(at(2026, 3, 2, 13, 30), -1) == at(2026, 3, 2, 11)
    assert CAL.add_working_hours(at(2026, 3, 9, 9), -1) == at(2026, 3, 6, 17)
    assert CAL.add_working_hours(at(2026, 2, 24, 9), -1) == at(2026, 2, 14, 17)


def test_add_working_hours_accepts_timedelta_and_keeps_the_callers_zone() -> None:
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    due = CAL.add_working_hours(start, timedelta(minutes=90))
    assert due == at(2026, 3, 2, 10, 30)
    assert due.tzinfo is UTC
    assert CAL.add_working_hours(start, 0) == start


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(CalendarError, match="no time zone"):
        CAL.add_working_hours(datetime(2026, 3, 2, 9), 1)
    with pytest.raises(CalendarError):
        CAL.working_time_between(datetime(2026, 3, 2, 9), at(2026, 3, 2, 10))


def test_working_time_between() -> None:
    # Friday from 09:00 (7 h), the swapped Saturday (7.5 h), Tuesday 08:30–09:00.
    assert CAL.working_time_between(at(2026, 2, 13, 9), at(2026, 2, 24, 9)) == timedelta(hours=15)
    week = CAL.working_time_between(at(2026, 3, 2, 0), at(2026, 3, 9, 0))
    assert week == timedelta(hours=5 * 7.5)
    assert CAL.working_time_between(at(2026, 3, 9, 0), at(2026, 3, 2, 0)) == -week
    assert CAL.working_time_between(at(2026, 3, 2, 12), at(2026, 3, 2, 13, 30)) == timedelta()
    assert CAL.working_time_between(at(2026, 10, 1, 9), at(2026, 10, 7, 17)) == timedelta()


def test_is_working_time() -> None:
    assert CAL.is_working_time(at(2026, 3, 2, 8, 30))
    assert not CAL.is_working_time(at(2026, 3, 2, 12))
    assert not CAL.is_working_time(at(2026, 3, 2, 17, 30))
    assert CAL.is_working_time(at(2026, 2, 14, 10))  # swapped Saturday
    assert not CAL.is_working_time(at(2026, 2, 17, 10))  # Spring Festival
