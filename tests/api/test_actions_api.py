"""The human-task action routes over REST on SQLite: return, transfer, delegate, signers,
urge, withdraw, carbon copies with read receipts, comments, supplements, files, the
checklist on completion, notifications and out of office — each with its happy path, a
person who may not, and input that is refused at its field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from webworld import World

from liucheng.org import accounts

PAPERS = (Path(__file__).parent / "checklist.yaml").read_text(encoding="utf-8")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PROBLEM = "application/problem+json"


@pytest.fixture
def erin(world: World) -> str:
    """A colleague of alice and bob at acme who has nothing to do with the case."""
    with world.svc.db() as db:
        accounts.save_user(db, "erin", name="孙红", roles=["staff"], organisation="acme",
                           now=world.svc.now())
    return "erin"


def papers_case(world: World, user: str = "alice") -> tuple[str, str]:
    """A papers check started by `user`: (case id, the intake task id)."""
    world.svc.engine.deploy(PAPERS, source_name="checklist.yaml", by="admin")
    case = world.client(user).post("/api/v1/cases", json={"process": "papers_check",
                                                          "business_key": "SJ-1"}).json()
    return case["id"], case["open_tasks"][0]["id"]


def fields(answer: Any) -> dict[str, dict[str, Any]]:
    assert answer.headers["content-type"] == PROBLEM, answer.text
    return {p["field"]: p for p in answer.json()["problems"]}


def test_what_may_be_done_now_is_asked_of_the_engine(world: World) -> None:
    bob = world.client("bob").get(f"/api/v1/tasks/{world.task}/actions").json()
    assert {"claim", "complete", "return", "transfer", "delegate", "add_signers"} <= set(
        bob["actions"]) and "urge" not in bob["actions"]
    assert bob["return_to"] == [{"step": "apply", "to": "apply",
                                 "name": {"zh": "填写申请", "en": "Apply"}}]
    alice = world.client("alice").get(f"/api/v1/tasks/{world.task}/actions").json()
    assert alice["actions"] == ["urge"] and alice["return_to"] == []
    assert {"cc", "comment", "supplement", "withdraw"} <= set(alice["case_actions"])
    assert alice["withdraw_case"] is True and alice["withdraw_steps"][0]["step"] == "apply"
    case = world.client("alice").get(f"/api/v1/cases/{world.case}/actions").json()
    assert case["withdraw_case"] is True
    assert world.client("carol").get(f"/api/v1/tasks/{world.task}/actions").status_code == 404


def test_return_sends_the_case_back_to_an_earlier_step(world: World) -> None:
    alice, bob = world.client("alice"), world.client("bob")
    assert alice.post(f"/api/v1/tasks/{world.task}/return",
                      json={"to": "apply"}).status_code == 403  # not hers to return
    assert bob.post(f"/api/v1/tasks/{world.task}/return", json={"to": ["x"]}).status_code == 422
    nowhere = bob.post(f"/api/v1/tasks/{world.task}/return", json={"to": "approve"})
    assert nowhere.status_code == 403 and "apply" in nowhere.json()["detail"]
    back = bob.post(f"/api/v1/tasks/{world.task}/return",
                    json={"to": "apply", "comment": "天数写错了"})
    assert back.status_code == 200 and back.json()["active"] == ["apply"]
    mine = alice.get("/api/v1/tasks?tab=mine").json()["items"]
    assert [t["element"] for t in mine] == ["apply"]
    history = alice.get(f"/api/v1/cases/{world.case}/history").json()
    returned = next(h for h in history if h["type"] == "task_returned")
    assert returned["actor"] == "bob" and returned["data"]["comment"] == "天数写错了"


def test_transfer_and_delegate_go_to_colleagues_only(world: World) -> None:
    bob = world.client("bob")
    other = bob.post(f"/api/v1/tasks/{world.task}/transfer", json={"to": "carol"})
    assert other.status_code == 422
    assert fields(other)["to"]["message_zh"] == "“carol”不是本单位在职的同事"
    assert bob.post(f"/api/v1/tasks/{world.task}/transfer", json={}).status_code == 422
    assert world.client("dave").post(f"/api/v1/tasks/{world.task}/transfer",
                                     json={"to": "dave"}).status_code == 404
    delegated = bob.post(f"/api/v1/tasks/{world.task}/delegate",
                         json={"to": "alice", "comment": "请先核对"})
    assert delegated.status_code == 200
    task = world.svc.engine.task(world.task)
    assert task.assignee == "alice" and task.owner == "bob"
    again = bob.post(f"/api/v1/tasks/{world.task}/delegate", json={"to": "alice"})
    assert again.status_code == 403  # it is alice's to work on now
    moved = world.client("alice").post(f"/api/v1/tasks/{world.task}/transfer",
                                       json={"to": "bob"})
    assert moved.status_code == 200 and world.svc.engine.task(world.task).assignee == "bob"


def test_signers_are_added_and_removed(world: World) -> None:
    bob, alice = world.client("bob"), world.client("alice")
    assert bob.post(f"/api/v1/tasks/{world.task}/signers",
                    json={"users": ["alice"], "position": "middle"}).status_code == 422
    assert bob.post(f"/api/v1/tasks/{world.task}/signers",
                    json={"users": []}).status_code == 422
    assert alice.post(f"/api/v1/tasks/{world.task}/signers",
                      json={"users": ["bob"]}).status_code == 403
    added = bob.post(f"/api/v1/tasks/{world.task}/signers",
                     json={"users": ["alice"], "position": "before"})
    assert added.status_code == 200
    assert world.svc.engine.task(world.task).status == "suspended"
    options = bob.get(f"/api/v1/tasks/{world.task}/actions").json()
    assert options["removable_signers"] == ["alice"]
    assert alice.delete(f"/api/v1/tasks/{world.task}/signers/alice").status_code == 403
    removed = bob.delete(f"/api/v1/tasks/{world.task}/signers/alice")
    assert removed.status_code == 200 and world.svc.engine.task(world.task).status == "open"
    assert bob.delete(f"/api/v1/tasks/{world.task}/signers/alice").status_code == 404


def test_urge_reminds_the_holder_once_an_hour(world: World, erin: str) -> None:
    alice = world.client("alice")
    assert alice.post(f"/api/v1/tasks/{world.task}/urge",
                      json={"comment": "x" * 2001}).status_code == 422
    assert alice.post(f"/api/v1/tasks/{world.task}/urge",
                      json={"comment": "请尽快"}).status_code == 200
    assert alice.post(f"/api/v1/tasks/{world.task}/urge").status_code == 409
    assert world.client(erin).post(f"/api/v1/tasks/{world.task}/urge").status_code == 403
    assert world.client("carol").post(f"/api/v1/tasks/{world.task}/urge").status_code == 404
    notes = world.client("bob").get("/api/v1/me/notifications").json()
    assert notes["unread"] >= 1 and any("请尽快" in n["text"] for n in notes["items"])
    assert world.client("bob").post("/api/v1/me/notifications/read").json()["marked"] >= 1
    assert world.client("bob").get("/api/v1/me/notifications").json()["unread"] == 0


def test_withdraw_by_the_starter_before_anyone_acted(world: World) -> None:
    assert world.client("bob").post(f"/api/v1/cases/{world.case}/withdraw",
                                    json={}).status_code == 403
    assert world.client("alice").post(f"/api/v1/cases/{world.case}/withdraw",
                                      json={"step": 7}).status_code == 422
    back = world.client("alice").post(f"/api/v1/cases/{world.case}/withdraw",
                                      json={"comment": "还要补充"})
    assert back.status_code == 200 and back.json()["active"] == ["apply"]


def test_withdraw_is_too_late_once_the_next_step_is_taken(world: World) -> None:
    world.svc.engine.claim(world.task, user="bob")
    late = world.client("alice").post(f"/api/v1/cases/{world.case}/withdraw",
                                      json={"step": "apply"})
    assert late.status_code == 409 and "too late" in late.json()["detail"]


def test_carbon_copies_with_read_receipts(world: World, erin: str) -> None:
    alice, bob = world.client("alice"), world.client("bob")
    wrong = alice.post(f"/api/v1/cases/{world.case}/cc", json={"users": ["carol", "nobody"]})
    assert wrong.status_code == 422 and set(fields(wrong)) == {"users"}
    assert len(wrong.json()["problems"]) == 2
    assert world.client(erin).post(f"/api/v1/cases/{world.case}/cc",
                                   json={"users": ["bob"]}).status_code == 403
    assert alice.post(f"/api/v1/cases/{world.case}/cc", json={
        "users": ["bob"], "task": "0000"}).status_code == 404
    sent = alice.post(f"/api/v1/cases/{world.case}/cc",
                      json={"users": ["bob"], "comment": "供参考"})
    assert sent.status_code == 200
    copies = bob.get("/api/v1/me/copies").json()
    assert copies["unread"] == 1 and copies["items"][0]["comment"] == "供参考"
    cc_id = copies["items"][0]["id"]
    assert alice.post(f"/api/v1/me/copies/{cc_id}/read").status_code == 403
    read = bob.post(f"/api/v1/me/copies/{cc_id}/read")
    assert read.status_code == 200 and read.json()["read_at"]
    listed = alice.get(f"/api/v1/cases/{world.case}/cc").json()
    assert listed[0]["user"] == "bob" and listed[0]["read_at"]
    assert bob.get("/api/v1/me/copies?unread=true").json()["items"] == []
    assert world.client("carol").get(f"/api/v1/cases/{world.case}/cc").status_code == 404


def test_comments_need_text_and_a_place_on_the_case(world: World, erin: str) -> None:
    bob = world.client("bob")
    empty = bob.post(f"/api/v1/cases/{world.case}/comments", json={"text": "  "})
    assert empty.status_code == 422 and fields(empty)["text"]["message_zh"] == "请写下意见"
    assert world.client(erin).post(f"/api/v1/cases/{world.case}/comments",
                                   json={"text": "路过"}).status_code == 403
    assert world.client("carol").post(f"/api/v1/cases/{world.case}/comments",
                                      json={"text": "hi"}).status_code == 404
    done = bob.post(f"/api/v1/cases/{world.case}/comments",
                    json={"text": "请补充病假条", "task": world.task})
    assert done.status_code == 200
    history = bob.get(f"/api/v1/cases/{world.case}/history").json()
    note = next(h for h in history if h["type"] == "comment_added")
    assert note["data"]["text"] == "请补充病假条" and note["task"] == world.task


def test_supplements_requested_and_received(world: World) -> None:
    bob, alice = world.client("bob"), world.client("alice")
    assert fields(bob.post(f"/api/v1/cases/{world.case}/supplements",
                           json={"item": ""}))["item"]["message_zh"] == "请写明缺少的材料"
    asked = bob.post(f"/api/v1/cases/{world.case}/supplements",
                     json={"item": "病假条", "note": "医院盖章"})
    assert asked.status_code == 200
    listed = alice.get(f"/api/v1/cases/{world.case}/supplements").json()
    assert listed[0]["item"] == "病假条" and listed[0]["by"] == "bob"
    sid = listed[0]["id"]
    unknown = alice.post(f"/api/v1/cases/{world.case}/supplements/{sid}/received",
                         json={"files": ["ab" * 32]})
    assert unknown.status_code == 422 and "files" in fields(unknown)
    sha = alice.post(f"/api/v1/cases/{world.case}/files",
                     files={"file": ("假条.pdf", PDF, "application/pdf")}).json()["sha256"]
    got = alice.post(f"/api/v1/cases/{world.case}/supplements/{sid}/received",
                     json={"files": [sha]})
    assert got.status_code == 200
    entry = alice.get(f"/api/v1/cases/{world.case}/supplements").json()[0]
    assert entry["received_by"] == "alice" and entry["files"] == [sha]
    assert alice.post(f"/api/v1/cases/{world.case}/supplements/{sid}/received"
                      ).status_code == 409
    assert any(n["kind"] == "supplement"
               for n in bob.get("/api/v1/me/notifications").json()["items"])


def test_files_upload_list_and_download(world: World, erin: str) -> None:
    alice = world.client("alice")
    up = alice.post(f"/api/v1/cases/{world.case}/files",
                    files={"file": ("产权证 扫描.pdf", PDF, "application/pdf")})
    assert up.status_code == 201, up.text
    sha = up.json()["sha256"]
    assert [f["sha256"] for f in alice.get(f"/api/v1/cases/{world.case}/files").json()] == [sha]
    got = world.client("bob").get(f"/api/v1/cases/{world.case}/files/{sha}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"___ __.pdf\"; "
        "filename*=UTF-8''%E4%BA%A7%E6%9D%83%E8%AF%81%20%E6%89%AB%E6%8F%8F.pdf")
    fake = alice.post(f"/api/v1/cases/{world.case}/files",
                      files={"file": ("scan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert fake.status_code == 422 and "file" in fields(fake)
    assert alice.post(f"/api/v1/cases/{world.case}/files").status_code == 422
    assert world.client("carol").post(f"/api/v1/cases/{world.case}/files", files={
        "file": ("a.pdf", PDF, "application/pdf")}).status_code == 404
    assert world.client(erin).get(f"/api/v1/cases/{world.case}/files/{sha}").status_code == 403
    assert alice.get(f"/api/v1/cases/{world.case}/files/{'0' * 64}").status_code == 404
    assert alice.get(f"/api/v1/cases/{world.case}/files/not-a-sha").status_code == 422


def test_completion_checks_the_checklist_with_the_form(world: World) -> None:
    case, task = papers_case(world)
    alice = world.client("alice")
    everything = alice.post(f"/api/v1/tasks/{task}/complete", json={"variables": {}})
    assert everything.status_code == 422
    found = fields(everything)
    assert set(found) == {"owner_name", "documents.property_cert", "documents.id_card"}
    assert found["documents.property_cert"]["message_zh"] == "清单项“产权证”未核对"
    assert found["documents.property_cert"]["hint_zh"] == "产权人姓名、坐落与土地证一致"
    ticked = {"property_cert": {"checked": True}, "id_card": {"checked": True}}
    no_scan = alice.post(f"/api/v1/tasks/{task}/complete", json={"variables": {
        "owner_name": "张三", "documents": ticked}})
    assert fields(no_scan)["documents.property_cert"]["message_zh"] == "清单项“产权证”缺扫描件"
    stray = alice.post(f"/api/v1/tasks/{task}/complete", json={"variables": {
        "owner_name": "张三", "documents": {**ticked, "property_cert": {
            "checked": True, "files": ["cd" * 32]}}}})
    assert "不是本业务的附件" in fields(stray)["documents.property_cert"]["message_zh"]
    sha = alice.post(f"/api/v1/cases/{case}/files", files={
        "file": ("cert.pdf", PDF, "application/pdf")}).json()["sha256"]
    done = alice.post(f"/api/v1/tasks/{task}/complete", json={"variables": {
        "owner_name": "张三", "documents": {**ticked, "property_cert": {
            "checked": True, "files": [sha]}}}})
    assert done.status_code == 200 and done.json()["active"] == ["review"]
    assert done.json()["variables"]["documents"]["property_cert"]["files"] == [sha]


def test_out_of_office_and_hand_over(world: World) -> None:
    bob = world.client("bob")
    now = world.svc.now()
    window = {"starts": now.isoformat(), "ends": (now + timedelta(days=5)).isoformat()}
    assert fields(bob.post("/api/v1/me/out-of-office",
                           json={"delegate": "carol", **window}))["delegate"]
    backwards = bob.post("/api/v1/me/out-of-office", json={
        "delegate": "alice", "starts": window["ends"], "ends": window["starts"]})
    assert fields(backwards)["ends"]["message_zh"] == "结束时间须晚于开始时间"
    assert fields(bob.post("/api/v1/me/out-of-office", json={
        "delegate": "alice", "process": "nope", **window}))["process"]
    assert fields(bob.post("/api/v1/me/out-of-office",
                           json={"delegate": "bob", **window}))["delegate"]
    world.svc.engine.claim(world.task, user="bob")
    made = bob.post("/api/v1/me/out-of-office", json={
        "delegate": "alice", "reason": "年假", "hand_over": True, **window})
    assert made.status_code == 201, made.text
    assert made.json()["handed_over"] == [world.task]
    assert world.svc.engine.task(world.task).assignee == "alice"
    mine = bob.get("/api/v1/me/out-of-office").json()
    assert mine["away"][0]["delegate"] == "alice" and mine["away"][0]["reason"] == "年假"
    assert world.client("alice").get("/api/v1/me/out-of-office").json()["covering"][0][
        "user"] == "bob"
