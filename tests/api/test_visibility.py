"""Organisations: staff of one never see another's cases or tasks through any route; a
case is visible to the organisations taking part in it; role pools are filled locally
first, so a role name shared by two organisations does not leak work across."""

from __future__ import annotations

from pathlib import Path

from webworld import StartCase, World

from liucheng.org import accounts

HANDOVER = (Path(__file__).parent / "handover.yaml").read_text(encoding="utf-8")


def test_another_organisation_sees_nothing_of_a_case(world: World) -> None:
    carol = world.client("carol")  # a manager too, but at "other"
    assert world.case not in {c["id"] for c in carol.get("/api/v1/cases").json()["items"]}
    assert carol.get("/api/v1/cases?q=QJ-001").json()["total"] == 0
    assert carol.get("/api/v1/tasks?tab=pool").json()["items"] == []
    assert carol.get("/api/v1/inbox/counts").json() == {
        "mine": 0, "pool": 0, "done": 0, "started": 0, "overdue": 0}
    for path in (f"/api/v1/cases/{world.case}", f"/api/v1/cases/{world.case}/history",
                 f"/api/v1/cases/{world.case}/diagram", f"/api/v1/tasks/{world.task}"):
        answer = carol.get(path)
        assert answer.status_code == 404, path
        assert "QJ-001" not in answer.text and "13812345678" not in answer.text
    by_prefix = carol.get(f"/api/v1/cases/{world.case[:8]}")
    assert by_prefix.status_code == 404 and world.case not in by_prefix.text
    assert carol.post(f"/api/v1/tasks/{world.task}/claim").status_code == 404
    assert carol.post(f"/api/v1/tasks/{world.task}/complete", json={
        "variables": {"note": "x"}, "outcome": "approve"}).status_code == 404
    assert world.client("admin").get("/api/v1/incidents").json() != []
    dave = world.session("dave")
    for page in ("/inbox?tab=pool", "/cases", "/cases?q=QJ"):
        assert "QJ-001" not in dave.get(page).text
    assert dave.get(f"/cases/{world.case}").status_code == 404
    assert dave.get(f"/tasks/{world.task}").status_code == 404
    assert dave.get(f"/cases/{world.case}/print").status_code == 404


def test_the_same_role_name_is_filled_locally_first(world: World,
                                                    start_leave: StartCase) -> None:
    case = start_leave("dave", days=1)  # dave is at "other": its manager is carol
    carol_pool = world.client("carol").get("/api/v1/tasks?tab=pool").json()["items"]
    assert [t["case"] for t in carol_pool] == [case["id"]]
    bob_pool = world.client("bob").get("/api/v1/tasks?tab=pool").json()["items"]
    assert case["id"] not in {t["case"] for t in bob_pool}
    assert world.client("bob").get(f"/api/v1/cases/{case['id']}").status_code == 404


def test_a_role_only_another_organisation_has_brings_it_into_the_case(world: World) -> None:
    world.client("admin").post("/api/v1/definitions", json={"source": HANDOVER})
    with world.svc.db() as db:
        accounts.save_user(db, "carol", roles=["auditor"], now=world.svc.now())
    alice = world.client("alice")
    case = alice.post("/api/v1/cases", json={"process": "handover"}).json()
    alice.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete",
               json={"variables": {"summary": "合同副本"}})
    carol, dave = world.client("carol"), world.client("dave")
    pool = carol.get("/api/v1/tasks?tab=pool").json()["items"]
    audit = next(t for t in pool if t["case"] == case["id"])
    assert dave.get(f"/api/v1/cases/{case['id']}").status_code == 200  # "other" takes part
    assert dave.get("/api/v1/tasks?tab=pool").json()["items"] == []  # but not his task
    assert dave.post(f"/api/v1/tasks/{audit['id']}/claim").status_code == 403
    assert carol.post(f"/api/v1/tasks/{audit['id']}/complete",
                      json={"outcome": "approve"}).status_code == 200
    assert carol.get(f"/api/v1/cases/{case['id']}").json()["status"] == "completed"
    assert world.client("bob").get(f"/api/v1/cases/{case['id']}").status_code == 200


def test_administrators_see_every_organisation(world: World, start_leave: StartCase) -> None:
    other = start_leave("dave", days=4)
    admin = world.client("admin")
    ids = {c["id"] for c in admin.get("/api/v1/cases").json()["items"]}
    assert {world.case, other["id"]} <= ids


def test_granting_cases_all_lets_a_role_see_everything(world: World) -> None:
    world.client("admin").put("/api/v1/roles/staff/permissions",
                              json={"permissions": ["cases.all"]})
    assert world.client("dave").get(f"/api/v1/cases/{world.case}").status_code == 200
