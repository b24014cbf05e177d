"""Declarative date rules for process definitions, and evaluating them on the calendar.

A rule names a window of days in a month relative to a reference date (the date of
death, the date the review was completed, the first of the pay month). Three kinds:

    {day: 27, roll: earlier}                            "27 earlier"
    {window: [1, 19], working_days_only: true,          "1-19 working next month"
     month_offset: 1}
    {working_days: 10, from: month_start,               "first 10 working next month"
     month_offset: 1}

`month_offset` picks the month: 0 (default) is the reference date's month, 1 the month
after. `parse_rule` reads the mapping or the short text and raises `ModelError` naming
what is wrong; `window_for`, `contains` and `next_window_after` evaluate a rule.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from liucheng.calendar import windows
from liucheng.calendar.days import BusinessCalendar, Roll, default_calendar
from liucheng.calendar.errors import CalendarError
from liucheng.calendar.months import shift_month
from liucheng.calendar.windows import Window
from liucheng.errors import ModelError, Problem

MAX_OFFSET = 120
SEARCH_MONTHS = 24


def _day_text(day: int) -> str:
    return "last" if day == -1 else str(day)


def _offset_text(offset: int) -> str:
    if offset == 0:
        return ""
    if offset == 1:
        return " next month"
    return f" {offset:+d} months"


@dataclass(frozen=True)
class DayRule:
    """One day of the month (-1 = last), optionally rolled to a working day."""

    day: int
    roll: Roll | None = None
    month_offset: int = 0

    def window_in(self, cal: BusinessCalendar, year: int, month: int) -> Window:
        return windows.single_day(cal, year, month, self.day, roll=self.roll)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"day": self.day}
        if self.roll:
            data["roll"] = self.roll
        return _with_offset(data, self.month_offset)

    def __str__(self) -> str:
        roll = f" {self.roll}" if self.roll else ""
        return _day_text(self.day) + roll + _offset_text(self.month_offset)


@dataclass(frozen=True)
class WindowRule:
    """Calendar days first..last of the month; only working days if `working_days_only`."""

    first_day: int
    last_day: int
    working_days_only: bool = False
    month_offset: int = 0

    def window_in(self, cal: BusinessCalendar, year: int, month: int) -> Window:
        return windows.day_range(
            cal, year, month, self.first_day, self.last_day,
            working_days_only=self.working_days_only,
        )

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"window": [self.first_day, self.last_day]}
        if self.working_days_only:
            data["working_days_only"] = True
        return _with_offset(data, self.month_offset)

    def __str__(self) -> str:
        working = " working" if self.working_days_only else ""
        return f"{self.first_day}-{_day_text(self.last_day)}{working}" + _offset_text(
            self.month_offset
        )


@dataclass(frozen=True)
class WorkingDaysRule:
    """The first `count` working days of the month (the last `count` if `from_end`)."""

    count: int
    from_end: bool = False
    month_offset: int = 0

    def window_in(self, cal: BusinessCalendar, year: int, month: int) -> Window:
        return windows.working_days(cal, year, month, self.count, from_end=self.from_end)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "working_days": self.count,
            "from": "month_end" if self.from_end else "month_start",
        }
        return _with_offset(data, self.month_offset)

    def __str__(self) -> str:
        side = "last" if self.from_end else "first"
        return f"{side} {self.count} working" + _offset_text(self.month_offset)


DateRule = DayRule | WindowRule | WorkingDaysRule


def _with_offset(data: dict[str, Any], offset: int) -> dict[str, Any]:
    if offset:
        data["month_offset"] = offset
    return data


# -- evaluation --------------------------------------------------------------------------


def window_for(
    rule: DateRule, reference: date, *, cal: BusinessCalendar | None = None
) -> Window:
    """The rule's window for `reference`: in its month, moved by the rule's month_offset."""
    year, month = shift_month(reference.year, reference.month, rule.month_offset)
    return rule.window_in(cal or default_calendar(), year, month)


def contains(
    rule: DateRule, reference: date, day: date, *, cal: BusinessCalendar | None = None
) -> bool:
    """Whether `day` is an open day of the rule's window for `reference`."""
    return window_for(rule, reference, cal=cal).contains(day)


def next_window_after(
    rule: DateRule, day: date, *, cal: BusinessCalendar | None = None
) -> Window:
    """The window that is open on `day`, or else the next one to open after it.

    The rule's monthly pattern is used as is (its month_offset is ignored): for "1-19
    working", asked on 25 March it gives April's window; on a Saturday inside the window
    it gives the current one, whose `next_open_day(day)` is the following working day.
    Months in which the rule has no open day at all are skipped.
    """
    calendar = cal or default_calendar()
    # Start a month early: a day rolled later (the 31st) can open in the following month.
    for offset in range(-1, SEARCH_MONTHS):
        year, month = shift_month(day.year, day.month, offset)
        try:
            found = rule.window_in(calendar, year, month)
        except CalendarError:
            continue
        if found.next_open_day(day) is not None:
            return found
    raise CalendarError(f"rule '{rule}' opens no window within {SEARCH_MONTHS} months of {day}")


# -- parsing -----------------------------------------------------------------------------

KINDS = {"day": {"roll"}, "window": {"working_days_only"}, "working_days": {"from"}}
ALL_KEYS = sorted({*KINDS, "month_offset", *(k for ks in KINDS.values() for k in ks)})
_RANGE = re.compile(r"^(\d{1,2})-(\d{1,2}|last)$")
_OFFSET = re.compile(r"^([+-]\d{1,3})$")


class _Bad(Exception):
    def __init__(self, message: str, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.where, self.hint = where, hint


def parse_rule(
    data: Any,
    *,
    element: str | None = None,
    field: str | None = None,
    source: str | None = None,
    line: int | None = None,
) -> DateRule:
    """A date rule from its mapping or short text; raises ModelError saying what is wrong."""
    if isinstance(data, (DayRule, WindowRule, WorkingDaysRule)):
        return data
    try:
        if isinstance(data, str):
            return _from_text(data)
        if isinstance(data, Mapping):
            return _from_mapping(data)
        if isinstance(data, int) and not isinstance(data, bool):
            return DayRule(_day(data, "day"))
        raise _Bad(f"a date rule must be a mapping or a text, not {type(data).__name__}",
                   hint="e.g. {day: 27, roll: earlier} or \"1-19 working next month\"")
    except _Bad as bad:
        where = ".".join(p for p in (field, bad.where) if p) or None
        problem = Problem(str(bad), element=element, field=where, line=line, source=source,
                          hint=bad.hint)
        raise ModelError([problem], source=source) from None


def _day(value: Any, where: str) -> int:
    if value == "last" or value == -1:
        return -1
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise _Bad(f"{value!r} is not a day of the month", where, "use 1..31 or 'last'")
    return value


def _offset(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_OFFSET:
        raise _Bad(f"{value!r} is not a number of months", "month_offset",
                   "use 0 for the reference month, 1 for the month after")
    return value


def _roll(value: Any) -> Roll | None:
    if value is None or value == "none":
        return None
    if value == "earlier":
        return "earlier"
    if value == "later":
        return "later"
    raise _Bad(f"roll must be 'earlier' or 'later', not {value!r}", "roll")


def _from_mapping(data: Mapping[str, Any]) -> DateRule:
    kinds = [k for k in KINDS if k in data]
    if len(kinds) != 1:
        raise _Bad("a date rule needs exactly one of day, window, working_days",
                   hint="e.g. {window: [1, 19], working_days_only: true}")
    kind = kinds[0]
    allowed = {kind, "month_offset", *KINDS[kind]}
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), ALL_KEYS, n=1)
            raise _Bad(f"unknown key '{key}' in a {kind} rule", str(key),
                       f"did you mean '{close[0]}'?" if close and close[0] in allowed
                       else "allowed: " + ", ".join(sorted(allowed)))
    offset = _offset(data.get("month_offset", 0))
    if kind == "day":
        return DayRule(_day(data["day"], "day"), _roll(data.get("roll")), offset)
    if kind == "window":
        span = data["window"]
        if not isinstance(span, (list, tuple)) or len(span) != 2:
            raise _Bad(f"{span!r} is not a [first, last] pair of days", "window")
        first, last = _day(span[0], "window"), _day(span[1], "window")
        if first == -1 or (last != -1 and last < first):
            raise _Bad(f"window {span!r} ends before it starts", "window")
        only = data.get("working_days_only", False)
        if not isinstance(only, bool):
            raise _Bad("must be true or false", "working_days_only")
        return WindowRule(first, last, only, offset)
    count = data["working_days"]
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 23:
        raise _Bad(f"{count!r} is not a number of working days (1..23)", "working_days")
    start = data.get("from", "month_start")
    if start not in ("month_start", "month_end"):
        raise _Bad(f"from must be month_start or month_end, not {start!r}", "from")
    return WorkingDaysRule(count, start == "month_end", offset)


def _from_text(text: str) -> DateRule:
    words = text.lower().replace("–", "-").split()
    offset = 0
    if words[-2:] == ["next", "month"]:
        offset, words = 1, words[:-2]
    elif words[-2:] == ["this", "month"]:
        words = words[:-2]
    elif len(words) >= 2 and words[-1] in ("month", "months") and _OFFSET.match(words[-2]):
        offset, words = _offset(int(words[-2])), words[:-2]
    hint = "write e.g. '27 earlier', '1-19 working next month' or 'first 10 working'"
    if words and words[-1] in ("day", "days"):
        words = words[:-1]
    if len(words) == 3 and words[0] in ("first", "last") and words[2] == "working":
        if not words[1].isdigit():
            raise _Bad(f"'{words[1]}' is not a number of working days", hint=hint)
        return _from_mapping({"working_days": int(words[1]), "month_offset": offset,
                              "from": "month_end" if words[0] == "last" else "month_start"})
    if words and (match := _RANGE.match(words[0])) and words[1:] in ([], ["working"]):
        last: Any = match[2] if match[2] == "last" else int(match[2])
        return _from_mapping({"window": [int(match[1]), last], "month_offset": offset,
                              "working_days_only": words[1:] == ["working"]})
    if words and (words[0].isdigit() or words[0] == "last") and len(words) <= 2:
        day: Any = words[0] if words[0] == "last" else int(words[0])
        roll = words[1] if len(words) == 2 else None
        return _from_mapping({"day": day, "roll": roll, "month_offset": offset})
    raise _Bad(f"'{text}' is not a date rule", hint=hint)
