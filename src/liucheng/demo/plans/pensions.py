"""Demo plans for the pension office: retiree deaths and survivor entitlements, filed by
the management units in the first half of the month, and the monthly pension payment.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from liucheng.calendar import BusinessCalendar, add_months
from liucheng.demo.plans.base import SHANGHAI, Case, Data, Plan
from liucheng.demo.values import amount, bank_card, id_number, person_name


class RetireeDeath(Plan):
    key, per_month, starter, bottleneck = "retiree_death", 80, "management_unit", "record_reduction"
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
    key, per_month, starter, bottleneck = ("survivor_entitlement", 30, "management_unit",
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
