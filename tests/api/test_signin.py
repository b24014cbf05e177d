"""Signing in: argon2 passwords, server-side sessions in HttpOnly SameSite=Lax cookies made
anew at each sign-in, CSRF tokens on state-changing requests, throttling, signing out."""

from __future__ import annotations

from datetime import timedelta

from webworld import PASSWORDS, World, csrf_of, sign_in

from liucheng.org import sessions
from liucheng.org.sessions import Lifetime


def test_sign_in_sets_a_fresh_httponly_lax_session_cookie(world: World) -> None:
    browser = world.browser()
    answer = sign_in(browser, "alice", PASSWORDS["alice"])
    assert answer.status_code == 303 and answer.headers["location"] == "/inbox"
    cookie = answer.headers["set-cookie"]
    assert "lc_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert browser.get("/inbox").status_code == 200
    with world.svc.db() as db:
        stored = db.conn.execute(db.t.web_sessions.select()).mappings().all()
    raw = browser.cookies["lc_session"]
    assert all(row["id"] != raw for row in stored), "the cookie value itself is never stored"


def test_a_session_id_known_before_sign_in_is_worthless_after(world: World) -> None:
    planted = world.session("dave")  # an id the attacker knows and gives the victim
    old = planted.cookies["lc_session"]
    form = world.browser().get("/login")
    planted.cookies.set("lc_pre", form.cookies["lc_pre"])
    answer = planted.post("/login", data={"user": "alice", "password": PASSWORDS["alice"],
                                          "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 303
    new = answer.cookies["lc_session"]
    assert new != old
    intruder = world.browser()
    intruder.cookies.set("lc_session", old)
    assert intruder.get("/inbox").headers["location"].startswith("/login")


def test_wrong_password_and_unknown_user_read_the_same(world: World) -> None:
    browser = world.browser()
    wrong = sign_in(browser, "alice", "nope-nope")
    unknown = sign_in(browser, "nobody", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.text and "用户名或密码错误" in unknown.text


def test_sign_in_form_needs_its_token(world: World) -> None:
    browser = world.browser()
    answer = browser.post("/login", data={"user": "alice", "password": PASSWORDS["alice"]})
    assert answer.status_code == 403 and "lc_session" not in answer.cookies


def test_state_changing_requests_need_the_csrf_token(world: World) -> None:
    browser = world.session("bob")
    claim = f"/tasks/{world.task}/claim"
    assert browser.post(claim).status_code == 403
    assert browser.post(claim, data={"csrf_token": "forged"}).status_code == 403
    api = f"/api/v1/tasks/{world.task}/claim"
    assert browser.post(api).status_code == 403  # cookie-signed REST call without header
    ok = browser.post(api, headers={"X-CSRF-Token": browser.csrf})  # type: ignore[attr-defined]
    assert ok.status_code == 200 and ok.json()["assignee"] == "bob"


def test_five_failures_lock_the_user_at_that_address(world: World) -> None:
    browser = world.browser()
    for _ in range(5):
        assert sign_in(browser, "bob", "wrong-wrong").status_code == 401
    locked = sign_in(browser, "bob", PASSWORDS["bob"])
    assert locked.status_code == 429 and "15" in locked.text
    api = world.client().post("/api/v1/auth/token", json={
        "user": "bob", "password": PASSWORDS["bob"], "name": "x", "scopes": ["tasks.read"]})
    assert api.status_code == 429 and int(api.headers["retry-after"]) > 0
    assert sign_in(browser, "alice", PASSWORDS["alice"]).status_code == 303


def test_sign_out_ends_the_session(world: World) -> None:
    browser = world.browser("alice")
    cookie = browser.cookies["lc_session"]
    csrf = csrf_of(browser.get("/inbox").text)
    assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 303
    again = world.browser()
    again.cookies.set("lc_session", cookie)
    assert again.get("/inbox").status_code == 303


def test_changing_the_password_signs_out_everywhere(world: World) -> None:
    first, second = world.session("alice"), world.session("alice")
    answer = first.post("/account/password", data={
        "csrf_token": first.csrf, "current": PASSWORDS["alice"],  # type: ignore[attr-defined]
        "new": "a-new-password"})
    assert answer.status_code == 303
    assert second.get("/inbox").status_code == 303
    assert sign_in(world.browser(), "alice", "a-new-password").status_code == 303


def test_deactivated_people_lose_sessions_and_tokens(world: World) -> None:
    browser = world.session("dave")
    api = world.client("dave")
    world.client("admin").patch("/api/v1/users/dave", json={"active": False})
    assert browser.get("/inbox").status_code == 303
    assert api.get("/api/v1/me").status_code == 401


def test_sessions_end_when_idle_or_too_old(world: World) -> None:
    now = world.svc.now()
    life = Lifetime(absolute=timedelta(hours=12), idle=timedelta(hours=2))
    with world.svc.db() as db:
        raw, _ = sessions.create(db, "alice", now=now, lifetime=life)
        assert sessions.find(db, raw, now=now + timedelta(hours=1), lifetime=life)
        assert sessions.find(db, raw, now=now + timedelta(hours=2, minutes=59),
                             lifetime=life)
        assert sessions.find(db, raw, now=now + timedelta(hours=5), lifetime=life) is None
        old, _ = sessions.create(db, "alice", now=now, lifetime=life)
        for hour in range(1, 12):
            assert sessions.find(db, old, now=now + timedelta(hours=hour), lifetime=life)
        assert sessions.find(db, old, now=now + timedelta(hours=12), lifetime=life) is None


def test_secure_cookies_when_served_over_https(world: World, tmp_path: object) -> None:
    from dataclasses import replace

    world.svc.settings = replace(world.svc.settings, secure_cookies=True)
    answer = sign_in(world.browser(), "alice", PASSWORDS["alice"])
    assert "Secure" in answer.headers["set-cookie"]
