"""The calendar package stays pure: no clock, no database, web or HTTP library."""

from __future__ import annotations

import ast
from pathlib import Path

import liucheng.calendar

PACKAGE = Path(liucheng.calendar.__file__).parent
FORBIDDEN_MODULES = {"sqlalchemy", "alembic", "psycopg", "fastapi", "starlette", "httpx",
                     "requests", "urllib", "http", "uvicorn", "time", "random", "uuid"}
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic"}


def sources() -> list[Path]:
    return sorted(PACKAGE.glob("*.py"))


def test_every_module_has_a_docstring() -> None:
    for path in sources():
        assert ast.get_docstring(ast.parse(path.read_text("utf-8"))), path.name


def test_no_forbidden_imports() -> None:
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN_MODULES, (path.name, name)


def test_no_wall_clock() -> None:
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in CLOCK_CALLS:
                raise AssertionError(f"{path.name}:{node.lineno} reads the clock ({node.attr})")


def test_public_exports_are_pinned() -> None:
    assert sorted(liucheng.calendar.__all__) == [
        "BusinessCalendar", "CalendarConfig", "CalendarError", "DateRule", "DayRule", "Roll",
        "Window", "WindowRule", "WorkingDaysRule", "WorkingHours", "add_months",
        "calendar_functions", "contains", "day_of_month", "day_range", "days_in_month",
        "default_calendar", "month_end", "month_start", "next_window_after",
        "parse_calendar_config", "parse_rule", "single_day", "window", "window_for",
        "working_days",
    ]
    for name in liucheng.calendar.__all__:
        assert hasattr(liucheng.calendar, name), name
