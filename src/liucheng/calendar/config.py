"""An organisation's calendar settings and the YAML-shaped override format that sets them.

`parse_calendar_config(data)` reads a mapping (as loaded from YAML or JSON) such as

    name: 市社保中心
    country: CN
    timezone: Asia/Shanghai
    working_hours: ["08:30-12:00", "13:30-17:30"]
    holidays: [2027-02-05, {from: 2027-02-06, to: 2027-02-12, name: 春节}]
    working_days: [{date: 2027-02-20, name: 调休上班}]
    complete_years: [2027]

and returns a frozen `CalendarConfig`, or raises `ValidationError` listing every field
that is wrong. Nothing here looks at the wall clock or the network.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from liucheng.calendar.official import subdivisions
from liucheng.errors import Problem, ValidationError

Period = tuple[time, time]
Fail = Callable[..., None]  # the local `fail(message, where, hint=None)` of a parse

DEFAULT_HOURS: tuple[Period, ...] = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
KEYS = (
    "name", "country", "subdivision", "timezone", "working_hours", "weekend",
    "holidays", "working_days", "complete_years",
)
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class CalendarConfig:
    """Everything a business calendar needs; the defaults are mainland China's."""

    name: str = "中国大陆"
    country: str | None = "CN"
    subdivision: str | None = None
    timezone: str = "Asia/Shanghai"
    working_hours: tuple[Period, ...] = DEFAULT_HOURS
    weekend: frozenset[int] = frozenset({5, 6})
    holidays: Mapping[date, str] = field(default_factory=dict)
    working_days: Mapping[date, str] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()


def parse_calendar_config(data: Mapping[str, Any], *, source: str | None = None) -> CalendarConfig:
    """Read the override format into a `CalendarConfig`; raises ValidationError on any fault."""
    problems: list[Problem] = []

    def fail(message: str, where: str, hint: str | None = None) -> None:
        problems.append(Problem(message, field=where, source=source, hint=hint))

    if not isinstance(data, Mapping):
        problem = Problem("the calendar must be a mapping of settings", source=source)
        raise ValidationError([problem])
    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            fail(f"unknown setting '{key}'", str(key),
                 f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(KEYS))
    base = CalendarConfig()
    name = _text(data.get("name", base.name), "name", fail) or base.name
    country = data.get("country", base.country)
    if country is not None and (
        not isinstance(country, str) or subdivisions(country) is None
    ):
        fail(f"'{country}' is not a country code the holidays package knows", "country",
             "use a code such as CN, or null for weekends only")
        country = base.country
    subdivision = _text(data.get("subdivision"), "subdivision", fail)
    if country and subdivision and subdivision not in (subdivisions(country) or ()):
        fail(f"'{subdivision}' is not a subdivision of {country} the holidays package knows",
             "subdivision")
        subdivision = None
    zone = _text(data.get("timezone", base.timezone), "timezone", fail) or base.timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone '{zone}'", "timezone", "use an IANA name such as Asia/Shanghai")
        zone = base.timezone
    hours = _hours(data.get("working_hours", None), fail) or base.working_hours
    weekend = _weekend(data.get("weekend", None), fail)
    days_off = _days(data.get("holidays", []), "holidays", "休息日", fail)
    working = _days(data.get("working_days", []), "working_days", "上班", fail)
    for both in sorted(set(days_off) & set(working)):
        fail(f"{both.isoformat()} is listed both as a holiday and as a working day", "working_days")
    years = _years(data.get("complete_years", []), fail)
    if problems:
        raise ValidationError(problems, source=source)
    return CalendarConfig(
        name=name, country=country, subdivision=subdivision, timezone=zone,
        working_hours=hours, weekend=base.weekend if weekend is None else weekend,
        holidays=days_off, working_days=working, complete_years=years,
    )


def _text(value: Any, where: str, fail: Fail) -> str | None:
    if value is None or isinstance(value, str):
        return value
    fail("must be text", where)
    return None


_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_YAML_SEXAGESIMAL = "quote times in YAML ('13:30'): unquoted, YAML 1.1 reads 13:30 as 810"


def parse_time(value: Any) -> time:
    """'08:30' or a `time` → time; raises ValueError saying what is wrong."""
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"{value} is a number, not a time; {_YAML_SEXAGESIMAL}")
    match = _TIME.match(str(value))
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"'{value}' is not a time of day like 08:30")
    return time(int(match[1]), int(match[2]))


def _period(item: Any) -> Period:
    if isinstance(item, str) and "-" in item:
        start, end = item.split("-", 1)
    elif isinstance(item, Mapping) and set(item) == {"start", "end"}:
        start, end = item["start"], item["end"]
    elif isinstance(item, (list, tuple)) and len(item) == 2:
        start, end = item
    else:
        raise ValueError(f"'{item}' is not a period; write \"08:30-12:00\"")
    first, last = parse_time(start), parse_time(end)
    if first >= last:
        raise ValueError(f"period '{item}' ends before it starts")
    return first, last


def _hours(value: Any, fail: Fail) -> tuple[Period, ...] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not value:
        fail("must be a list of periods such as [\"08:30-12:00\", \"13:30-17:30\"]",
             "working_hours")
        return None
    periods: list[Period] = []
    for i, item in enumerate(value):
        try:
            periods.append(_period(item))
        except ValueError as exc:
            fail(str(exc), f"working_hours[{i}]")
    periods.sort()
    for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
        if start < end:
            fail("working periods overlap", "working_hours")
    return tuple(periods) if len(periods) == len(value) else None


def _weekend(value: Any, fail: Fail) -> frozenset[int] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        fail("must be a list of weekday names such as [saturday, sunday]", "weekend")
        return None
    days: set[int] = set()
    for i, item in enumerate(value):
        name = str(item).strip().lower()
        matches = [n for n, full in enumerate(WEEKDAYS) if full.startswith(name) and len(name) >= 3]
        if len(matches) != 1:
            fail(f"'{item}' is not a weekday name", f"weekend[{i}]", "use monday … sunday")
        else:
            days.add(matches[0])
    return frozenset(days)


def parse_date(value: Any) -> date:
    """A `date` or an ISO text 'YYYY-MM-DD' → date; raises ValueError otherwise."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"'{value}' is not a date like 2027-02-05")


def _days(value: Any, where: str, default_name: str, fail: Fail) -> dict[date, str]:
    if not isinstance(value, (list, tuple)):
        fail("must be a list of dates, {date, name} or {from, to, name} entries", where)
        return {}
    days: dict[date, str] = {}
    for i, item in enumerate(value):
        try:
            if isinstance(item, Mapping):
                extra = set(item) - {"date", "from", "to", "name"}
                if extra:
                    raise ValueError(f"unknown key '{sorted(extra)[0]}' (use date, from, to, name)")
                label = str(item.get("name") or default_name)
                if "date" in item:
                    days[parse_date(item["date"])] = label
                    continue
                first, last = parse_date(item["from"]), parse_date(item["to"])
                span = (last - first).days
                if span < 0 or span >= MAX_RANGE_DAYS:
                    raise ValueError(
                        f"'to' must be on or after 'from' and within {MAX_RANGE_DAYS} days"
                    )
                for n in range(span + 1):
                    days[first + timedelta(days=n)] = label
            else:
                days[parse_date(item)] = default_name
        except KeyError as exc:
            fail(f"missing {exc.args[0]!r}", f"{where}[{i}]", "give date, or from and to")
        except ValueError as exc:
            fail(str(exc), f"{where}[{i}]")
    return days


def _years(value: Any, fail: Fail) -> frozenset[int]:
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(y, int) and not isinstance(y, bool) and 1900 <= y <= 2200 for y in value
    ):
        fail("must be a list of years such as [2027]", "complete_years")
        return frozenset()
    return frozenset(value)
