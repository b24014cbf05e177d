"""The human-task action routes for the route-permission table (test_route_permissions.py):
each tried by anonymous, staff of the case's organisation (bob), staff of another
organisation (carol) and an administrator, with the setup each needs.

Withdrawing is `adhd`: only the case's starter (alice) may withdraw it, so even an
administrator is refused (403), while another organisation still learns nothing (404).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from webworld import World

Body = Callable[[World, TestClient], dict[str, Any]] | dict[str, Any] | None
Setup = Callable[[World], None] | None
PDF = b"%PDF-1.4\n%%EOF\n"
STAND_IN = {"bob": "alice", "carol": "dave", "admin": "alice"}


def _extra(world: World, **ids: str) -> None:
    world.extra_ids = {**getattr(world, "extra_ids", {}), **ids}  # type: ignore[attr-defined]


def _add_signer(world: World) -> None:
    world.svc.engine.add_signers(world.task, ["alice"], user="bob")


def _supplement(world: World) -> None:
    world.svc.engine.request_supplement(world.case, "户口本首页", user="alice")
    state = world.svc.engine.state(world.case)
    _extra(world, supplement_id=next(iter(state["supplements"])))


def _file(world: World) -> None:
    row = world.svc.engine.upload(world.case, PDF, "scan.pdf", user="alice")
    _extra(world, sha256=row["sha256"])


def _cc_to_me(world: World, client: TestClient) -> dict[str, Any]:
    """A copy of the case sent by alice to whoever asks (its id in the path)."""
    user = getattr(client, "user", None)
    cc_id = "0" * 32
    if user is not None:
        world.svc.engine.carbon_copy(world.case, [user], user="alice")
        copies = world.svc.engine.state(world.case)["cc"].values()
        cc_id = next(c["id"] for c in copies if c["user"] == user)
    _extra(world, cc_id=cc_id)
    return {}


def _away(world: World, client: TestClient) -> dict[str, Any]:
    now = world.svc.now()
    return {"delegate": STAND_IN.get(getattr(client, "user", None) or "", "alice"),
            "starts": now.isoformat(), "ends": (now + timedelta(days=3)).isoformat()}


def _away_form(world: World, client: TestClient) -> dict[str, Any]:
    today = world.svc.now().date()
    return {"delegate": STAND_IN.get(getattr(client, "user", None) or "", "alice"),
            "starts": today.isoformat(), "ends": (today + timedelta(days=3)).isoformat()}


# (method, path, expected anon/staff/other/admin, body, setup)
WORK_ROUTES: list[tuple[str, str, str, Body, Setup]] = [
    ("GET", "/api/v1/tasks/{task_id}/actions", "aoho", None, None),
    ("POST", "/api/v1/tasks/{task_id}/return", "aoho", {"to": "apply"}, None),
    ("POST", "/api/v1/tasks/{task_id}/transfer", "aoho", {"to": "alice"}, None),
    ("POST", "/api/v1/tasks/{task_id}/delegate", "aoho", {"to": "alice"}, None),
    ("POST", "/api/v1/tasks/{task_id}/signers", "aoho", {"users": ["alice"]}, None),
    ("DELETE", "/api/v1/tasks/{task_id}/signers/{user_id}", "aoho", None, _add_signer),
    ("POST", "/api/v1/tasks/{task_id}/urge", "aoho", None, None),
    ("GET", "/api/v1/cases/{case_id}/actions", "aoho", None, None),
    ("POST", "/api/v1/cases/{case_id}/withdraw", "adhd", {}, None),
    ("POST", "/api/v1/cases/{case_id}/cc", "aoho", {"users": ["alice"]}, None),
    ("GET", "/api/v1/cases/{case_id}/cc", "aoho", None, None),
    ("POST", "/api/v1/cases/{case_id}/comments", "aoho", {"text": "好"}, None),
    ("POST", "/api/v1/cases/{case_id}/supplements", "aoho", {"item": "户口本"}, None),
    ("GET", "/api/v1/cases/{case_id}/supplements", "aoho", None, None),
    ("POST", "/api/v1/cases/{case_id}/supplements/{supplement_id}/received", "aoho", {},
     _supplement),
    ("POST", "/api/v1/cases/{case_id}/files", "aoho", None, None),  # staff: 422, no file
    ("GET", "/api/v1/cases/{case_id}/files", "aoho", None, None),
    ("GET", "/api/v1/cases/{case_id}/files/{sha256}", "aoho", None, _file),
    ("GET", "/api/v1/me/copies", "aooo", None, None),
    ("POST", "/api/v1/me/copies/{cc_id}/read", "aoho", _cc_to_me, None),
    ("GET", "/api/v1/me/notifications", "aooo", None, None),
    ("POST", "/api/v1/me/notifications/read", "aooo", None, None),
    ("GET", "/api/v1/me/out-of-office", "aooo", None, None),
    ("POST", "/api/v1/me/out-of-office", "aooo", _away, None),
    # pages
    ("POST", "/tasks/{task_id}/return", "aoho", {"to": "apply", "confirmed": "1"}, None),
    ("POST", "/tasks/{task_id}/transfer", "aoho", {"to": "alice", "confirmed": "1"}, None),
    ("POST", "/tasks/{task_id}/delegate", "aoho", {"to": "alice", "confirmed": "1"}, None),
    ("POST", "/tasks/{task_id}/signers", "aoho", {"users": "alice"}, None),
    ("POST", "/tasks/{task_id}/signers/{user_id}/remove", "aoho", {"confirmed": "1"},
     _add_signer),
    ("POST", "/tasks/{task_id}/urge", "aoho", {}, None),
    ("POST", "/cases/{case_id}/withdraw", "adhd", {"confirmed": "1"}, None),
    ("POST", "/cases/{case_id}/cc", "aoho", {"users": "alice"}, None),
    ("POST", "/cases/{case_id}/comments", "aoho", {"text": "好"}, None),
    ("POST", "/cases/{case_id}/supplements", "aoho", {"item": "户口本"}, None),
    ("POST", "/cases/{case_id}/supplements/{supplement_id}/received", "aoho", {},
     _supplement),
    ("POST", "/cases/{case_id}/files", "aoho", {}, None),  # staff: 422, no file
    ("POST", "/copies/{cc_id}/read", "aoho", _cc_to_me, None),
    ("GET", "/notifications", "aooo", None, None),
    ("GET", "/notifications/badge", "aooo", None, None),
    ("POST", "/notifications/read", "aooo", {}, None),
    ("GET", "/account/away", "aooo", None, None),
    ("POST", "/account/away", "aooo", _away_form, None),
]
