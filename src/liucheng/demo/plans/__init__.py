"""The demo's process plans, one per shipped template, and how many cases each gets.

`PLANS` is in a fixed order: the simulation draws every case's seed from one random source
in this order, so reordering it would change the data a seed gives.
"""

from __future__ import annotations

from liucheng.demo.plans.base import Case, Data, Plan
from liucheng.demo.plans.company import (
    EngineeringChange,
    ExpenseClaim,
    LeaveRequest,
    SalesOrder,
)
from liucheng.demo.plans.hospital import OperatingRoom
from liucheng.demo.plans.lending import MortgageLoan, VehicleLoan
from liucheng.demo.plans.pensions import (
    BANKS,
    PensionPayment,
    RetireeDeath,
    SurvivorEntitlement,
)

PLANS: list[Plan] = [SalesOrder(), MortgageLoan(), RetireeDeath(), SurvivorEntitlement(),
                     PensionPayment(), VehicleLoan(), OperatingRoom(), ExpenseClaim(),
                     LeaveRequest(), EngineeringChange()]


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


__all__ = [
    "BANKS",
    "PLANS",
    "Case",
    "Data",
    "EngineeringChange",
    "ExpenseClaim",
    "LeaveRequest",
    "MortgageLoan",
    "OperatingRoom",
    "PensionPayment",
    "Plan",
    "RetireeDeath",
    "SalesOrder",
    "SurvivorEntitlement",
    "VehicleLoan",
    "case_counts",
]
