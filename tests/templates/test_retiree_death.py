"""Death of a retiree (PROCESSES.md §3a): the filing window of the 1st–19th of the month
after the death with statutory rest days excluded (refused outside it, naming the next
opening), the documents for those retired after January 1996, the return of incomplete
papers, the pension stop, and the card collection in the first 10 working days."""

from __future__ import annotations

from typing import Any

import pytest

from liucheng.errors import StateError, ValidationError
from templates.scenario import Office, id_number, ticked

TEMPLATE = "retiree_death"


def _filing(death: str = "2026-09-03", retired: str = "2000-05-01") -> dict[str, Any]:
    return {"retiree_name": "孙德胜", "retiree_id_number": id_number("1940-02-02"),
            "death_date": death, "retired_on": retired, "recipient_name": "孙丽",
            "recipient_id_number": id_number("1968-06-06", 222), "recipient_relation": "女儿"}


def _started(office: Office) -> str:
    return office.start(user="management_unit.a")


@pytest.mark.parametrize("day, opens", [
    ((2026, 9, 20), "2026-10-08"),    # the month of the death: too early
    ((2026, 10, 6), "2026-10-08"),    # National Day holidays inside the window
    ((2026, 10, 11), "2026-10-12"),   # a Sunday inside the window
    ((2026, 10, 20), "2026-11-02"),   # after the 19th: next month's window
])
def test_filing_outside_the_window_is_refused_naming_the_next_opening(
        office: Office, day: tuple[int, int, int], opens: str) -> None:
    case = _started(office)
    office.clock.set(*day)
    with pytest.raises(StateError, match=f"next opens on {opens}"):
        office.do(case, "file_reduction", **_filing())
    assert office.open_steps(case) == ["file_reduction"]
    assert "death_date" not in office.case(case).variables


@pytest.mark.parametrize("day", [(2026, 10, 8), (2026, 10, 10), (2026, 10, 19)])
def test_filing_inside_the_window_is_recorded(office: Office, day: tuple[int, int, int]) -> None:
    # 10 October 2026 is a Saturday worked in exchange for National Day
    case = _started(office)
    office.clock.set(*day)
    office.do(case, "file_reduction", **_filing())
    assert office.open_steps(case) == ["record_reduction"]
    assert office.var(case, "filed_on") == f"2026-{day[1]:02d}-{day[2]:02d}"
    assert office.var(case, "late_filing") is False


def test_a_late_filing_is_taken_in_a_later_window_and_flagged(office: Office) -> None:
    case = _started(office)
    office.clock.set(2026, 11, 2)
    office.do(case, "file_reduction", **_filing())
    assert office.var(case, "late_filing") is True


def test_retired_after_january_1996_needs_the_three_extra_papers(office: Office) -> None:
    case = _started(office)
    office.clock.set(2026, 10, 9)
    basic = ticked(office.definition.element("file_reduction"))
    for extra in ("retiree_increase_form_copy", "retirement_approval_form", "pension_booklet"):
        basic.pop(extra)
    with pytest.raises(ValidationError) as err:
        office.do(case, "file_reduction", documents=basic, **_filing(retired="1996-01-01"))
    assert {p.field for p in err.value.problems} == {
        "documents.retiree_increase_form_copy", "documents.retirement_approval_form",
        "documents.pension_booklet"}
    office.do(case, "file_reduction", documents=basic, **_filing(retired="1995-12-31"))
    assert office.open_steps(case) == ["record_reduction"]


def test_death_before_retirement_is_refused(office: Office) -> None:
    case = _started(office)
    office.clock.set(2026, 10, 9)
    with pytest.raises(ValidationError):
        office.do(case, "file_reduction", **_filing(retired="2026-10-01"))


def _recorded(office: Office) -> str:
    case = _started(office)
    office.clock.set(2026, 10, 9)
    office.do(case, "file_reduction", **_filing())
    office.do(case, "record_reduction", "recorded", funeral_grant=5000, one_off_relief=12000,
              account_balance=8321.5)
    return case


def test_incomplete_papers_go_back_to_the_unit(office: Office) -> None:
    case = _started(office)
    office.clock.set(2026, 10, 9)
    office.do(case, "file_reduction", **_filing())
    office.do(case, "record_reduction", "return", funeral_grant=0, one_off_relief=0,
              account_balance=0)
    assert office.open_steps(case) == ["file_reduction"]
    assert office.task(case, "file_reduction").role == "management_unit"


def test_pension_stops_from_the_month_after_death_and_card_dates_are_set(office: Office) -> None:
    case = _recorded(office)
    variables = office.case(case).variables
    assert variables["pension_stopped_from"] == "2026-10-01"
    assert variables["pension_status"] == "stopped"
    assert variables["total_payable"] == 25321.5
    assert variables["review_completed_on"] == "2026-10-09"
    assert (variables["card_collection_from"], variables["card_collection_until"]) == (
        "2026-11-02", "2026-11-13")
    assert office.open_steps(case) == ["collect_card"]


@pytest.mark.parametrize("day, ok", [((2026, 10, 30), False), ((2026, 11, 2), True),
                                     ((2026, 11, 13), True), ((2026, 11, 16), False)])
def test_card_collected_in_the_first_ten_working_days_of_the_next_month(
        office: Office, day: tuple[int, int, int], ok: bool) -> None:
    case = _recorded(office)
    office.clock.set(*day)
    if not ok:
        with pytest.raises(StateError):
            office.do(case, "collect_card", card_number="6222021000000005")
        assert office.open_steps(case) == ["collect_card"]
        return
    office.do(case, "collect_card", card_number="6222021000000005")
    assert office.status(case) == "completed"
    assert office.var(case, "card_collected_on") == f"2026-11-{day[2]:02d}"
