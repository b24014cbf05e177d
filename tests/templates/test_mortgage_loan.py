"""Property-mortgage loan (PROCESSES.md §2): reception by the staff pool, the review of the
five certificates with its supplement loop, existing-mortgage checks, every marital-status
branch, fees, four-eyes contract check, registration, notary, site visit, the supervisor's
decision, disbursement and late interest at its boundaries."""

from __future__ import annotations

from typing import Any

import pytest

from liucheng.errors import ForbiddenError, StateError, ValidationError
from liucheng.runtime.jobs import JobExecutor
from templates.scenario import Clock, Office, id_number, ticked

TEMPLATE = "mortgage_loan"
LEAD = "loan_officer.a"

CERTIFICATES: dict[str, Any] = {
    "owner_name": "王建国", "owner_id_number": id_number("1980-01-01"), "owner_gender": "male",
    "owner_birth_date": "1980-01-01", "property_location": "济南市历下区泉城路 1 号",
    "property_certificate_no": "济房权证 0001", "mortgaged": False,
}


def _received(office: Office, amount: int = 200000) -> str:
    case = office.start(user="staff.a")
    office.do(case, "reception", "proceed", client_name="王建国", client_phone="13805310001",
              loan_amount=amount, collateral="泉城路 1 号", lead_officer=LEAD)
    return case


def _reviewed(office: Office, marital_status: str = "married", **extra: Any) -> str:
    case = _received(office)
    office.do(case, "interview", "continue", applicant_is_owner=extra.pop("owner", True),
              loan_purpose="经营周转", monthly_rate=0.02, term_months=12)
    office.do(case, "check_certificates", "complete", marital_status=marital_status,
              **{**CERTIFICATES, **extra})
    office.do(case, "credit_report", credit_record="clean")
    office.do(case, "id_copies")
    return case


def _to_contract(office: Office, **extra: Any) -> str:
    case = _reviewed(office, **extra)
    office.do(case, "risk_disclosure", "acknowledged")
    office.do(case, "contract_copies")
    return case


CONTRACT = {"borrower_name": "王建国", "contract_amount": 200000,
            "contract_amount_capital": "贰拾万元整",
            "contact_phones": [{"phone": "13805310001", "whose": "本人"},
                               {"phone": "13905310002", "whose": "配偶"},
                               {"phone": "053188880000", "whose": "单位"}]}


def _disbursed(office: Office) -> str:
    case = _to_contract(office)
    office.do(case, "sign_contract", **CONTRACT)
    office.do(case, "check_contract", "correct")
    office.do(case, "hand_in")
    office.do(case, "pay_fee", registration_fee_paid=80)
    office.do(case, "verify_slip", "correct")
    office.do(case, "notary_entrustment", trustee_name="李强",
              trustee_id_number=id_number("1975-01-01"))
    office.do(case, "verify_deed", "correct")
    office.do(case, "site_visit", property_let=False)
    office.do(case, "supervisor_report", "approve")
    office.do(case, "disbursement", disbursed_amount=200000, disbursed_on="2026-03-10")
    office.clock.set(2026, 4, 8)  # interest is paid in the 3 days before the due date
    return case


# -- reception and review -----------------------------------------------------------------
def test_reception_goes_to_the_whole_staff_pool_first_claim_takes_it(office: Office) -> None:
    case = office.start(user="staff.a")
    task = office.task(case, "reception")
    assert task.assignee is None and task.role == "staff"
    office.engine.claim(task.id, user="staff.b")
    assert office.task(case, "reception").assignee == "staff.b"


def test_a_client_left_unattended_for_five_minutes_is_reminded_to_the_pool(
        office: Office, clock: Clock) -> None:
    case = office.start(user="staff.a")
    task = office.task(case, "reception")

    def reminders() -> list[dict[str, Any]]:
        return [h.data for h in office.engine.history(case) if h.type == "reminder_sent"]

    clock.advance(minutes=4)
    JobExecutor(office.engine, clock=clock).run_until_idle()
    assert reminders() == []
    clock.advance(minutes=2)
    JobExecutor(office.engine, clock=clock).run_until_idle()
    (reminder,) = reminders()
    assert reminder["element"] == "unattended" and reminder["tasks"] == [task.id]
    assert reminder["roles"] == ["staff"] and reminder["users"] == []
    assert office.task(case, "reception").assignee is None  # still the pool's to take


def test_withdrawn_at_reception_ends(office: Office) -> None:
    case = office.start(user="staff.a")
    office.do(case, "reception", "withdrawn", client_name="x", client_phone="13800000000",
              loan_amount=1, collateral="x", lead_officer=LEAD)
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["withdrawn"]


def test_review_runs_interview_certificates_and_copies_in_parallel(office: Office) -> None:
    case = _received(office)
    assert office.open_steps(case) == ["check_certificates", "id_copies", "interview"]
    assert office.task(case, "interview").assignee == LEAD


def test_each_of_the_five_certificates_must_be_checked(office: Office) -> None:
    case = _received(office)
    step = office.definition.element("check_certificates")
    documents = {d: True for d in ticked(step)}
    documents.pop("land_certificate")
    with pytest.raises(ValidationError) as err:
        office.do(case, "check_certificates", "complete", documents=documents,
                  marital_status="married", **CERTIFICATES)
    fields = {p.field for p in err.value.problems}
    assert "documents.land_certificate" in fields
    assert "documents.property_certificate" in fields  # ticked, but its scan is missing
    assert "check_certificates" in office.open_steps(case)


def test_marriage_certificate_is_not_asked_of_a_single_owner(office: Office) -> None:
    case = _received(office)
    documents = ticked(office.definition.element("check_certificates"))
    documents.pop("marriage_certificate")
    office.do(case, "check_certificates", "complete", documents=documents,
              marital_status="single", **CERTIFICATES)
    assert "credit_report" in office.open_steps(case)


def test_names_must_agree_across_the_certificates(office: Office) -> None:
    case = _received(office)
    with pytest.raises(ValidationError) as err:
        office.do(case, "check_certificates", "complete", marital_status="married",
                  land_owner_name="王建华", **CERTIFICATES)
    assert [p.field for p in err.value.problems] == ["land_owner_name"]


def test_missing_certificates_loop_back_to_the_check(office: Office) -> None:
    case = _received(office)
    office.do(case, "check_certificates", "supplement", marital_status="married", **CERTIFICATES)
    assert "await_supplement" in office.open_steps(case)
    office.do(case, "await_supplement", supplement_note="补交土地证")
    assert "check_certificates" in office.open_steps(case)
    office.do(case, "check_certificates", "complete", marital_status="married", **CERTIFICATES)
    assert "credit_report" in office.open_steps(case)


@pytest.mark.parametrize("who, outcome", [("interview", "decline"),
                                          ("check_certificates", "decline")])
def test_declined_review_ends(office: Office, who: str, outcome: str) -> None:
    case = _received(office)
    office.do(case, "interview", "decline" if who == "interview" else "continue",
              applicant_is_owner=True, loan_purpose="x", monthly_rate=0.02, term_months=6)
    office.do(case, "check_certificates", outcome if who != "interview" else "complete",
              marital_status="married", **CERTIFICATES)
    office.do(case, "credit_report", credit_record="clean")
    office.do(case, "id_copies")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["declined"]


def test_applicant_who_is_not_the_owner_is_declined(office: Office) -> None:
    case = _reviewed(office, owner=False)
    assert office.ended_at(case) == ["declined"]


@pytest.mark.parametrize("bank, times, recent, expected", [
    (True, 1, False, ["bank_repayment_record"]),
    (False, 3, False, ["housing_bureau_check"]),
    (True, 1, True, ["bank_repayment_record", "housing_bureau_check"]),
    (False, 1, False, []),
])
def test_existing_mortgage_checks(office: Office, bank: bool, times: int, recent: bool,
                                  expected: list[str]) -> None:
    case = _reviewed(office, mortgaged=True)
    assert office.open_steps(case) == ["prior_mortgage"]
    office.do(case, "prior_mortgage", prior_mortgage_date="2020-05-01", prior_mortgagee="工商银行",
              prior_mortgagee_is_bank=bank, prior_mortgage_state="还款中",
              times_mortgaged=times, mortgaged_recently=recent)
    assert office.open_steps(case) == (expected or ["risk_disclosure"])
    if expected:
        if "bank_repayment_record" in expected:
            office.do(case, "bank_repayment_record", bank_repayment_ok=True)
        if "housing_bureau_check" in expected:
            office.do(case, "housing_bureau_check", bureau_mortgage_count=times,
                      previous_lenders="小贷公司，利息太高")
        assert office.open_steps(case) == ["risk_disclosure"]


# -- marital-status branches --------------------------------------------------------------
def test_married_goes_straight_to_risk_disclosure(office: Office) -> None:
    case = _reviewed(office)
    assert office.open_steps(case) == ["risk_disclosure"]


@pytest.mark.parametrize("gender, age, cover_from", [("male", 22, "2002-01-01"),
                                                     ("female", 20, "2000-01-01")])
def test_single_needs_unmarried_certificate_from_marriage_age(
        office: Office, gender: str, age: int, cover_from: str) -> None:
    case = _reviewed(office, "single", owner_gender=gender)
    assert office.open_steps(case) == ["unmarried_certificate"]
    assert office.var(case, "legal_marriage_age") == age
    assert office.var(case, "unmarried_certificate_from") == cover_from
    office.do(case, "unmarried_certificate", unmarried_covered_from=cover_from)
    assert office.open_steps(case) == ["risk_disclosure"]


def test_divorced_by_court_needs_no_ex_spouse(office: Office) -> None:
    case = _reviewed(office, "divorced")
    office.do(case, "divorce_papers", divorce_type="court", divorce_date="2015-06-01",
              purchase_date="2018-03-01", household_moves_complete=True)
    assert office.var(case, "bought_after_divorce") is True
    assert office.open_steps(case) == ["risk_disclosure"]


def test_agreed_divorce_needs_the_ex_spouse_to_sign(office: Office) -> None:
    case = _reviewed(office, "divorced")
    office.do(case, "divorce_papers", divorce_type="agreed", divorce_date="2015-06-01",
              purchase_date="2010-03-01", household_moves_complete=True)
    assert office.var(case, "bought_after_divorce") is False
    assert office.open_steps(case) == ["ex_spouse_signs"]
    assert office.task(case, "ex_spouse_signs").assignee == LEAD
    office.do(case, "ex_spouse_signs")
    assert office.open_steps(case) == ["risk_disclosure"]


@pytest.mark.parametrize("purchase, after", [("2019-01-01", True), ("2005-01-01", False)])
def test_widowed_compares_purchase_and_death_dates(office: Office, purchase: str,
                                                   after: bool) -> None:
    case = _reviewed(office, "widowed")
    office.do(case, "widowed_papers", spouse_death_date="2012-08-08", purchase_date=purchase)
    assert office.var(case, "bought_after_death") is after
    assert office.open_steps(case) == ["risk_disclosure"]


def test_owner_deceased_waits_for_transfer_then_reviews_again(office: Office) -> None:
    case = _reviewed(office, "owner_deceased", owner=False)
    assert office.open_steps(case) == ["renounce_inheritance"]
    office.do(case, "renounce_inheritance")
    task = office.task(case, "wait_for_transfer")
    assert task.name == "等待产权过户" and task.assignee == LEAD
    office.do(case, "wait_for_transfer", "transferred", new_property_certificate_no="0002")
    assert office.open_steps(case) == ["check_certificates", "id_copies", "interview"]
    office.do(case, "interview", "continue", applicant_is_owner=True)
    office.do(case, "check_certificates", "complete", marital_status="widowed")
    office.do(case, "credit_report")
    office.do(case, "id_copies")
    assert office.open_steps(case) == ["widowed_papers"]


def test_owner_deceased_abandoned_ends(office: Office) -> None:
    case = _reviewed(office, "owner_deceased", owner=False)
    office.do(case, "renounce_inheritance")
    office.do(case, "wait_for_transfer", "abandoned")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["withdrawn"]


def test_remarried_owner_current_spouse_signs_the_iou(office: Office) -> None:
    case = _to_contract(office, marital_status="remarried")
    assert office.var(case, "spouse_signs_iou") is True
    office.do(case, "sign_contract", **CONTRACT)
    assert office.open_steps(case) == ["spouse_signs_iou"]
    office.do(case, "spouse_signs_iou")
    assert office.open_steps(case) == ["check_contract"]


def test_married_owner_goes_from_signing_to_the_check(office: Office) -> None:
    case = _to_contract(office)
    office.do(case, "sign_contract", **CONTRACT)
    assert office.open_steps(case) == ["check_contract"]


# -- fees, disclosure, contract -----------------------------------------------------------
def test_fees_and_interest_are_computed(office: Office) -> None:
    case = _reviewed(office)
    variables = office.case(case).variables
    assert variables["total_fees"] == 440
    assert (variables["registration_fee"], variables["notary_fee"]) == (80, 360)
    assert variables["monthly_interest"] == 4000
    assert variables["late_charge_up_to_a_week"] == 2000
    assert variables["late_charge_over_a_week"] == 4000


def test_client_declining_the_risk_disclosure_ends(office: Office) -> None:
    case = _reviewed(office)
    office.do(case, "risk_disclosure", "declined")
    assert office.ended_at(case) == ["withdrawn"]


def test_contract_checker_must_not_be_the_signer(office: Office) -> None:
    office.engine.add_user("zhao.min", "赵敏", roles=["loan_officer", "contract_checker"])
    case = _to_contract(office)
    office.do(case, "sign_contract", user="zhao.min", **CONTRACT)
    with pytest.raises(ForbiddenError, match="four-eyes"):
        office.do(case, "check_contract", "correct", user="zhao.min")
    assert office.open_steps(case) == ["check_contract"]
    office.do(case, "check_contract", "correct", user="contract_checker.a")
    assert office.open_steps(case) == ["hand_in"]


def test_returned_contract_is_signed_again(office: Office) -> None:
    case = _to_contract(office)
    office.do(case, "sign_contract", **CONTRACT)
    office.do(case, "check_contract", "return", check_notes="大写金额有误")
    assert office.open_steps(case) == ["sign_contract"]


def test_fewer_than_three_phones_are_refused(office: Office) -> None:
    case = _to_contract(office)
    with pytest.raises(ValidationError) as err:
        office.do(case, "sign_contract", **{**CONTRACT, "contact_phones": [{"phone": "1"}]})
    assert [p.field for p in err.value.problems] == ["contact_phones"]
    assert office.open_steps(case) == ["sign_contract"]


# -- registration, notary, site visit, decision -------------------------------------------
def test_wrong_collection_slip_goes_back_to_the_window(office: Office) -> None:
    case = _to_contract(office)
    office.do(case, "sign_contract", **CONTRACT)
    office.do(case, "check_contract", "correct")
    office.do(case, "hand_in")
    office.do(case, "pay_fee", registration_fee_paid=80)
    office.do(case, "verify_slip", "wrong")
    assert office.open_steps(case) == ["hand_in"]


def _at_site_visit(office: Office) -> str:
    case = _to_contract(office)
    office.do(case, "sign_contract", **CONTRACT)
    office.do(case, "check_contract", "correct")
    office.do(case, "hand_in")
    office.do(case, "pay_fee", registration_fee_paid=80)
    office.do(case, "verify_slip", "correct")
    assert office.open_steps(case) == ["notary_entrustment"]
    office.do(case, "notary_entrustment", trustee_name="李强",
              trustee_id_number=id_number("1975-01-01"))
    office.do(case, "verify_deed", "wrong")
    assert office.open_steps(case) == ["notary_entrustment"]
    office.do(case, "notary_entrustment")
    office.do(case, "verify_deed", "correct")
    return case


def test_let_flat_means_telling_the_tenant(office: Office) -> None:
    case = _at_site_visit(office)
    office.do(case, "site_visit", property_let=True)
    assert office.open_steps(case) == ["notify_tenant"]
    office.do(case, "notify_tenant", tenant_name="张三", tenant_told_in_writing=True)
    assert office.open_steps(case) == ["supervisor_report"]


def test_supervisor_rejection_ends(office: Office) -> None:
    case = _at_site_visit(office)
    office.do(case, "site_visit", property_let=False)
    office.do(case, "supervisor_report", "reject", supervisor_opinion="家庭不同意")
    assert office.ended_at(case) == ["rejected"]


def test_disbursement_sets_the_repayment_dates(office: Office) -> None:
    case = _disbursed(office)
    assert office.open_steps(case) == ["record_repayment"]
    assert office.var(case, "next_due_date") == "2026-04-10"
    assert office.var(case, "maturity_date") == "2027-03-10"


# -- late interest -------------------------------------------------------------------------
@pytest.mark.parametrize("days_late, months, charge", [
    (0, 0, 0), (1, 0.5, 2000), (7, 0.5, 2000), (8, 1, 4000), (30, 1, 4000)])
def test_late_interest_half_a_month_up_to_a_week_a_month_beyond(
        office: Office, days_late: int, months: float, charge: int) -> None:
    case = _disbursed(office)
    office.do(case, "record_repayment", "interest_paid", days_late=days_late)
    variables = office.case(case).variables
    assert variables["late_interest_months"] == months
    assert variables["late_interest"] == charge
    assert variables["amount_due"] == 4000 + charge
    assert variables["payments_made"] == 1
    assert variables["next_due_date"] == "2026-05-10"
    assert office.open_steps(case) == ["record_repayment"]


def test_interest_cannot_be_recorded_before_its_window(office: Office) -> None:
    case = _disbursed(office)
    office.clock.set(2026, 4, 6)
    with pytest.raises(StateError, match="2026-04-07"):
        office.do(case, "record_repayment", "interest_paid", days_late=0)
    office.clock.set(2026, 4, 7)
    office.do(case, "record_repayment", "interest_paid", days_late=0)
    assert office.var(case, "payments_made") == 1


def test_repaid_loan_releases_the_mortgage(office: Office) -> None:
    case = _disbursed(office)
    office.do(case, "record_repayment", "interest_paid", days_late=0)
    office.clock.set(2026, 5, 8)
    office.do(case, "record_repayment", "repaid", days_late=0)
    assert office.open_steps(case) == ["release_mortgage"]
    office.do(case, "release_mortgage")
    assert office.status(case) == "completed"
    assert office.ended_at(case) == ["repaid"]
    assert office.var(case, "payments_made") == 2


def test_default_at_maturity_leads_to_disposal(office: Office) -> None:
    case = _disbursed(office)
    office.do(case, "record_repayment", "defaulted", days_late=40)
    assert office.task(case, "dispose_property").role == "supervisor"
    office.do(case, "dispose_property")
    assert office.ended_at(case) == ["disposed"]


def test_the_lead_officer_is_a_loan_officer_from_the_directory(office: Office) -> None:
    for wrong in ("staff.a", "nobody"):  # a colleague without the role, and no one at all
        case = office.start(user="staff.a")
        with pytest.raises(ValidationError) as err:
            office.do(case, "reception", "proceed", client_name="王建国",
                      client_phone="13805310001", loan_amount=1, collateral="x",
                      lead_officer=wrong)
        assert [p.field for p in err.value.problems] == ["lead_officer"]
        assert "主接待业务员" in err.value.problems[0].message_zh  # type: ignore[attr-defined]
        assert office.open_steps(case) == ["reception"]  # nothing changed
