"""The REST API end to end on SQLite: definitions, cases, the inbox, task actions, errors as
problem+json, incidents and retry, users and roles, API token scopes, masking."""

from __future__ import annotations

import sys
import types

import pytest
from webworld import LEAVE, StartCase, World

PROBLEM = "application/problem+json"


def test_validate_reports_every_problem_with_its_line(world: World) -> None:
    api = world.client("admin")
    good = api.post("/api/v1/definitions/validate", json={"source": LEAVE})
    assert good.status_code == 200 and good.json()["key"] == "leave_request"
    bad = api.post("/api/v1/definitions/validate",
                   json={"source": LEAVE.replace("role: manager", "role: nobody"),
                         "source_name": "leave.yaml"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == PROBLEM
    body = bad.json()
    assert body["code"] == "invalid_model" and body["status"] == 422
    assert any(p.get("line") for p in body["problems"])


def test_deploy_makes_a_new_version_only_when_the_source_changes(world: World) -> None:
    api = world.client("admin")
    same = api.post("/api/v1/definitions", json={"source": LEAVE})
    assert same.status_code == 200 and same.json()["created"] is False
    changed = api.post("/api/v1/definitions", json={"source": LEAVE + "\n# v2\n"})
    assert changed.status_code == 201 and changed.json()["version"] == 2
    versions = api.get("/api/v1/definitions/leave_request/versions").json()
    assert [v["version"] for v in versions] == [1, 2]
    listed = {p["key"]: p for p in api.get("/api/v1/definitions").json()}
    leave = listed["leave_request"]
    assert leave["version"] == 2 and leave["versions"] == 2
    assert [f["id"] for f in leave["start_form"]] == ["days", "reason", "mobile"]
    assert leave["description"]["en"].startswith("An employee")
    source = api.get("/api/v1/definitions/leave_request/source?version=1")
    assert source.text == LEAVE


def test_a_version_page_or_offset_beyond_what_the_database_holds_is_refused(
        world: World) -> None:
    api = world.client("admin")
    huge = str(10**20)
    for path in (f"/api/v1/definitions/leave_request?version={huge}",
                 f"/api/v1/definitions/leave_request/source?version={huge}",
                 f"/api/v1/tasks?offset={huge}", f"/api/v1/cases?offset={huge}"):
        answer = api.get(path)
        assert answer.status_code == 422, (path, answer.text)
    started = api.post("/api/v1/cases", json={"process": "leave_request", "version": 10**20})
    assert started.status_code == 422


def test_bpmn_export_or_a_clear_501(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    api = world.client("alice")
    exported = api.get("/api/v1/definitions/leave_request/bpmn")
    if exported.status_code == 200:
        assert "<bpmn:definitions" in exported.text or "definitions" in exported.text
        diagram = api.get(f"/api/v1/cases/{world.case}/diagram").json()
        assert "apply" in diagram["completed"] and diagram["active"] == ["approve"]
    monkeypatch.setitem(sys.modules, "liucheng.loaders.bpmn_export",
                        types.ModuleType("liucheng.loaders.bpmn_export"))
    missing = api.get("/api/v1/definitions/leave_request/bpmn")
    assert missing.status_code == 501 and missing.headers["content-type"] == PROBLEM
    assert "BPMN export is not available" in missing.json()["detail"]


def test_a_case_from_start_to_end(world: World, start_leave: StartCase) -> None:
    case = start_leave("alice", days=2)
    assert case["active"] == ["approve"]
    bob = world.client("bob")
    pool = bob.get("/api/v1/tasks?tab=pool").json()
    task = next(t for t in pool["items"] if t["case"] == case["id"])
    assert task["business_key"] == "QJ-2" and task["role"] == "manager"
    detail = bob.get(f"/api/v1/tasks/{task['id']}").json()
    assert detail["outcomes"] == ["approve", "reject"] and detail["actions"] == ["claim",
                                                                                 "complete"]
    claimed = bob.post(f"/api/v1/tasks/{task['id']}/claim").json()
    assert claimed["assignee"] == "bob" and claimed["actions"] == ["complete", "unclaim"]
    assert bob.get("/api/v1/inbox/counts").json()["mine"] == 1
    back = bob.post(f"/api/v1/tasks/{task['id']}/unclaim").json()
    assert back["assignee"] is None
    done = bob.post(f"/api/v1/tasks/{task['id']}/complete",
                    json={"variables": {"note": "同意"}, "outcome": "approve",
                          "comment": "注意安全"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    history = world.client("alice").get(f"/api/v1/cases/{case['id']}/history").json()
    completed = [h for h in history if h["type"] == "task_completed"]
    assert [h["actor"] for h in completed] == ["alice", "bob"]
    assert completed[-1]["data"]["comment"] == "注意安全"
    assert bob.get("/api/v1/tasks?tab=done").json()["total"] == 1


def test_form_problems_name_the_field_and_change_nothing(world: World) -> None:
    bob = world.client("bob")
    wrong = bob.post(f"/api/v1/tasks/{world.task}/complete",
                     json={"variables": {"note": "", "days": 9}, "outcome": "maybe"})
    assert wrong.status_code == 422 and wrong.headers["content-type"] == PROBLEM
    fields = {p["field"]: p["message"] for p in wrong.json()["problems"]}
    assert set(fields) == {"note", "days", "outcome"}
    assert "not a field of this step" in fields["days"]
    assert world.svc.engine.task(world.task).status == "open"
    typed = world.client("alice").post("/api/v1/cases", json={
        "process": "leave_request", "variables": {"days": "three"}},
        headers={"Accept-Language": "zh-CN"})
    assert typed.status_code == 422
    assert typed.json()["problems"][0] == {"message": "天数应为整数", "field": "days"}


def test_the_second_of_two_completions_gets_a_conflict(world: World) -> None:
    body = {"variables": {"note": "好"}, "outcome": "approve"}
    first = world.client("bob").post(f"/api/v1/tasks/{world.task}/complete", json=body)
    assert first.status_code == 200
    second = world.client("admin").post(f"/api/v1/tasks/{world.task}/complete", json=body)
    assert second.status_code == 409 and second.headers["content-type"] == PROBLEM
    assert "already completed by bob" in second.json()["detail"]


def test_search_cancel_and_cases_of_a_starter(world: World, start_leave: StartCase) -> None:
    start_leave("alice", days=5)
    alice = world.client("alice")
    found = alice.get("/api/v1/cases?q=QJ-5").json()
    assert found["total"] == 1
    case_id = found["items"][0]["id"]
    assert world.client("bob").post(f"/api/v1/cases/{case_id}/cancel", json={}).status_code \
        == 403
    cancelled = alice.post(f"/api/v1/cases/{case_id}/cancel", json={"reason": "不请了"})
    assert cancelled.json()["status"] == "cancelled"
    again = alice.post(f"/api/v1/cases/{case_id}/cancel", json={})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert alice.get("/api/v1/cases?status=cancelled").json()["total"] == 1


def test_incident_is_listed_and_retried(world: World) -> None:
    admin = world.client("admin")
    incidents = admin.get("/api/v1/incidents").json()
    assert [i["id"] for i in incidents] == [world.incident]
    world.svc.engine.service("credit_score_missing")(lambda call: {"score": 80})
    retried = admin.post(f"/api/v1/incidents/{world.incident}/retry")
    assert retried.status_code == 200
    assert admin.get("/api/v1/incidents").json() == []


def test_users_roles_and_organisations(world: World) -> None:
    admin = world.client("admin")
    made = admin.post("/api/v1/users", json={"id": "erin", "name": "Erin", "roles": ["staff"],
                                             "organisation": "acme",
                                             "password": "erin-pass-1"})
    assert made.status_code == 201 and made.json()["organisation"] == "acme"
    weak = admin.post("/api/v1/users", json={"id": "fay", "password": "short"})
    assert weak.status_code == 422 and weak.json()["problems"][0]["field"] == "password"
    moved = admin.patch("/api/v1/users/erin", json={"roles": ["manager"], "active": False})
    assert moved.json()["roles"] == ["manager"] and moved.json()["active"] is False
    dept = admin.post("/api/v1/organisations/acme/departments", json={"id": "hr",
                                                                      "name": "人事部"})
    assert dept.status_code == 201 and dept.json()["departments"][0]["id"] == "hr"
    wrong_dept = admin.patch("/api/v1/users/dave", json={"department": "hr"})
    assert wrong_dept.status_code == 422  # hr belongs to acme, dave to other
    granted = admin.put("/api/v1/roles/manager/permissions",
                        json={"permissions": ["sensitive.read"]})
    assert granted.json()["permissions"] == ["sensitive.read"]
    unknown = admin.put("/api/v1/roles/manager/permissions", json={"permissions": ["root"]})
    assert unknown.status_code == 403


def test_sensitive_values_are_masked_without_the_right(world: World) -> None:
    path = f"/api/v1/cases/{world.case}"
    masked = world.client("bob").get(path).json()
    assert masked["variables"]["mobile"] == "138****5678" and masked["masked"] == ["mobile"]
    history = world.client("bob").get(path + "/history").json()
    assert "13812345678" not in str(history)
    assert world.client("admin").get(path).json()["variables"]["mobile"] == "13812345678"
    world.client("admin").put("/api/v1/roles/manager/permissions",
                              json={"permissions": ["sensitive.read"]})
    assert world.client("bob").get(path).json()["variables"]["mobile"] == "13812345678"


def test_token_scopes_narrow_what_a_token_may_do(world: World) -> None:
    reader = world.client("bob", scopes=["tasks.read"])
    assert reader.get("/api/v1/tasks?tab=pool").status_code == 200
    refused = reader.post(f"/api/v1/tasks/{world.task}/claim")
    assert refused.status_code == 403 and "scopes" in refused.json()["hint"]
    assert reader.get("/api/v1/me").json()["permissions"] == ["tasks.read"]
    bob = world.client("bob")
    made = bob.post("/api/v1/me/tokens", json={"name": "robot", "scopes": ["cases.read"]})
    assert made.status_code == 201 and made.json()["token"].startswith("lc_")
    robot = world.client()
    robot.headers["Authorization"] = "Bearer " + made.json()["token"]
    assert robot.get("/api/v1/me").json()["via"] == "token"
    listed = bob.get("/api/v1/me/tokens").json()
    assert all("token_hash" not in t and "token" not in t for t in listed)
    assert bob.delete(f"/api/v1/me/tokens/{made.json()['id']}").status_code == 204
    gone = robot.get("/api/v1/me")
    assert gone.status_code == 401 and gone.headers["www-authenticate"].startswith("Bearer")
    bad_scope = bob.post("/api/v1/me/tokens", json={"name": "x", "scopes": ["everything"]})
    assert bad_scope.status_code == 422


def test_errors_and_unknown_paths_are_problem_json(world: World) -> None:
    api = world.client("alice")
    for response, status in ((api.get("/api/v1/nothing"), 404),
                             (api.get("/api/v1/cases?limit=0"), 422),
                             (world.client().get("/api/v1/cases"), 401)):
        assert response.status_code == status
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == status
    bad_header = world.client()
    bad_header.headers["Authorization"] = "Basic abc"
    assert bad_header.get("/api/v1/me").status_code == 401


def test_openapi_lists_the_api_and_docs_are_served_locally(world: World) -> None:
    spec = world.client().get("/openapi.json").json()
    assert "/api/v1/tasks/{task_id}/complete" in spec["paths"]
    assert "/inbox" not in spec["paths"]
    docs = world.client().get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert world.client().get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code \
        == 200


def test_two_people_completing_at_once_one_wins(world: World) -> None:
    from concurrent.futures import ThreadPoolExecutor

    world.svc.engine.add_user("bob2", "Bob Two", roles=["manager"])
    clients = [world.client("bob"), world.client("admin")]
    body = {"variables": {"note": "好"}, "outcome": "approve"}
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(
            lambda c: c.post(f"/api/v1/tasks/{world.task}/complete", json=body), clients))
    assert sorted(a.status_code for a in answers) == [200, 409]
    history = world.client("admin").get(f"/api/v1/cases/{world.case}/history").json()
    assert sum(1 for h in history if h["type"] == "task_completed") == 2  # apply + approve
