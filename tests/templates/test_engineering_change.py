"""Engineering change (PROCESSES.md §6): the chief engineer's review, the countersign of
production, quality and purchasing (every department must agree), revisions, the general
manager for costly changes, and the ERP update through a service handler."""

from __future__ import annotations

from typing import Any

import pytest

from liucheng.runtime.service import ServiceCall
from templates.scenario import Office

TEMPLATE = "engineering_change"
SIGNERS = ["production_sign", "purchasing_sign", "quality_sign"]


@pytest.fixture
def erp(office: Office) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    @office.engine.service("erp_engineering_change")
    def update(call: ServiceCall) -> dict[str, Any]:
        calls.append(dict(call.variables))
        return {"erp_change_no": f"ECN-{len(calls):04d}"}

    return calls


def _requested(office: Office, cost: int = 8000) -> str:
    case = office.start(user="engineer.a")
    office.do(case, "request", part_number="DZ-1002", current_revision="B",
              change_description="支架板厚由 3mm 改为 4mm", change_reason="疲劳开裂",
              cost_estimate=cost, disposition="use_up")
    return case


def _countersigned(office: Office, case: str, disagree: str | None = None) -> None:
    office.do(case, "technical_review", "accept")
    assert office.open_steps(case) == SIGNERS
    for step in SIGNERS:
        office.do(case, step, "disagree" if step == disagree else "agree")


def test_every_department_must_agree(office: Office, erp: list[dict[str, Any]]) -> None:
    case = _requested(office)
    _countersigned(office, case)
    assert office.open_steps(case) == ["release"]
    office.do(case, "release", new_revision="C", effective_from="2026-03-16")
    assert office.status(case) == "completed"
    assert office.var(case, "erp_change_no") == "ECN-0001"
    assert erp[0]["new_revision"] == "C"


@pytest.mark.parametrize("disagree", SIGNERS)
def test_one_disagreement_sends_it_back_for_revision(office: Office, disagree: str,
                                                     erp: list[dict[str, Any]]) -> None:
    case = _requested(office)
    _countersigned(office, case, disagree)
    assert office.open_steps(case) == ["revise"]
    assert office.task(case, "revise").assignee == "engineer.a"
    office.do(case, "revise", revision_note="增加过渡圆角")
    assert office.var(case, "revisions") == 1
    assert office.open_steps(case) == ["technical_review"]


def test_costly_change_needs_the_general_manager(office: Office,
                                                 erp: list[dict[str, Any]]) -> None:
    case = _requested(office, cost=80000)
    _countersigned(office, case)
    assert office.open_steps(case) == ["gm_approval"]
    office.do(case, "gm_approval", "reject")
    assert office.ended_at(case) == ["rejected"]
    assert erp == []


def test_chief_engineer_can_reject_or_ask_for_revision(office: Office) -> None:
    case = _requested(office)
    office.do(case, "technical_review", "revise", technical_opinion="补充强度计算")
    assert office.open_steps(case) == ["revise"]
    other = _requested(office)
    office.do(other, "technical_review", "reject")
    assert office.ended_at(other) == ["rejected"]


def test_an_erp_failure_is_an_incident_that_can_be_retried(office: Office) -> None:
    calls: list[int] = []

    @office.engine.service("erp_engineering_change")
    def failing(call: ServiceCall) -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("ERP not reachable")
        return {"erp_change_no": "ECN-9"}

    case = _requested(office)
    _countersigned(office, case)
    office.do(case, "release", new_revision="C", effective_from="2026-03-16")
    view = office.case(case)
    assert view.status == "active"
    assert [i["element"] for i in view.incidents] == ["update_erp"]
    assert "ERP not reachable" in view.incidents[0]["reason"]
    office.engine.retry(view.incidents[0]["id"], user="engineer.a")
    assert office.status(case) == "completed"
    assert office.var(case, "erp_change_no") == "ECN-9"
