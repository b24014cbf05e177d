"""Organisation overrides in the YAML-shaped calendar format."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import yaml

from liucheng.calendar import BusinessCalendar, parse_calendar_config, parse_rule, window_for
from liucheng.errors import ValidationError

OVERRIDES = """
name: 市社保中心
country: CN
timezone: Asia/Shanghai
working_hours: ["09:00-12:00", "13:00-17:00"]
holidays:
  - {date: 2026-03-20, name: 建所纪念日}
  - {from: 2027-02-09, to: 2027-02-12, name: 春节}
working_days:
  - 2026-06-19
  - {date: 2027-02-20, name: 调休上班}
complete_years: [2027]
"""


def org() -> BusinessCalendar:
    return BusinessCalendar.from_data(yaml.safe_load(OVERRIDES), source="calendar.yaml")


def test_overrides_add_days_off_and_working_days() -> None:
    cal = org()
    assert cal.name == "市社保中心"
    assert not cal.is_working_day(date(2026, 3, 20))  # the organisation's own day off
    assert cal.day_name(date(2026, 3, 20)) == "建所纪念日"
    assert cal.is_working_day(date(2026, 6, 19))  # works through the Dragon Boat Festival
    assert not cal.is_working_day(date(2026, 2, 17))  # the official calendar still applies
    assert cal.is_working_day(date(2026, 2, 14))


def test_overrides_complete_a_year_the_package_does_not_know() -> None:
    cal = org()
    assert cal.has_data(2027)
    assert cal.warnings_for(date(2027, 2, 1)) == []
    assert not cal.is_working_day(date(2027, 2, 11))
    assert cal.is_working_day(date(2027, 2, 20))  # a Saturday made a working day
    assert cal.day_name(date(2027, 2, 20)) == "调休上班"


def test_overrides_change_working_hours_and_rules_see_them() -> None:
    cal = org()
    assert cal.config.working_hours == ((time(9), time(12)), (time(13), time(17)))
    sh = ZoneInfo("Asia/Shanghai")
    due = cal.add_working_hours(datetime(2026, 3, 2, 11, tzinfo=sh), 2)
    assert due == datetime(2026, 3, 2, 14, tzinfo=sh)
    # March's filing window ends on the 19th, the day before the organisation's own holiday.
    march = window_for(parse_rule("1-19 working"), date(2026, 3, 5), cal=cal)
    assert march.close_date == date(2026, 3, 19)
    assert window_for(parse_rule("20-last working"), date(2026, 3, 5), cal=cal).open_date == (
        date(2026, 3, 23))


def test_defaults() -> None:
    config = parse_calendar_config({})
    assert config.country == "CN" and config.timezone == "Asia/Shanghai"
    assert config.working_hours == ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
    assert config.weekend == frozenset({5, 6})


def test_custom_weekend() -> None:
    cal = BusinessCalendar.from_data({"country": None, "weekend": ["friday", "sat"]})
    assert not cal.is_working_day(date(2026, 3, 6))  # Friday
    assert cal.is_working_day(date(2026, 3, 8))  # Sunday


def test_unquoted_yaml_times_get_a_clear_error() -> None:
    data = yaml.safe_load("working_hours: [[08:30, 12:00], [13:30, 17:30]]")
    with pytest.raises(ValidationError) as caught:
        parse_calendar_config(data, source="calendar.yaml")
    fields = [p.field for p in caught.value.problems]
    assert "working_hours[1]" in fields
    assert "quote times" in str(caught.value)


def test_every_problem_is_reported_with_its_field() -> None:
    data = {
        "nmae": "x",
        "timezone": "Asia/Beijing",
        "country": "ZZ",
        "holidays": ["2026-02-30", {"from": "2026-05-01"}],
        "working_days": ["2026-03-20"],
        "weekend": ["caturday"],
        "complete_years": "2027",
    }
    data["holidays"].append("2026-03-20")  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as caught:
        parse_calendar_config(data)
    by_field = {p.field: p for p in caught.value.problems}
    assert by_field["nmae"].hint == "did you mean 'name'?"
    assert set(by_field) >= {
        "nmae", "timezone", "country", "holidays[0]", "holidays[1]", "working_days",
        "weekend[0]", "complete_years",
    }
    assert "both as a holiday and as a working day" in by_field["working_days"].message


def test_overlapping_working_periods_are_refused() -> None:
    with pytest.raises(ValidationError, match="overlap"):
        parse_calendar_config({"working_hours": ["08:00-12:00", "11:00-17:00"]})
