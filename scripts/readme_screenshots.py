"""The screenshots of the README's tour, taken from the demo in Chromium.

    .venv/bin/python scripts/readme_screenshots.py            # writes docs/screenshots/*.png

Builds the demo in a temporary folder as `liucheng demo` does (the demo organisation, the
ten templates, three months of cases from seed 0, the demo accounts) but with the months
ending on a fixed day, and serves the web app on a free local port with its clock stopped
at that moment and ids drawn from a seeded random source, so every run shows the same
cases in the same state; then photographs seven pages at 1280×800 in zh-CN with Debian's
Chromium (/usr/bin/chromium, or --chromium): sign-in, an inbox, a task with its form and
checklist, a case with its diagram, the bottleneck heat map, the operating-room status
board and the designer. Needs the dev extras (Playwright) and the CJK fonts.
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from liucheng.api import Settings, create_app
from liucheng.cli.demo_command import DEMO_PASSWORD, demo_accounts
from liucheng.demo import SHANGHAI, generate
from liucheng.runtime import Engine

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
END = datetime(2026, 11, 27, 17, 30, tzinfo=SHANGHAI)  # the demo's months end here
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LIMIT = 200_000  # bytes per image


@contextmanager
def served(app: Any) -> Iterator[str]:
    """`app` under uvicorn in a thread on a free local port; yields its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Picks:
    """What the tour shows, chosen the same way on every run (by business key, not by id)."""

    def __init__(self, engine: Engine) -> None:
        keys = {c["id"]: str(c["business_key"]) for c in engine.cases(limit=10_000)}
        open_tasks = sorted(engine.tasks(limit=10_000), key=lambda t: (keys[t.case], t.element))
        # the longest inbox (its group pool: most demo tasks wait there to be claimed)
        users = sorted(str(u["id"]) for u in engine.users() if u["id"] != "admin")
        inbox = {u: len(engine.tasks(user=u, limit=10_000)) for u in users}
        self.inbox_user = min(users, key=lambda u: (-inbox[u], u))

        # an open step with both a form and a checklist, the more of each the better
        def richness(t: Any) -> int:
            step = engine.process(t.process).element(t.element)
            fields, items = len(getattr(step, "form", ())), len(getattr(step, "documents", ()))
            return min(fields, 4) + items if fields and items else 0

        task = max(open_tasks, key=richness)
        print(f"task page: {task.process} {task.element}", file=sys.stderr)
        self.task = task.id
        self.task_user = task.assignee or next(
            u["id"] for u in sorted(engine.users(), key=lambda u: str(u["id"]))
            if task.role in u["roles"])
        # the open sales order that has come furthest (its diagram reads at this size)
        running = sorted(engine.cases(key="sales_order", status="active", limit=10_000),
                         key=lambda c: str(c["business_key"]))
        self.case = max(running, key=lambda c: len(engine.history(c["id"])))["id"]


def build(folder: Path) -> tuple[Any, Picks]:
    url = f"sqlite:///{folder / 'liucheng-demo.db'}"
    rng = random.Random(0)  # the same case and task ids on every run
    engine = Engine(url, clock=lambda: END, ids=lambda: f"{rng.getrandbits(128):032x}")
    summary = generate(engine, months=3, seed=0)
    demo_accounts(engine)
    print(f"demo: {summary.total} cases, {summary.tasks_done} tasks done", file=sys.stderr)
    app = create_app(Settings(database_url=url, data_dir=folder, secret_key="screenshots"),
                     engine=engine)
    return app, Picks(engine)


def shoot(page: Any, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # let the diagrams finish drawing and fonts settle
    path = OUT / f"{name}.png"
    page.screenshot(path=path, animations="disabled")
    size = path.stat().st_size
    print(f"{path.relative_to(ROOT)}: {size // 1000} KB", file=sys.stderr)
    if size > LIMIT:
        raise SystemExit(f"{path} is {size} bytes, more than {LIMIT}: make the page simpler")


def sign_in(page: Any, base: str, user: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.locator("#user, [name=user]").first.fill(user)
    page.locator("[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/inbox**")


def tour(base: str, picks: Picks, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport=VIEWPORT,
                                      timezone_id="Asia/Shanghai")
        page = context.new_page()

        page.goto(f"{base}/login")
        page.locator("[name=user]").fill(picks.inbox_user)
        shoot(page, "01-sign-in")

        sign_in(page, base, picks.inbox_user)
        page.goto(f"{base}/inbox?tab=pool")
        shoot(page, "02-inbox")

        sign_in(page, base, picks.task_user)
        page.goto(f"{base}/tasks/{picks.task}")
        page.evaluate("document.querySelector('#complete-form').scrollIntoView()")
        page.evaluate("window.scrollBy(0, -60)")  # its heading
        shoot(page, "03-task")

        sign_in(page, base, "admin")
        page.goto(f"{base}/cases/{picks.case}")
        page.wait_for_selector("#diagram[data-ready=true]", timeout=30_000)
        shoot(page, "04-case")

        page.goto(f"{base}/reports/sales_order/bottlenecks")
        page.wait_for_selector("#heatmap[data-ready=true]", timeout=30_000)
        shoot(page, "05-bottlenecks")

        page.context.clear_cookies()
        page.goto(f"{base}/boards/operating_room?lang=zh-CN")
        shoot(page, "06-board")

        sign_in(page, base, "admin")
        page.goto(f"{base}/designer/process/sales_order")
        page.wait_for_selector("#canvas[data-ready=true]", timeout=30_000)
        page.locator("#canvas .djs-element[data-element-id=credit_check]").click()
        page.mouse.move(1270, 790)  # no hover outline on the diagram
        page.evaluate("document.activeElement.blur()")  # nor a focus ring around it
        shoot(page, "07-designer")  # the credit check's properties beside the diagram
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser to use")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="liucheng-screenshots-") as tmp:
        app, picks = build(Path(tmp))
        with served(app) as base:
            tour(base, picks, args.chromium)
        app.state.services.engine.close()


if __name__ == "__main__":
    main()
