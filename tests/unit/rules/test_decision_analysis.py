"""Deploy-time analysis of decision tables: overlapping rules and uncovered inputs."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from liucheng.errors import ModelError
from liucheng.rules.decision import MAX_CELLS, analyse, load_table


def table(text: str, check: bool = False) -> Any:
    return load_table(yaml.safe_load(text), "rules.yaml", check=check)


LATE = """
decision: late_interest
hit_policy: {policy}
inputs: [{{id: days_late, type: {type}}}]
outputs: [late_charge_months]
rules:
  - ["<= 0", 0]
  - ["{middle}", 0.5]
  - ["> 7", 1]
"""


def late(middle: str = "[1..7]", type_: str = "integer", policy: str = "UNIQUE") -> Any:
    return table(LATE.format(middle=middle, type=type_, policy=policy))


def test_late_interest_is_exclusive_and_complete_over_whole_days() -> None:
    result = analyse(late())
    assert result.overlaps == () and result.gaps == () and result.notes == ()
    assert result.problems() == [] and result.warnings() == []


def test_over_decimals_the_late_interest_table_has_a_gap() -> None:
    result = analyse(late(type_="number"))
    assert [g.entries for g in result.gaps] == [{"days_late": "(0..1)"}]
    assert "no rule matches days_late in (0..1)" in str(result.warnings()[0])
    assert analyse(late(type_="any")).gaps == result.gaps


def test_overlap_at_the_boundary() -> None:
    result = analyse(late("[1..8]"))
    assert [(o.rules, dict(o.example)) for o in result.overlaps] == [((2, 3), {"days_late": "8"})]
    assert "rules 2 and 3 both match days_late = 8" in str(result.problems()[0])
    with pytest.raises(ModelError) as err:
        load_table(yaml.safe_load(LATE.format(middle="[1..8]", type="integer",
                                              policy="UNIQUE")), "late.yaml")
    problem = err.value.problems[0]
    assert problem.element == "late_interest" and problem.source == "late.yaml"
    assert "FIRST" in (problem.hint or "")


def test_open_ranges_over_whole_days() -> None:
    assert analyse(late("]0..8[")).problems() == []  # the same days as [1..7]
    gaps = analyse(late("(1..7]")).gaps
    assert [g.entries for g in gaps] == [{"days_late": "1"}]


def test_overlaps_are_ignored_where_the_policy_allows_them() -> None:
    assert analyse(late("[1..8]", policy="FIRST")).overlaps == ()
    assert analyse(late("[1..8]", policy="COLLECT")).overlaps == ()


def test_any_allows_overlaps_with_equal_outputs_only() -> None:
    text = """
decision: d
hit_policy: ANY
inputs: [{id: x, type: integer}]
outputs: [o]
rules:
  - ["[0..10]", a]
  - ["[5..20]", a]
  - ["[15..30]", b]
  - ["[25..40]", "= x"]
"""
    result = analyse(table(text))
    assert [o.rules for o in result.overlaps] == [(2, 3)]
    assert dict(result.overlaps[0].example) == {"x": "15"}
    assert any("rules 3 and 4 overlap" in n for n in result.notes)


def test_string_values_missing_from_the_table() -> None:
    text = """
decision: marital_documents
inputs:
  - {id: marital_status, type: string, values: [未婚, 已婚, 离异, 丧偶, 再婚]}
outputs: [document]
rules:
  - ['"未婚"', 未婚证明]
  - ['"离异"', 离婚判决书或调解书]
  - ['"丧偶"', 配偶死亡证明]
"""
    gaps = analyse(table(text)).gaps
    assert [g.entries for g in gaps] == [{"marital_status": '"再婚", "已婚"'}]  # text order


def test_without_declared_values_the_named_strings_are_the_domain() -> None:
    text = """
decision: d
inputs: [{id: s}]
outputs: [o]
rules:
  - ['"a"', 1]
  - ['"b", "a"', 2]
  - ['not("a", "b")', 3]
"""
    result = analyse(table(text))
    assert [(o.rules, dict(o.example)) for o in result.overlaps] == [((1, 2), {"s": '"a"'})]
    assert result.gaps == ()


def test_two_inputs_with_finite_domains() -> None:
    text = """
decision: fees
hit_policy: COLLECT
inputs: [{id: registration, type: boolean}, {id: notary, type: boolean}]
outputs: [fee]
rules:
  - [true, "-", 80]
  - ["-", true, 360]
"""
    result = analyse(table(text))
    assert [g.entries for g in result.gaps] == [{"registration": "false", "notary": "false"}]
    assert result.gap_count == 1


def test_numeric_and_string_inputs_together() -> None:
    text = """
decision: d
inputs: [{id: amount}, {id: category, type: string, values: [travel, office, other]}]
outputs: [approver]
rules:
  - ["<= 5000", '"travel", "office"', manager]
  - ["(5000..10000]", '"travel"', director]
  - ["> 10000", "-", board]
"""
    result = analyse(table(text))
    assert result.overlaps == ()
    assert [g.entries for g in result.gaps] == [
        {"amount": "<= 5000", "category": '"other"'},
        {"amount": "(5000..10000]", "category": '"office", "other"'},
    ]
    assert result.gap_count == 6  # pieces: <5000, 5000, (5000..10000), 10000


def test_dates() -> None:
    text = """
decision: d
inputs: [{id: filed_on, type: date}]
outputs: [window]
rules:
  - ['< date("2026-05-01")', early]
  - ['[date("2026-05-01")..date("2026-05-19")]', open]
  - ['> date("2026-05-20")', late]
"""
    gaps = analyse(table(text)).gaps
    assert [g.entries for g in gaps] == [{"filed_on": 'date("2026-05-20")'}]


def test_mixed_kinds_skip_the_analysis_with_a_note() -> None:
    text = """
decision: d
inputs: [{id: x}]
outputs: [o]
rules:
  - ['"a"', 1]
  - ["< 3", 2]
"""
    result = analyse(table(text))
    assert result.overlaps == () and result.gaps == ()
    assert "mixes" in result.notes[0] and "declare its type" in result.notes[0]


def test_too_many_combinations_are_not_enumerated() -> None:
    rules = "\n".join(f"  - [{n}, {n}, {n}, {n}, x]" for n in range(40))
    text = f"""
decision: big
hit_policy: FIRST
inputs: [{{id: a}}, {{id: b}}, {{id: c}}, {{id: d}}]
outputs: [o]
rules:
{rules}
"""
    result = analyse(table(text))
    assert result.gaps == () and f"limit {MAX_CELLS}" in result.notes[0]


def test_not_entries_and_every_value() -> None:
    text = """
decision: d
inputs: [{id: x, type: integer}, {id: y, type: boolean}]
outputs: [o]
rules:
  - ["not([1..7])", "-", a]
  - ["[1..7]", true, b]
"""
    result = analyse(table(text))
    assert result.overlaps == ()
    assert [g.entries for g in result.gaps] == [{"x": "[1..7]", "y": "false"}]
