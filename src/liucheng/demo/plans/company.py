"""Demo plans for the company processes: sales orders, expense claims, leave requests and
engineering changes.
"""

from __future__ import annotations

from datetime import datetime

from liucheng.demo.plans.base import SHANGHAI, Case, Data, Plan, next_working_day, today
from liucheng.demo.values import COMPANIES, amount, mobile


class SalesOrder(Plan):
    key, per_month, starter, bottleneck = "sales_order", 120, "sales_rep", "credit_check"

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
            return {"shipped_on": today(now), "waybill": f"YD{r.randrange(10**8):08d}"}, None
        if step == "invoice":
            return {"invoice_no": f"{r.randrange(10**8):08d}", "invoice_amount": v["price"]}, None
        if step == "collect_payment":
            return {"received": v["price"]}, None
        return {}, None


class ExpenseClaim(Plan):
    key, per_month, starter, bottleneck = "expense_claim", 180, "employee", "finance_review"
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
    key, per_month, starter, bottleneck = "leave_request", 140, "employee", "manager_approval"
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
    key, per_month, starter, bottleneck = "engineering_change", 30, "engineer", "quality_sign"
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
                    "effective_from": next_working_day(now.astimezone(SHANGHAI).date())}, None
        return {}, None
