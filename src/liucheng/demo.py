"""Demo data: an organisation for every shipped template, and months of history made
through the Engine itself.

    summary = generate(engine, months=3, seed=0, progress=lambda done, total, what: ...)

A user is created for every role of every template (pinyin ids such as `zhang.wei`,
Chinese display names), every template is deployed, and cases are started and worked on
a simulated clock that advances through working hours (08:30–17:30, Asia/Shanghai, on the
official working days): each task waits in its queue, is claimed, worked and completed
with data that passes the step's form, checklist and checks. Each process has one slow
step (its bottleneck), some cases are returned or rejected, and the cases started near the
end are still open, some of them overdue. The same seed gives the same cases.

Running it again on a database that already holds demo cases changes nothing and says
what is there. Nothing is printed; progress goes to the `progress` callback.

The module holds the organisation, the simulation and one small plan per process; it is
longer than most because the ten plans belong together.
"""

from __future__ import annotations

import hashlib
import heapq
import random
import time as wallclock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from liucheng.calendar import BusinessCalendar, add_months, calendar_functions
from liucheng.errors import LiuchengError, StateError
from liucheng.model import ProcessDefinition, UserTask
from liucheng.rules.numerals import to_capital
from liucheng.rules.validators import id_check_char
from liucheng.runtime import Engine
from liucheng.runtime.service import ServiceCall
from liucheng.runtime.views import TaskView
from liucheng.templates import list_templates, template_source

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARKER = "DEMO-"  # business keys of demo cases start with this
Progress = Callable[[int, int, str], None]
Data = tuple[dict[str, Any], str | None]

# -- the organisation ----------------------------------------------------------------------
# How many people hold each role; a bottleneck role is thinly staffed.
STAFF: dict[str, int] = {
    "sales_rep": 4, "finance": 2, "sales_manager": 1,
    "staff": 0, "loan_officer": 3, "assistant_reviewer": 2, "office_assistant": 1,
    "contract_checker": 2, "supervisor": 1, "cashier": 2,
    "management_unit": 4, "agency_clerk": 3, "retiree_section": 2, "finance_section": 1,
    "director": 1,
    "bank_icbc": 1, "bank_abc": 1, "bank_qilu": 1, "bank_bocom": 1, "bank_cib": 1,
    "bank_citic": 1, "bank_cmbc": 1, "bank_ceb": 1, "bank_hxb": 1, "bank_weihai": 1,
    "dealer_rep": 4, "dealer_credit": 2, "dealer_manager": 1, "field_officer": 2,
    "head_office": 1,
    "resident_in_chief": 4, "head_nurse": 1, "circulating_nurse": 5, "anaesthesia": 1,
    "ward_nurse": 3, "surgeon": 4, "anaesthetist": 3, "charge_checker": 1,
    "employee": 12, "dept_manager": 3, "deputy_gm": 1, "general_manager": 1, "hr": 1,
    "engineer": 3, "chief_engineer": 1, "production": 1, "quality": 1, "purchasing": 1,
    "document_control": 1,
}
LENDING_STAFF = ("loan_officer", "assistant_reviewer", "office_assistant", "contract_checker",
                 "supervisor", "cashier")  # everyone at the lender is in the reception pool

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
            ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
            ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
            ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
            ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
            ("韩", "han"), ("冯", "feng"), ("于", "yu"), ("董", "dong"), ("曹", "cao")]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
         ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
         ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
         ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"),
         ("刚", "gang"), ("桂英", "guiying"), ("建国", "jianguo"), ("建华", "jianhua"),
         ("志强", "zhiqiang"), ("海燕", "haiyan"), ("晓东", "xiaodong"), ("婷", "ting"),
         ("雪", "xue"), ("鹏", "peng"), ("玉兰", "yulan"), ("红梅", "hongmei")]


@dataclass
class DemoSummary:
    """What the demo database holds (or now holds): cases per process, users, period."""

    created: bool
    cases: dict[str, int]
    open_cases: dict[str, int]
    users: int
    tasks_done: int = 0
    start: datetime | None = None
    end: datetime | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "cases": self.cases, "open_cases": self.open_cases,
                "total": self.total, "users": self.users, "tasks_done": self.tasks_done,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None,
                "seconds": round(self.seconds, 1), "problems": self.problems}


def people(rng: random.Random) -> list[tuple[str, str, list[str]]]:
    """(user id, Chinese name, roles) for the demo organisation."""
    out: list[tuple[str, str, list[str]]] = []
    taken: set[str] = set()
    for role, count in STAFF.items():
        for _ in range(count):
            (sur, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN)
            base = f"{sur_py}.{given_py}"
            user, n = base, 1
            while user in taken:
                n += 1
                user = f"{base}{n}"
            taken.add(user)
            roles = [role, "staff"] if role in LENDING_STAFF else [role]
            out.append((user, sur + given, roles))
    return out


# -- realistic values ----------------------------------------------------------------------
def id_number(rng: random.Random, first_year: int, last_year: int) -> str:
    born = date(first_year, 1, 1) + timedelta(days=rng.randrange((last_year - first_year) * 365))
    first17 = rng.choice(["370102", "370203", "371002", "370602"]) + born.strftime(
        "%Y%m%d") + f"{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "158", "186", "133", "177"]) + "".join(
        str(rng.randrange(10)) for _ in range(8))


def bank_card(rng: random.Random) -> str:
    digits = [int(d) for d in "622202" + "".join(str(rng.randrange(10)) for _ in range(12))]
    total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
                for i, d in enumerate(reversed(digits)))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES)[0] + rng.choice(GIVEN)[0]


STREETS = ["泉城路", "经十路", "解放路", "历山路", "和平路", "文化东路", "山大路", "二环南路"]
COMPANIES = ["济南重工机械", "青岛海港物流", "淄博华联化工", "潍坊万通农机", "烟台东方建材",
             "临沂鲁南商贸", "济宁运河装备", "德州金源纺织"]


def address(rng: random.Random) -> str:
    return (f"济南市{rng.choice(['历下区', '市中区', '槐荫区', '天桥区'])}"
            f"{rng.choice(STREETS)}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}单元")


def amount(rng: random.Random, median: float, spread: float = 0.8, step: int = 100) -> int:
    return max(step, int(rng.lognormvariate(0, spread) * median / step) * step)


# -- one case being worked -----------------------------------------------------------------
@dataclass
class Case:
    id: str
    key: str
    rng: random.Random
    vars: dict[str, Any] = field(default_factory=dict)
    done_by: dict[str, str] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)  # how often each step was done
    extra: dict[str, Any] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    scan: str = ""

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def first(self, step: str) -> bool:
        """True the first time `step` is done in this case."""
        return self.times.get(step, 0) == 0


class Plan:
    """How one process is worked: its case volume, starter, data, timings and bottleneck."""

    key = ""
    per_month = 10
    starter = ""
    bottleneck = ""
    slow = (10.0, 36.0)  # hours the bottleneck's tasks wait in the queue

    def start_vars(self, case: Case, at: datetime) -> dict[str, Any]:
        return {}

    def data(self, case: Case, step: str, now: datetime) -> Data:
        return {}, None

    def wait(self, step: str) -> tuple[float, float]:
        """Working hours a task of `step` waits before someone takes it up."""
        return self.slow if step == self.bottleneck else (0.1, 3.0)

    def work(self, step: str) -> tuple[float, float]:
        return (0.1, 1.2)

    def not_before(self, case: Case, step: str, now: datetime) -> datetime | None:
        return None

    def after(self, engine: Engine, case: Case, step: str, user: str) -> None:
        """Anything people do on the case besides completing `step` (e.g. supplements)."""

    def starts(self, rng: random.Random, cal: BusinessCalendar, begin: datetime,
               end: datetime, count: int) -> list[datetime]:
        """Start moments spread over the working time between `begin` and `end`."""
        hours = cal.working_time_between(begin, end).total_seconds() / 3600
        return sorted(cal.add_working_hours(begin, rng.uniform(0, hours)) for _ in range(count))


def _today(now: datetime) -> str:
    return now.astimezone(SHANGHAI).date().isoformat()


class SalesOrder(Plan):
    key, per_month, starter, bottleneck = "sales_order", 12, "sales_rep", "credit_check"

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r, v = case.rng, case.vars
        if step == "contact":
            big = case.chance(0.3)
            return {"customer": r.choice(COMPANIES), "customer_phone": mobile(r),
                    "product": r.choice(["数控机床", "叉车", "空压机", "注塑机", "激光切割机"]),
                    "amount": amount(r, 700000 if big else 120000),
                    "payment": "instalments" if case.chance(0.4) else "cash"}, None
        if step == "customer_decision":
            if case.chance(0.18):
                return {"lost_reason": r.choice(["价格太高", "选了竞品", "项目推迟"])}, "lost"
            return {}, "buy"
        if step == "credit_check":
            reject = case.chance(0.15)
            return {"credit_limit": 0 if reject else v["amount"],
                    "credit_notes": "负债率过高" if reject else "付款记录良好"}, (
                        "reject" if reject else "approve")
        if step == "negotiate":
            return {"price": int(v["amount"] * r.uniform(0.9, 1.0) / 100) * 100,
                    "payment_terms": "30%预付，余款货到30天内付清", "after_sales": "一年保修",
                    "transport": r.choice(["汽运", "客户自提", "铁路"])}, None
        if step == "deliver":
            return {"shipped_on": _today(now), "waybill": f"YD{r.randrange(10**8):08d}"}, None
        if step == "invoice":
            return {"invoice_no": f"{r.randrange(10**8):08d}", "invoice_amount": v["price"]}, None
        if step == "collect_payment":
            return {"received": v["price"]}, None
        return {}, None


class MortgageLoan(Plan):
    key, per_month, starter, bottleneck = "mortgage_loan", 4, "staff", "supervisor_report"
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
            return {"disbursed_amount": v["contract_amount"], "disbursed_on": _today(now)}, None
        if step == "record_repayment":
            done = int(v.get("payments_made", 0)) + 1
            outcome = "repaid" if done >= int(v["term_months"]) else (
                "defaulted" if case.chance(0.02) else "interest_paid")
            return {"days_late": x.get("days_late", 0),
                    "amount_received": v.get("monthly_interest", 0)}, outcome
        return {}, None


class RetireeDeath(Plan):
    key, per_month, starter, bottleneck = "retiree_death", 8, "management_unit", "record_reduction"
    slow = (8.0, 30.0)

    def starts(self, rng: random.Random, cal: BusinessCalendar, begin: datetime,
               end: datetime, count: int) -> list[datetime]:
        return _in_filing_windows(rng, cal, begin, end, count)

    def start_vars(self, case: Case, at: datetime) -> dict[str, Any]:
        month = at.date().replace(day=1)
        back = 2 if case.chance(0.06) else 1  # a few filed a month late
        first = add_months(month, -back)
        case.extra["death"] = (first + timedelta(days=case.rng.randrange(28))).isoformat()
        return {}

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r = case.rng
        if step == "file_reduction":
            return {"retiree_name": person_name(r), "retiree_id_number": id_number(r, 1930, 1955),
                    "death_date": case.extra["death"],
                    "retired_on": f"{r.randrange(1985, 2012)}-{r.randrange(1, 13):02d}-01",
                    "recipient_name": person_name(r),
                    "recipient_id_number": id_number(r, 1955, 1980),
                    "recipient_relation": r.choice(["配偶", "儿子", "女儿"])}, None
        if step == "record_reduction":
            back = case.first(step) and case.chance(0.08)
            return {"funeral_grant": 5000, "one_off_relief": r.choice([15000, 18000, 21000]),
                    "account_balance": amount(r, 9000, 0.5, 1)}, "return" if back else "recorded"
        if step == "collect_card":
            return {"card_number": bank_card(r)}, None
        return {}, None


class SurvivorEntitlement(Plan):
    key, per_month, starter, bottleneck = ("survivor_entitlement", 3, "management_unit",
                                           "record_reduction")
    slow = (8.0, 30.0)

    def starts(self, rng: random.Random, cal: BusinessCalendar, begin: datetime,
               end: datetime, count: int) -> list[datetime]:
        return _in_filing_windows(rng, cal, begin, end, count)

    def start_vars(self, case: Case, at: datetime) -> dict[str, Any]:
        first = add_months(at.date().replace(day=1), -1)
        case.extra["ended"] = (first + timedelta(days=case.rng.randrange(28))).isoformat()
        return {}

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r = case.rng
        if step == "file_reduction":
            return {"survivor_name": person_name(r), "survivor_id_number": id_number(r, 1940, 2005),
                    "loss_reason": "death" if case.chance(0.4) else "other",
                    "entitlement_ended": case.extra["ended"]}, None
        if step == "record_reduction":
            return {}, "return" if case.first(step) and case.chance(0.08) else "recorded"
        return {}, None


BANKS = ["icbc", "abc", "qilu", "bocom", "cib", "citic", "cmbc", "ceb", "hxb", "weihai"]


class PensionPayment(Plan):
    key, per_month, starter, bottleneck = "pension_payment", 1, "retiree_section", "director_sign"
    slow = (3.0, 7.0)

    def starts(self, rng: random.Random, cal: BusinessCalendar, begin: datetime,
               end: datetime, count: int) -> list[datetime]:
        out: list[datetime] = []
        month = begin.date().replace(day=1)
        while True:
            at = datetime.combine(month.replace(day=20), time(8, 30), SHANGHAI)
            if at > end:
                return out
            if at >= begin:
                out.append(cal.add_working_hours(at, 0.1))
            month = add_months(month, 1)

    def start_vars(self, case: Case, at: datetime) -> dict[str, Any]:
        return {"pay_month": at.date().replace(day=1).isoformat()}

    def wait(self, step: str) -> tuple[float, float]:
        return (0.5, 6.0) if step.startswith("accounts_") else super().wait(step)

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r, v = case.rng, case.vars
        if step == "extract_new":
            new = r.randrange(0, 14)
            banks = sorted(r.sample(BANKS, min(new, r.randrange(1, 5)))) if new else []
            return {"new_people": new, "banks_with_new": banks}, None
        if step.startswith("accounts_"):
            return {f"opened_{step[9:]}": r.randrange(1, 4)}, None
        if step == "collect_cards":
            return {"cards_collected": v["new_people"]}, None
        if step == "payment_data":
            people_ = 41000 + r.randrange(800)
            return {"total_people": people_, "total_amount": people_ * 2650 + r.randrange(100)
                    }, None
        if step == "director_sign":
            return {}, "return" if case.first(step) and case.chance(0.25) else "sign"
        if step == "transfer_funds":
            return {"transferred_amount": v["total_amount"]}, None
        if step.startswith("pay_"):
            return {f"failed_{step[4:]}": 1 if case.chance(0.1) else 0}, None
        return {}, None


class VehicleLoan(Plan):
    key, per_month, starter, bottleneck = "vehicle_loan", 4, "dealer_rep", "head_office_approval"
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
            return {"visit_date": _today(now)}, None
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
            return {"guarantee_signing_date": _today(now)}, None
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
            return {"disbursed_amount": v["loan_amount"]}, None
        return {}, None


class OperatingRoom(Plan):
    key, per_month, starter, bottleneck = ("operating_room", 16, "resident_in_chief",
                                           "charge_check")
    slow = (8.0, 30.0)
    PROCEDURES = [("泌尿外科", "腹腔镜肾切除术", "肾", "经腹腔"),
                  ("骨科", "膝关节置换术", "膝关节", "前正中切口"),
                  ("普外科", "腹腔镜胆囊切除术", "胆囊", "腹腔镜"),
                  ("乳腺外科", "乳腺肿物切除术", "乳腺", "乳晕切口"),
                  ("骨科", "股骨颈骨折内固定术", "下肢", "外侧切口")]

    def starts(self, rng: random.Random, cal: BusinessCalendar, begin: datetime,
               end: datetime, count: int) -> list[datetime]:
        out = []
        for at in super().starts(rng, cal, begin, end, count):
            if rng.random() < 0.8:  # most electives are filed before the 11:00 cutoff
                day = at.date()
                at = datetime.combine(day, time(8, 30), SHANGHAI) + timedelta(
                    minutes=rng.randrange(150))
            out.append(at)
        return sorted(out)

    def start_vars(self, case: Case, at: datetime) -> dict[str, Any]:
        case.extra["emergency"] = case.chance(0.1)
        case.extra["file_as_elective"] = case.chance(0.5)
        return {}

    def wait(self, step: str) -> tuple[float, float]:
        if step in ("schedule", "schedule_follow_on"):
            return (0.5, 4.0)
        if step in ("surgery_start", "surgery_end", "recovery", "back_to_ward"):
            return (0.0, 0.3)
        return super().wait(step)

    def work(self, step: str) -> tuple[float, float]:
        return {"surgery_end": (1.0, 3.5), "recovery": (0.5, 1.5)}.get(step, (0.1, 0.6))

    def not_before(self, case: Case, step: str, now: datetime) -> datetime | None:
        if step != "patient_in_pre_op" or case.extra.get("emergency"):
            return None
        order = int(case.vars.get("room_order", 1))
        day = date.fromisoformat(case.vars["planned_date"])
        return datetime.combine(day, time(8, 30), SHANGHAI) + timedelta(hours=2.5 * (order - 1))

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r, v, x = case.rng, case.vars, case.extra
        if step == "apply":
            specialty, procedure, site, approach = r.choice(self.PROCEDURES)
            emergency = x["emergency"]
            local = now.astimezone(SHANGHAI)
            late = local.hour >= 11
            urgency = "emergency" if emergency or (late and not (
                x["file_as_elective"] and case.first(step))) else "elective"
            return {"patient_name": person_name(r), "inpatient_no": f"Z{r.randrange(10**6):06d}",
                    "specialty": specialty, "ward": f"外科{r.randrange(1, 6)}病区",
                    "procedure": procedure, "site": site,
                    "side": r.choice(["left", "right"]) if site in ("肾", "膝关节", "乳腺", "下肢")
                    else "none", "approach": approach,
                    "planned_date": local.date().isoformat() if emergency else _next_working_day(
                        local.date()), "urgency": urgency, "clinically_urgent": emergency,
                    "phoned_in": urgency == "emergency"}, None
        if step in ("schedule", "schedule_follow_on"):
            nurses = r.sample(x["nurses"], 2)
            data = {"room": r.randrange(1, 9), "room_order": r.randrange(1, 4),
                    "circulating_nurse": nurses[0], "scrub_nurse": nurses[1]}
            if step == "schedule_follow_on":
                data.update(follows_case=f"{data['room']}号间第{data['room_order']}台",
                            room_order=data["room_order"] + 1)
            return data, None
        if step == "anaesthesia_confirm":
            return {"anaesthetist": r.choice(x["anaesthetists"])}, None
        if step == "patient_in_pre_op":
            return {"site_side_confirmed": True}, None
        if step == "surgery_start":
            return {"surgeon": r.choice(x["surgeons"]), "anaesthetist": v["anaesthetist"],
                    "actual_start": now.isoformat()}, None
        if step == "surgery_end":
            return {"actual_procedure": v["procedure"], "actual_end": now.isoformat()}, None
        if step == "charging":
            high = amount(r, 3000, 0.6, 10) if case.first(step) else int(
                v.get("consumables_high_value", 0))
            return {"procedure_fee": amount(r, 2500, 0.4, 10),
                    "consumables_low_value": amount(r, 300, 0.5, 1),
                    "consumables_high_value": high, "drugs": amount(r, 800, 0.5, 1)}, None
        if step == "charge_check":
            bad = case.first(step) and case.chance(0.12)
            return {"charge_remarks": "高值耗材与登记不符" if bad else ""}, (
                "mismatch" if bad else "match")
        return {}, None


class ExpenseClaim(Plan):
    key, per_month, starter, bottleneck = "expense_claim", 18, "employee", "finance_review"
    slow = (14.0, 40.0)

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r, v = case.rng, case.vars
        if step == "submit":
            if "amount" in v:
                return {"purpose": v["purpose"] + "（已补充说明）"}, None
            category = r.choices(["travel", "entertainment", "office", "training", "other"],
                                 [40, 15, 25, 10, 10])[0]
            return {"category": category, "amount": amount(r, 1800, 1.1, 1),
                    "purpose": r.choice(["上海客户拜访", "参加展会", "购买办公用品", "客户接待"]),
                    "invoice_count": r.randrange(1, 8)}, None
        if step in ("manager_approval", "deputy_approval", "gm_approval"):
            pick = r.random()
            return {}, "reject" if pick < 0.03 else (
                "return" if pick < 0.1 and case.first(step) else "approve")
        if step == "finance_review":
            back = case.first(step) and case.chance(0.08)
            return {"approved_amount": v["amount"]}, "return" if back else "approve"
        if step == "payment":
            return {"paid_amount": v["approved_amount"],
                    "paid_by": r.choice(["transfer", "transfer", "cash"])}, None
        return {}, None


class LeaveRequest(Plan):
    key, per_month, starter, bottleneck = "leave_request", 14, "employee", "manager_approval"
    slow = (10.0, 30.0)

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r = case.rng
        if step == "submit":
            cal = case.extra["calendar"]
            first = cal.add_working_days(now.astimezone(SHANGHAI).date(), r.randrange(1, 10))
            last = cal.add_working_days(first, r.choices([0, 1, 2, 4, 6], [35, 25, 15, 15, 10])[0])
            return {"leave_type": r.choices(["annual", "sick", "personal", "marriage"],
                                            [50, 25, 22, 3])[0],
                    "start_date": first.isoformat(), "end_date": last.isoformat(),
                    "reason": r.choice(["回老家探亲", "看病", "家中有事", "旅游"])}, None
        if step in ("manager_approval", "gm_approval"):
            return {}, "reject" if case.chance(0.06) else "approve"
        return {}, None


class EngineeringChange(Plan):
    key, per_month, starter, bottleneck = "engineering_change", 3, "engineer", "quality_sign"
    slow = (16.0, 48.0)

    def data(self, case: Case, step: str, now: datetime) -> Data:
        r = case.rng
        if step == "request":
            return {"part_number": f"DZ-{r.randrange(1000, 9999)}",
                    "current_revision": r.choice("ABCD"),
                    "change_description": r.choice(["板厚由3mm改为4mm", "更换密封圈材料",
                                                    "孔位调整2mm"]),
                    "change_reason": r.choice(["疲劳开裂", "供应商停产", "装配干涉"]),
                    "cost_estimate": amount(r, 18000, 1.0), "disposition": r.choice(
                        ["use_up", "rework", "scrap"])}, None
        if step == "technical_review":
            pick = r.random()
            return {"technical_opinion": ""}, "reject" if pick < 0.05 else (
                "revise" if pick < 0.2 and case.first(step) else "accept")
        if step in ("production_sign", "quality_sign", "purchasing_sign"):
            no = case.first(step) and case.chance(0.08)
            return {f"{step[:-5]}_opinion": "影响在制品" if no else "同意"}, (
                "disagree" if no else "agree")
        if step == "revise":
            return {"revision_note": "按会签意见修改"}, None
        if step == "gm_approval":
            return {}, "reject" if case.chance(0.1) else "approve"
        if step == "release":
            return {"new_revision": chr(ord(case.vars["current_revision"]) + 1),
                    "effective_from": _next_working_day(now.astimezone(SHANGHAI).date())}, None
        return {}, None


PLANS: list[Plan] = [SalesOrder(), MortgageLoan(), RetireeDeath(), SurvivorEntitlement(),
                     PensionPayment(), VehicleLoan(), OperatingRoom(), ExpenseClaim(),
                     LeaveRequest(), EngineeringChange()]


def _next_working_day(day: date) -> str:
    from liucheng.calendar import default_calendar

    return default_calendar().add_working_days(day, 1).isoformat()


def _in_filing_windows(rng: random.Random, cal: BusinessCalendar, begin: datetime,
                       end: datetime, count: int) -> list[datetime]:
    """Moments on working days between the 1st and the 15th, when units file reductions."""
    days = []
    day = begin.date()
    while day <= end.date():
        if day.day <= 15 and cal.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    out = []
    for _ in range(count if days else 0):
        at = datetime.combine(rng.choice(days), time(8, 30), SHANGHAI)
        out.append(at + timedelta(minutes=rng.randrange(420)))
    return sorted(t if t.hour < 12 or t.hour >= 13 else t + timedelta(hours=1.5)
                  for t in out if t < end)


# -- the simulation ------------------------------------------------------------------------
class _Simulation:
    def __init__(self, engine: Engine, rng: random.Random, begin: datetime, end: datetime,
                 members: dict[str, list[str]], progress: Progress | None) -> None:
        self.engine = engine
        self.rng = rng
        self.calendar = _calendar(engine)
        self.begin, self.end, self.now = begin, end, begin
        self.members = members
        self.progress = progress
        self.heap: list[tuple[datetime, int, Callable[[], None]]] = []
        self.seq = 0
        self.definitions: dict[str, ProcessDefinition] = {}
        self.cases: list[Case] = []
        self.planned = 0
        self.started = 0
        self.tasks_done = 0
        self.problems: list[str] = []
        self.generation: dict[str, int] = {}

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        if when <= self.end:
            self.seq += 1
            heapq.heappush(self.heap, (when, self.seq, action))

    def run(self) -> None:
        while self.heap:
            when, _, action = heapq.heappop(self.heap)
            self.now = max(self.now, when)
            action()

    def problem(self, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(text)

    # -- cases -----------------------------------------------------------------------
    def plan_cases(self, plan: Plan, count: int, scan: str) -> None:
        for i, moment in enumerate(plan.starts(self.rng, self.calendar, self.begin, self.end,
                                               count)):
            self.at(moment, self.starter(plan, self.rng.randrange(2**32), i, scan))
            self.planned += 1

    def starter(self, plan: Plan, seed: int, n: int, scan: str) -> Callable[[], None]:
        return lambda: self.start(plan, seed, n, scan)

    def start(self, plan: Plan, seed: int, n: int, scan: str) -> None:
        case = Case("", plan.key, random.Random(seed), scan=scan)
        case.extra.update(officers=self.members["loan_officer"],
                          nurses=self.members["circulating_nurse"],
                          surgeons=self.members["surgeon"],
                          anaesthetists=self.members["anaesthetist"], calendar=self.calendar)
        variables = plan.start_vars(case, self.now)
        starter = case.rng.choice(self.members[plan.starter])
        key = f"{MARKER}{plan.key.upper()}-{self.now:%y%m}-{n + 1:04d}"
        try:
            view = self.engine.start(plan.key, variables, user=starter, business_key=key)
        except LiuchengError as exc:
            self.problem(f"{plan.key}: cannot start: {exc}")
            return
        case.id, case.vars = view.id, dict(view.variables)
        self.cases.append(case)
        self.started += 1
        if self.progress is not None:
            self.progress(self.started, self.planned, plan.key)
        self.watch(case, plan)

    def watch(self, case: Case, plan: Plan) -> None:
        """Plan the work of every task of `case` that has just opened."""
        # in step order, not id order: the same seed must give the same history
        for task in sorted(self.engine.tasks(case=case.id, limit=200), key=lambda t: t.element):
            if task.id not in case.seen:
                case.seen.add(task.id)
                self.schedule(case, plan, task, self.now)

    def schedule(self, case: Case, plan: Plan, task: TaskView, ready: datetime) -> None:
        gen = self.generation[task.id] = self.generation.get(task.id, 0) + 1
        cal, r = self.calendar, case.rng
        begin = cal.add_working_hours(ready, r.uniform(*plan.wait(task.element)))
        floor = plan.not_before(case, task.element, ready)
        if floor is not None and begin < floor:
            begin = cal.add_working_hours(floor, r.uniform(0.0, 0.5))
        finish = cal.add_working_hours(begin, r.uniform(*plan.work(task.element)))
        user = task.assignee or self.pick(case, task)
        if user is None:
            self.problem(f"{case.key} {task.element}: nobody may do it")
            return
        # people take pool tasks when they start on them; to keep the run short, half of
        # the quick steps are simply completed (the claim is then implicit)
        if task.assignee is None and (task.element == plan.bottleneck or r.random() < 0.5):
            self.at(begin, lambda: self.act(case, plan, task, user, gen, claim=True))
        self.at(finish, lambda: self.act(case, plan, task, user, gen, claim=False))

    def pick(self, case: Case, task: TaskView) -> str | None:
        element = self.definitions[case.key].element(task.element)
        barred = set()
        if isinstance(element, UserTask):
            others = set(element.distinct_from) | {
                e.id for e, _ in self.definitions[case.key].walk()
                if isinstance(e, UserTask) and element.id in e.distinct_from}
            barred = {case.done_by[o] for o in others if o in case.done_by}
        choices = [u for u in self.members.get(task.role or "", []) if u not in barred]
        return case.rng.choice(choices) if choices else None

    def act(self, case: Case, plan: Plan, task: TaskView, user: str, gen: int, *,
            claim: bool) -> None:
        if self.generation.get(task.id) != gen:
            return  # re-planned after a refusal
        try:
            if claim:
                self.engine.claim(task.id, user=user)
                return
            variables, outcome = plan.data(case, task.element, self.now)
            documents = self.documents(case, task.element)
            if documents:
                variables["documents"] = documents
            view = self.engine.complete(task.id, variables, user=user, outcome=outcome)
        except StateError as exc:
            again = exc.context.get("next_open")
            if again and self.generation[task.id] < 6:
                self.schedule(case, plan, task, datetime.combine(
                    date.fromisoformat(str(again)), time(8, 30), SHANGHAI))
            else:
                self.problem(f"{case.key} {task.element}: {exc}")
            return
        except LiuchengError as exc:
            self.problem(f"{case.key} {task.element}: {exc}")
            return
        case.vars = dict(view.variables)
        case.done_by[task.element] = user
        case.times[task.element] = case.times.get(task.element, 0) + 1
        self.tasks_done += 1
        if view.status == "active":
            try:
                plan.after(self.engine, case, task.element, user)
            except LiuchengError as exc:
                self.problem(f"{case.key} {task.element}: {exc}")
            self.watch(case, plan)

    def documents(self, case: Case, step: str) -> dict[str, Any]:
        element = self.definitions[case.key].element(step)
        return {d.id: ({"checked": True, "files": [case.scan]} if d.scan else True)
                for d in getattr(element, "documents", ())}


def existing(engine: Engine) -> DemoSummary:
    """What demo data the database holds (cases whose business key marks them as demo)."""
    cases: dict[str, int] = {}
    open_: dict[str, int] = {}
    for row in engine.cases(limit=1_000_000):
        if not str(row.get("business_key") or "").startswith(MARKER):
            continue
        key = row["definition_key"]
        cases[key] = cases.get(key, 0) + 1
        if row["status"] == "active":
            open_[key] = open_.get(key, 0) + 1
    started = [r["started_at"] for r in engine.cases(limit=1_000_000)
               if str(r.get("business_key") or "").startswith(MARKER)]
    return DemoSummary(created=False, cases=cases, open_cases=open_, users=len(engine.users()),
                       start=min(started) if started else None,
                       end=max(started) if started else None)


def case_counts(months: int, cases: int | None) -> dict[str, int]:
    """Cases per process: the plans' monthly volumes, or `cases` shared out in proportion."""
    base = {p.key: p.per_month * months if p.key != "pension_payment" else months
            for p in PLANS}
    if cases is None:
        return base
    others = sum(v for k, v in base.items() if k != "pension_payment")
    left = max(0, cases - months)
    return {k: (v if k == "pension_payment" else max(1, round(v * left / others)))
            for k, v in base.items()}


def generate(engine: Engine, *, months: int = 3, cases: int | None = None, seed: int = 0,
             progress: Progress | None = None, end: datetime | None = None) -> DemoSummary:
    """Create the demo organisation and `months` of history ending at `end` (default: now).

    `cases` is the total number of cases (about; by default about 250 for three months).
    On a database that already has demo cases nothing is changed and the summary of what
    is there comes back with `created=False`.
    """
    found = existing(engine)
    if found.total:
        return found
    began = wallclock.monotonic()
    rng = random.Random(seed)
    finish = (end or engine.clock()).astimezone(SHANGHAI)
    start = datetime.combine(add_months(finish.date(), -months), time(8, 30), SHANGHAI)
    saved_clock, saved_handlers = engine.clock, dict(engine.handlers)
    for name, function in calendar_functions(_calendar(engine)).items():
        engine.functions.setdefault(name, function)  # the templates' date rules need them
    members: dict[str, list[str]] = {}
    sim = _Simulation(engine, rng, start, finish, members, progress)
    engine.clock = lambda: sim.now
    try:
        for user, name, roles in people(rng):
            engine.add_user(user, name, roles=roles)
            for role in roles:
                members.setdefault(role, []).append(user)
        for info in list_templates():
            # named by its key, as the engine names it when it compiles it again, so the
            # compiled definition is reused from the cache
            engine.deploy(template_source(info.name), format="yaml", source_name=info.key,
                          by="demo")
            sim.definitions[info.key] = engine.process(info.key)
        _erp_stub(engine, rng)
        scan = hashlib.sha256(b"liucheng demo scan").hexdigest()
        for plan, count in zip(PLANS, case_counts(months, cases).values(), strict=True):
            sim.plan_cases(plan, count, scan)
        sim.run()
    finally:
        engine.clock = saved_clock
        engine.handlers.clear()
        engine.handlers.update(saved_handlers)
    summary = existing(engine)
    summary.created = True
    summary.tasks_done = sim.tasks_done
    summary.start, summary.end = start, finish
    summary.seconds = wallclock.monotonic() - began
    summary.problems = sim.problems
    if progress is not None:
        progress(sim.planned, sim.planned, "done")
    return summary


def _calendar(engine: Engine) -> BusinessCalendar:
    from liucheng.calendar import default_calendar

    cal = getattr(engine, "calendar", None)
    return cal if isinstance(cal, BusinessCalendar) else default_calendar()


def _erp_stub(engine: Engine, rng: random.Random) -> None:
    """A stand-in ERP for the demo's engineering changes; now and then it is unreachable,
    which leaves an incident to look at and retry."""
    if "erp_engineering_change" in engine.handlers:
        return
    counter = {"n": 0}

    @engine.service("erp_engineering_change")
    def erp(call: ServiceCall) -> dict[str, Any]:
        counter["n"] += 1
        if rng.random() < 0.12:
            raise ConnectionError("ERP 接口超时 (timeout)")
        return {"erp_change_no": f"ECN-{counter['n']:05d}"}
