"""Demo plans for lending: the private-lender mortgage loan and the truck dealer's vehicle
loan, the two longest processes (one data branch per step).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from liucheng.calendar import add_months
from liucheng.demo.plans.base import SHANGHAI, Case, Data, Plan, today
from liucheng.demo.values import address, amount, bank_card, id_number, mobile, person_name
from liucheng.rules.numerals import to_capital
from liucheng.runtime import Engine


class MortgageLoan(Plan):
    key, per_month, starter, bottleneck = "mortgage_loan", 40, "staff", "supervisor_report"
    slow = (16.0, 48.0)
    STATUSES = (("married", 55), ("single", 10), ("divorced", 14), ("widowed", 7),
                ("owner_deceased", 5), ("remarried", 9))

    def start_vars(self, case: Case, at: datetime) -> dict[str, Any]:
        r = case.rng
        statuses, weights = zip(*self.STATUSES, strict=True)
        case.extra["status"] = r.choices(statuses, weights)[0]
        case.extra["gender"] = r.choice(["male", "female"])
        case.extra["id"] = id_number(r, 1960, 1990)
        return {}

    def wait(self, step: str) -> tuple[float, float]:
        if step == "reception":
            return (0.0, 0.15)  # whoever is in the office attends at once
        if step == "wait_for_transfer":
            return (40.0, 120.0)
        return super().wait(step)

    def not_before(self, case: Case, step: str, now: datetime) -> datetime | None:
        if step != "record_repayment" or "next_due_date" not in case.vars:
            return None
        due = date.fromisoformat(case.vars["next_due_date"])
        late = 0 if case.chance(0.75) else case.rng.choice([1, 2, 3, 5, 7, 8, 10, 15, 20])
        case.extra["days_late"] = late
        day = due + timedelta(days=late) if late else due - timedelta(days=case.rng.randrange(4))
        return datetime.combine(day, time(8, 30), SHANGHAI)

    def data(self, case: Case, step: str, now: datetime) -> Data:  # noqa: C901 - one per step
        r, v, x = case.rng, case.vars, case.extra
        status = x["status"] if x.get("transferred") is None else "widowed"
        if step == "reception":
            x["name"] = person_name(r)
            return {"client_name": x["name"], "client_phone": mobile(r),
                    "loan_amount": amount(r, 250000, 0.6, 10000), "collateral": address(r),
                    "lead_officer": r.choice(x["officers"])}, (
                        "withdrawn" if case.chance(0.07) else "proceed")
        if step == "interview":
            return {"applicant_is_owner": status != "owner_deceased",
                    "loan_purpose": r.choice(["经营周转", "装修", "子女留学", "进货"]),
                    "monthly_rate": r.choice([0.015, 0.018, 0.02, 0.025]),
                    "term_months": r.choice([3, 6, 12])}, (
                        "decline" if case.chance(0.04) else "continue")
        if step == "check_certificates":
            married = status in ("married", "remarried")
            name = x["name"]
            outcome = "supplement" if case.first(step) and case.chance(0.2) else (
                "decline" if case.chance(0.03) else "complete")
            x.setdefault("mortgaged", case.chance(0.3))
            birth = x["id"][6:10] + "-" + x["id"][10:12] + "-" + x["id"][12:14]
            data = {"owner_name": name, "owner_id_number": x["id"], "owner_gender": x["gender"],
                    "owner_birth_date": birth, "property_location": v["collateral"],
                    "property_certificate_no": f"济房权证字第{r.randrange(10**6):06d}号",
                    "land_certificate_no": f"济国用{r.randrange(10**5):05d}",
                    "land_owner_name": name, "land_location": v["collateral"],
                    "household_name": name, "household_id_number": x["id"],
                    "marital_status": status, "mortgaged": x["mortgaged"]}
            if married:
                data["marriage_certificate_name"] = name
            return data, outcome
        if step == "await_supplement":
            note = r.choice(["补交土地证", "补交户口本首页", "补交结婚证"])
            return {"supplement_note": note}, None
        if step == "credit_report":
            return {"credit_record": r.choices(["clean", "minor_overdue"], [85, 15])[0]}, None
        if step == "prior_mortgage":
            bank = case.chance(0.6)
            return {"prior_mortgage_date": "2021-06-18", "prior_mortgagee": "工商银行" if bank
                    else "某小额贷款公司", "prior_mortgagee_is_bank": bank,
                    "prior_mortgage_state": "正常还款", "prior_repayments": "按月还款",
                    "times_mortgaged": r.choice([1, 1, 2, 3]),
                    "mortgaged_recently": case.chance(0.2)}, None
        if step == "bank_repayment_record":
            return {"bank_repayment_ok": case.chance(0.9)}, None
        if step == "housing_bureau_check":
            return {"bureau_mortgage_count": v.get("times_mortgaged", 2),
                    "previous_lenders": "以前在小贷公司借款，利息高，已还清"}, None
        if step == "unmarried_certificate":
            return {"unmarried_covered_from": v["unmarried_certificate_from"]}, None
        if step == "divorce_papers":
            return {"divorce_type": r.choice(["court", "agreed"]), "divorce_date": "2016-05-20",
                    "purchase_date": r.choice(["2012-03-01", "2018-09-15"]),
                    "household_moves_complete": True, "previous_mortgage_signers": "none",
                    "guarantee_letter": "none"}, None
        if step == "widowed_papers":
            return {"spouse_death_date": "2015-11-02",
                    "purchase_date": r.choice(["2010-03-01", "2019-04-12"])}, None
        if step == "wait_for_transfer":
            if case.chance(0.15):
                return {}, "abandoned"
            x["transferred"] = True
            return {"new_property_certificate_no": f"济房权证字第{r.randrange(10**6):06d}号"}, (
                "transferred")
        if step == "risk_disclosure":
            return {}, "declined" if case.chance(0.04) else "acknowledged"
        if step == "sign_contract":
            return {"borrower_name": v["owner_name"], "contract_amount": v["loan_amount"],
                    "contract_amount_capital": to_capital(v["loan_amount"]),
                    "contact_phones": [{"phone": v["client_phone"], "whose": "本人"},
                                       {"phone": mobile(r), "whose": "配偶"},
                                       {"phone": mobile(r), "whose": "子女"}]}, None
        if step == "check_contract":
            back = case.first(step) and case.chance(0.12)
            return {"check_notes": "大写金额与小写不一致，重签" if back else ""}, (
                "return" if back else "correct")
        if step == "pay_fee":
            return {"registration_fee_paid": 80}, None
        if step in ("verify_slip", "verify_deed"):
            return {}, "wrong" if case.first(step) and case.chance(0.05) else "correct"
        if step == "notary_entrustment":
            return {"trustee_name": person_name(r), "trustee_id_number": id_number(r, 1970, 1990)
                    }, None
        if step == "site_visit":
            return {"property_let": case.chance(0.3)}, None
        if step == "notify_tenant":
            return {"tenant_name": person_name(r), "tenant_told_in_writing": case.chance(0.7)}, None
        if step == "supervisor_report":
            reject = case.chance(0.1)
            return {"supervisor_opinion": "家属不同意借款" if reject else "同意"}, (
                "reject" if reject else "approve")
        if step == "disbursement":
            return {"disbursed_amount": v["contract_amount"], "disbursed_on": today(now)}, None
        if step == "record_repayment":
            done = int(v.get("payments_made", 0)) + 1
            outcome = "repaid" if done >= int(v["term_months"]) else (
                "defaulted" if case.chance(0.02) else "interest_paid")
            return {"days_late": x.get("days_late", 0),
                    "amount_received": v.get("monthly_interest", 0)}, outcome
        return {}, None


class VehicleLoan(Plan):
    key, per_month, starter, bottleneck = "vehicle_loan", 40, "dealer_rep", "head_office_approval"
    slow = (16.0, 40.0)
    DOCS = ("application", "guarantee_documents", "purchase_contract", "deduction_authority",
            "invoice", "registration_certificate", "insurance_policy")
    ASKED = {"scoring_failed": "missing_items", "explain_conditions": "supplemented_items",
             "chase_documents": "chased_items"}
    ARRIVED = ("hand_over", "document_collection")

    def after(self, engine: Engine, case: Case, step: str, user: str) -> None:
        """Missing papers go on the case's supplement list (labelled with the customer's
        name) and are ticked off when the papers are handed over or checked again."""
        request = getattr(engine, "request_supplement", None)
        receive = getattr(engine, "receive_supplement", None)
        if request is None or receive is None:
            return
        if step in self.ASKED and step in case.done_by and (
                step != "scoring_failed" or case.vars.get("scoring_failed", {}).get(
                    "outcome") == "supplement"):
            request(case.id, f"{case.vars['customer_name']}：{case.vars[self.ASKED[step]]}",
                    user=user)
        elif step in self.ARRIVED:
            for sid, entry in engine.state(case.id).get("supplements", {}).items():
                if not entry.get("received_at"):
                    receive(case.id, sid, user=user)

    def data(self, case: Case, step: str, now: datetime) -> Data:  # noqa: C901 - one per step
        r, v, x = case.rng, case.vars, case.extra
        if step == "consultation":
            price = amount(r, 380000, 0.3, 1000)
            return {"dealer": r.choice(["临沂重汽经销处", "济南陕汽专营店", "潍坊解放4S店"]),
                    "customer_name": person_name(r), "customer_phone": mobile(r),
                    "vehicle_model": r.choice(["豪沃 T7H 牵引车", "解放 J6P 载货车",
                                               "陕汽德龙 X3000 自卸车"]),
                    "vehicle_price": price, "loan_amount": int(price * 0.7 / 1000) * 1000,
                    "guarantors": [{"name": person_name(r), "id_number": id_number(r, 1965, 1995),
                                    "relation": "配偶", "mobile": mobile(r)}]}, None
        if step == "hand_over":
            return {"handover_missing": ""}, (
                "return" if case.first(step) and case.chance(0.1) else "received")
        if step == "initial_scoring":
            return {"credit_score": max(0, min(100, int(r.gauss(70, 14))))}, None
        if step == "scoring_failed":
            again = case.first(step) and case.chance(0.6)
            return {"missing_items": "近六个月银行流水"}, "supplement" if again else "return"
        if step == "book_visit":
            return {"visit_date": today(now)}, None
        if step == "visit_survey":
            return {"monthly_income": amount(r, 25000, 0.4), "monthly_spending": amount(r, 9000),
                    "survey_notes": "自有车辆运输，经营稳定"}, None
        if step == "visit_confirm":
            return {"application_confirmed": True}, None
        if step == "head_office_approval":
            if int(v.get("appeals_used", 0)) > 0 and not x.get("answered"):
                x["answered"] = True
                outcome = "approve" if case.chance(0.4) else "reject"
            elif int(v.get("approval_rounds", 0)) > 0:
                outcome = "approve" if case.chance(0.85) else "reject"
            else:
                outcome = r.choices(["approve", "conditional", "reject"], [65, 20, 15])[0]
            return {"approval_reply": {"approve": "同意贷款", "conditional": "增加担保人后同意",
                                       "reject": "负债过高，不予批准"}[outcome],
                    "approval_conditions": "增加一名担保人" if outcome == "conditional" else ""
                    }, outcome
        if step == "explain_conditions":
            return {"supplemented_items": "增加担保人一名"}, None
        if step == "consider_appeal":
            appeal = case.chance(0.6)
            return {"manager_opinion": "客户有长期运输合同" if appeal else ""}, (
                "appeal" if appeal else "accept")
        if step == "book_guarantee_signing":
            return {"guarantee_signing_date": today(now)}, None
        if step == "collect_down_payment":
            return {"down_payment": v["vehicle_price"] - v["loan_amount"],
                    "fees_collected": 3000}, None
        if step == "debit_account":
            return {"debit_account_no": bank_card(r)}, None
        if step == "sales_invoice":
            return {"invoice_no": f"{r.randrange(10**8):08d}"}, None
        if step == "insure_vehicle":
            expires = add_months(now.astimezone(SHANGHAI).date(), 12)
            return {"policy_number": f"PDAA{r.randrange(10**10):010d}",
                    "policy_expires": expires.isoformat()}, None
        if step == "purchase_tax":
            return {"purchase_tax_paid": int(v["vehicle_price"] / 11.3)}, None
        if step == "number_plates":
            return {"plate_number": f"鲁Q·{r.randrange(10000, 99999)}"}, None
        if step == "document_collection":
            got = {f"got_{d}": True for d in self.DOCS}
            if case.first(step) and case.chance(0.3):
                got[f"got_{r.choice(self.DOCS)}"] = False
            return got, None
        if step == "chase_documents":
            return {"chased_items": "机动车登记证书"}, None
        if step == "disbursement":
            return {"disbursed_amount": v["loan_amount"], "disbursed_on": today(now),
                    "loan_term_months": r.choice([24, 36])}, None
        if step == "renew_insurance":
            expires = add_months(date.fromisoformat(v["policy_expires"]), 12)
            return {"policy_number": f"PDAA{r.randrange(10**10):010d}",
                    "policy_expires": expires.isoformat()}, None
        return {}, None
