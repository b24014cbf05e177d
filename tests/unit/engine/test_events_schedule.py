"""Timer specifications and due moments: ISO durations and repeating intervals, crons,
sentences, calendar rules; on real 2026 and 2027 dates of the Chinese calendar."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liucheng.calendar import default_calendar
from liucheng.engine.schedule import ScheduleError, anchor_of, first_due, next_due
from liucheng.model.timers import Duration, TimerSpecError, parse_duration, parse_timer

CAL = default_calendar()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def occurrences(spec: dict, now: str, n: int, *, repeat: bool = True) -> list[str]:
    timer = parse_timer(spec, repeat_by_default=repeat)
    due, fired = first_due(timer, local(now), CAL)
    anchor = anchor_of(timer, local(now), CAL)
    out = []
    while due is not None and len(out) < n:
        out.append(due.astimezone(CAL.zone).strftime("%Y-%m-%d %H:%M"))
        fired += 1
        due = next_due(timer, due, fired, CAL, anchor)
    return out


def test_iso_durations() -> None:
    assert parse_duration("P2D") == Duration(days=2)
    assert parse_duration("PT4H") == Duration(hours=4)
    assert parse_duration("P1Y2M3W4DT5H6M7S") == Duration(1, 2, 3, 4, 5, 6, 7)
    assert parse_duration("pt1.5h") == Duration(hours=1.5)
    assert parse_duration({"working_days": 2}) == Duration(working_days=2)
    for bad in ("P", "PT", "2D", "P1H", {"days": 1.5}, {"days": 0}, {"hours": -1},
                {"working_days": 1, "hours": 2}):
        with pytest.raises(TimerSpecError):
            parse_duration(bad)


def test_a_repeating_interval_with_a_start_in_the_past_skips_to_the_next() -> None:
    assert occurrences({"cycle": "R/2026-01-31T09:00/P1M"}, "2026-03-05T12:00", 4) == [
        "2026-03-31 09:00", "2026-04-30 09:00", "2026-05-31 09:00", "2026-06-30 09:00"]
    assert occurrences({"cycle": "R/P1M"}, "2026-01-31T09:00", 3) == [
        "2026-02-28 09:00", "2026-03-31 09:00", "2026-04-30 09:00"]
    # R3 counts the skipped ones too: it ends at its third occurrence whenever armed
    assert occurrences({"cycle": "R3/2026-03-01T09:00/P1D"}, "2026-03-02T10:00", 9) == [
        "2026-03-03 09:00"]
    assert occurrences({"cycle": "R2/PT90M"}, "2026-03-02T10:00", 9) == [
        "2026-03-02 11:30", "2026-03-02 13:00"]


def test_the_20th_of_every_month_and_crons() -> None:
    assert occurrences({"cycle": "20th of every month 09:00"}, "2026-01-20T09:01", 3) == [
        "2026-02-20 09:00", "2026-03-20 09:00", "2026-04-20 09:00"]
    assert occurrences({"cycle": "0 9 20 * *"}, "2026-01-19T23:00", 2) == [
        "2026-01-20 09:00", "2026-02-20 09:00"]
    assert occurrences({"cycle": "30 8 * * mon-fri"}, "2026-03-06T09:00", 2) == [
        "2026-03-09 08:30", "2026-03-10 08:30"]
    # every working day skips the Spring Festival and keeps the swapped Saturday 28 Feb
    assert occurrences({"cycle": "every working day 09:00"}, "2026-02-13T10:00", 3) == [
        "2026-02-14 09:00", "2026-02-24 09:00", "2026-02-25 09:00"]


def test_the_27th_moved_earlier_on_rest_days_month_by_month() -> None:
    got = occurrences({"day": 27, "roll": "earlier", "at": "10:00"}, "2026-06-01T00:00", 5)
    # Sat 27 Jun → Fri 26; Mon 27 Jul; Thu 27 Aug; Sun 27 Sep, Sat 26, Mid-Autumn 25 → Thu 24
    assert got == ["2026-06-26 10:00", "2026-07-27 10:00", "2026-08-27 10:00",
                   "2026-09-24 10:00", "2026-10-27 10:00"]
    # 2027 (no official schedule yet: estimated) — Saturday 27 Feb 2027 → Friday 26
    assert occurrences({"rule": "27 earlier"}, "2027-02-01T00:00", 1) == ["2027-02-26 09:00"]


def test_a_rule_without_repeat_fires_once() -> None:
    assert occurrences({"rule": {"day": 20}}, "2026-03-21T00:00", 5, repeat=False) == [
        "2026-04-20 09:00"]
    assert occurrences({"rule": {"day": 20}, "times": 2}, "2026-03-21T00:00", 5,
                       repeat=False) == ["2026-04-20 09:00", "2026-05-20 09:00"]


def test_until_needs_variables_and_a_date() -> None:
    timer = parse_timer({"until": "deadline"})
    with pytest.raises(ScheduleError):
        first_due(timer, local("2026-03-02T09:00"), CAL)
    with pytest.raises(ScheduleError):
        first_due(timer, local("2026-03-02T09:00"), CAL, lambda _: None)
    with pytest.raises(ScheduleError):
        first_due(timer, local("2026-03-02T09:00"), CAL, lambda _: "soon")
    due, _ = first_due(timer, local("2026-03-02T09:00"), CAL, lambda _: "2026-03-04")
    assert due == local("2026-03-04T00:00")


@pytest.mark.parametrize("spec, key", [
    ({"after": "P1D", "date": "2026-01-01"}, "after"),
    ({"cycle": "R0/PT1H"}, "cycle"),
    ({"cycle": "R3/soon/PT1H"}, "cycle"),
    ({"cycle": "0 9 32 * *"}, "cycle"),
    ({"cycle": "every fortnight"}, "cycle"),
    ({"date": "2026-02-30"}, "date"),
    ({"after": "P1D", "times": 2}, "times"),
    ({"cycle": "R/PT1H", "at": "25:00"}, "at"),
])
def test_bad_timer_specs_name_their_key(spec: dict, key: str) -> None:
    with pytest.raises(TimerSpecError) as err:
        parse_timer(spec)
    assert err.value.key == key


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20)))
def test_working_hours_timers_always_fall_in_working_time(hours: int, start: datetime) -> None:
    timer = parse_timer({"after": {"working_hours": hours}})
    due, _ = first_due(timer, start.replace(tzinfo=CAL.zone), CAL)
    assert due > start.replace(tzinfo=CAL.zone)
    local_due = due.astimezone(CAL.zone)
    assert CAL.is_working_day(local_due.date())
    assert CAL.working_time_between(start.replace(tzinfo=CAL.zone), due).total_seconds() == (
        hours * 3600)
