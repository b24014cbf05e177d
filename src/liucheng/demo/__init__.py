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

The package: `organisation` (staff and names), `values` (realistic form values), `plans`
(one plan per process, grouped by office), `simulation` (the working-time clock and the
people at work), `summary` (what the database holds) and `build` (`generate`).
"""

from liucheng.demo.build import generate
from liucheng.demo.organisation import GIVEN, LENDING_STAFF, STAFF, SURNAMES, add_people, people
from liucheng.demo.plans import (
    BANKS,
    PLANS,
    Case,
    Data,
    EngineeringChange,
    ExpenseClaim,
    LeaveRequest,
    MortgageLoan,
    OperatingRoom,
    PensionPayment,
    Plan,
    RetireeDeath,
    SalesOrder,
    SurvivorEntitlement,
    VehicleLoan,
    case_counts,
)
from liucheng.demo.plans.base import SHANGHAI
from liucheng.demo.simulation import Progress
from liucheng.demo.summary import MARKER, DemoSummary, existing
from liucheng.demo.values import (
    COMPANIES,
    STREETS,
    address,
    amount,
    bank_card,
    id_number,
    mobile,
    person_name,
)

__all__ = [
    "BANKS",
    "COMPANIES",
    "GIVEN",
    "LENDING_STAFF",
    "MARKER",
    "PLANS",
    "SHANGHAI",
    "STAFF",
    "STREETS",
    "SURNAMES",
    "Case",
    "Data",
    "DemoSummary",
    "EngineeringChange",
    "ExpenseClaim",
    "LeaveRequest",
    "MortgageLoan",
    "OperatingRoom",
    "PensionPayment",
    "Plan",
    "Progress",
    "RetireeDeath",
    "SalesOrder",
    "SurvivorEntitlement",
    "VehicleLoan",
    "add_people",
    "address",
    "amount",
    "bank_card",
    "case_counts",
    "existing",
    "generate",
    "id_number",
    "mobile",
    "people",
    "person_name",
]
