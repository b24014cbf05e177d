"""Forms, checklists, cross-field checks, decision-table steps and supplements in the core."""

from __future__ import annotations

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine import commands as c
from liucheng.engine.commands import Actor
from liucheng.errors import ConflictError, ModelError, ValidationError
from liucheng.loaders.yaml_dsl import load_yaml

REVIEW = """
process: review
roles: {officer: 业务员}
steps:
  - id: intake
    role: officer
    form:
      - {id: owner_name, type: text, required: true, label: {zh: 产权人, en: Owner}}
      - id: marital_status
        type: select
        required: true
        choices: [single, married, divorced, widowed]
      - {id: amount, type: money, required: true, min: 10000, label: {zh: 借款金额, en: Amount}}
      - {id: owner_id, type: id_number, required: true}
      - id: phones
        type: group
        min_items: 3
        fields: [{id: mobile, type: mobile, required: true}]
      - {id: divorce_date, type: date, required_if: marital_status == "divorced", max: today}
      - {id: total_fee, type: money, compute: 80 + 360}
    checks:
      - {same: [owner_name, id_card.name]}
    documents:
      - {id: property_cert, label: {zh: 产权证, en: Property certificate}, scan: true,
         check: {zh: 核对产权人姓名与坐落, en: Check the owner's name and location}}
      - {id: divorce_papers, label: {zh: 离婚判决书, en: Divorce judgment},
         required: marital_status == "divorced"}
  - id: check
    role: officer
    form:
      - {id: amount, mode: readonly, type: money}
      - {id: remark, type: textarea}
"""
SHA = "a" * 64
GOOD = {"owner_name": "张三", "marital_status": "single", "amount": "200,000.00",
        "owner_id": "11010519491231002X", "id_card": None,
        "phones": [{"mobile": "13800138000"}, {"mobile": "139 0013 9000"},
                   {"mobile": "+86 137-0013-7000"}],
        "documents": {"property_cert": {"checked": True, "files": [SHA]}}}


def _submit(case: Case, step: str, data: dict[str, object]) -> list[str]:
    try:
        case.run(c.CompleteTask(ADMIN, case.task_id(step), data))
    except ValidationError as err:
        return sorted(str(p.field) for p in err.problems)
    return []


def test_a_complete_submission_is_cleaned_and_stored() -> None:
    case = Case(REVIEW).start(id_card={"name": "张三"})
    data = {k: v for k, v in GOOD.items() if k != "id_card"}
    assert _submit(case, "intake", data) == []
    assert case.state is not None
    variables = case.state["variables"]
    assert variables["amount"] == 200000 and variables["total_fee"] == 440
    assert variables["phones"][1] == {"mobile": "13900139000"}
    assert variables["documents"]["property_cert"]["files"] == [SHA]


def test_every_problem_is_named_at_once_and_nothing_changes() -> None:
    case = Case(REVIEW).start(id_card={"name": "李四"})
    before = case.state
    bad = {**{k: v for k, v in GOOD.items() if k != "id_card"}, "amount": "500",
           "owner_id": "110105194912310021", "marital_status": "divorced",
           "phones": [{"mobile": "123"}, {"mobile": "13800138000"}, {"mobile": "13800138001"}],
           "documents": {"property_cert": {"checked": True}}, "extra": 1}
    assert _submit(case, "intake", bad) == sorted([
        "amount", "owner_id", "phones[1].mobile", "divorce_date", "extra",
        "documents.property_cert", "documents.divorce_papers"])
    assert case.state == before


def test_open_required_checklist_item_blocks_completion_and_lists_the_items() -> None:
    case = Case(REVIEW).start(id_card={"name": "张三"})
    data = {k: v for k, v in GOOD.items() if k not in ("id_card", "documents")}
    with pytest.raises(ValidationError) as err:
        case.run(c.CompleteTask(ADMIN, case.task_id("intake"), data))
    (problem,) = err.value.problems
    assert problem.field == "documents.property_cert"
    assert "Property certificate" in problem.message and "产权证" in problem.message_zh  # type: ignore[attr-defined]
    assert "owner's name" in str(problem.hint)


def test_cross_field_check_names_both_fields() -> None:
    case = Case(REVIEW).start(id_card={"name": "李四"})
    data = {k: v for k, v in GOOD.items() if k != "id_card"}
    with pytest.raises(ValidationError) as err:
        case.run(c.CompleteTask(ADMIN, case.task_id("intake"), data))
    (problem,) = err.value.problems
    assert problem.field == "id_card.name"
    assert "owner_name" in problem.message and "张三" in problem.message


def test_a_later_step_sees_but_cannot_change_earlier_data() -> None:
    case = Case(REVIEW).start(id_card={"name": "张三"})
    _submit(case, "intake", {k: v for k, v in GOOD.items() if k != "id_card"})
    assert _submit(case, "check", {"amount": 1}) == ["amount"]
    assert _submit(case, "check", {"remark": "ok"}) == []


LATE = """
process: late
roles: {cashier: 出纳}
decisions:
  - decision: late_interest
    hit_policy: UNIQUE
    inputs: [{id: days_late, expression: days_late, type: integer}]
    outputs: [{id: late_months, type: decimal}]
    rules:
      - ["<= 0", 0]
      - ["[1..7]", 0.5]
      - ["> 7", 1]
steps:
  - {id: charge, type: decision, decision: late_interest}
  - {id: collect, role: cashier}
"""


@pytest.mark.parametrize(("days", "months"), [(0, 0), (1, 0.5), (7, 0.5), (8, 1)])
def test_decision_step_stores_outputs_and_the_matched_rule(days: int, months: float) -> None:
    case = Case(LATE).start(days_late=days)
    assert case.state is not None and case.state["variables"]["late_months"] == months
    (evaluated,) = [e for e in case.events if e["type"] == "decision_evaluated"]
    assert evaluated["rules"] == [1 if days <= 0 else 2 if days <= 7 else 3]


def test_unknown_decision_table_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="decision table 'nope' is not defined"):
        load_yaml(LATE.replace("decision: late_interest}", "decision: nope}"))


def test_supplement_requested_and_received() -> None:
    case = Case(REVIEW).start(actor=Actor("wang"), id_card={"name": "张三"})
    case.run(c.RequestSupplement(Actor("wang"), "户口本首页复印件", "缺派出所章"))
    assert case.state is not None
    (entry,) = case.state["supplements"].values()
    assert entry["by"] == "wang" and entry["received_at"] is None
    case.run(c.ReceiveSupplement(ADMIN, entry["id"], (SHA,)))
    (entry,) = case.state["supplements"].values()
    assert entry["received_by"] == "admin" and entry["files"] == [SHA]
    assert case.effects[0]["users"] == ["wang"]
    with pytest.raises(ConflictError, match="already received"):
        case.run(c.ReceiveSupplement(ADMIN, entry["id"]))
