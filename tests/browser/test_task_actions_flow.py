"""Two officers in two browsers work a papers check: officer A (alice) starts it, leaves a
required checklist item open and gets the error at the item, uploads a PDF scan (through
the files route, from the page's script) and completes; officer B (bob) reviews, sends it
back to A with a reason through the confirmation step; A finds it in 待办 again with the
return noted on the task and in the case's history. Screenshots: test-artifacts/actions-*.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from webworld import PASSWORDS, World

pytestmark = pytest.mark.browser
PAPERS = (Path(__file__).resolve().parents[1] / "api" / "checklist.yaml").read_text("utf-8")
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"


def _sign_in(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("用户名|User id")).fill(user)
    page.get_by_label(re.compile("^(密码|Password)$")).fill(PASSWORDS[user])
    page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
    page.wait_for_url(re.compile(r"/inbox"))


def test_checklist_scan_completion_and_a_return(live: tuple[World, str], chromium: Any,
                                                shots: Path, tmp_path: Path) -> None:
    world, base = live
    world.svc.engine.deploy(PAPERS, source_name="checklist.yaml", by="admin")
    scan = tmp_path / "产权证扫描.pdf"
    scan.write_bytes(PDF)

    officer_a = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = officer_a.new_page()
    _sign_in(page, base, "alice")
    page.goto(f"{base}/start/papers_check")
    page.get_by_label("产权人").fill("张三")
    page.get_by_label("业务编号").fill("SJ-2026-01")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/tasks/[0-9a-f]{32}\?notice=started"))
    task_url = page.url.split("?")[0]
    expect(page.locator("#checklist")).to_contain_text("产权人姓名、坐落与土地证一致")
    page.locator("#d-id_card").check()
    page.screenshot(path=shots / "actions-01-checklist.png", full_page=True)

    page.get_by_role("button", name="办理完成").click()
    error = page.locator("#e-doc-property_cert")
    expect(error).to_contain_text("清单项“产权证”未核对")
    assert page.locator("#d-property_cert").get_attribute("aria-invalid") == "true"
    assert page.locator("#d-id_card").is_checked()  # what was ticked stays ticked
    page.screenshot(path=shots / "actions-02-item-error.png", full_page=True)

    page.locator("#s-property_cert").set_input_files(str(scan))
    expect(page.locator("[data-files=property_cert] a")).to_have_text("产权证扫描.pdf")
    expect(page.locator("[data-status=property_cert]")).to_have_text("已上传。")
    page.locator("#d-property_cert").check()
    page.screenshot(path=shots / "actions-03-scan-attached.png", full_page=True)
    page.get_by_role("button", name="办理完成").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f]{32}\?notice=completed"))
    case_url = page.url.split("?")[0]
    documents = page.locator("section", has=page.locator("#h-docs"))
    expect(documents).to_contain_text("产权证扫描.pdf")
    expect(documents).to_contain_text("已核对")
    page.screenshot(path=shots / "actions-04-case-documents.png", full_page=True)

    officer_b = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page_b = officer_b.new_page()
    _sign_in(page_b, base, "bob")
    page_b.goto(f"{base}/inbox?tab=pool")
    page_b.locator("#inbox-list").get_by_role("link", name="经理复核").click()
    page_b.locator("#act-return summary").click()
    expect(page_b.get_by_label("退回到")).to_contain_text("核对原件")
    page_b.get_by_label("理由").fill("产权证扫描件不清晰，请重新扫描")
    page_b.screenshot(path=shots / "actions-05-return-form.png", full_page=True)
    page_b.get_by_role("button", name="退回…").click()
    expect(page_b.locator(".confirm")).to_contain_text("确定把本业务退回到“核对原件”吗？")
    page_b.screenshot(path=shots / "actions-06-return-confirm.png", full_page=True)
    page_b.get_by_role("button", name="确认退回").click()
    page_b.wait_for_url(re.compile(r"/cases/.*notice=returned"))
    expect(page_b.locator("main")).to_contain_text("已退回")
    page_b.screenshot(path=shots / "actions-07-returned.png", full_page=True)

    page.goto(f"{base}/inbox")
    mine = page.locator("#inbox-list")
    expect(mine.get_by_role("link", name="核对原件")).to_have_count(1)
    page.screenshot(path=shots / "actions-08-back-in-inbox.png", full_page=True)
    mine.get_by_role("link", name="核对原件").click()
    assert page.url.split("?")[0] != task_url  # the step was entered again: a new task
    note = page.locator(".came-back")
    expect(note).to_contain_text("赵强")
    expect(note).to_contain_text("产权证扫描件不清晰，请重新扫描")
    assert page.locator("#d-property_cert").is_checked()  # ticks and the scan are kept
    expect(page.locator("[data-files=property_cert] a")).to_have_text("产权证扫描.pdf")
    page.screenshot(path=shots / "actions-09-returned-task.png", full_page=True)

    page.goto(case_url)
    history = page.locator(".timeline")
    expect(history).to_contain_text("退回至“核对原件”")
    expect(history).to_contain_text("产权证扫描件不清晰，请重新扫描")
    page.screenshot(path=shots / "actions-10-case-history.png", full_page=True)
    officer_a.close()
    officer_b.close()


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_copies_notifications_and_out_of_office_pages(live: tuple[World, str], chromium: Any,
                                                      shots: Path) -> None:
    world, base = live
    engine = world.svc.engine
    engine.carbon_copy(world.case, ["bob"], user="alice", comment="请知悉")
    engine.request_supplement(world.case, "病假条", user="alice", note="医院盖章")
    engine.comment(world.case, "已电话通知申请人", user="alice")
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, base, "bob")
    expect(page.locator(".bell-count")).to_have_class(re.compile("has"))
    page.get_by_role("link", name=re.compile("抄送我的")).click()
    expect(page.locator("#tab-cc .count")).to_have_text("1")
    page.screenshot(path=shots / "actions-11-cc-tab.png", full_page=True)
    page.get_by_role("button", name="标记已阅").click()
    expect(page.locator("#tab-cc .count")).to_have_text("0")
    page.goto(f"{base}/cases/{world.case}")
    expect(page.locator("#h-cc + table")).to_contain_text("已阅")
    page.screenshot(path=shots / "actions-12-case-work.png", full_page=True)
    page.locator(".bell").click()
    expect(page.locator("h1")).to_have_text("通知")
    page.screenshot(path=shots / "actions-13-notifications.png", full_page=True)
    page.goto(f"{base}/account")
    page.get_by_role("link", name="外出代理").click()
    page.locator("#aw-delegate").select_option("alice")
    page.get_by_label("事由").fill("年假")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text("由 王丽 代理")
    page.screenshot(path=shots / "actions-14-out-of-office.png", full_page=True)
    context.close()

    phone = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                 device_scale_factor=2, is_mobile=True, has_touch=True)
    page = phone.new_page()
    _sign_in(page, base, "bob")
    page.goto(f"{base}/tasks/{world.task}")
    page.locator("#act-transfer summary").click()
    assert _fits(page)
    page.screenshot(path=shots / "actions-15-phone-task.png", full_page=True)
    page.goto(f"{base}/cases/{world.case}")
    assert _fits(page)
    page.screenshot(path=shots / "actions-16-phone-case.png", full_page=True)
    page.get_by_role("link", name="English").click()
    page.goto(f"{base}/tasks/{world.task}")
    expect(page.locator("#h-more")).to_have_text("More actions")
    page.screenshot(path=shots / "actions-17-phone-task-english.png", full_page=True)
    phone.close()
