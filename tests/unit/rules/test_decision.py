"""Decision tables from YAML: the mortgage's late interest and fees, and every hit policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from liucheng.errors import ModelError
from liucheng.rules import jsontext
from liucheng.rules.decision import DecisionError, DecisionTable, evaluate, load_table

LATE_INTEREST = """
decision: late_interest
name: {zh: 逾期利息, en: Late interest}
hit_policy: UNIQUE
inputs: [{id: days_late, expression: days_late, type: integer, label: {zh: 逾期天数}}]
outputs:
  - {id: late_charge_months, type: decimal}
  - {id: late_charge, type: decimal}
rules:
  - ["<= 0", 0, 0]
  - ["[1..7]", 0.5, "= monthly_interest * 0.5"]
  - ["> 7", 1, "= monthly_interest"]
"""

FEES = """
decision: mortgage_fees
name: {{zh: 抵押借款费用, en: Mortgage loan fees}}
hit_policy: {policy}
inputs:
  - {{id: registration, expression: mortgage_registration, type: boolean}}
  - {{id: notary, expression: notarised_entrustment, type: boolean}}
outputs: [{{id: fee, type: decimal}}]
rules:
  - {{id: registration_fee, when: {{registration: true}}, then: {{fee: 80}},
     annotation: 抵押登记费 80 元}}
  - {{id: notary_fee, when: {{notary: true}}, then: {{fee: 360}}, annotation: 公证费 360 元}}
"""


def table(text: str, **kwargs: Any) -> DecisionTable:
    return load_table(yaml.safe_load(text), "test.yaml", **kwargs)


def fees(policy: str) -> DecisionTable:
    return table(FEES.format(policy=policy))


# -- PROCESSES.md §2: late interest ------------------------------------------------------
@pytest.mark.parametrize(("days", "months", "rule"), [
    (-3, "0", 1), (0, "0", 1), (1, "0.5", 2), (7, "0.5", 2), (8, "1", 3), (31, "1", 3),
])
def test_late_interest_boundaries(days: int, months: str, rule: int) -> None:
    result = evaluate(table(LATE_INTEREST), {"days_late": days, "monthly_interest": 3000})
    assert result.outputs["late_charge_months"] == Decimal(months)
    assert result.outputs["late_charge"] == Decimal(months) * 3000
    assert result.rules == (rule,) and result.rule_ids == (f"rule_{rule}",)


def test_late_interest_history_record_is_json() -> None:
    result = evaluate(table(LATE_INTEREST), {"days_late": 7, "monthly_interest": 3000})
    record = result.to_history()
    assert record == {"decision": "late_interest", "hit_policy": "UNIQUE", "rules": [2],
                      "rule_ids": ["rule_2"], "inputs": {"days_late": 7},
                      "outputs": {"late_charge_months": 0.5, "late_charge": 1500}}
    jsontext.dumps(record)


def test_late_interest_model() -> None:
    t = table(LATE_INTEREST)
    assert t.name.zh == "逾期利息" and t.name.get("en") == "Late interest"
    assert t.inputs[0].label is not None and t.inputs[0].label.en == "逾期天数"
    assert [r.number for r in t.rules] == [1, 2, 3]


def test_fractional_days_are_refused_for_an_integer_input() -> None:
    with pytest.raises(DecisionError) as err:
        evaluate(table(LATE_INTEREST), {"days_late": 7.5, "monthly_interest": 1})
    assert "days_late" in err.value.message and "late_interest" in err.value.message


def test_missing_variable_names_the_input() -> None:
    with pytest.raises(DecisionError) as err:
        evaluate(table(LATE_INTEREST), {})
    assert "input 'days_late'" in err.value.message and err.value.hint


def test_missing_variable_in_an_output_expression_names_the_rule() -> None:
    with pytest.raises(DecisionError) as err:
        evaluate(table(LATE_INTEREST), {"days_late": 3})
    assert "rule 2, output 'late_charge'" in err.value.message


# -- PROCESSES.md §2: fees -----------------------------------------------------------------
def test_fee_total_is_collect_sum() -> None:
    t = fees("COLLECT SUM")
    both = {"mortgage_registration": True, "notarised_entrustment": True}
    result = evaluate(t, both)
    assert result.outputs == {"fee": Decimal(440)} and result.rules == (1, 2)
    assert evaluate(t, both | {"notarised_entrustment": False}).outputs == {"fee": 80}
    nothing = evaluate(t, {"mortgage_registration": False, "notarised_entrustment": False})
    assert nothing.outputs == {"fee": None} and not nothing.matched


@pytest.mark.parametrize(("policy", "expected", "none"), [
    ("C+", 440, None), ("C#", 2, 0), ("C<", 80, None), ("C>", 360, None),
    ("COLLECT MIN", 80, None),
])
def test_aggregations(policy: str, expected: int, none: Any) -> None:
    t = fees(policy)
    assert evaluate(t, {"mortgage_registration": True,
                        "notarised_entrustment": True}).outputs["fee"] == expected
    assert evaluate(t, {"mortgage_registration": False,
                        "notarised_entrustment": False}).outputs["fee"] == none


def test_fee_items_in_rule_order() -> None:
    result = evaluate(fees("RULE ORDER"), {"mortgage_registration": True,
                                           "notarised_entrustment": True})
    assert result.outputs == {"fee": [80, 360]}
    assert result.rows == ({"fee": 80}, {"fee": 360})
    assert result.rule_ids == ("registration_fee", "notary_fee")
    assert fees("COLLECT").rules[1].annotation == "公证费 360 元"


# -- hit policies ----------------------------------------------------------------------------
SCORES = """
decision: credit_band
hit_policy: {policy}
inputs: [{{id: credit_score, type: integer}}, {{id: has_guarantor, type: boolean}}]
outputs: [{{id: result, type: string, values: [reject, supplement, pass]}}]
rules:
  - ["< 550", "-", reject]
  - ["[550..650)", "-", supplement]
  - ["-", "false", supplement]
  - [">= 650", "-", pass]
"""


def scores(policy: str, **kwargs: Any) -> DecisionTable:
    return table(SCORES.format(policy=policy), **kwargs)


def test_priority_takes_the_highest_listed_output() -> None:
    t = scores("PRIORITY")
    assert evaluate(t, {"credit_score": 700, "has_guarantor": False}).rules == (3,)
    assert evaluate(t, {"credit_score": 700, "has_guarantor": True}).outputs == {"result": "pass"}
    assert evaluate(t, {"credit_score": 500, "has_guarantor": False}).outputs == {
        "result": "reject"}


def test_first_takes_the_first_match() -> None:
    t = scores("FIRST")
    result = evaluate(t, {"credit_score": 700, "has_guarantor": False})
    assert result.outputs == {"result": "supplement"} and result.rules == (3,)
    assert evaluate(t, {"credit_score": 500, "has_guarantor": False}).rules == (1,)


def test_output_order_sorts_by_priority() -> None:
    result = evaluate(scores("OUTPUT ORDER"), {"credit_score": 700, "has_guarantor": False})
    assert result.outputs == {"result": ["supplement", "pass"]} and result.rules == (3, 4)


def test_collect_and_rule_order_list_every_match() -> None:
    for policy in ("COLLECT", "RULE ORDER"):
        result = evaluate(scores(policy), {"credit_score": 600, "has_guarantor": False})
        assert result.outputs == {"result": ["supplement", "supplement"]}
        assert result.rules == (2, 3)
    empty = evaluate(scores("COLLECT"), {"credit_score": None, "has_guarantor": True})
    assert empty.outputs == {"result": []} and not empty.matched


def test_unique_with_two_matches_is_an_error() -> None:
    t = scores("UNIQUE", check=False)
    with pytest.raises(DecisionError) as err:
        evaluate(t, {"credit_score": 600, "has_guarantor": False})
    message = err.value.message
    assert "rules 2 and 3" in message and "credit_band" in message
    assert "credit_score = 600" in message
    assert evaluate(t, {"credit_score": 600, "has_guarantor": True}).rules == (2,)


def test_any_accepts_agreeing_matches_and_refuses_disagreeing_ones() -> None:
    t = scores("ANY", check=False)
    result = evaluate(t, {"credit_score": 600, "has_guarantor": False})
    assert result.outputs == {"result": "supplement"} and result.rules == (2, 3)
    with pytest.raises(DecisionError) as err:
        evaluate(t, {"credit_score": 700, "has_guarantor": False})
    assert "rules 3 and 4" in err.value.message and "different outputs" in err.value.message


def test_no_match_gives_none_or_the_default() -> None:
    t = scores("FIRST")
    result = evaluate(t, {"credit_score": None, "has_guarantor": True})
    assert result.outputs == {"result": None} and result.rules == () and not result.matched
    data = yaml.safe_load(SCORES.format(policy="FIRST"))
    data["outputs"][0]["default"] = "supplement"
    result = evaluate(load_table(data), {"credit_score": None, "has_guarantor": True})
    assert result.outputs == {"result": "supplement"} and not result.matched


def test_priority_output_outside_the_list_is_an_error() -> None:
    data = yaml.safe_load(SCORES.format(policy="PRIORITY"))
    data["rules"][3][2] = "= verdict"
    t = load_table(data)
    assert evaluate(t, {"credit_score": 700, "has_guarantor": True, "verdict": "pass"}).rules == (
        4,)
    with pytest.raises(DecisionError) as err:
        evaluate(t, {"credit_score": 700, "has_guarantor": False, "verdict": "maybe"})
    assert "priority list" in err.value.message and "rule 4" in err.value.message


def test_allowed_input_values() -> None:
    data = yaml.safe_load(SCORES.format(policy="FIRST"))
    data["inputs"][0]["values"] = "[300..850]"
    t = load_table(data)
    assert evaluate(t, {"credit_score": 850, "has_guarantor": True}).outputs["result"] == "pass"
    with pytest.raises(DecisionError) as err:
        evaluate(t, {"credit_score": 900, "has_guarantor": True})
    assert "900 is not an allowed value ([300..850])" in err.value.message


# -- the mapping form, strings and dates -------------------------------------------------------
def test_mapping_rules_strings_and_dates() -> None:
    t = table("""
decision: not_remarried_certificate
hit_policy: FIRST
inputs:
  - {id: marital_status, type: string, values: [未婚, 已婚, 离异, 丧偶, 再婚]}
  - {id: issued_on, type: date}
outputs: [{id: accepted, type: boolean}, {id: note}]
rules:
  - when: {marital_status: '"离异", "丧偶"', issued_on: '< date("2026-05-01")'}
    then: {accepted: false, note: 公证处只接受当天开具的证明}
  - when: {marital_status: '"离异", "丧偶"'}
    then: {accepted: true, note: ok}
  - when: {marital_status: 'not("离异", "丧偶")'}
    then: {accepted: true, note: "= 'not needed for ' + marital_status"}
""")
    today = date(2026, 5, 1)
    assert evaluate(t, {"marital_status": "离异", "issued_on": "2026-04-30"}).outputs[
        "accepted"] is False
    assert evaluate(t, {"marital_status": "丧偶", "issued_on": today}).rules == (2,)
    assert evaluate(t, {"marital_status": "未婚", "issued_on": today}).outputs == {
        "accepted": True, "note": "not needed for 未婚"}
    with pytest.raises(DecisionError):
        evaluate(t, {"marital_status": "单身", "issued_on": today})


def test_yaml_scalars_in_input_cells() -> None:
    t = table("""
decision: scalars
hit_policy: FIRST
inputs: [{id: n}, {id: flag}, {id: day}]
outputs: [o]
rules:
  - [7, true, 2026-01-01, a]
  - [7.5, "-", "-", b]
""")
    assert evaluate(t, {"n": 7, "flag": True, "day": date(2026, 1, 1)}).outputs == {"o": "a"}
    assert evaluate(t, {"n": Decimal("7.5"), "flag": None, "day": None}).outputs == {"o": "b"}


# -- load errors name the table, the rule and the column ---------------------------------------
@pytest.mark.parametrize(("change", "words"), [
    ({"hit_policy": "SOMETIMES"}, "unknown hit policy 'SOMETIMES'"),
    ({"hit_policy": "RULE ORDER", "aggregation": "SUM"}, "needs hit policy COLLECT"),
    ({"hit_policy": "PRIORITY"}, "needs an output with a 'values' list"),
    ({"rules": [["[1..", 0, 0]]}, "rule 1, column 'days_late': input entry '[1..'"),
    ({"rules": [["<= 0", 0]]}, "rule 1 has 2 cells, the table has 1 inputs and 2 outputs"),
    ({"rules": [["<= 0", "abc", 0]]}, "rule 1, column 'late_charge_months': 'abc' is not of type"),
    ({"rules": [[None, 0, 0]]}, "rule 1, column 'days_late': an empty cell"),
    ({"rules": [["<= 0", 0, "= 1 +"]]}, "rule 1, column 'late_charge'"),
    ({"rules": [{"when": {"days": "1"}, "then": {}}]}, "rule 1: no input named ['days']"),
    ({"rules": [{"when": {}, "then": {"late_charge": 1}}]}, "rule 1: 'then' must give exactly"),
    ({"rules": []}, "the table has no rules"),
    ({"inputs": []}, "the table has no inputs"),
    ({"inputs": [{"id": "a", "type": "colour"}]}, "input 'a': unknown type 'colour'"),
    ({"inputs": [{"id": "a", "expression": "a +"}]}, "input 'a': expression 'a +'"),
    ({"inputs": [{"id": "a"}, {"id": "a"}]}, "input 'a' is declared twice"),
    ({"decision": None}, "the table has no 'decision' id"),
])
def test_load_errors(change: dict[str, Any], words: str) -> None:
    data = yaml.safe_load(LATE_INTEREST) | change
    with pytest.raises(ModelError) as err:
        load_table(data, "mortgage.yaml")
    text = " | ".join(str(p) for p in err.value.problems)
    assert words in text, text
    assert err.value.problems[0].source == "mortgage.yaml"
    if data.get("decision"):
        assert err.value.problems[0].element == "late_interest"


def test_all_problems_are_listed_at_once() -> None:
    data = yaml.safe_load(LATE_INTEREST) | {"rules": [["[1..", 0, 0], ["<= 0", "x", 0]]}
    with pytest.raises(ModelError) as err:
        load_table(data)
    assert len(err.value.problems) == 2
    assert "rule 1" in str(err.value.problems[0]) and "rule 2" in str(err.value.problems[1])


def test_aggregation_needs_a_single_output() -> None:
    data = yaml.safe_load(LATE_INTEREST) | {"hit_policy": "COLLECT", "aggregation": "sum"}
    with pytest.raises(ModelError, match="works on one output"):
        load_table(data)
