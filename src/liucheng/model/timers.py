"""Timer specifications: when a timer event fires, as frozen data read from a definition.

A timer is one of
- `date`: an ISO 8601 date or date-time (`2026-03-20T09:00`, zone-less = the calendar's);
- `until`: an expression giving a date or date-time, evaluated when the timer is armed;
- `after`: a duration from arming — ISO 8601 (`P2D`, `PT4H`, `P1DT2H`, `P1M`) or a mapping
  (`{working_days: 2}`, `{working_hours: 4}`, `{days: 3, hours: 2}`, `{months: 1}`);
- `cycle`: a repeating interval (`R3/PT1H`, `R/2026-03-01T09:00/P1M`), a 5-field cron
  (`0 9 20 * *`) or a sentence (`20th of every month 09:00`, `every working day 09:00`);
- `rule`: a business-calendar date rule (`{day: 27, roll: earlier}`, `1-19 working`) with
  `at: "09:00"`: the rule's open days at that time. `day` and `roll` may also stand in
  the timer itself: `{day: 27, roll: earlier, at: "09:00"}`. (Not `on:` — YAML reads
  an unquoted `on` as *true*.)
`times` limits how often a cycle fires; `parse_timer` raises `TimerSpecError` naming the key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from liucheng.calendar import DateRule, DayRule, parse_rule
from liucheng.errors import ModelError

TIMER_KEYS = ("date", "until", "after", "cycle", "rule", "day", "roll", "at", "times")
DURATION_KEYS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds",
                 "working_days", "working_hours")
_ISO_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_MONTHLY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)? of every month(?: at)?(?: (\S+))?$")
_DAILY = re.compile(r"^every (working )?day(?: at)?(?: (\S+))?$")


class TimerSpecError(Exception):
    """A timer specification that cannot be read: what, at which key, what to write."""

    def __init__(self, message: str, key: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.key, self.hint = message, key, hint


@dataclass(frozen=True)
class Duration:
    """A length of time in calendar parts or in working time of the business calendar."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: float = 0
    minutes: int = 0
    seconds: int = 0
    working_days: float = 0
    working_hours: float = 0

    def __bool__(self) -> bool:
        return any(getattr(self, k) for k in DURATION_KEYS)


@dataclass(frozen=True)
class Cron:
    """A 5-field cron (minute hour day-of-month month day-of-week) as sets of values."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None = any day of the month
    months: frozenset[int]
    weekdays: frozenset[int] | None  # 0 = Monday … 6 = Sunday; None = any
    working_days_only: bool = False


@dataclass(frozen=True)
class TimerDefinition:
    """When a timer fires. Exactly one of date, until, after, cycle/interval, cron, rule."""

    date: str | None = None
    until: str | None = None
    after: Duration | None = None
    interval: Duration | None = None  # cycle with a fixed interval
    start: str | None = None  # first occurrence of an interval cycle (else arming + interval)
    cron: Cron | None = None
    rule: DateRule | None = None
    at: str = "09:00"
    times: int | None = 1  # how many times it fires; None = without end

    @property
    def repeating(self) -> bool:
        return self.times != 1


def parse_duration(value: Any, key: str = "after") -> Duration:
    """`P2D`, `PT4H`, `P1M`, `{working_days: 2}`, `{hours: 4}` → Duration."""
    if isinstance(value, str):
        match = _ISO_DURATION.match(value.strip().upper())
        if not match or value.strip().upper() in ("P", "PT"):
            raise TimerSpecError(f"'{value}' is not an ISO 8601 duration", key,
                                 "write e.g. P2D (2 days), PT4H (4 hours), P1DT12H, P1M")
        found = {k: v for k, v in match.groupdict().items() if v is not None}
        return Duration(**{k: int(v) for k, v in found.items() if k != "hours"},
                        hours=float(found.get("hours", 0)))
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in DURATION_KEYS]
        if unknown:
            raise TimerSpecError(f"unknown unit '{unknown[0]}' in a duration", key,
                                 "use " + ", ".join(DURATION_KEYS))
        parts: dict[str, Any] = {}
        for unit, amount in value.items():
            if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
                raise TimerSpecError(f"{unit} must be a number of at least 0, not {amount!r}",
                                     f"{key}.{unit}")
            if unit in ("years", "months", "weeks", "days", "minutes", "seconds") and \
                    amount != int(amount):
                raise TimerSpecError(f"{unit} must be a whole number", f"{key}.{unit}",
                                     "use hours or minutes for parts of a day")
            parts[unit] = amount if unit in ("hours", "working_days", "working_hours") \
                else int(amount)
        duration = Duration(**parts)
        if not duration:
            raise TimerSpecError("a duration must be longer than zero", key)
        if (duration.working_days or duration.working_hours) and any(
                getattr(duration, k) for k in DURATION_KEYS[:7]):
            raise TimerSpecError("do not mix working time with calendar time in one duration",
                                 key, "use {working_hours: …} or {days: …, hours: …}")
        return duration
    raise TimerSpecError(f"a duration must be a text such as P2D or a mapping, not {value!r}",
                         key)


def parse_time_of_day(value: Any, key: str = "at") -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise TimerSpecError(f"{value} is not a time of day: YAML read an unquoted time as a "
                             "number", key, 'write it in quotes: at: "09:00"')
    text = str(value).strip()
    match = _TIME.match(text)
    if not match:
        raise TimerSpecError(f"'{value}' is not a time of day", key, 'write e.g. "09:00"')
    return f"{int(match[1]):02d}:{match[2]}"


def _field(text: str, low: int, high: int, what: str, names: dict[str, int] | None = None
           ) -> frozenset[int] | None:
    if text == "*":
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else 0
            if not step:
                raise TimerSpecError(f"'{text}' has a bad step in the {what} field", "cycle")
        if part == "*":
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _number(a, what, names), _number(b, what, names)
        else:
            first = last = _number(part, what, names)
        if not low <= first <= last <= high:
            raise TimerSpecError(f"'{text}' is outside {low}-{high} in the {what} field",
                                 "cycle")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _number(text: str, what: str, names: dict[str, int] | None) -> int:
    if names and text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise TimerSpecError(f"'{text}' is not a number in the {what} field", "cycle",
                             "a cron is 'minute hour day month weekday', e.g. '0 9 20 * *'")
    return int(text)


WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 0}


def parse_cron(text: str, working_days_only: bool = False) -> Cron:
    fields = text.split()
    if len(fields) != 5:
        raise TimerSpecError(f"'{text}' is not a cron: it needs 5 fields", "cycle",
                             "minute hour day month weekday, e.g. '0 9 20 * *'")
    minutes = _field(fields[0], 0, 59, "minute")
    hours = _field(fields[1], 0, 23, "hour")
    days = _field(fields[2], 1, 31, "day")
    months = _field(fields[3], 1, 12, "month")
    weekdays = _field(fields[4], 0, 7, "weekday", WEEKDAYS)
    # cron counts Sunday as 0 or 7; Python's weekday() has Monday = 0
    py_weekdays = None if weekdays is None else frozenset((d - 1) % 7 for d in weekdays)
    return Cron(text, minutes if minutes is not None else frozenset(range(60)),
                hours if hours is not None else frozenset(range(24)), days,
                months if months is not None else frozenset(range(1, 13)), py_weekdays,
                working_days_only)


def _cycle(value: Any, spec: dict[str, Any]) -> None:
    """Fill `spec` from a cycle text: ISO repeating interval, cron or sentence."""
    if not isinstance(value, str):
        raise TimerSpecError("a cycle must be a text such as R3/PT1H or '0 9 20 * *'", "cycle")
    text = " ".join(value.split())
    if text.upper().startswith("R"):
        parts = text.split("/")
        count = parts[0][1:]
        if len(parts) not in (2, 3) or (count and not count.isdigit()):
            raise TimerSpecError(f"'{value}' is not an ISO 8601 repeating interval", "cycle",
                                 "write e.g. R3/PT1H or R/2026-03-01T09:00/P1M")
        spec["times"] = int(count) if count else None
        if spec["times"] == 0:
            raise TimerSpecError("a cycle must repeat at least once", "cycle")
        spec["interval"] = parse_duration(parts[-1], "cycle")
        if len(parts) == 3:
            spec["start"] = check_date(parts[1], "cycle")
        return
    lower = text.lower()
    spec.setdefault("times", None)
    if match := _MONTHLY.match(lower):
        spec["rule"] = DayRule(int(match[1]))
        spec["at"] = parse_time_of_day(match[2] or spec.get("at", "09:00"), "cycle")
        if not 1 <= int(match[1]) <= 31:
            raise TimerSpecError(f"'{value}' names no day of a month", "cycle")
    elif match := _DAILY.match(lower):
        hh, mm = parse_time_of_day(match[2] or spec.get("at", "09:00"), "cycle").split(":")
        spec["cron"] = parse_cron(f"{int(mm)} {int(hh)} * * *", bool(match[1]))
    else:
        spec["cron"] = parse_cron(text)


def check_date(value: Any, key: str = "date") -> str:
    """An ISO 8601 date or date-time text, returned as given (it is read when armed)."""
    text = str(value).strip()
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise TimerSpecError(f"'{value}' is not an ISO 8601 date or date-time", key,
                             "write e.g. 2026-03-20 or 2026-03-20T09:00+08:00") from None
    return text


def parse_timer(data: Any, *, repeat_by_default: bool = False) -> TimerDefinition:
    """Read a timer mapping; `repeat_by_default` makes rules fire on and on (start events)."""
    if isinstance(data, Mapping) and ("day" in data or "roll" in data):
        data = {**{k: v for k, v in data.items() if k not in ("day", "roll")},
                "rule": {k: data[k] for k in ("day", "roll") if k in data}}
    if not isinstance(data, Mapping):
        raise TimerSpecError("a timer must be a mapping such as {after: PT4H}", None,
                             "use one of: " + ", ".join(TIMER_KEYS))
    for key in data:
        if key in ("True", True):
            raise TimerSpecError("YAML reads the key 'on' as true", "on",
                                 "write rule: {day: 27, roll: earlier} instead of on: …")
        if key not in TIMER_KEYS:
            close = difflib.get_close_matches(str(key), TIMER_KEYS, n=1)
            raise TimerSpecError(f"unknown key '{key}' in a timer", str(key),
                                 f"did you mean '{close[0]}'?" if close else
                                 "use one of: " + ", ".join(TIMER_KEYS))
    kinds = [k for k in ("date", "until", "after", "cycle", "rule") if k in data]
    if len(kinds) != 1:
        raise TimerSpecError("a timer needs exactly one of date, until, after, cycle, rule",
                             kinds[1] if len(kinds) > 1 else None,
                             "e.g. {after: {working_hours: 4}} or {day: 27, roll: earlier}")
    spec: dict[str, Any] = {}
    if "at" in data:
        spec["at"] = parse_time_of_day(data["at"])
    kind = kinds[0]
    if kind == "date":
        spec["date"] = check_date(data["date"])
    elif kind == "until":
        spec["until"] = str(data["until"])
    elif kind == "after":
        spec["after"] = parse_duration(data["after"])
    elif kind == "cycle":
        _cycle(data["cycle"], spec)
    else:
        try:
            spec["rule"] = parse_rule(data["rule"])
        except ModelError as exc:
            problem = exc.problems[0]
            raise TimerSpecError(problem.message, "rule" + (f".{problem.field}" if problem.field
                                                          else ""), problem.hint) from None
        spec["times"] = None if repeat_by_default else 1
    if "times" in data:
        times = data["times"]
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise TimerSpecError(f"times must be a whole number of at least 1, not {times!r}",
                                 "times")
        if kind not in ("cycle", "rule"):
            raise TimerSpecError("times applies only to a cycle or a rule", "times")
        spec["times"] = times
    return TimerDefinition(**spec)
