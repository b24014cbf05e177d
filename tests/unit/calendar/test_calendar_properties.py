"""Properties of working-day and working-hour arithmetic over years with real data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from liucheng.calendar import (
    DayRule,
    WindowRule,
    WorkingDaysRule,
    default_calendar,
    parse_rule,
    window_for,
)

CAL = default_calendar()
SH = ZoneInfo("Asia/Shanghai")
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31))
steps = st.integers(min_value=-60, max_value=60)
moments = st.builds(
    lambda d, minutes: datetime(d.year, d.month, d.day, tzinfo=SH) + timedelta(minutes=minutes),
    days,
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
hours = st.integers(min_value=-3000, max_value=3000).map(lambda q: timedelta(minutes=q * 5))


@given(days, steps.filter(bool))
def test_add_working_days_lands_on_a_working_day(day: date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(day, n))


@given(days, steps)
def test_add_working_days_round_trips_from_working_days(day: date, n: int) -> None:
    start = CAL.roll(day, "later")
    assert CAL.add_working_days(CAL.add_working_days(start, n), -n) == start


@given(days, steps)
def test_working_days_between_inverts_add_working_days(day: date, n: int) -> None:
    start = day if n >= 0 else CAL.roll(day, "later")
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@given(days, days)
def test_working_days_between_is_antisymmetric(a: date, b: date) -> None:
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)


@settings(max_examples=60)
@given(moments, hours)
def test_working_time_between_measures_what_add_working_hours_added(
    start: datetime, amount: timedelta
) -> None:
    due = CAL.add_working_hours(start, amount)
    assert CAL.working_time_between(start, due) == amount


@settings(max_examples=60)
@given(moments.filter(CAL.is_working_time), hours)
def test_add_working_hours_round_trips_inside_working_time(
    start: datetime, amount: timedelta
) -> None:
    back = CAL.add_working_hours(CAL.add_working_hours(start, amount), -amount)
    # the end of one working period and the start of the next are the same working moment
    assert CAL.working_time_between(back, start) == timedelta(0)


rules = st.one_of(
    st.builds(DayRule, st.sampled_from([*range(1, 32), -1]),
              st.sampled_from([None, "earlier", "later"]), st.integers(-2, 2)),
    st.builds(lambda a, span, w, o: WindowRule(a, min(a + span, 31), w, o),
              st.integers(1, 28), st.integers(0, 20), st.booleans(), st.integers(-2, 2)),
    st.builds(WorkingDaysRule, st.integers(1, 15), st.booleans(), st.integers(-2, 2)),
)


@given(rules, days)
def test_rules_round_trip_through_text_and_data(rule: object, reference: date) -> None:
    parsed = parse_rule(rule)
    assert parse_rule(str(parsed)) == parsed == parse_rule(parsed.to_data())


@given(st.sampled_from(["1-19 working", "first 10 working", "27 earlier", "20-25 working"]),
       days)
def test_working_day_windows_only_open_on_working_days(text: str, reference: date) -> None:
    found = window_for(parse_rule(text), reference, cal=CAL)
    assert all(CAL.is_working_day(d) for d in found.days)
    assert list(found.days) == sorted(found.days)
