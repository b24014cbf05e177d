"""Forms and values on the pages as a newcomer meets them: yes/no as radio buttons, a person
picked from a list (limited to a role, checked against the directory), rows of a repeating
group, values shown by their labels (是/否, choice labels, money, people, outcomes) on the
task, case, print and inbox pages, the start form handing in its first step, the form
after a return saying its values are the earlier ones, and engine errors in the page's
language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from test_pages import unlabelled
from webworld import World

KINDS = (Path(__file__).parent / "field_kinds.yaml").read_text(encoding="utf-8")
GOOD = {"urgent": "true", "kind": "flat", "amount": "200000", "officer": "bob",
        "phones.1.phone": "13800000001", "phones.1.whose": "本人",
        "phones.2.phone": "", "phones.2.whose": "",  # a row left empty is dropped
        "phones.3.phone": "139 0000 0002", "phones.3.whose": "配偶"}


def deployed(world: World) -> None:
    world.svc.engine.deploy(KINDS, source_name="field_kinds.yaml", by="admin")


def started(world: World, **changes: str) -> tuple[Any, Any]:
    """alice starts a case from the start form, handing in 登记 with `proceed`."""
    deployed(world)
    alice = world.session("alice")
    answer = alice.post("/start/field_kinds", data={
        "csrf_token": alice.csrf, "business_key": "DK-1", "outcome": "proceed",
        **GOOD, **changes})
    return alice, answer


def test_start_form_has_radios_a_people_picker_rows_and_says_what_happens(world: World
                                                                          ) -> None:
    deployed(world)
    page = world.session("alice").get("/start/field_kinds").text
    assert unlabelled(page) == []
    assert 'type="radio" id="f-urgent-yes" name="urgent" value="true"' in page
    yesno = page[page.index('class="yesno'):page.index("</fieldset>")]
    assert 'name="urgent" value="false"' in yesno and "checked" not in yesno  # not answered
    assert 'id="f-urgent"' not in page  # no text box for a yes/no field
    officer = page[page.index('name="officer"'):page.index("</select>", page.index(
        'name="officer"'))]
    assert 'value="bob"' in officer  # a manager of alice's organisation
    assert 'value="carol"' not in officer and 'value="alice"' not in officer
    assert 'name="phones.1.phone"' in page and 'name="phones.2.phone"' in page  # min_items
    assert 'aria-label="电话 2"' in page and "至少填写 2 条" in page
    assert "发起后，“登记”即以这些内容办结，转入下一步。" in page
    assert 'name="outcome" value="proceed"' in page and "提交 · 继续办理" in page


def test_starting_hands_in_the_first_step_and_values_read_as_people_say_them(world: World
                                                                             ) -> None:
    alice, answer = started(world)
    assert answer.status_code == 303, answer.text
    case_url = answer.headers["location"]
    assert case_url.startswith("/cases/") and "notice=started" in case_url
    case_id = case_url.split("/")[2].split("?")[0]
    assert [t.element for t in world.svc.engine.tasks(case=case_id)] == ["review"]
    admin = world.session("admin")
    page = admin.get(case_url).text
    for shown in ("<td>是</td>", "<td>房产</td>", "<td>200,000.00</td>", "<td>赵强</td>",
                  "<td>1,200.50</td>", "<td>201,200.50</td>",
                  "电话 13800000001 谁的电话 本人；电话 13900000002 谁的电话 配偶",
                  "<strong>继续办理</strong>"):
        assert shown in page, shown
    assert ">True<" not in page and ">flat<" not in page and "proceed" not in page
    assert "合计（元）" in page  # the computed value by its label, not `total`
    english = world.session("admin", lang="en")
    english.cookies.set("lc_lang", "en")
    page_en = english.get(case_url).text
    for shown in ("<td>Yes</td>", "<td>Flat</td>", "<td>200,000.00</td>", "Proceed"):
        assert shown in page_en, shown
    printed = admin.get(f"/cases/{case_id}/print").text
    assert "<td>是</td>" in printed and "继续办理" in printed
    done = alice.get("/inbox?tab=done").text
    assert "继续办理" in done and "proceed" not in done
    task = world.svc.engine.tasks(case=case_id)[0].id
    review = world.session("bob").get(f"/tasks/{task}").text
    assert "<td>是</td>" in review and "<td>赵强</td>" in review
    assert "138****0001" in review and "13800000001" not in review  # bob may not see phones


def test_a_person_not_in_the_directory_or_without_the_role_is_an_error_at_the_field(
        world: World) -> None:
    alice, answer = started(world, officer="alice")  # alice is not a manager
    assert answer.status_code == 422  # the case started; its first step shows the error
    assert '<p class="error" id="e-officer">“主办经理”：“alice”不是在职的manager角色人员</p>' \
        in answer.text
    assert "业务已发起" in answer.text
    task = re.search(r'action="/tasks/([0-9a-f]{32})/complete"', answer.text)
    assert task
    unknown = alice.post(f"/tasks/{task.group(1)}/complete", data={
        "csrf_token": alice.csrf, **GOOD, "officer": "nobody", "outcome": "proceed"})
    assert unknown.status_code == 422 and 'id="e-officer"' in unknown.text
    assert "“nobody”不是在职的manager角色人员" in unknown.text
    fixed = alice.post(f"/tasks/{task.group(1)}/complete", data={
        "csrf_token": alice.csrf, **GOOD, "outcome": "proceed"})
    assert fixed.status_code == 303


def test_group_rows_are_checked_row_by_row(world: World) -> None:
    deployed(world)
    alice = world.session("alice")
    one = alice.post("/start/field_kinds", data={
        "csrf_token": alice.csrf, "outcome": "proceed", **GOOD,
        "phones.3.phone": "", "phones.3.whose": ""})
    assert one.status_code == 422
    assert re.search(r'<p class="error" id="e-phones">“联系电话”应有2到100条，现有1条</p>',
                     one.text), one.text
    task = re.search(r'action="/tasks/([0-9a-f]{32})/complete"', one.text)
    assert task
    bad = alice.post(f"/tasks/{task.group(1)}/complete", data={
        "csrf_token": alice.csrf, **GOOD, "phones.3.phone": "12345", "outcome": "proceed"})
    assert bad.status_code == 422
    assert re.search(r'id="f-phones-2-phone"[^>]*value="12345"|value="12345"[^>]*'
                     r'id="f-phones-2-phone"', bad.text)  # rows renumbered, typed value kept
    assert 'id="e-phones-2-phone"' in bad.text and 'aria-invalid="true"' in bad.text


def test_after_a_return_the_form_says_its_values_are_the_earlier_ones(world: World) -> None:
    alice, answer = started(world)
    case_id = answer.headers["location"].split("/")[2].split("?")[0]
    review = world.svc.engine.tasks(case=case_id)[0].id
    bob = world.session("bob")
    sent = bob.post(f"/tasks/{review}/return", data={
        "csrf_token": bob.csrf, "to": "apply", "comment": "金额应为十八万", "confirmed": "1"})
    assert sent.status_code == 303
    again = world.svc.engine.tasks(case=case_id)[0]
    assert again.element == "apply"
    page = alice.get(f"/tasks/{again.id}").text
    assert "下面各栏是赵强退回" in page and "退回意见：" in page
    form = page[page.index('id="complete-form"'):]
    assert "金额应为十八万" in form  # the comment beside the values it is about
    assert re.search(r'id="f-amount"[^>]*value="200000"|value="200000"[^>]*id="f-amount"',
                     form)
    assert 'aria-describedby="p-amount"' in form
    assert '<p class="help previous" id="p-amount">退回前填写的内容，请核对</p>' in form
    assert unlabelled(page) == []
    first = alice.get(f"/tasks/{review}").text  # the first time through: no such note
    assert "退回前填写的内容" not in first


def test_engine_refusals_are_in_the_page_language(world: World) -> None:
    bob = world.client("bob")
    done = bob.post(f"/api/v1/tasks/{world.task}/complete", json={
        "variables": {"note": "同意"}, "outcome": "approve"})
    assert done.status_code == 200, done.text
    page = world.session("bob")
    late = page.post(f"/tasks/{world.task}/complete", data={
        "csrf_token": page.csrf, "note": "同意", "outcome": "approve"})
    assert late.status_code == 409
    assert "任务“经理审批”已办结" in late.text and "请刷新待办" in late.text
    assert "is already completed" not in late.text
    english = world.session("bob", lang="en")
    english.cookies.set("lc_lang", "en")
    late_en = english.post(f"/tasks/{world.task}/complete", data={
        "csrf_token": english.csrf, "note": "ok", "outcome": "approve"})
    assert "is already completed" in late_en.text and "已办结" not in late_en.text


def test_a_first_step_for_someone_else_keeps_the_values_typed_for_them(world: World) -> None:
    deployed(world)
    bob = world.session("bob")  # a manager: 登记 is for staff
    page = bob.get("/start/field_kinds").text
    assert "发起后，“登记”交由员工办理；这里填写的内容随业务保存。" in page
    assert 'name="outcome"' not in page  # the outcome is chosen by whoever registers
    answer = bob.post("/start/field_kinds", data={"csrf_token": bob.csrf, **GOOD,
                                                   "urgent": "false"})
    assert answer.status_code == 303
    case_id = answer.headers["location"].split("/")[2].split("?")[0]
    case = world.svc.engine.case(case_id)
    assert case.variables["urgent"] is False  # a yes/no answer, not the text "false"
    assert [t.element for t in world.svc.engine.tasks(case=case_id)] == ["apply"]


def test_after_a_withdrawal_the_form_says_so_too(world: World) -> None:
    alice, answer = started(world)
    case_id = answer.headers["location"].split("/")[2].split("?")[0]
    world.svc.engine.withdraw(case_id, user="alice", step="apply", comment="金额要改")
    again = world.svc.engine.tasks(case=case_id)[0]
    form = alice.get(f"/tasks/{again.id}").text
    form = form[form.index('id="complete-form"'):]
    assert "下面各栏是王丽撤回" in form and "撤回原因：" in form and "金额要改" in form
    assert 'id="p-amount"' in form
