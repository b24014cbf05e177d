"""A survivor loses entitlement (PROCESSES.md §3b): documents by reason, the filing window,
the return of incomplete papers and the benefit stop."""

from __future__ import annotations

from typing import Any

import pytest

from liucheng.errors import StateError, ValidationError
from templates.scenario import Office, id_number, ticked

TEMPLATE = "survivor_entitlement"


def _filing(reason: str, ended: str = "2026-02-10") -> dict[str, Any]:
    return {"survivor_name": "刘芳", "survivor_id_number": id_number("2006-01-05", 42),
            "loss_reason": reason, "entitlement_ended": ended}


@pytest.mark.parametrize("reason, needed", [
    ("death", {"documents.death_certificate", "documents.reduction_form"}),
    ("other", {"documents.unit_proof", "documents.reduction_form", "documents.survivor_id"}),
])
def test_documents_depend_on_why_the_entitlement_ended(office: Office, reason: str,
                                                       needed: set[str]) -> None:
    case = office.start(user="management_unit.a")
    office.clock.set(2026, 3, 2)
    with pytest.raises(ValidationError) as err:
        office.do(case, "file_reduction", documents={}, **_filing(reason))
    assert {p.field for p in err.value.problems} == needed
    office.do(case, "file_reduction", documents=ticked(
        office.definition.element("file_reduction")), **_filing(reason))
    assert office.open_steps(case) == ["record_reduction"]


def test_filing_in_the_month_the_entitlement_ended_is_refused(office: Office) -> None:
    case = office.start(user="management_unit.a")
    office.clock.set(2026, 2, 24)
    with pytest.raises(StateError, match="next opens on 2026-03-02"):
        office.do(case, "file_reduction", **_filing("other"))


def test_spring_festival_closes_the_rest_of_the_february_window(office: Office) -> None:
    # a January loss: 1–19 February 2026, but 15–19 February are the Spring Festival,
    # while Saturday 14 February is a working day in exchange
    case = office.start(user="management_unit.a")
    office.clock.set(2026, 2, 17)
    with pytest.raises(StateError, match="next opens on 2026-03-02"):
        office.do(case, "file_reduction", **_filing("other", ended="2026-01-10"))
    office.clock.set(2026, 2, 14)
    office.do(case, "file_reduction", **_filing("other", ended="2026-01-10"))
    assert office.var(case, "late_filing") is False


def test_recorded_reduction_stops_the_benefit(office: Office) -> None:
    case = office.start(user="management_unit.a")
    office.clock.set(2026, 3, 19)
    office.do(case, "file_reduction", **_filing("death"))
    office.do(case, "record_reduction", "return")
    assert office.open_steps(case) == ["file_reduction"]
    office.do(case, "file_reduction")
    office.do(case, "record_reduction", "recorded")
    assert office.status(case) == "completed"
    assert office.var(case, "benefit_stopped_from") == "2026-03-01"
    assert office.var(case, "benefit_status") == "stopped"
    assert office.done_steps(case) == ["file_reduction", "record_reduction", "file_reduction",
                                       "record_reduction"]
