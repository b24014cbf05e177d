"""Expense claim (PROCESSES.md §6): approval levels at their thresholds, returns to the
claimant, rejection, the invoice checklist, and four-eyes on one's own claim."""

from __future__ import annotations

import pytest

from liucheng.errors import ForbiddenError, ValidationError
from templates.scenario import Office

TEMPLATE = "expense_claim"


def _claimed(office: Office, amount: float, category: str = "travel",
             user: str = "employee.a") -> str:
    case = office.start(user=user)
    office.do(case, "submit", user=user, category=category, amount=amount,
              purpose="上海客户拜访", invoice_count=3)
    return case


def _approve(office: Office, case: str, step: str) -> None:
    office.do(case, step, "approve")


@pytest.mark.parametrize("amount, chain", [
    (800, ["manager_approval"]),
    (5000, ["manager_approval"]),
    (5000.01, ["manager_approval", "deputy_approval"]),
    (20000, ["manager_approval", "deputy_approval"]),
    (20001, ["manager_approval", "deputy_approval", "gm_approval"]),
])
def test_approval_levels_by_amount(office: Office, amount: float, chain: list[str]) -> None:
    case = _claimed(office, amount)
    for step in chain:
        assert office.open_steps(case) == [step]
        _approve(office, case, step)
    assert office.open_steps(case) == ["finance_review"]
    office.do(case, "finance_review", "approve", approved_amount=amount)
    office.do(case, "payment", paid_amount=amount, paid_by="transfer")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["paid"]
    assert office.done_steps(case) == ["submit", *chain, "finance_review", "payment"]


@pytest.mark.parametrize("step", ["manager_approval", "deputy_approval", "gm_approval",
                                  "finance_review"])
def test_a_return_at_any_level_goes_back_to_the_claimant(office: Office, step: str) -> None:
    case = _claimed(office, 30000)
    for before in ["manager_approval", "deputy_approval", "gm_approval"]:
        if before == step:
            break
        _approve(office, case, before)
    extra = {"approved_amount": 30000} if step == "finance_review" else {}
    office.do(case, step, "return", **extra)
    assert office.open_steps(case) == ["submit"]
    assert office.task(case, "submit").assignee == "employee.a"
    assert office.var(case, "returns") == 1


def test_rejection_ends_without_payment(office: Office) -> None:
    case = _claimed(office, 12000)
    _approve(office, case, "manager_approval")
    office.do(case, "deputy_approval", "reject")
    assert office.ended_at(case) == ["rejected"]
    assert "payment" not in office.done_steps(case)


def test_entertainment_needs_prior_approval_slip(office: Office) -> None:
    case = office.start(user="employee.a")
    with pytest.raises(ValidationError) as err:
        office.do(case, "submit", documents={"invoices": {"checked": True, "files": ["a" * 64]}},
                  category="entertainment", amount=900, purpose="接待", invoice_count=1)
    assert [p.field for p in err.value.problems] == ["documents.approval_slip"]


def test_a_manager_cannot_approve_their_own_claim(office: Office) -> None:
    office.engine.add_user("chen.gang", "陈刚", roles=["employee", "dept_manager"])
    case = _claimed(office, 300, user="chen.gang")
    with pytest.raises(ForbiddenError, match="four-eyes"):
        office.do(case, "manager_approval", "approve", user="chen.gang")
    office.do(case, "manager_approval", "approve", user="dept_manager.a")
    assert office.open_steps(case) == ["finance_review"]


def test_payment_must_be_the_approved_amount(office: Office) -> None:
    case = _claimed(office, 300)
    _approve(office, case, "manager_approval")
    office.do(case, "finance_review", "approve", approved_amount=250)
    with pytest.raises(ValidationError):
        office.do(case, "payment", paid_amount=300, paid_by="cash")
