"""Leave request (PROCESSES.md §6): leave counted in working days on the official calendar
(holidays and weekends excluded, swapped working days included), the general manager
above 3 days, the doctor's note for sick leave, and dates that do not make sense."""

from __future__ import annotations

import pytest

from liucheng.errors import ValidationError
from templates.scenario import Office

TEMPLATE = "leave_request"


def _asked(office: Office, start: str, end: str, kind: str = "annual") -> str:
    case = office.start(user="employee.a")
    office.do(case, "submit", user="employee.a", leave_type=kind, start_date=start,
              end_date=end, reason="回老家")
    return case


@pytest.mark.parametrize("start, end, days, back", [
    ("2026-03-02", "2026-03-02", 1, "2026-03-03"),   # one Monday
    ("2026-03-06", "2026-03-09", 2, "2026-03-10"),   # Friday to Monday over a weekend
    ("2026-09-30", "2026-10-09", 3, "2026-10-10"),   # National Day 1–7 Oct; Sat 10 Oct worked
    ("2026-02-13", "2026-02-24", 3, "2026-02-25"),   # Spring Festival; Sat 14 Feb is worked
    ("2026-03-07", "2026-03-08", 0, "2026-03-09"),   # a weekend only
])
def test_leave_days_are_working_days(office: Office, start: str, end: str, days: int,
                                     back: str) -> None:
    case = _asked(office, start, end)
    assert office.var(case, "leave_days") == days
    assert office.var(case, "back_on") == back


def test_end_before_start_or_no_working_day_goes_back(office: Office) -> None:
    case = office.start(user="employee.a")
    with pytest.raises(ValidationError):  # the form refuses end before start
        office.do(case, "submit", user="employee.a", leave_type="personal",
                  start_date="2026-03-10", end_date="2026-03-09", reason="x")
    office.do(case, "submit", user="employee.a", leave_type="personal",
              start_date="2026-03-07", end_date="2026-03-08", reason="x")
    assert office.open_steps(case) == ["submit"]


@pytest.mark.parametrize("start, end, needs_gm", [
    ("2026-03-02", "2026-03-04", False),   # 3 working days
    ("2026-03-02", "2026-03-05", True),    # 4 working days
])
def test_general_manager_approves_above_three_days(office: Office, start: str, end: str,
                                                   needs_gm: bool) -> None:
    case = _asked(office, start, end)
    office.do(case, "manager_approval", "approve")
    assert office.open_steps(case) == (["gm_approval"] if needs_gm else ["hr_record"])
    if needs_gm:
        office.do(case, "gm_approval", "approve")
    office.do(case, "hr_record")
    assert office.ended_at(case) == ["approved"]


def test_rejected_leave_ends(office: Office) -> None:
    case = _asked(office, "2026-03-02", "2026-03-20")
    office.do(case, "manager_approval", "approve")
    office.do(case, "gm_approval", "reject")
    assert office.ended_at(case) == ["rejected"]


@pytest.mark.parametrize("start, end, needs_note", [
    ("2026-03-02", "2026-03-03", False), ("2026-03-02", "2026-03-04", True)])
def test_sick_leave_above_two_days_needs_a_doctors_note(office: Office, start: str, end: str,
                                                        needs_note: bool) -> None:
    case = office.start(user="employee.a")
    args = {"leave_type": "sick", "start_date": start, "end_date": end, "reason": "发烧"}
    if needs_note:
        with pytest.raises(ValidationError) as err:
            office.do(case, "submit", user="employee.a", documents={}, **args)
        assert [p.field for p in err.value.problems] == ["documents.sick_note"]
    else:
        office.do(case, "submit", user="employee.a", documents={}, **args)
        assert office.open_steps(case) == ["manager_approval"]
