"""The action pages without JavaScript: the checklist on the task page (errors at the item,
scans sent with the form), buttons only for what is possible, the confirmation step,
errors at the action's field in the reader's language, the case page's documents,
supplements, copies and comments, the 抄送我的 tab, notifications and out of office."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from test_pages import unlabelled
from webworld import World

PAPERS = (Path(__file__).parent / "checklist.yaml").read_text(encoding="utf-8")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def csrf(client: Any) -> str:
    return str(client.csrf)


def papers_task(world: World) -> tuple[str, str]:
    world.svc.engine.deploy(PAPERS, source_name="checklist.yaml", by="admin")
    case = world.svc.engine.start("papers_check", {}, user="alice", business_key="SJ-7")
    return case.id, world.svc.engine.tasks(case=case.id)[0].id


def test_the_checklist_shows_what_to_check_and_errors_at_each_item(world: World) -> None:
    case, task = papers_task(world)
    alice = world.session("alice")
    page = alice.get(f"/tasks/{task}")
    assert page.status_code == 200 and unlabelled(page.text) == []
    assert 'enctype="multipart/form-data"' in page.text
    assert "核对要点：产权人姓名、坐落与土地证一致" in page.text
    assert 'name="doc.property_cert"' in page.text and 'name="docscan.property_cert"' in page.text
    assert page.text.count("必备") >= 2 and "选备" in page.text and "需扫描件" in page.text
    wrong = alice.post(f"/tasks/{task}/complete", data={"csrf_token": csrf(alice),
                                                        "doc.id_card": "on"})
    assert wrong.status_code == 422
    assert re.search(r'id="d-property_cert"[^>]*aria-invalid="true"', wrong.text)
    assert ('<p class="error" id="e-doc-property_cert">清单项“产权证”未核对'
            '（产权人姓名、坐落与土地证一致）</p>') in wrong.text
    assert 'id="e-owner_name"' in wrong.text  # the form's errors come at the same time
    assert 'id="d-id_card" name="doc.id_card" checked' in wrong.text  # the tick stays
    english = world.session("alice", lang="en")
    english.cookies.set("lc_lang", "en")
    wrong_en = english.post(f"/tasks/{task}/complete", data={"csrf_token": csrf(english)})
    assert "checklist item &#39;Property certificate&#39; is not checked" in wrong_en.text


def test_a_scan_sent_with_the_form_is_kept_and_attached(world: World) -> None:
    case, task = papers_task(world)
    alice = world.session("alice")
    fake = alice.post(f"/tasks/{task}/complete", data={"csrf_token": csrf(alice)},
                      files={"docscan.property_cert": ("cert.pdf", b"MZ not a pdf", "x/y")})
    assert fake.status_code == 422 and 'id="e-doc-property_cert"' in fake.text
    half = alice.post(f"/tasks/{task}/complete", data={
        "csrf_token": csrf(alice), "doc.property_cert": "on"},
        files={"docscan.property_cert": ("产权证.pdf", PDF, "application/pdf")})
    assert half.status_code == 422  # the owner is missing, but the scan is kept
    sha = re.search(r'name="docfile.property_cert" value="([0-9a-f]{64})"', half.text)
    assert sha and "产权证.pdf" in half.text
    dropped = alice.post(f"/tasks/{task}/complete", data={
        "csrf_token": csrf(alice), "owner_name": "张三", "doc.property_cert": "on",
        "doc.id_card": "on", "docfile.property_cert": sha.group(1),
        "docdrop.property_cert": sha.group(1)})  # taken off the item again
    assert dropped.status_code == 422 and "清单项“产权证”缺扫描件" in dropped.text
    assert f'value="{sha.group(1)}"' not in dropped.text
    done = alice.post(f"/tasks/{task}/complete", data={
        "csrf_token": csrf(alice), "owner_name": "张三", "doc.property_cert": "on",
        "doc.id_card": "on", "docfile.property_cert": sha.group(1)})
    assert done.status_code == 303, done.text
    page = alice.get(f"/cases/{case}")
    assert f'href="/api/v1/cases/{case}/files/{sha.group(1)}"' in page.text
    assert "已核对" in page.text and "产权证.pdf" in page.text


def test_buttons_only_for_what_is_possible(world: World) -> None:
    bob = world.session("bob").get(f"/tasks/{world.task}").text
    for action in ("return", "transfer", "delegate", "signers", "cc", "comment", "supplement"):
        assert f'id="act-{action}"' in bob, action
    assert 'id="act-urge"' not in bob and unlabelled(bob) == []
    alice = world.session("alice").get(f"/tasks/{world.task}").text
    assert 'id="act-urge"' in alice and 'id="act-return"' not in alice
    assert 'id="act-transfer"' not in alice
    # the user picker lists active colleagues only
    assert 'value="alice"' in bob and 'value="carol"' not in bob


def test_return_asks_first_then_the_task_is_back_with_why(world: World) -> None:
    bob = world.session("bob")
    ask = bob.post(f"/tasks/{world.task}/return", data={
        "csrf_token": csrf(bob), "to": "apply", "comment": "天数写错了"})
    assert ask.status_code == 200 and "确定把本业务退回到“填写申请”吗？" in ask.text
    assert 'name="confirmed" value="1"' in ask.text and "天数写错了" in ask.text
    assert world.svc.engine.task(world.task).status == "open"  # nothing done yet
    done = bob.post(f"/tasks/{world.task}/return", data={
        "csrf_token": csrf(bob), "to": "apply", "comment": "天数写错了", "confirmed": "1"})
    assert done.status_code == 303 and done.headers["location"].endswith("notice=returned")
    alice = world.session("alice")
    mine = alice.get("/inbox?tab=mine").text
    task = re.search(r'href="/tasks/([0-9a-f]{32})">填写申请', mine)
    assert task, mine
    page = alice.get(f"/tasks/{task.group(1)}").text
    assert "从“经理审批”退回" in page and "天数写错了" in page
    case = alice.get(f"/cases/{world.case}").text
    assert "退回至“填写申请”" in case


def test_refusals_show_at_the_field_in_the_reader_language(world: World) -> None:
    bob = world.session("bob")
    wrong = bob.post(f"/tasks/{world.task}/transfer", data={
        "csrf_token": csrf(bob), "to": "carol", "confirmed": "1"})
    assert wrong.status_code == 422 and 'id="act-transfer" open' in wrong.text
    assert '<p class="error" id="e-transfer-to">“carol”不是本单位在职的同事' in wrong.text
    english = world.session("bob", lang="en")
    english.cookies.set("lc_lang", "en")
    wrong_en = english.post(f"/tasks/{world.task}/transfer", data={
        "csrf_token": csrf(english), "to": "carol", "confirmed": "1"})
    assert "is not an active colleague in your organisation" in wrong_en.text
    alice = world.session("alice")
    alice.post(f"/tasks/{world.task}/urge", data={"csrf_token": csrf(alice)})
    again = alice.post(f"/tasks/{world.task}/urge", data={"csrf_token": csrf(alice)})
    assert again.status_code == 409 and 'id="act-urge"' not in again.text
    assert "未能办理：" in again.text and "起可再次催办" in again.text
    assert "can be urged again" not in again.text


def test_copies_reach_the_cc_tab_with_read_receipts(world: World) -> None:
    alice, bob = world.session("alice"), world.session("bob")
    sent = alice.post(f"/cases/{world.case}/cc", data={
        "csrf_token": csrf(alice), "users": "bob", "comment": "供参考",
        "next": f"/tasks/{world.task}", "task": world.task})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/tasks/{world.task}?notice=copied"
    inbox = bob.get("/inbox").text
    assert re.search(r'id="tab-cc">抄送我的 <span class="count"[^>]*>1<', inbox)
    tab = bob.get("/inbox?tab=cc").text
    assert "供参考" in tab and "请假申请 QJ-001" in tab and unlabelled(tab) == []
    cc_id = re.search(r'action="/copies/([0-9a-f]{32})/read"', tab)
    assert cc_id
    read = bob.post(f"/copies/{cc_id.group(1)}/read", data={"csrf_token": csrf(bob),
                                                            "next": "/inbox?tab=cc"})
    assert read.status_code == 303
    assert re.search(r'id="tab-cc"[^>]*>抄送我的 <span class="count"[^>]*>0<',
                     bob.get("/inbox").text)
    case = alice.get(f"/cases/{world.case}").text
    assert "已阅" in case and "赵强" in case


def test_case_page_comments_supplements_and_files(world: World) -> None:
    bob = world.session("bob")
    empty = bob.post(f"/cases/{world.case}/comments", data={"csrf_token": csrf(bob),
                                                            "text": " "})
    assert empty.status_code == 422
    assert '<p class="error" id="e-comment-text">请写下意见</p>' in empty.text
    assert bob.post(f"/cases/{world.case}/comments", data={
        "csrf_token": csrf(bob), "text": "请补病假条"}).status_code == 303
    asked = bob.post(f"/cases/{world.case}/supplements", data={
        "csrf_token": csrf(bob), "item": "病假条", "note": "医院盖章"})
    assert asked.headers["location"].endswith("notice=supplement_requested")
    page = bob.get(f"/cases/{world.case}").text
    assert "请补病假条" in page and "病假条" in page and "待补" in page
    assert unlabelled(page) == []
    sid = re.search(r'action="/cases/[0-9a-f]+/supplements/([0-9a-f]{32})/received"', page)
    assert sid
    alice = world.session("alice")
    assert alice.post(f"/cases/{world.case}/supplements/{sid.group(1)}/received",
                      data={"csrf_token": csrf(alice)}).status_code == 303
    none = alice.post(f"/cases/{world.case}/files", data={"csrf_token": csrf(alice)})
    assert none.status_code == 422 and "请选择要上传的文件" in none.text
    up = alice.post(f"/cases/{world.case}/files", data={"csrf_token": csrf(alice)},
                    files={"file": ("假条.pdf", PDF, "application/pdf")})
    assert up.status_code == 303 and up.headers["location"].endswith("notice=uploaded")
    page = alice.get(f"/cases/{world.case}").text
    assert "已收到" in page and "假条.pdf" in page and "补件已收到" in page


def test_withdraw_from_the_case_page_asks_first(world: World) -> None:
    alice = world.session("alice")
    page = alice.get(f"/cases/{world.case}").text
    assert 'id="case-withdraw"' in page
    ask = alice.post(f"/cases/{world.case}/withdraw", data={"csrf_token": csrf(alice),
                                                            "step": "apply"})
    assert ask.status_code == 200 and "确定撤回“填写申请”吗？" in ask.text
    done = alice.post(f"/cases/{world.case}/withdraw", data={
        "csrf_token": csrf(alice), "step": "apply", "confirmed": "1"})
    assert done.status_code == 303 and done.headers["location"].endswith("notice=withdrawn")
    assert world.svc.engine.case(world.case).active == ["apply"]
    assert 'id="case-withdraw"' not in world.session("bob").get(f"/cases/{world.case}").text


def test_notifications_bell_and_list(world: World) -> None:
    world.svc.engine.urge(world.task, user="alice", comment="请尽快")
    bob = world.session("bob")
    page = bob.get("/inbox").text
    assert 'hx-get="/notifications/badge"' in page
    badge = bob.get("/notifications/badge").text
    assert "<html" not in badge and re.search(r'<span aria-hidden="true">\d+</span>', badge)
    listed = bob.get("/notifications").text
    assert "催办：经理审批 — 请尽快" in listed and f'href="/tasks/{world.task}"' in listed
    english = world.session("bob", lang="en")
    english.cookies.set("lc_lang", "en")
    assert "Reminder: 经理审批 — 请尽快" in english.get("/notifications").text
    read = bob.post("/notifications/read", data={"csrf_token": csrf(bob)})
    assert read.status_code == 303
    assert 'class="bell-count"' in bob.get("/notifications/badge").text


def test_out_of_office_page(world: World) -> None:
    bob = world.session("bob")
    assert 'href="/account/away"' in bob.get("/account").text
    page = bob.get("/account/away")
    assert page.status_code == 200 and unlabelled(page.text) == []
    bad = bob.post("/account/away", data={"csrf_token": csrf(bob), "delegate": "alice",
                                          "starts": "2026-13-01", "ends": "2026-12-20"})
    assert bad.status_code == 422 and 'id="e-aw-starts"' in bad.text
    nobody = bob.post("/account/away", data={"csrf_token": csrf(bob), "starts": "2026-12-01"})
    assert "请选择代理人" in nobody.text
    today = world.svc.now().date()
    made = bob.post("/account/away", data={
        "csrf_token": csrf(bob), "delegate": "alice", "starts": today.isoformat(),
        "ends": today.replace(year=today.year + 1).isoformat(), "reason": "年假"})
    assert made.status_code == 303
    shown = bob.get(made.headers["location"]).text
    assert "外出代理已保存" in shown and "由 王丽 代理" in shown
    assert "代 赵强 办理" in world.session("alice").get("/account/away").text
