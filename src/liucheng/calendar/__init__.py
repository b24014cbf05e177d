"""Business time: working days (Chinese holidays with swapped working weekends), working
hours, and the date rules process definitions use for day windows and deadlines.

Pure: no database, no network, no wall clock — every function is told its date.

    cal = BusinessCalendar()                      # mainland China, 08:30–12:00, 13:30–17:30
    cal.is_working_day(date(2026, 2, 14))         # True: a swapped working Saturday
    rule = parse_rule({"window": [1, 19], "working_days_only": True, "month_offset": 1})
    window_for(rule, date(2026, 1, 20), cal=cal)  # 2026-02-02 – 2026-02-13 working days
"""

from liucheng.calendar.config import CalendarConfig, parse_calendar_config
from liucheng.calendar.days import BusinessCalendar, Roll, default_calendar
from liucheng.calendar.errors import CalendarError
from liucheng.calendar.functions import calendar_functions
from liucheng.calendar.hours import WorkingHours
from liucheng.calendar.months import add_months, day_of_month, days_in_month, month_end, month_start
from liucheng.calendar.rules import (
    DateRule,
    DayRule,
    WindowRule,
    WorkingDaysRule,
    contains,
    next_window_after,
    parse_rule,
    window_for,
)
from liucheng.calendar.windows import Window, day_range, single_day, window, working_days

__all__ = [
    "BusinessCalendar",
    "CalendarConfig",
    "CalendarError",
    "DateRule",
    "DayRule",
    "Roll",
    "Window",
    "WindowRule",
    "WorkingDaysRule",
    "WorkingHours",
    "add_months",
    "calendar_functions",
    "contains",
    "day_of_month",
    "day_range",
    "days_in_month",
    "default_calendar",
    "month_end",
    "month_start",
    "next_window_after",
    "parse_calendar_config",
    "parse_rule",
    "single_day",
    "window",
    "window_for",
    "working_days",
]
