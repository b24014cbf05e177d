"""Fixtures for the API and page tests (the world itself is in webworld.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webworld import MakeWorld, StartCase, World, build_world, copy_world


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database, built once (argon2 hashing is slow on purpose) and copied."""
    folder = tmp_path_factory.mktemp("world")
    built = build_world(f"sqlite:///{folder / 'web.db'}", folder)
    built.svc.engine.close()
    return folder / "web.db"


@pytest.fixture
def make_world(world_template: Path, tmp_path: Path) -> Iterator[MakeWorld]:
    """Fresh copies of the seeded world, as many as a test needs."""
    made: list[World] = []

    def make() -> World:
        made.append(copy_world(world_template, tmp_path / f"w{len(made)}"))
        return made[-1]

    yield make
    for world in made:
        world.svc.engine.close()


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    return make_world()


@pytest.fixture
def start_leave(world: World) -> StartCase:
    """Start a leave request as `user` and hand in its first step; returns the case."""

    def start(user: str = "alice", days: int = 3, mobile: str = "13812345678") -> dict[str, Any]:
        client = world.client(user)
        case = client.post("/api/v1/cases", json={"process": "leave_request",
                                                  "business_key": f"QJ-{days}"}).json()
        first = case["open_tasks"][0]["id"]
        done = client.post(f"/api/v1/tasks/{first}/complete", json={"variables": {
            "days": days, "reason": "家中有事", "mobile": mobile}})
        assert done.status_code == 200, done.text
        return dict(done.json())

    return start
