"""Commercial-vehicle loan (PROCESSES.md §4): hand-over, scoring pass/fail at the pass mark
with the supplement loop, the joint home visit, head office's approval — conditional
approval going round again, rejection with one appeal only — and disbursement only when
every document is in; while the loan runs, the dealer is reminded to renew the insurance one
month before the policy expires, every year, until the loan ends."""

from __future__ import annotations

from typing import Any

import pytest

from liucheng.errors import ValidationError
from liucheng.runtime.jobs import JobExecutor
from templates.scenario import SCAN, Clock, Office, bank_card, id_number

TEMPLATE = "vehicle_loan"

CONSULTATION: dict[str, Any] = {
    "dealer": "临沂重汽经销处", "customer_name": "赵大勇", "customer_phone": "13953900001",
    "vehicle_model": "豪沃 T7H 牵引车", "vehicle_price": 420000, "loan_amount": 300000,
    "guarantors": [{"name": "钱秀英", "id_number": id_number("1979-04-04", 88),
                    "relation": "配偶", "mobile": "13953900002"}],
}


def _handed_over(office: Office) -> str:
    case = office.start(user="dealer_rep.a")
    office.do(case, "consultation", **CONSULTATION)
    office.do(case, "gather_originals")
    office.do(case, "copy_and_apply")
    office.do(case, "data_checklist")
    office.do(case, "hand_over", "received")
    return case


def _visited(office: Office) -> str:
    case = _handed_over(office)
    office.do(case, "initial_scoring", credit_score=80)
    office.do(case, "book_visit", visit_date="2026-03-05")
    office.do(case, "visit_survey", monthly_income=30000, survey_notes="车队三台车，经营稳定")
    office.do(case, "visit_confirm", application_confirmed=True)
    return case


def _decide(office: Office, case: str, outcome: str) -> None:
    office.do(case, "head_office_approval", outcome, approval_reply="见回复书")
    office.do(case, "countersign_reply")


def test_rep_steps_stay_with_the_representative_who_took_the_case(office: Office) -> None:
    case = office.start(user="dealer_rep.b")
    office.do(case, "consultation", user="dealer_rep.b", **CONSULTATION)
    assert office.task(case, "gather_originals").assignee == "dealer_rep.b"


def test_incomplete_papers_are_returned_at_hand_over(office: Office) -> None:
    case = office.start(user="dealer_rep.a")
    office.do(case, "consultation", **CONSULTATION)
    office.do(case, "gather_originals")
    office.do(case, "copy_and_apply")
    office.do(case, "data_checklist")
    office.do(case, "hand_over", "return", handover_missing="担保人收入证明")
    assert office.open_steps(case) == ["gather_originals"]


@pytest.mark.parametrize("score, passed", [(60, True), (59, False), (95, True), (0, False)])
def test_scoring_passes_at_the_pass_mark(office: Office, score: int, passed: bool) -> None:
    case = _handed_over(office)
    office.do(case, "initial_scoring", credit_score=score)
    assert office.var(case, "scoring_passed") is passed
    assert office.open_steps(case) == (["book_visit"] if passed else ["scoring_failed"])


def test_failed_scoring_supplement_goes_back_to_gathering_and_is_logged(office: Office) -> None:
    case = _handed_over(office)
    office.do(case, "initial_scoring", credit_score=40)
    office.do(case, "scoring_failed", "supplement", missing_items="近六个月银行流水")
    assert office.open_steps(case) == ["gather_originals"]
    assert office.var(case, "missing_items") == "近六个月银行流水"
    office.do(case, "gather_originals")
    office.do(case, "copy_and_apply")
    office.do(case, "data_checklist")
    office.do(case, "hand_over", "received")
    office.do(case, "initial_scoring", credit_score=70)
    assert office.open_steps(case) == ["book_visit"]


def test_missing_papers_are_kept_in_the_case_supplement_list(office: Office) -> None:
    if not hasattr(office.engine, "request_supplement"):
        pytest.skip("this engine has no supplement list")
    case = _handed_over(office)
    office.engine.request_supplement(case, "赵大勇：近六个月银行流水", user="field_officer.a")
    state = office.engine.state(case)
    (entry,) = state["supplements"].values()
    assert entry["item"] == "赵大勇：近六个月银行流水" and entry["by"] == "field_officer.a"


def test_failed_scoring_returned_ends(office: Office) -> None:
    case = _handed_over(office)
    office.do(case, "initial_scoring", credit_score=20)
    office.do(case, "scoring_failed", "return")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["returned"]


def test_home_visit_needs_both_the_field_officer_and_the_dealer_credit_staff(
        office: Office) -> None:
    case = _handed_over(office)
    office.do(case, "initial_scoring", credit_score=80)
    office.do(case, "book_visit", visit_date="2026-03-05")
    assert office.open_steps(case) == ["visit_confirm", "visit_survey"]
    assert office.task(case, "visit_confirm").role == "dealer_credit"
    office.do(case, "visit_survey", monthly_income=30000, survey_notes="ok")
    assert office.open_steps(case) == ["visit_confirm"]
    office.do(case, "visit_confirm", application_confirmed=True)
    assert office.open_steps(case) == ["head_office_approval"]


def test_head_office_reply_is_countersigned_by_the_field_officer(office: Office) -> None:
    case = _visited(office)
    office.do(case, "head_office_approval", "approve", approval_reply="同意")
    assert office.task(case, "countersign_reply").role == "field_officer"
    office.do(case, "countersign_reply")
    assert office.open_steps(case) == ["book_guarantee_signing"]
    assert office.var(case, "approval_rounds") == 1


def test_conditional_approval_goes_through_the_procedure_again(office: Office) -> None:
    case = _visited(office)
    _decide(office, case, "conditional")
    assert office.open_steps(case) == ["explain_conditions"]
    office.do(case, "explain_conditions", supplemented_items="增加一名担保人")
    assert office.open_steps(case) == ["hand_over"]
    office.do(case, "hand_over", "received")
    office.do(case, "initial_scoring", credit_score=85)
    office.do(case, "book_visit", visit_date="2026-03-12")
    office.do(case, "visit_survey", monthly_income=30000, survey_notes="ok")
    office.do(case, "visit_confirm", application_confirmed=True)
    _decide(office, case, "approve")
    assert office.open_steps(case) == ["book_guarantee_signing"]
    assert office.var(case, "approval_rounds") == 2


def test_rejection_may_be_appealed_once_only(office: Office) -> None:
    case = _visited(office)
    _decide(office, case, "reject")
    assert office.task(case, "consider_appeal").role == "dealer_manager"
    office.do(case, "consider_appeal", "appeal", manager_opinion="客户有稳定运输合同")
    assert office.var(case, "appeals_used") == 1
    assert office.open_steps(case) == ["head_office_approval"]
    _decide(office, case, "reject")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["returned"]
    assert office.done_steps(case).count("consider_appeal") == 1


def test_an_appeal_can_win(office: Office) -> None:
    case = _visited(office)
    _decide(office, case, "reject")
    office.do(case, "consider_appeal", "appeal", manager_opinion="见附件")
    _decide(office, case, "approve")
    assert office.open_steps(case) == ["book_guarantee_signing"]


def test_accepting_the_rejection_returns_the_case(office: Office) -> None:
    case = _visited(office)
    _decide(office, case, "reject")
    office.do(case, "consider_appeal", "accept")
    assert office.ended_at(case) == ["returned"]


ALL_IN = {f"got_{d}": True for d in (
    "application", "guarantee_documents", "purchase_contract", "deduction_authority", "invoice",
    "registration_certificate", "insurance_policy")}


def _documents_sent(office: Office) -> str:
    case = _visited(office)
    _decide(office, case, "approve")
    office.do(case, "book_guarantee_signing", guarantee_signing_date="2026-03-09")
    office.do(case, "purchase_contract")
    office.do(case, "collect_down_payment", down_payment=120000, fees_collected=3000)
    office.do(case, "debit_account", debit_account_no=bank_card())
    office.do(case, "sales_invoice", invoice_no="37001234")
    office.do(case, "insure_vehicle", policy_number="PDAA2026", policy_expires="2027-03-15")
    assert office.var(case, "renewal_reminder_on") == "2027-02-15"
    assert office.open_steps(case) == ["number_plates", "purchase_tax", "vehicle_mortgage"]
    office.do(case, "purchase_tax", purchase_tax_paid=33000)
    office.do(case, "number_plates", plate_number="鲁Q·A1234")
    office.do(case, "vehicle_mortgage")
    office.do(case, "send_documents")
    office.do(case, "forward_documents")
    return case


def test_no_disbursement_until_every_document_is_in(office: Office) -> None:
    case = _documents_sent(office)
    office.do(case, "document_collection", **{**ALL_IN, "got_registration_certificate": False})
    assert office.var(case, "all_documents_received") is False
    assert office.open_steps(case) == ["chase_documents"]
    office.do(case, "chase_documents", chased_items="机动车登记证书")
    assert office.open_steps(case) == ["document_collection"]
    office.do(case, "document_collection", **ALL_IN)
    assert office.open_steps(case) == ["disbursement"]
    with pytest.raises(ValidationError):
        office.do(case, "disbursement", disbursed_amount=250000, disbursed_on="2026-03-10",
                  loan_term_months=24)
    office.do(case, "disbursement", disbursed_amount=300000, disbursed_on="2026-03-10",
              loan_term_months=24)
    assert office.var(case, "loan_ends_on") == "2028-03-10"
    assert office.status(case) == "active"  # the loan runs: see the renewal tests below


def test_debit_account_number_must_be_a_valid_card(office: Office) -> None:
    case = _visited(office)
    _decide(office, case, "approve")
    office.do(case, "book_guarantee_signing", guarantee_signing_date="2026-03-09")
    office.do(case, "purchase_contract")
    office.do(case, "collect_down_payment", down_payment=120000, fees_collected=3000)
    with pytest.raises(ValidationError):
        office.do(case, "debit_account", debit_account_no="6222021000000001")


def _disbursed(office: Office, term_months: int) -> str:
    case = _documents_sent(office)
    office.do(case, "document_collection", **ALL_IN)
    office.do(case, "disbursement", disbursed_amount=300000, disbursed_on="2026-03-10",
              loan_term_months=term_months)
    return case


def _at(office: Office, clock: Clock, *when: int) -> None:
    """Move the clock and let a worker fire whatever timers are due."""
    clock.set(*when)
    JobExecutor(office.engine, clock=clock).run_until_idle()


def test_insurance_renewal_is_reminded_a_month_before_expiry_every_year_until_the_loan_ends(
        office: Office, clock: Clock) -> None:
    case = _disbursed(office, term_months=24)  # policy expires 2027-03-15, loan 2028-03-10
    assert office.open_steps(case) == []
    _at(office, clock, 2027, 2, 15, 8, 59)
    assert office.open_steps(case) == []
    _at(office, clock, 2027, 2, 15, 9, 0)
    renewal = office.task(case, "renew_insurance")
    assert renewal.assignee == "dealer_rep.a" and renewal.role == "dealer_rep"
    with pytest.raises(ValidationError):  # the renewed policy must be attached
        office.do(case, "renew_insurance", policy_number="PDAA2027", policy_expires="2028-03-15",
                  documents={"renewed_policy": {"checked": True, "files": []}})
    office.do(case, "renew_insurance", policy_number="PDAA2027", policy_expires="2028-03-15")
    assert office.var(case, "renewal_reminder_on") == "2028-02-15"
    assert office.var(case, "policy_number") == "PDAA2027"
    _at(office, clock, 2027, 8, 1)
    assert office.open_steps(case) == []
    _at(office, clock, 2028, 2, 15, 9, 30)
    office.do(case, "renew_insurance", policy_number="PDAA2028", policy_expires="2029-03-15",
              documents={"renewed_policy": {"checked": True, "files": [SCAN]}})
    assert office.status(case) == "active"
    _at(office, clock, 2028, 3, 10, 8, 0)
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["loan_repaid"]
    assert office.engine.jobs(case) == []  # the 2029 reminder is not armed any more
    _at(office, clock, 2029, 2, 15, 9, 30)
    assert office.open_steps(case) == []


def test_the_loan_ending_before_a_renewal_is_done_closes_the_reminder(
        office: Office, clock: Clock) -> None:
    case = _disbursed(office, term_months=12)  # loan ends 2027-03-10, policy 2027-03-15
    _at(office, clock, 2027, 2, 15, 9, 30)
    assert office.open_steps(case) == ["renew_insurance"]
    _at(office, clock, 2027, 3, 10, 8, 0)
    assert office.open_steps(case) == []
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["loan_repaid"]
