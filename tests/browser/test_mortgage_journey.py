"""A property-mortgage loan (PROCESSES.md §2) worked through the pages from reception to
disbursement by the demo organisation (`liucheng.demo.add_people`, the people `liucheng
demo` creates): the lead officer starts the case, then each role signs in in its own
browser, opens the step from its inbox, fills the form, ticks the checklist and attaches
the scans. The lead officer also checks contracts here, so the four-eyes rule is met on the
way: the signer is refused the contract check, a colleague does it. After the disbursement
the case page shows it in the history and the loan waiting for its first payment; the
cashier records the repayment, the lead officer releases the mortgage, and the case is
completed.

Screenshots of every step go to the test's tmp dir.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from liucheng.api import Settings, create_app
from liucheng.calendar import add_months
from liucheng.cli.demo_command import DEMO_PASSWORD, set_demo_passwords
from liucheng.demo import add_people, id_number
from liucheng.templates import template_source

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"
OWNER_ID = id_number(random.Random(1), 1980, 1981)  # born in 1980
BORN = f"{OWNER_ID[6:10]}-{OWNER_ID[10:12]}-{OWNER_ID[12:14]}"
TRUSTEE_ID = id_number(random.Random(2), 1975, 1976)


class Office:
    """The demo organisation's lending office on a served app."""

    def __init__(self, base: str, members: dict[str, list[str]],
                 names: dict[str, str]) -> None:
        self.base = base
        self.members = members
        self.names = names

    def first(self, role: str, n: int = 0) -> str:
        return self.members[role][n]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory,
           serve: Callable[[Any], AbstractContextManager[str]]) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp("journey")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'demo.db'}", data_dir=folder,
                              secret_key="test-secret"))
    engine = app.state.services.engine
    members = add_people(engine, random.Random(0))  # the demo's people for seed 0
    engine.deploy(template_source("mortgage_loan"), format="yaml", source_name="mortgage_loan",
                  by="demo")
    lead = members["loan_officer"][0]
    # in this small office the lead officer also checks contracts (never their own)
    names = {u["id"]: u["name"] for u in engine.users()}
    engine.add_user(lead, names[lead], roles=["loan_officer", "staff", "contract_checker"])
    members["contract_checker"].insert(0, lead)
    set_demo_passwords(engine, DEMO_PASSWORD)
    with serve(app) as base:
        yield Office(base, members, names)
    engine.close()


class Desk:
    """One person signed in in their own browser, working steps from their inbox."""

    def __init__(self, chromium: Any, office: Office, user: str, shots: Path) -> None:
        self.office, self.user, self.shots = office, user, shots
        self.context = chromium.new_context(locale="zh-CN",
                                            viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        page = self.page
        page.goto(f"{office.base}/login")
        page.get_by_label(re.compile("用户名|User id")).fill(user)
        page.get_by_label(re.compile("^(密码|Password)$")).fill(DEMO_PASSWORD)
        page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
        page.wait_for_url(re.compile(r"/inbox"))

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)

    def open(self, step: str) -> None:
        """Open the step from 待办 (my tasks), else from 待领 (the group pool)."""
        page = self.page
        for tab in ("mine", "pool"):
            page.goto(f"{self.office.base}/inbox?tab={tab}")
            link = page.locator("#inbox-list").get_by_role("link", name=step, exact=True)
            if link.count():
                link.first.click()
                page.wait_for_url(re.compile(r"/tasks/[0-9a-f]{32}"))
                expect(page.locator("h1")).to_contain_text(step)
                return
        raise AssertionError(f"{self.user} has no '{step}' in the inbox")

    def fill(self, **values: Any) -> None:
        """Fill the form by field name, whichever control the field has."""
        form = self.page.locator("#complete-form, form[action^='/start/']").first
        for name, value in values.items():
            control = form.locator(f"[name='{name}']")
            expect(control.first).to_be_attached()
            tag = control.first.evaluate("e => e.tagName.toLowerCase()")
            kind = control.first.get_attribute("type") or ""
            if isinstance(value, bool):
                if kind == "radio":
                    form.locator(f"[name='{name}'][value='{str(value).lower()}']").check()
                elif kind == "checkbox":
                    control.set_checked(value)
                elif tag == "select":
                    control.select_option(str(value).lower())
                else:
                    control.fill("是" if value else "否")
            elif tag == "select":
                control.select_option(str(value))
            else:
                control.fill(str(value))

    def fill_group(self, name: str, rows: list[dict[str, str]]) -> None:
        """Enter the rows of a repeating group (cells named `name.1.field`, numbered from
        1), pressing the group's add-row button when a row is missing."""
        form = self.page.locator("#complete-form")
        add = form.locator(f"[data-group='{name}'] [data-row-add]")
        for i, row in enumerate(rows, start=1):
            if not form.locator(f"[name^='{name}.{i}.']").count():
                add.click()
            for field, value in row.items():
                form.locator(f"[name='{name}.{i}.{field}']").fill(value)

    def tick_checklist(self, scan: Path) -> None:
        """Tick every checklist item, attaching the scan where one is needed."""
        page = self.page
        items = page.locator("#checklist li.doc-item")
        for i in range(items.count()):
            item = items.nth(i)
            item_id = (item.get_attribute("id") or "")[len("doc-"):]
            if item.locator(".badge.info").count():  # 需扫描件 (a scan is needed)
                page.locator(f"#s-{item_id}").set_input_files(str(scan))
                expect(page.locator(f"[data-files={item_id}] a")).to_have_count(1)
            page.locator(f"#d-{item_id}").check()

    def complete(self, outcome: str | None = None) -> None:
        """Press the outcome's button (or 办理完成) and expect the step to be done."""
        page = self.page
        form = page.locator("#complete-form")
        if outcome is None:
            form.get_by_role("button", name=re.compile("办理完成")).click()
        else:
            form.locator(f"button[name=outcome][value={outcome}]").click()
        page.wait_for_load_state()
        errors = page.locator("main .error")
        assert not errors.count(), f"{self.user}: {errors.all_inner_texts()}"
        expect(page).to_have_url(re.compile(r"notice=completed"))

    def work(self, step: str, outcome: str | None = None, *, scan: Path | None = None,
             shot: str = "", **values: Any) -> None:
        self.open(step)
        if values:
            self.fill(**values)
        if scan is not None:
            self.tick_checklist(scan)
        if shot:
            self.shot(shot)
        self.complete(outcome)

    def close(self) -> None:
        self.context.close()


def test_a_mortgage_loan_from_reception_to_repayment(office: Office, chromium: Any,
                                                        tmp_path: Path) -> None:
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(PDF)
    desks: dict[str, Desk] = {}

    def desk(user: str) -> Desk:
        if user not in desks:
            desks[user] = Desk(chromium, office, user, tmp_path)
        return desks[user]

    lead_id = office.first("loan_officer")
    lead = desk(lead_id)
    reviewer = desk(office.first("assistant_reviewer"))
    assistant = desk(office.first("office_assistant"))
    checker = desk(office.first("contract_checker", 1))
    supervisor = desk(office.first("supervisor"))
    cashier = desk(office.first("cashier"))
    lead.shot("01-inbox-lead-officer")

    # 1. reception: the lead officer starts the case from 发起业务
    page = lead.page
    page.get_by_role("link", name="发起业务").first.click()
    page.get_by_role("link", name="房产抵押借款").click()
    page.get_by_label("业务编号").fill("DY-2026-001")
    lead.fill(client_name="王建国", client_phone="13805310001", loan_amount=200000,
              collateral="济南市历下区泉城路 1 号", lead_officer=lead_id)
    lead.shot("02-start-form")
    # the lead officer holds the reception step: starting hands it in with its outcome
    page.locator("button[name=outcome][value=proceed]").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f]{32}\?notice=started"))
    lead.shot("03-started")
    case_url = page.url.split("?")[0]
    expect(page.locator("main")).to_contain_text("接待")  # in the history, done

    # 2. document review, three people in parallel
    lead.work("面谈", "continue", applicant_is_owner=True, loan_purpose="经营周转",
              monthly_rate="0.02", term_months=12, interview_notes="本人到场，意愿明确",
              shot="04-interview")
    reviewer.work("审核五证", "complete", scan=scan, shot="05-five-certificates",
                  owner_name="王建国", owner_id_number=OWNER_ID, owner_gender="male",
                  owner_birth_date=BORN, property_location="济南市历下区泉城路 1 号",
                  property_certificate_no="济房权证 0001", land_owner_name="王建国",
                  land_location="济南市历下区泉城路 1 号", household_name="王建国",
                  household_id_number=OWNER_ID, marriage_certificate_name="王建国",
                  marital_status="married", mortgaged=False)
    reviewer.work("调取征信报告", credit_record="clean", scan=scan)
    assistant.work("复印身份证", scan=scan)

    # 3. risk disclosure and the contract
    lead.work("风险告知", "acknowledged", scan=scan)
    assistant.work("复印五证三份", scan=scan)
    lead.open("签合同")
    lead.fill(borrower_name="王建国", contract_amount=200000,
              contract_amount_capital="贰拾万元整")
    lead.fill_group("contact_phones", [{"phone": "13805310001", "whose": "本人"},
                                       {"phone": "13905310002", "whose": "配偶"},
                                       {"phone": "053188880000", "whose": "单位"}])
    lead.tick_checklist(scan)
    lead.shot("06-sign-contract")
    lead.complete()

    # four eyes: the signer may not check the contract, a colleague does
    lead.open("审核合同")
    lead.page.locator("#complete-form button[name=outcome][value=correct]").click()
    lead.page.wait_for_load_state()
    expect(lead.page.locator("main")).to_contain_text(re.compile("four-eyes|四眼|另一"))
    lead.shot("07-four-eyes-refused")
    checker.work("审核合同", "correct", check_notes="姓名、指印、大小写金额无误")

    # 4. registration, notary, site visit
    lead.work("受理窗口递件")
    lead.work("3号窗口缴费、4号窗口换发票", registration_fee_paid=80)
    lead.work("核对领证单", "correct", scan=scan)
    lead.work("公证委托", trustee_name="李强", trustee_id_number=TRUSTEE_ID,
              scan=scan)
    lead.work("核对公证书", "correct", scan=scan)
    lead.work("出现场", property_let=False, scan=scan)

    # 5. the supervisor's decision and the disbursement
    supervisor.work("向上级汇报", "approve", scan=scan, supervisor_opinion="同意放款",
                    shot="08-supervisor")
    paid_on = add_months(date.today(), -1)  # so the first interest is due about now
    cashier.work("放款", disbursed_amount=200000, disbursed_on=paid_on.isoformat(),
                 shot="09-disbursement")

    # the case: disbursed, its history, and the loan waiting for its first payment
    page = lead.page
    page.goto(case_url)
    expect(page.locator("main")).to_contain_text("登记付息还款")
    expect(page.locator("main")).to_contain_text(add_months(paid_on, 1).isoformat())  # due
    history = page.locator("section", has=page.locator("#h-history"))
    for done in ("接待", "面谈", "审核五证", "签合同", "审核合同", "向上级汇报", "放款"):
        expect(history).to_contain_text(done)
    expect(history).to_contain_text(office.names[checker.user])  # who checked the contract
    lead.shot("10-case-disbursed")

    # the loan repaid at its first due date, the mortgage released: the case is done
    cashier.work("登记付息还款", "repaid", days_late=0, amount_received=204000)
    lead.work("注销抵押、退还证件")
    page.goto(case_url)
    expect(page.locator("h1 .badge")).to_have_text("已完成")
    expect(history).to_contain_text("注销抵押、退还证件")
    lead.shot("11-case-completed")
    page.screenshot(path=tmp_path / "12-case-top.png")
    history.screenshot(path=tmp_path / "13-case-history.png")
    for d in desks.values():
        d.close()
