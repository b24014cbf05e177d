"""Operating room (PROCESSES.md §5): the 11:00 elective cutoff (on the working day before
the operation), true emergencies vs late electives filed as emergency, follow-on
scheduling, confirmations by room, anaesthesia and ward, the status-board stages, and the
charges checked at the nurse station by someone other than the nurse who entered them, the
schedule withdrawn and changed until it is taken up, and the department's statistics
(workloads in cases and hours, cases and income per specialty, consumables) from the
declared reports."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

import pytest

from liucheng import analytics as an
from liucheng.cli.main import main
from liucheng.errors import ConflictError, ForbiddenError, ValidationError
from liucheng.loaders.yaml_reports import declared_measures
from liucheng.storage.tables import events, instances, tasks
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


def test_a_saved_schedule_can_be_withdrawn_and_changed_until_it_is_taken_up(
        office: Office) -> None:
    case = _scheduled(office)
    office.engine.withdraw(case, user="head_nurse.a", step="schedule")
    assert office.open_steps(case) == ["schedule"]
    office.do(case, "schedule", room=5, room_order=1, circulating_nurse="circulating_nurse.b",
              scrub_nurse="circulating_nurse.a")
    assert office.var(case, "room") == 5
    assert office.task(case, "room_confirm").assignee == "circulating_nurse.b"
    office.engine.claim(office.task(case, "ward_confirm").id, user="ward_nurse.a")
    with pytest.raises(ConflictError, match="too late"):
        office.engine.withdraw(case, user="head_nurse.a", step="schedule")


STAFF = {"nurse.zhao": "circulating_nurse", "nurse.sun": "circulating_nurse",
         "dr.qian": "surgeon", "dr.li": "surgeon", "dr.zhou": "anaesthetist"}


def _operated(office: Office, specialty: str, surgeon: str, start: str, end: str,
              high_value: int) -> str:
    case = _applied(office, (2026, 3, 2, 9, 30), specialty=specialty)
    office.do(case, "schedule", room=2, room_order=1, circulating_nurse="nurse.zhao",
              scrub_nurse="nurse.sun")
    office.do(case, "room_confirm")
    office.do(case, "anaesthesia_confirm", anaesthetist="dr.zhou")
    office.do(case, "ward_confirm")
    office.do(case, "patient_in_pre_op", site_side_confirmed=True)
    office.do(case, "surgery_start", surgeon=surgeon, anaesthetist="dr.zhou", actual_start=start)
    office.do(case, "surgery_end", actual_procedure="x", actual_end=end)
    office.do(case, "charging", procedure_fee=2000, consumables_low_value=100,
              consumables_high_value=high_value, drugs=500)
    return case


def test_the_statistics_count_cases_and_hours_per_person_and_income_per_specialty(
        office: Office, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for user, role in STAFF.items():
        office.engine.add_user(user, user, roles=[role])
    first = _operated(office, "骨科", "dr.qian", "2026-03-04T08:40:00+08:00",
                      "2026-03-04T11:10:00+08:00", 4000)  # 2.5 hours
    assert office.var(first, "surgery_hours") == Decimal("2.5")
    _operated(office, "骨科", "dr.qian", "2026-03-04T13:00:00+08:00",
              "2026-03-04T13:45:00+08:00", 0)  # 0.75 hours
    _operated(office, "眼科", "dr.li", "2026-03-05T09:00:00+08:00",
              "2026-03-05T10:00:00+08:00", 1200)
    reports = {r["id"]: r for r in declared_measures(office.definition.extensions)}
    assert set(reports) == {
        "circulating_nurse_workload", "scrub_nurse_workload", "surgeon_workload",
        "anaesthetist_workload", "income_per_specialty", "low_value_consumables_per_surgeon",
        "high_value_consumables_per_surgeon", "consumables_per_specialty"}

    def rows(report: str) -> dict[str | None, tuple[int, float | None]]:
        spec = reports[report]
        with office.engine.db.connect() as conn:
            found = an.measure(conn, an.Tables(instances, tasks, events),
                               an.Filters(office.key), spec["measure"],
                               group_by=spec["group_by"])
        return {m.group: (m.count, m.sum) for m in found}

    assert rows("surgeon_workload")["dr.qian"] == (2, 3.25)
    assert rows("surgeon_workload")["dr.li"] == (1, 1.0)
    assert rows("anaesthetist_workload")["dr.zhou"] == (3, 4.25)
    assert rows("circulating_nurse_workload")["nurse.zhao"] == (3, 4.25)
    assert rows("scrub_nurse_workload")["nurse.sun"] == (3, 4.25)
    assert rows("income_per_specialty")["骨科"] == (2, 2600 * 2 + 4000)
    assert rows("income_per_specialty")["眼科"] == (1, 3800)
    assert rows("high_value_consumables_per_surgeon")["dr.qian"] == (2, 4000)
    assert rows("low_value_consumables_per_surgeon")["dr.li"] == (1, 100)
    assert rows("consumables_per_specialty")["眼科"] == (1, 1200)

    monkeypatch.setenv("LIUCHENG_DATABASE_URL", str(office.engine.db.url))
    monkeypatch.setattr(sys, "argv", ["liucheng", "report", "declared", "operating_room",
                                      "--report", "surgeon_workload", "--json"])
    capsys.readouterr()
    main()
    (report,) = json.loads(capsys.readouterr().out)
    assert report["title"] == "手术医生工作量"
    qian = next(r for r in report["rows"] if r["group"] == "dr.qian")
    assert (qian["count"], qian["sum"]) == (2, 3.25)
    monkeypatch.setattr(sys, "argv", ["liucheng", "report", "declared", "operating_room",
                                      "--report", "nurse_hours"])
    with pytest.raises(SystemExit) as refused:
        main()
    assert refused.value.code != 0
    said = capsys.readouterr()
    assert "declares no report 'nurse_hours'" in said.out + said.err
    assert "surgeon_workload" in said.out + said.err
