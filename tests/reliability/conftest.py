"""Fixtures of the reliability tests: an Engine with the race process on SQLite and on
PostgreSQL, and a collector of the figures each test measured (printed at the end)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from race_kit import setup_engine

from liucheng.runtime import Engine

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the crash and race child processes import race_kit too
    sys.path.insert(0, str(HERE))

FIGURES: list[str] = []


@pytest.fixture
def race_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    engine = Engine(database_url, data_dir=str(tmp_path / "files"))
    setup_engine(engine)
    yield engine
    engine.close()


@pytest.fixture
def figures() -> list[str]:
    """Append one summary line per test; they are printed in the terminal summary."""
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
