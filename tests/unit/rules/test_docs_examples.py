"""The YAML examples of docs/rules.md load and decide as the page says."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from liucheng.rules.decision import DecisionTable, analyse, evaluate, load_table
from liucheng.rules.validators import check_id_number, parse_check

DOC = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def blocks() -> list[Any]:
    if not DOC.exists():
        pytest.skip("docs/rules.md is not there")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)]


def tables() -> dict[str, DecisionTable]:
    found = {}
    for block in blocks():
        if isinstance(block, dict) and "decision" in block:
            table = load_table(block, "docs/rules.md")
            found[table.id] = table
    return found


def test_documented_tables() -> None:
    found = tables()
    assert set(found) == {"late_interest", "mortgage_fees", "credit_band"}
    for table in found.values():
        assert analyse(table).problems() == []
    late = found["late_interest"]
    for days, months, rule in [(0, "0", 1), (1, "0.5", 2), (7, "0.5", 2), (8, "1", 3)]:
        result = evaluate(late, {"days_late": days, "monthly_interest": 3000})
        assert result.outputs["late_charge_months"] == Decimal(months) and result.rules == (rule,)
    fees = evaluate(found["mortgage_fees"], {"mortgage_registration": True,
                                             "notarised_entrustment": True})
    assert fees.outputs == {"fee": 440} and fees.rules == (1, 2)
    band = evaluate(found["credit_band"], {"credit_score": 700, "has_guarantor": False})
    assert band.outputs == {"result": "supplement"} and band.rules == (3,)


def test_documented_checks_parse() -> None:
    specs = next(b["checks"] for b in blocks() if isinstance(b, dict) and "checks" in b)
    assert [parse_check(s).kind for s in specs][-1] == "same"
    assert check_id_number("110105194912310021", today=date(2026, 5, 1))[0].message == (
        "the check character should be X, not 1")
