"""Fixtures of the template scenario tests: the template named by the test module's
TEMPLATE, deployed once per module with a user per role — on a fresh SQLite file and on an
emptied PostgreSQL database (`module_database_url`), so every scenario runs on both — and
the engine's clock, which each test puts back to Monday 2 March 2026 09:00 (Asia/Shanghai).

Tests in a module share the database (each works its own cases), which keeps the suite fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from liucheng.calendar import calendar_functions, default_calendar
from liucheng.runtime import Engine
from templates.scenario import SHANGHAI, Clock, Office

START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday


@pytest.fixture(scope="module")
def module_office(module_database_url: str, request: pytest.FixtureRequest) -> Iterator[Office]:
    clock = Clock(START)
    engine = Engine(module_database_url, clock=clock)
    if "is_working_day" not in engine.functions:
        engine.functions.update(calendar_functions(default_calendar()))
    yield Office(engine, clock, request.module.TEMPLATE)
    engine.close()


@pytest.fixture
def office(module_office: Office) -> Office:
    module_office.clock.now = START
    return module_office


@pytest.fixture
def clock(office: Office) -> Clock:
    return office.clock


@pytest.fixture
def engine(office: Office) -> Engine:
    return office.engine
