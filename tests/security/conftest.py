"""Fixtures of the security tests.

- The number of inputs each fuzz test tried (security_kit.FUZZED) is printed at the end.
- `make_world` gives fresh copies of the web/API world of tests/api (webworld.py: two
  organisations, their staff, an administrator, a leave request waiting for a manager).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from security_kit import FUZZED

API_TESTS = Path(__file__).resolve().parents[1] / "api"
if str(API_TESTS) not in sys.path:  # the shared web world lives beside the API tests
    sys.path.insert(0, str(API_TESTS))

from webworld import World, build_world, copy_world  # noqa: E402


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FUZZED:
        terminalreporter.section("security figures (inputs tried)")
        for name, n in sorted(FUZZED.items()):
            terminalreporter.write_line(f"[security] {name}: {n}")
        terminalreporter.write_line(f"[security] total inputs tried: {sum(FUZZED.values())}")


@pytest.fixture(scope="session")
def security_world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded web world, built once (argon2 is slow on purpose) and copied per test."""
    folder = tmp_path_factory.mktemp("security-world")
    built = build_world(f"sqlite:///{folder / 'web.db'}", folder)
    built.svc.engine.close()
    return folder / "web.db"


@pytest.fixture
def make_world(security_world_template: Path, tmp_path: Path) -> Iterator[Callable[[], World]]:
    made: list[World] = []

    def make() -> World:
        made.append(copy_world(security_world_template, tmp_path / f"w{len(made)}"))
        return made[-1]

    yield make
    for world in made:
        world.svc.engine.close()


@pytest.fixture
def world(make_world: Callable[[], World]) -> World:
    return make_world()

