"""When a timer is due: pure arithmetic on the business calendar, never the wall clock.

`first_due(timer, now, cal, evaluate)` gives the first moment a timer armed at `now`
fires; `next_due(timer, previous, fired, cal)` the following one for cycles (None when
the cycle is done). Durations in working days and hours count on the calendar's working
periods (like a task's due date); dates without a zone are in the calendar's zone; `on`
rules fire at `at` on each open day of the rule; crons are read in the calendar's zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from liucheng.calendar import BusinessCalendar, add_months, next_window_after
from liucheng.model.timers import Cron, Duration, TimerDefinition

MAX_SKIPPED = 100_000
CRON_HORIZON_DAYS = 366 * 5


class ScheduleError(ValueError):
    """A timer that cannot be scheduled (a date expression gave no date, a cron never fires)."""


def parse_moment(value: Any, cal: BusinessCalendar) -> datetime:
    """An aware moment from a date, date-time or ISO text; a date alone is 00:00 local."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ScheduleError(f"'{value}' is not an ISO 8601 date or date-time") from None
    else:
        raise ScheduleError(f"{value!r} is not a date or date-time")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=cal.zone)
    return moment.astimezone(UTC)


def add_duration(start: datetime, d: Duration, cal: BusinessCalendar) -> datetime:
    if d.working_days or d.working_hours:
        amount = cal.hours.per_day * float(d.working_days) + timedelta(
            hours=float(d.working_hours))
        return cal.add_working_hours(start, amount).astimezone(UTC)
    local = start.astimezone(cal.zone)
    months = d.years * 12 + d.months
    if months:
        moved = add_months(local.date(), months)
        local = datetime.combine(moved, local.timetz())
    local += timedelta(weeks=d.weeks, days=d.days, hours=float(d.hours), minutes=d.minutes,
                       seconds=d.seconds)
    return local.astimezone(UTC)


def scale(d: Duration, n: int) -> Duration:
    """`n` times the duration (months stay months: 31 Jan + 2 × P1M is 31 March)."""
    return Duration(d.years * n, d.months * n, d.weeks * n, d.days * n, d.hours * n,
                    d.minutes * n, d.seconds * n, d.working_days * n, d.working_hours * n)


def anchor_of(timer: TimerDefinition, now: datetime, cal: BusinessCalendar) -> datetime | None:
    """What an interval cycle counts from: its start, or the moment it was armed."""
    if timer.interval is None:
        return None
    return parse_moment(timer.start, cal) if timer.start is not None else now


def _at(timer: TimerDefinition) -> time:
    hh, mm = timer.at.split(":")
    return time(int(hh), int(mm))


def _rule_after(timer: TimerDefinition, after: datetime, cal: BusinessCalendar) -> datetime:
    assert timer.rule is not None
    at = _at(timer)
    day = after.astimezone(cal.zone).date()
    for _ in range(120):
        window = next_window_after(timer.rule, day, cal=cal)
        for open_day in window.days:
            if open_day < day:
                continue
            moment = datetime.combine(open_day, at, cal.zone).astimezone(UTC)
            if moment > after:
                return moment
        day = window.close_date + timedelta(days=1)
    raise ScheduleError(f"rule '{timer.rule}' opens no day within 10 years")  # pragma: no cover


def _cron_day(cron: Cron, day: date, cal: BusinessCalendar) -> bool:
    if day.month not in cron.months:
        return False
    dom = cron.days is None or day.day in cron.days
    dow = cron.weekdays is None or day.weekday() in cron.weekdays
    # cron: when both day fields are restricted, either may match
    matches = (dom or dow) if cron.days is not None and cron.weekdays is not None else dom and dow
    return matches and (not cron.working_days_only or cal.is_working_day(day))


def _cron_after(cron: Cron, after: datetime, cal: BusinessCalendar) -> datetime:
    local = after.astimezone(cal.zone)
    day = local.date()
    times = sorted(time(h, m) for h in cron.hours for m in cron.minutes)
    for _ in range(CRON_HORIZON_DAYS):
        if _cron_day(cron, day, cal):
            for t in times:
                moment = datetime.combine(day, t, cal.zone).astimezone(UTC)
                if moment > after:
                    return moment
        day += timedelta(days=1)
    raise ScheduleError(f"cron '{cron.text}' does not fire within 5 years")


def occurrence_after(timer: TimerDefinition, after: datetime, cal: BusinessCalendar) -> datetime:
    """The first occurrence of a cron or `on` rule strictly after `after`."""
    if timer.cron is not None:
        return _cron_after(timer.cron, after, cal)
    return _rule_after(timer, after, cal)


def first_due(timer: TimerDefinition, now: datetime, cal: BusinessCalendar,
              evaluate: Callable[[str], Any] | None = None) -> tuple[datetime, int]:
    """(due moment, occurrences already passed) for a timer armed at `now`.

    A cycle whose start lies in the past skips the occurrences before `now`; they count
    against `times`, so `R3/…` still ends at the third occurrence.
    """
    if timer.date is not None:
        return parse_moment(timer.date, cal), 0
    if timer.until is not None:
        if evaluate is None:
            raise ScheduleError("'until' needs the case's variables; use date or cycle here")
        value = evaluate(timer.until)
        if value in (None, ""):
            raise ScheduleError(f"'{timer.until}' gave no date")
        return parse_moment(value, cal), 0
    if timer.after is not None:
        return add_duration(now, timer.after, cal), 0
    if timer.interval is not None:
        if timer.start is None:
            return add_duration(now, timer.interval, cal), 0
        start, skipped = parse_moment(timer.start, cal), 0
        due = start
        while due < now and skipped < MAX_SKIPPED:
            skipped += 1
            due = add_duration(start, scale(timer.interval, skipped), cal)
        return due, skipped
    if timer.cron is not None or timer.rule is not None:
        return occurrence_after(timer, now, cal), 0
    raise ScheduleError("the timer says neither when nor how long")


def next_due(timer: TimerDefinition, previous: datetime, fired: int, cal: BusinessCalendar,
             anchor: datetime | None = None) -> datetime | None:
    """The occurrence after `previous` once the timer has fired `fired` times; None when done.

    Interval cycles count from `anchor` (see `anchor_of`) so months do not drift: from
    31 January monthly is 28 February, 31 March, 30 April.
    """
    if not timer.repeating or (timer.times is not None and fired >= timer.times):
        return None
    if timer.interval is not None:
        if anchor is None:
            return add_duration(previous, timer.interval, cal)
        steps = fired if timer.start is not None else fired + 1
        return add_duration(anchor, scale(timer.interval, steps), cal)
    if timer.cron is not None or timer.rule is not None:
        return occurrence_after(timer, previous, cal)
    return None
