"""Browser tests: the app under uvicorn in a thread on 127.0.0.1 (a free port), driven by
Debian's Chromium through Playwright. Screenshots go to test-artifacts/ (git-ignored).

The seeded world (two organisations, the leave request) comes from tests/api/webworld.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from webworld import World, build_world, served  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def serve() -> Callable[[Any], AbstractContextManager[str]]:
    """`served`, for a test module that builds its own app."""
    return served


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    """The seeded app served by uvicorn on a free local port: (world, base URL)."""
    folder = tmp_path_factory.mktemp("live")
    world = build_world(f"sqlite:///{folder / 'live.db'}", folder)
    with served(world.app) as base:
        yield world, base
    world.svc.engine.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import Page, sync_playwright

    retry_screenshots(Page)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def retry_screenshots(page_class: Any) -> None:
    """Screenshots are artefacts, not checks: Chromium now and then answers a capture with
    "Unable to capture screenshot" under load, and a second capture succeeds."""
    take = page_class.screenshot
    if getattr(take, "retries", False):
        return

    def screenshot(self: Any, *args: Any, **kwargs: Any) -> bytes:
        from playwright.sync_api import Error

        try:
            return take(self, *args, **kwargs)  # type: ignore[no-any-return]
        except Error as error:
            if "Unable to capture screenshot" not in str(error):
                raise
            self.wait_for_timeout(200)
            return take(self, *args, **kwargs)  # type: ignore[no-any-return]

    screenshot.retries = True  # type: ignore[attr-defined]
    page_class.screenshot = screenshot


@pytest.fixture
def shots() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
