"""Monthly pension payment (PROCESSES.md §3c): the month's dates (the 27th moved earlier
over rest days and holidays), the steps per bank for banks with new people, collection and
payment data from the 24th, the director's signature with its return, the transfer and
the payment by every one of the ten banks; the month's case starts itself on the 20th."""

from __future__ import annotations

import pytest

from liucheng.errors import StateError, ValidationError
from liucheng.runtime.jobs import JobExecutor
from templates.scenario import Clock, Office

TEMPLATE = "pension_payment"
BANKS = ["icbc", "abc", "qilu", "bocom", "cib", "citic", "cmbc", "ceb", "hxb", "weihai"]


def _month(office: Office, month: str = "2026-09-01") -> str:
    return office.start({"pay_month": month}, user="retiree_section.a", business_key=month[:7])


def test_ten_paying_banks_each_have_a_role(office: Office) -> None:
    assert [r.id for r in office.definition.roles if r.id.startswith("bank_")] == [
        f"bank_{b}" for b in BANKS]


@pytest.mark.parametrize("month, transfer", [
    ("2026-09-01", "2026-09-24"),   # 27 Sunday, 26 Saturday, 25 Mid-Autumn Festival
    ("2026-06-01", "2026-06-26"),   # 27 Saturday
    ("2026-10-01", "2026-10-27"),   # a Tuesday
    ("2026-12-01", "2026-12-25"),   # 27 Sunday, 26 Saturday
])
def test_transfer_on_the_27th_moved_earlier(office: Office, month: str, transfer: str) -> None:
    case = _month(office, month)
    variables = office.case(case).variables
    assert variables["transfer_on"] == transfer
    assert variables["extraction_on"] == month[:8] + "20"
    assert (variables["collection_from"], variables["collection_until"]) == (
        month[:8] + "24", month[:8] + "25")
    assert variables["paid_by"] == month[:8] + "28"


def test_extraction_waits_for_the_20th(office: Office) -> None:
    case = _month(office)
    office.clock.set(2026, 9, 18)
    with pytest.raises(StateError, match="2026-09-20"):
        office.do(case, "extract_new", new_people=3, banks_with_new=["icbc"])
    office.clock.set(2026, 9, 21)
    office.do(case, "extract_new", new_people=3, banks_with_new=["icbc"])
    assert office.open_steps(case) == ["accounts_icbc"]


def test_only_banks_with_new_people_open_accounts(office: Office) -> None:
    case = _month(office)
    office.clock.set(2026, 9, 21)
    office.do(case, "extract_new", new_people=5, banks_with_new=["icbc", "qilu", "weihai"])
    assert office.open_steps(case) == ["accounts_icbc", "accounts_qilu", "accounts_weihai"]
    assert office.task(case, "accounts_qilu").role == "bank_qilu"
    office.do(case, "accounts_icbc", opened_icbc=2)
    office.do(case, "accounts_qilu", opened_qilu=2)
    assert office.open_steps(case) == ["accounts_weihai"]
    office.do(case, "accounts_weihai", opened_weihai=1)
    assert office.open_steps(case) == ["collect_cards", "payment_data"]


def _signed(office: Office, new: int) -> str:
    case = _month(office)
    office.clock.set(2026, 9, 21)
    office.do(case, "extract_new", new_people=new, banks_with_new=["abc"] if new else [])
    if new:
        office.do(case, "accounts_abc", opened_abc=new)
    office.clock.set(2026, 9, 24)
    office.do(case, "payment_data", total_amount=1234567.89, total_people=420)
    office.do(case, "director_sign", "sign")
    if new:
        office.do(case, "collect_cards", cards_collected=new)
    return case


def test_no_new_people_skips_accounts_and_collection(office: Office) -> None:
    case = _month(office)
    office.clock.set(2026, 9, 21)
    office.do(case, "extract_new", new_people=0)
    assert office.open_steps(case) == ["payment_data"]
    assert office.var(case, "accounts_opened") == 0


def test_payment_data_waits_for_the_24th(office: Office) -> None:
    case = _month(office)
    office.clock.set(2026, 9, 21)
    office.do(case, "extract_new", new_people=0)
    with pytest.raises(StateError, match="2026-09-24"):
        office.do(case, "payment_data", total_amount=1, total_people=1)


def test_director_returns_the_report_to_be_redone(office: Office) -> None:
    case = _month(office)
    office.clock.set(2026, 9, 24)
    office.do(case, "extract_new", new_people=0)
    office.do(case, "payment_data", total_amount=100, total_people=1)
    assert office.task(case, "director_sign").role == "director"
    office.do(case, "director_sign", "return")
    assert office.open_steps(case) == ["payment_data"]


def test_signed_report_goes_to_finance_after_collection(office: Office) -> None:
    case = _month(office)
    office.clock.set(2026, 9, 21)
    office.do(case, "extract_new", new_people=2, banks_with_new=["abc"])
    office.do(case, "accounts_abc", opened_abc=2)
    office.clock.set(2026, 9, 24)
    office.do(case, "payment_data", total_amount=100, total_people=1)
    office.do(case, "director_sign", "sign")
    assert office.open_steps(case) == ["collect_cards"]
    office.do(case, "collect_cards", cards_collected=2)
    assert office.open_steps(case) == ["transfer_funds"]


def test_transfer_must_match_the_signed_report(office: Office) -> None:
    case = _signed(office, 0)
    with pytest.raises(ValidationError):
        office.do(case, "transfer_funds", transferred_amount=1000)
    office.do(case, "transfer_funds", transferred_amount=1234567.89)
    assert office.open_steps(case) == sorted(f"pay_{b}" for b in BANKS)


def test_every_bank_pays_then_the_month_is_closed(office: Office) -> None:
    case = _signed(office, 1)
    office.do(case, "transfer_funds", transferred_amount=1234567.89)
    office.clock.set(2026, 9, 25)
    for i, bank in enumerate(BANKS):
        assert office.status(case) == "active"
        office.do(case, f"pay_{bank}", **{f"failed_{bank}": 1 if i < 2 else 0})
    assert office.status(case) == "completed"
    assert office.var(case, "failed_accounts") == 2


def test_the_month_case_starts_itself_on_the_20th(office: Office, clock: Clock) -> None:
    def scheduled() -> list[str]:
        return sorted(c["id"] for c in office.engine.cases(office.key, limit=1000)
                      if office.var(c["id"], "timer_due_at"))

    before = scheduled()
    clock.set(2026, 3, 20, 8, 29)
    JobExecutor(office.engine, clock=clock).run_until_idle()
    assert scheduled() == before
    clock.set(2026, 3, 20, 8, 31)
    JobExecutor(office.engine, clock=clock).run_until_idle()
    (march,) = set(scheduled()) - set(before)
    assert office.var(march, "pay_month") == "2026-03-01"
    assert office.var(march, "transfer_on") == "2026-03-27"
    assert office.open_steps(march) == ["extract_new"]
    clock.set(2026, 4, 20, 8, 31)
    JobExecutor(office.engine, clock=clock).run_until_idle()
    (april,) = set(scheduled()) - set(before) - {march}
    assert office.var(april, "pay_month") == "2026-04-01"
    office.do(april, "extract_new", banks_with_new=[])
    assert office.open_steps(april) != ["extract_new"]
