"""The web pages: language, inbox tabs and search, start and task forms with errors at the
field, the case page and the print view, labels on every input, safe redirects."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from webworld import World

WEB = Path(__file__).resolve().parents[2] / "src" / "liucheng" / "web"


class Inputs(HTMLParser):
    """Collects form controls and the ids that labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self.depth += 1
            if found.get("for"):
                self.labelled.add(str(found["for"]))
        if tag in ("input", "select", "textarea"):
            if found.get("type") in ("hidden", "submit"):
                return
            self.controls.append({**found, "_wrapped": "1" if self.depth else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.depth -= 1


def unlabelled(html: str) -> list[str]:
    parser = Inputs()
    parser.feed(html)
    return [str(c.get("name") or c.get("id")) for c in parser.controls
            if not (c.get("_wrapped") or c.get("aria-label")
                    or (c.get("id") and c["id"] in parser.labelled))]


def test_catalogues_have_the_same_keys_and_cover_the_templates() -> None:
    zh = json.loads((WEB / "locale" / "zh-CN.json").read_text("utf-8"))
    en = json.loads((WEB / "locale" / "en.json").read_text("utf-8"))
    assert set(zh) == set(en)
    used = set()
    for template in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_.0-9]+)'[,)]", template.read_text("utf-8")))
    assert used - set(zh) == set()
    from liucheng.api.pages.casedata import TIMELINE
    from liucheng.api.pages.inbox import NOTICES
    from liucheng.org.inbox import TABS

    dynamic = ({f"event.{e}" for e in TIMELINE} | {f"notice.{n}" for n in NOTICES}
               | {f"inbox.{t}" for t in TABS} | {f"inbox.empty_{t}" for t in TABS}
               | {f"status.{s}" for s in ("active", "open", "completed", "cancelled",
                                          "terminated")})
    assert dynamic - set(zh) == set()


def test_language_follows_the_browser_then_the_switch(world: World) -> None:
    english = world.browser(lang="en-GB,en;q=0.9")
    page = english.get("/login")
    assert '<html lang="en">' in page.text and "Sign in" in page.text
    chinese = world.browser(lang="zh-CN,zh;q=0.9,en;q=0.5")
    assert "登录" in chinese.get("/login").text
    switched = chinese.get("/lang/en?next=/login")
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert "Sign in" in chinese.get("/login").text
    assert world.browser(lang="fr").get("/login").text.count('lang="zh-CN"') >= 1


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_redirects_stay_on_this_site(world: World, target: str) -> None:
    answer = world.browser().get("/lang/en", params={"next": target})
    assert answer.headers["location"] == "/inbox"
    page = world.browser().get("/login", params={"next": target})
    assert 'name="next" value="/inbox"' in page.text


def test_inbox_tabs_counts_search_and_partial(world: World) -> None:
    bob = world.session("bob")
    page = bob.get("/inbox?tab=pool")
    assert page.status_code == 200
    assert re.search(r'id="tab-pool" aria-current="page">待领 <span class="count"[^>]*>1<',
                     page.text)
    assert "经理审批" in page.text and "QJ-001" in page.text
    assert "经理审批" not in bob.get("/inbox?tab=pool&q=nothing-like-this").text
    partial = bob.get("/inbox?tab=pool&q=QJ", headers={"HX-Request": "true",
                                                      "HX-Target": "inbox-list"})
    assert "<html" not in partial.text and "经理审批" in partial.text
    english = world.session("bob", lang="en")
    assert "Manager decides" in english.get("/inbox?tab=pool").text
    assert "请假申请 QJ-001" in world.session("alice").get("/inbox?tab=started").text


def test_start_form_shows_errors_at_the_field_then_starts(world: World) -> None:
    alice = world.session("alice")
    form = alice.get("/start/leave_request")
    assert 'id="f-days"' in form.text and unlabelled(form.text) == []
    wrong = alice.post("/start/leave_request", data={"csrf_token": alice.csrf,  # type: ignore[attr-defined]
                                                    "days": "两天", "reason": ""})
    assert wrong.status_code == 422
    assert re.search(r'id="f-days"[^>]*aria-invalid="true"[^>]*aria-describedby="e-days"',
                     wrong.text)
    assert '<p class="error" id="e-days">天数应为整数</p>' in wrong.text
    assert '<p class="error" id="e-reason">事由不能为空</p>' in wrong.text
    assert 'value="两天"' in wrong.text  # what was typed stays
    done = alice.post("/start/leave_request", data={
        "csrf_token": alice.csrf, "days": "2", "reason": "看病",  # type: ignore[attr-defined]
        "business_key": "QJ-9"})
    assert done.status_code == 303 and "notice=started" in done.headers["location"]
    case = alice.get(done.headers["location"])
    assert "业务已发起" in case.text and "看病" in case.text


def test_task_page_actions_errors_and_completion(world: World) -> None:
    bob = world.session("bob")
    page = bob.get(f"/tasks/{world.task}")
    assert "核对天数" in page.text  # the instructions
    assert f'action="/tasks/{world.task}/claim"' in page.text
    assert 'name="outcome" value="approve"' in page.text and unlabelled(page.text) == []
    assert "家中有事" in page.text  # the case data the manager decides on
    assert "138****5678" in page.text and "13812345678" not in page.text
    claimed = bob.post(f"/tasks/{world.task}/claim", data={"csrf_token": bob.csrf})  # type: ignore[attr-defined]
    assert claimed.status_code == 303
    page = bob.get(claimed.headers["location"])
    assert f'action="/tasks/{world.task}/unclaim"' in page.text and "已领取" in page.text
    wrong = bob.post(f"/tasks/{world.task}/complete", data={"csrf_token": bob.csrf,  # type: ignore[attr-defined]
                                                            "comment": "再看看"})
    assert wrong.status_code == 422
    assert 'id="e-note"' in wrong.text and 'id="e-outcome"' in wrong.text
    assert "再看看" in wrong.text
    done = bob.post(f"/tasks/{world.task}/complete", data={
        "csrf_token": bob.csrf, "note": "同意三天", "outcome": "approve",  # type: ignore[attr-defined]
        "comment": "早日康复"})
    assert done.status_code == 303
    case = world.session("alice").get(f"/cases/{world.case}")
    assert "早日康复" in case.text and "同意" in case.text and "已完成" in case.text


def traced(world: World) -> list[str]:
    """The statements SQLite runs from now on (its own trace, BEGIN and COMMIT included)."""
    found: list[str] = []
    db = world.svc.engine.db

    @sa.event.listens_for(db, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.set_trace_callback(found.append)

    db.dispose()  # connect again, traced
    return found


def test_task_page_reads_in_one_snapshot(world: World) -> None:
    bob = world.session("bob")
    statements = traced(world)
    assert bob.get(f"/tasks/{world.task}").status_code == 200
    # the session's transaction, then the page's: the task, the case and the directory
    # are read once for the form, the checklist, the actions and the people to pick
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN", "BEGIN"]
    # the session, the user with their account, the roles with their grants
    session = statements[statements.index("BEGIN") + 1:statements.index("COMMIT")]
    assert len(session) == 3, session


def test_case_page_masks_and_shows_the_timeline(world: World) -> None:
    bob = world.session("bob")
    page = bob.get(f"/cases/{world.case}")
    assert "138****5678" in page.text and "13812345678" not in page.text
    assert "已隐藏" in page.text
    for event in ("发起", "到达步骤", "办理"):
        assert event in page.text
    assert 'id="diagram"' in page.text
    admin = world.session("admin").get(f"/cases/{world.case}")
    assert "13812345678" in admin.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"


def test_print_view_is_an_a4_approval_sheet(world: World) -> None:
    page = world.session("bob").get(f"/cases/{world.case}/print")
    assert page.status_code == 200 and "审批单" in page.text
    assert 'href="/static/print.css"' in page.text
    assert "size: A4" in (WEB / "static" / "print.css").read_text("utf-8")
    assert "填写申请" in page.text and "王丽" in page.text


@pytest.mark.parametrize("path", ["/login", "/inbox", "/start", "/cases", "/account",
                                  "/admin", "/admin/users", "/admin/roles",
                                  "/admin/organisations", "/admin/incidents"])
def test_every_input_has_a_label(world: World, path: str) -> None:
    client = world.browser() if path == "/login" else world.session("admin")
    page = client.get(path)
    assert page.status_code == 200
    assert unlabelled(page.text) == []


def test_error_pages_are_html_in_the_reader_language(world: World) -> None:
    page = world.session("dave", lang="en").get("/cases/0000000000000000")
    assert page.status_code == 404 and "Not found" in page.text
    assert page.headers["content-type"].startswith("text/html")
    zh = world.session("dave").get("/tasks/0000000000000000")
    assert zh.status_code == 404 and "没有任务“0000000000000000”" in zh.text
    assert "no task" not in zh.text
