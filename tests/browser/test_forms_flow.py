"""A newcomer's forms in the browser: alice starts a loan registration — yes/no radios, a
manager picked from a list, phone rows added and removed — and the start hands in the
first step; the case reads in words (是, 房产, 200,000.00, 赵强) and its diagram speaks
English on the English page; after bob sends it back, the form says its values are the
earlier ones with bob's comment. Screenshots in zh-CN and English go to test-artifacts/."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from webworld import PASSWORDS, World

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from test_form_pages import KINDS  # noqa: E402

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("用户名|User id")).fill(user)
    page.get_by_label(re.compile("^(密码|Password)$")).fill(PASSWORDS[user])
    page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
    page.wait_for_url(re.compile(r"/inbox"))


def _names(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(
        "fieldset[data-group] input", "els => els.map(e => e.name)"))


def test_a_form_with_every_kind_of_field_then_a_return(live: tuple[World, str], chromium: Any,
                                                        shots: Path) -> None:
    world, base = live
    world.svc.engine.deploy(KINDS, source_name="field_kinds.yaml", by="admin")
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, base, "alice")
    page.goto(f"{base}/start/field_kinds")
    assert "发起后，“登记”即以这些内容办结" in page.inner_text("#start-next")
    page.get_by_role("radio", name="是").check()
    page.get_by_label("抵押物").select_option("flat")
    page.get_by_label("金额（元）").fill("200000")
    page.get_by_label("主办经理").select_option(label="赵强 (bob)")
    page.get_by_label("电话 1", exact=True).fill("13800000001")
    page.get_by_label("谁的电话 1").fill("本人")
    page.get_by_role("button", name="添加一行").click()
    page.get_by_role("button", name="添加一行").click()
    assert _names(page)[-2:] == ["phones.4.phone", "phones.4.whose"]
    page.locator("fieldset[data-group] tr[data-row]").nth(1).get_by_role(
        "button", name="删除").click()  # the empty second row goes, the others move up
    assert _names(page) == ["phones.1.phone", "phones.1.whose", "phones.2.phone",
                            "phones.2.whose", "phones.3.phone", "phones.3.whose"]
    page.get_by_label("电话 2", exact=True).fill("13900000002")
    page.get_by_label("谁的电话 2").fill("配偶")
    page.screenshot(path=shots / "20-start-form-fields.png", full_page=True)
    page.get_by_role("button", name="提交 · 继续办理").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f]{32}\?notice=started"))
    case_url = page.url.split("?")[0]
    data = page.inner_text("section[aria-labelledby=h-vars]")
    # the phone is masked: alice may not read sensitive values
    for shown in ("是", "房产", "200,000.00", "赵强", "201,200.50", "电话 138****0001"):
        assert shown in data, shown
    assert "True" not in data and "flat" not in data
    page.wait_for_selector("#diagram[data-ready=true]", timeout=15000)
    assert "登记" in page.inner_text("#diagram")
    page.screenshot(path=shots / "21-case-values-zh.png", full_page=True)
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(re.escape(case_url)))
    page.wait_for_selector("#diagram[data-ready=true]", timeout=15000)
    diagram = page.inner_text("#diagram")
    assert "Register" in diagram and "Manager reviews" in diagram and "登记" not in diagram
    assert "Flat" in page.inner_text("section[aria-labelledby=h-vars]")
    page.screenshot(path=shots / "22-case-values-en.png", full_page=True)
    page.get_by_role("link", name="中文").click()

    case_id = case_url.rsplit("/", 1)[1]
    review = world.svc.engine.tasks(case=case_id)[0]
    world.svc.engine.return_task(review.id, user="bob", to="apply", comment="金额应为十八万")
    again = world.svc.engine.tasks(case=case_id)[0]
    page.goto(f"{base}/tasks/{again.id}")
    note = page.inner_text("#previous-note")
    assert "赵强退回" in note and "金额应为十八万" in note
    amount = page.get_by_label("金额（元）")
    assert amount.input_value() == "200000"
    assert amount.get_attribute("aria-describedby") == "p-amount"
    assert page.inner_text("#p-amount") == "退回前填写的内容，请核对"
    page.screenshot(path=shots / "23-task-after-return-zh.png", full_page=True)
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("#previous-note")
    assert "before 赵强 sent this step back" in page.inner_text("#previous-note")
    assert page.get_by_role("radio", name="Yes").is_checked()
    page.screenshot(path=shots / "24-task-after-return-en.png", full_page=True)
    context.close()
