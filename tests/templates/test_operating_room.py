"""Operating room (PROCESSES.md §5): the 11:00 elective cutoff (on the working day before
the operation), true emergencies vs late electives filed as emergency, follow-on
scheduling, confirmations by room, anaesthesia and ward, the status-board stages, and the
charges checked at the nurse station by someone other than the nurse who entered them."""

from __future__ import annotations

from typing import Any

import pytest

from liucheng.errors import ForbiddenError, ValidationError
from templates.scenario import Office

TEMPLATE = "operating_room"


def _application(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "patient_name": "李秀兰", "inpatient_no": "Z2026001", "specialty": "泌尿外科",
        "ward": "外科三病区", "procedure": "腹腔镜肾切除术", "site": "肾", "side": "right",
        "approach": "经腹腔", "planned_date": "2026-03-04", "urgency": "elective",
        "clinically_urgent": False, "phoned_in": False}
    return {**base, **extra}


def _applied(office: Office, when: tuple[int, int, int, int, int], **extra: Any) -> str:
    case = office.start(user="resident_in_chief.a")
    office.clock.set(*when)
    office.do(case, "apply", **_application(**extra))
    return case


@pytest.mark.parametrize("when, planned, late", [
    ((2026, 3, 3, 10, 59), "2026-03-04", False),   # Tuesday before 11:00 for Wednesday
    ((2026, 3, 3, 11, 0), "2026-03-04", True),     # at 11:00 the list is closed
    ((2026, 3, 3, 12, 30), "2026-03-04", True),    # lunch time
    ((2026, 3, 3, 19, 0), "2026-03-04", True),     # evening
    ((2026, 3, 2, 16, 0), "2026-03-04", False),    # two days ahead
    ((2026, 3, 6, 10, 0), "2026-03-09", False),    # Friday morning for Monday
    ((2026, 3, 7, 9, 0), "2026-03-09", True),      # Saturday for Monday: Friday closed it
])
def test_elective_applications_close_at_11_on_the_working_day_before(
        office: Office, when: tuple[int, int, int, int, int], planned: str, late: bool) -> None:
    case = _applied(office, when, planned_date=planned, urgency="emergency", phoned_in=True)
    assert office.var(case, "after_cutoff") is late
    assert office.var(case, "or_class") == ("late_elective" if late else "elective")
    assert office.open_steps(case) == (["schedule_follow_on"] if late else ["schedule"])


def test_late_elective_not_filed_as_emergency_must_be_filed_again(office: Office) -> None:
    case = _applied(office, (2026, 3, 3, 14, 0))
    assert office.var(case, "must_refile") is True
    assert office.open_steps(case) == ["apply"]
    office.do(case, "apply", urgency="emergency", phoned_in=False)
    assert office.open_steps(case) == ["apply"]
    office.do(case, "apply", urgency="emergency", phoned_in=True)
    assert office.open_steps(case) == ["schedule_follow_on"]
    assert office.var(case, "board_colour") == "orange"


def test_true_emergency_is_red_and_scheduled_normally(office: Office) -> None:
    case = _applied(office, (2026, 3, 3, 22, 0), urgency="emergency", clinically_urgent=True,
                    phoned_in=True, planned_date="2026-03-03")
    assert office.var(case, "or_class") == "emergency"
    assert office.var(case, "board_colour") == "red"
    assert office.open_steps(case) == ["schedule"]


def test_on_time_elective_is_blue_and_the_ward_mark_starts_red(office: Office) -> None:
    case = _applied(office, (2026, 3, 2, 9, 30))
    assert office.var(case, "board_colour") == "blue"
    assert office.var(case, "ward_mark") == "red"
    assert office.var(case, "board_stage") == "waiting"


def _scheduled(office: Office) -> str:
    case = _applied(office, (2026, 3, 2, 9, 30))
    office.do(case, "schedule", room=3, room_order=2, circulating_nurse="circulating_nurse.a",
              scrub_nurse="circulating_nurse.b")
    return case


def test_saving_the_schedule_turns_the_mark_green_and_asks_for_confirmations(
        office: Office) -> None:
    case = _scheduled(office)
    assert office.var(case, "ward_mark") == "green"
    assert office.open_steps(case) == ["anaesthesia_confirm", "room_confirm", "ward_confirm"]
    assert office.task(case, "room_confirm").assignee == "circulating_nurse.a"


def _in_surgery(office: Office) -> str:
    case = _scheduled(office)
    office.do(case, "room_confirm")
    office.do(case, "anaesthesia_confirm", anaesthetist="anaesthetist.a")
    office.do(case, "ward_confirm")
    office.do(case, "patient_in_pre_op", site_side_confirmed=True)
    assert office.var(case, "board_stage") == "in_pre_op"
    office.do(case, "surgery_start", surgeon="surgeon.a", anaesthetist="anaesthetist.a",
              actual_start="2026-03-04T08:40:00+08:00")
    assert office.var(case, "board_stage") == "in_surgery"
    return case


def test_end_cannot_be_on_a_day_before_the_start(office: Office) -> None:
    case = _in_surgery(office)
    with pytest.raises(ValidationError):
        office.do(case, "surgery_end", actual_procedure="腹腔镜右肾切除术",
                  actual_end="2026-03-03T23:00:00+08:00")


def test_after_the_operation_orders_recovery_and_charges_run_in_parallel(office: Office) -> None:
    case = _in_surgery(office)
    office.do(case, "surgery_end", actual_procedure="腹腔镜右肾切除术",
              actual_end="2026-03-04T11:10:00+08:00")
    assert office.var(case, "board_stage") == "in_recovery"
    assert office.open_steps(case) == ["charging", "post_op_orders", "recovery"]
    assert office.task(case, "post_op_orders").assignee == "surgeon.a"
    assert office.task(case, "recovery").assignee == "anaesthetist.a"
    office.do(case, "charging", procedure_fee=3200, consumables_low_value=180.5,
              consumables_high_value=4600, drugs=920)
    assert office.var(case, "total_charge") == 8900.5
    office.do(case, "charge_check", "mismatch", charge_remarks="高值耗材多收一件")
    assert "charging" in office.open_steps(case)
    office.do(case, "charging", consumables_high_value=2300)
    assert office.var(case, "total_charge") == 6600.5
    office.do(case, "charge_check", "match")
    office.do(case, "post_op_orders")
    office.do(case, "recovery")
    assert office.status(case) == "active"
    office.do(case, "back_to_ward")
    assert office.var(case, "board_stage") == "back_to_ward"
    assert office.status(case) == "completed"


def test_the_nurse_who_entered_the_charges_cannot_check_them(office: Office) -> None:
    office.engine.add_user("wu.jing", "吴静", roles=["circulating_nurse", "charge_checker"])
    case = _applied(office, (2026, 3, 2, 9, 30))
    office.do(case, "schedule", room=1, room_order=1, circulating_nurse="wu.jing",
              scrub_nurse="circulating_nurse.b")
    office.do(case, "room_confirm")
    office.do(case, "anaesthesia_confirm", anaesthetist="anaesthetist.a")
    office.do(case, "ward_confirm")
    office.do(case, "patient_in_pre_op", site_side_confirmed=True)
    office.do(case, "surgery_start", surgeon="surgeon.a", anaesthetist="anaesthetist.a",
              actual_start="2026-03-04T08:40:00+08:00")
    office.do(case, "surgery_end", actual_procedure="x", actual_end="2026-03-04T10:00:00+08:00")
    office.do(case, "charging", procedure_fee=1, consumables_low_value=0,
              consumables_high_value=0, drugs=0)
    with pytest.raises(ForbiddenError, match="four-eyes"):
        office.do(case, "charge_check", "match", user="wu.jing")
    office.do(case, "charge_check", "match", user="charge_checker.a")
    assert "charge_check" not in office.open_steps(case)
