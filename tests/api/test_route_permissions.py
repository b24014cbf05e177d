"""Every route declares its permission, and each is tried by four people: anonymous, staff
of the case's organisation (bob, a manager at acme), staff of another organisation (carol,
a manager at other — the same role name) and an administrator.

Expected: `o` allowed (the request passes the check; 2xx, 3xx or a 422 about its input),
`a` sign-in required (401, or a redirect to the sign-in page), `d` forbidden (403),
`h` hidden (404: another organisation cannot learn that the case exists).
A route of the app missing from ROUTES fails the test, so new routes must be added here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webworld import LEAVE, PASSWORDS, MakeWorld, World, csrf_of
from work_routes import WORK_ROUTES

from liucheng.api.security import declared
from liucheng.org import api_tokens

Body = Callable[[World, TestClient], dict[str, Any]] | dict[str, Any] | None
PEOPLE = {"anon": None, "staff": "bob", "other": "carol", "admin": "admin"}


def _own_token(world: World, client: TestClient) -> str:
    user = getattr(client, "user", None)
    if user is None:
        user = "alice"
    with world.svc.db() as db:
        row, _ = api_tokens.create(db, user, "spare", ["tasks.read"], now=world.svc.now())
    return str(row["id"])


def _login_form(world: World, client: TestClient) -> dict[str, Any]:
    page = TestClient(world.app).get("/login")
    client.cookies.set("lc_pre", page.cookies["lc_pre"])
    return {"user": "alice", "password": PASSWORDS["alice"], "csrf_token": csrf_of(page.text)}


def _claim_first(world: World) -> None:
    world.svc.engine.claim(world.task, user="bob")


# (method, path, expected anon/staff/other/admin, body, setup)
ROUTES: list[tuple[str, str, str, Body, Callable[[World], None] | None]] = [
    ("POST", "/api/v1/definitions/validate", "aooo", {"source": LEAVE}, None),
    ("POST", "/api/v1/definitions/draft", "aooo", {"source": LEAVE}, None),
    ("POST", "/api/v1/definitions", "addo",
     {"source": LEAVE.replace("请假申请", "请假申请（新）")}, None),
    ("GET", "/api/v1/definitions", "aooo", None, None),
    ("GET", "/api/v1/definitions/{key}", "aooo", None, None),
    ("GET", "/api/v1/definitions/{key}/versions", "aooo", None, None),
    ("GET", "/api/v1/definitions/{key}/source", "aooo", None, None),
    ("GET", "/api/v1/definitions/{key}/bpmn", "aooo", None, None),
    ("POST", "/api/v1/cases", "aooo", {"process": "leave_request"}, None),
    ("GET", "/api/v1/cases", "aooo", None, None),
    ("GET", "/api/v1/cases/{case_id}", "aoho", None, None),
    ("POST", "/api/v1/cases/{case_id}/cancel", "adho", {"reason": "test"}, None),
    ("GET", "/api/v1/cases/{case_id}/history", "aoho", None, None),
    ("GET", "/api/v1/cases/{case_id}/diagram", "aoho", None, None),
    ("GET", "/api/v1/tasks", "aooo", None, None),
    ("GET", "/api/v1/inbox/counts", "aooo", None, None),
    ("GET", "/api/v1/tasks/{task_id}", "aoho", None, None),
    ("POST", "/api/v1/tasks/{task_id}/claim", "aoho", None, None),
    ("POST", "/api/v1/tasks/{task_id}/unclaim", "aoho", None, _claim_first),
    ("POST", "/api/v1/tasks/{task_id}/complete", "aoho",
     {"variables": {"note": "同意"}, "outcome": "approve"}, None),
    ("GET", "/api/v1/incidents", "addo", None, None),
    ("POST", "/api/v1/incidents/{incident_id}/retry", "addo", None, None),
    ("GET", "/api/v1/users", "addo", None, None),
    ("POST", "/api/v1/users", "addo", {"id": "erin", "password": "erin-pass-1"}, None),
    ("GET", "/api/v1/users/{user_id}", "addo", None, None),
    ("PATCH", "/api/v1/users/{user_id}", "addo", {"name": "Alice"}, None),
    ("GET", "/api/v1/roles", "addo", None, None),
    ("PUT", "/api/v1/roles/{role_id}/permissions", "addo", {"permissions": ["sensitive.read"]},
     None),
    ("GET", "/api/v1/organisations", "addo", None, None),
    ("POST", "/api/v1/organisations", "addo", {"id": "third", "name": "第三家"}, None),
    ("POST", "/api/v1/organisations/{org_id}/departments", "addo",
     {"id": "sales", "name": "销售部"}, None),
    ("GET", "/api/v1/me", "aooo", None, None),
    ("GET", "/api/v1/me/tokens", "aooo", None, None),
    ("POST", "/api/v1/me/tokens", "aooo", {"name": "n", "scopes": ["tasks.read"]}, None),
    ("DELETE", "/api/v1/me/tokens/{token_id}", "aooo", None, None),
    ("POST", "/api/v1/auth/token", "oooo",
     {"user": "dave", "password": PASSWORDS["dave"], "name": "n", "scopes": ["tasks.read"]},
     None),
    ("GET", "/openapi.json", "oooo", None, None),
    ("GET", "/docs", "oooo", None, None),
    ("GET", "/api/v1/health", "oooo", None, None),
    ("GET", "/static/{path:path}", "oooo", None, None),
    # pages
    ("GET", "/login", "oooo", None, None),
    ("POST", "/login", "oooo", _login_form, None),
    ("POST", "/logout", "aooo", {}, None),
    ("GET", "/lang/{code}", "oooo", None, None),
    ("GET", "/", "aooo", None, None),
    ("GET", "/inbox", "aooo", None, None),
    ("GET", "/start", "aooo", None, None),
    ("GET", "/start/{key}", "aooo", None, None),
    ("POST", "/start/{key}", "aooo", {"days": "2", "reason": "r"}, None),
    ("GET", "/cases", "aooo", None, None),
    ("GET", "/cases/{case_id}", "aoho", None, None),
    ("GET", "/cases/{case_id}/print", "aoho", None, None),
    ("POST", "/cases/{case_id}/cancel", "adho", {"reason": "x"}, None),
    ("GET", "/tasks/{task_id}", "aoho", None, None),
    ("POST", "/tasks/{task_id}/claim", "aoho", {}, None),
    ("POST", "/tasks/{task_id}/unclaim", "aoho", {}, _claim_first),
    ("POST", "/tasks/{task_id}/complete", "aoho", {"note": "好", "outcome": "approve"}, None),
    ("GET", "/admin", "addo", None, None),
    ("GET", "/admin/users", "addo", None, None),
    ("POST", "/admin/users", "addo", {"id": "erin", "name": "Erin", "roles": "staff"}, None),
    ("GET", "/admin/roles", "addo", None, None),
    ("POST", "/admin/roles/{role_id}", "addo", {"permissions": "sensitive.read"}, None),
    ("GET", "/admin/organisations", "addo", None, None),
    ("POST", "/admin/organisations", "addo", {"id": "third", "name": "第三家"}, None),
    ("GET", "/admin/incidents", "addo", None, None),
    ("POST", "/admin/incidents/{incident_id}/retry", "addo", {}, None),
    ("GET", "/account", "aooo", None, None),
    ("POST", "/account/tokens", "aooo", {"name": "n", "scopes": "tasks.read"}, None),
    ("POST", "/account/tokens/{token_id}/revoke", "aooo", {}, None),
    ("POST", "/account/password", "aooo", {"current": "wrong", "new": "x"}, None),
    # reports and dashboards (reports.read), public boards (opted in only), designer
    ("GET", "/api/v1/reports/{kind}", "addo", None, None),
    ("GET", "/reports", "addo", None, None),
    ("GET", "/reports/{key}", "addo", None, None),
    ("GET", "/reports/{key}/bottlenecks", "addo", None, None),
    ("GET", "/reports/{key}/trends", "addo", None, None),
    ("GET", "/reports/{key}/workload", "addo", None, None),
    ("GET", "/reports/{key}/progress", "addo", None, None),
    ("GET", "/boards/{key}", "hhhh", None, None),  # the leave request shows no board
    ("GET", "/boards/{key}/rows", "hhhh", None, None),
    ("GET", "/designer", "addo", None, None),
    ("GET", "/designer/new", "addo", None, None),
    ("GET", "/designer/process/{key}", "addo", None, None),
]
ROUTES += WORK_ROUTES  # the human-task actions, with their setups: work_routes.py


def _path(template: str, world: World, client: TestClient) -> str:
    values = {"key": "leave_request", "case_id": world.case, "task_id": world.task,
              "incident_id": world.incident, "user_id": "alice", "role_id": "manager",
              "org_id": "acme", "code": "en", "kind": "steps"}
    if "{token_id}" in template:
        values["token_id"] = _own_token(world, client)
    values.update(getattr(world, "extra_ids", {}))  # ids a setup made (work_routes.py)
    return template.replace("{path:path}", "app.css").format(**values)


def _client(world: World, person: str, page: bool) -> TestClient:
    user = PEOPLE[person]
    if user is None:
        client = TestClient(world.app, follow_redirects=False)
    elif page:
        client = world.session(user)
    else:
        client = world.client(user)
        client.follow_redirects = False
    client.user = user  # type: ignore[attr-defined]
    return client


def _outcome(response: Any, page: bool) -> str:
    status = response.status_code
    if status == 401 or (page and status == 303
                         and response.headers["location"].startswith("/login?next=")):
        return "a"
    if status == 403:
        return "d"
    if status == 404:
        return "h"
    assert status < 500, response.text
    return "o"


def test_every_route_declares_one_permission_and_is_in_the_table(world: World) -> None:
    routes = declared(world.app.routes)  # raises for a route without exactly one Need
    table = {f"{method} {path}" for method, path, *_ in ROUTES}
    assert set(routes) - table == set(), "routes missing from ROUTES"
    assert table - set(routes) == set(), "ROUTES lists routes the app does not have"


@pytest.mark.parametrize(("method", "path", "expected", "body", "setup"), ROUTES,
                         ids=[f"{m} {p}" for m, p, *_ in ROUTES])
def test_route_answers_each_kind_of_person(make_world: MakeWorld, method: str, path: str,
                                           expected: str, body: Body,
                                           setup: Callable[[World], None] | None) -> None:
    page = not path.startswith(("/api/", "/openapi", "/docs", "/static"))
    shared = make_world()
    if setup is not None and method == "GET":
        setup(shared)
    got = ""
    for person in ("anon", "staff", "other", "admin"):
        world = make_world() if method != "GET" else shared
        if setup is not None and method != "GET":
            setup(world)
        client = _client(world, person, page)
        data = body(world, client) if callable(body) else body
        url = _path(path, world, client)
        if page and method != "GET":
            form = dict(data or {})
            if getattr(client, "csrf", None) and "csrf_token" not in form:
                form["csrf_token"] = client.csrf  # type: ignore[attr-defined]
            response = client.request(method, url, data=form)
        else:
            response = client.request(method, url, json=data)
        got += _outcome(response, page)
    assert got == expected, f"{method} {path}: anon/staff/other/admin gave {got}"
