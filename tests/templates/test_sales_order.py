"""Sales order (PROCESSES.md §1): lost sales, cash vs instalment vs large amount, credit
rejection, and the parallel execution of the contract."""

from __future__ import annotations

from typing import Any

import pytest

from templates.scenario import Office

TEMPLATE = "sales_order"

CONTACT = {"customer": "济南重工", "customer_phone": "13905310001", "product": "数控机床"}


def _to_decision(office: Office, amount: int, payment: str) -> str:
    case = office.start(user="sales_rep.a")
    office.do(case, "contact", amount=amount, payment=payment, **CONTACT)
    return case


def _negotiate(office: Office, case: str) -> None:
    office.do(case, "negotiate", price=480000, payment_terms="货到付款")


def test_lost_customer_ends_the_case(office: Office) -> None:
    case = _to_decision(office, 100000, "cash")
    office.do(case, "customer_decision", "lost", lost_reason="价格太高")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["lost"]
    assert office.open_steps(case) == []


def test_decision_goes_to_whoever_made_the_contact(office: Office) -> None:
    case = _to_decision(office, 100000, "cash")
    assert office.task(case, "customer_decision").assignee == "sales_rep.a"


@pytest.mark.parametrize(("amount", "payment", "needs_credit"), [
    (100000, "cash", False),
    (500000, "cash", False),          # at the threshold: not above it
    (500001, "cash", True),           # large equipment
    (1000, "instalments", True),      # any instalment sale
])
def test_credit_check_only_for_instalments_or_large_amounts(
        office: Office, amount: int, payment: str, needs_credit: bool) -> None:
    case = _to_decision(office, amount, payment)
    office.do(case, "customer_decision", "buy")
    assert office.open_steps(case) == (["credit_check"] if needs_credit else ["negotiate"])


def test_threshold_is_a_case_variable_a_company_can_change(office: Office) -> None:
    case = office.start({"credit_threshold": 50000}, user="sales_rep.a")
    office.do(case, "contact", amount=60000, payment="cash", **CONTACT)
    office.do(case, "customer_decision", "buy")
    assert office.open_steps(case) == ["credit_check"]


def test_credit_rejection_ends_the_case(office: Office) -> None:
    case = _to_decision(office, 800000, "cash")
    office.do(case, "customer_decision", "buy")
    office.do(case, "credit_check", "reject", credit_notes="资不抵债")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["rejected"]


def test_approved_sale_is_executed_in_parallel_and_completes(office: Office) -> None:
    case = _to_decision(office, 800000, "instalments")
    office.do(case, "customer_decision", "buy")
    office.do(case, "credit_check", "approve", credit_limit=600000)
    _negotiate(office, case)
    office.do(case, "sign_contract")
    assert office.open_steps(case) == ["deliver", "invoice"]
    office.do(case, "invoice", invoice_no="No.001", invoice_amount=480000)
    assert office.open_steps(case) == ["collect_payment", "deliver"]
    office.do(case, "collect_payment", received=100000)
    assert office.status(case) == "active"
    office.do(case, "deliver", shipped_on="2026-03-10")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["done"]
    assert office.done_steps(case) == [
        "contact", "customer_decision", "credit_check", "negotiate", "sign_contract",
        "invoice", "collect_payment", "deliver"]


def test_credit_check_is_for_finance_only(office: Office) -> None:
    from liucheng.errors import ForbiddenError

    case = _to_decision(office, 800000, "cash")
    office.do(case, "customer_decision", "buy")
    with pytest.raises(ForbiddenError):
        office.do(case, "credit_check", "approve", user="sales_rep.a")
    assert office.open_steps(case) == ["credit_check"]


def test_negotiation_form_requires_price_and_terms(office: Office) -> None:
    from liucheng.errors import ValidationError

    case = _to_decision(office, 1000, "cash")
    office.do(case, "customer_decision", "buy")
    with pytest.raises(ValidationError) as err:
        office.do(case, "negotiate")
    fields: set[Any] = {p.field for p in err.value.problems}
    assert {"price", "payment_terms"} <= fields
