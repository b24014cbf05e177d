"""Declarative cross-field checks over nested form data (the mortgage's five certificates)."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from liucheng.errors import ConfigurationError, ModelError
from liucheng.rules.validators import Check, parse_check, read_path, run_checks

TODAY = date(2026, 5, 1)
SPECS = yaml.safe_load("""
- {required: [id_card.name, id_card.id_number, household_register.name]}
- {same: [id_card.name, household_register.name, marriage_certificate.name]}
- {same: [id_card.birth_date, household_register.birth_date, marriage_certificate.birth_date]}
- {same: [id_card.id_number, household_register.id_number, marriage_certificate.id_number]}
- {id_number: id_card.id_number}
- {before: [id_card.birth_date, marriage_certificate.marriage_date, today]}
- {min_items: [contact_phones, 3]}
- {mobile: contact_phones.0}
- {capital: [contract.amount, contract.amount_capital]}
""")
GOOD: dict[str, Any] = {
    "id_card": {"name": "张伟", "birth_date": "1980-02-29", "id_number": "110105198002290013"},
    "household_register": {"name": "张伟", "birth_date": date(1980, 2, 29),
                           "id_number": "110105198002290013"},
    "marriage_certificate": {"name": " 张伟 ", "birth_date": "1980-02-29",
                             "id_number": "110105198002290013", "marriage_date": "2008-10-01"},
    "contact_phones": ["13812345678", "139 1234 5678", "+86 137 1234 5678"],
    "contract": {"amount": "300000", "amount_capital": "人民币叁拾万元整"},
}


def changed(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[part]
    target[last] = value
    return data


def test_consistent_certificates_pass() -> None:
    from liucheng.rules.validators import check_id_number

    assert check_id_number("110105198002290013", today=TODAY) == []
    assert run_checks(SPECS, GOOD, today=TODAY) == []


def test_name_differs_on_the_household_register() -> None:
    found = run_checks(SPECS, changed("household_register.name", "张卫"), today=TODAY)
    assert [(p.code, p.field) for p in found] == [("check.same", "household_register.name")]
    assert "张卫" in found[0].message and "id_card.name" in found[0].message
    assert found[0].hint_zh


def test_id_number_differs_on_the_marriage_certificate() -> None:
    found = run_checks(SPECS, changed("marriage_certificate.id_number", "110105198002290021"),
                       today=TODAY)
    assert [(p.code, p.field) for p in found] == [("check.same", "marriage_certificate.id_number")]


def test_id_numbers_compare_without_case() -> None:
    data = changed("id_card.id_number", "11010519491231002x")
    data = changed("household_register.id_number", "11010519491231002X") | {
        "id_card": data["id_card"]}
    data["marriage_certificate"].pop("id_number")
    found = run_checks([{"same": ["id_card.id_number", "household_register.id_number"]}], data)
    assert found == []


def test_single_applicant_without_marriage_certificate() -> None:
    data = copy.deepcopy(GOOD)
    del data["marriage_certificate"]
    assert run_checks(SPECS, data, today=TODAY) == []
    found = run_checks([{"required": ["marriage_certificate.name"]}], data)
    assert [p.code for p in found] == ["required"]


def test_marriage_date_in_the_future() -> None:
    found = run_checks(SPECS, changed("marriage_certificate.marriage_date", "2026-06-01"),
                       today=TODAY)
    assert [(p.code, p.field) for p in found] == [
        ("check.before", "marriage_certificate.marriage_date")]
    assert "2026-06-01" in found[0].message and "today" in found[0].message


def test_dates_in_order_and_the_same_day() -> None:
    data = {"a": "2026-01-01", "b": "2026-01-01"}
    assert [p.code for p in run_checks([{"before": ["a", "b"]}], data)] == ["check.before"]
    assert run_checks([{"not_after": ["a", "b"]}], data) == []
    assert [p.code for p in run_checks([{"before": ["a", "b"]}], {"a": "yesterday", "b": "x"})
            ] == ["check.date", "check.date"]


def test_fewer_than_three_phones() -> None:
    found = run_checks(SPECS, changed("contact_phones", ["13812345678", "13812345678 "]),
                       today=TODAY)
    assert [p.code for p in found] == ["check.min_items"]
    assert "1" in found[0].message and "3" in found[0].message
    assert [p.code for p in run_checks(SPECS, changed("contact_phones", "none"), today=TODAY)
            ] == ["check.min_items"]


def test_contract_capital_amount() -> None:
    found = run_checks(SPECS, changed("contract.amount_capital", "叁万元整"), today=TODAY)
    assert [(p.code, p.field) for p in found] == [("capital.mismatch", "contract.amount_capital")]


def test_custom_message_replaces_the_text() -> None:
    spec = {"same": ["a", "b"], "message": {"zh": "两证姓名不一致", "en": "names differ"}}
    found = run_checks([spec], {"a": "x", "b": "y"})
    assert (found[0].message, found[0].message_zh, found[0].field) == (
        "names differ", "两证姓名不一致", "b")


@pytest.mark.parametrize("spec", [
    "same", {}, {"same": ["a"]}, {"frobnicate": ["a", "b"]}, {"same": ["a", "b"], "before": []},
    {"min_items": ["phones", "3"]}, {"min_items": ["phones"]}, {"capital": ["a", "b", "c"]},
    {"same": ["a", 3]}, {"same": ["a", "b"], "message": "oops"},
])
def test_bad_specs_name_the_check(spec: object) -> None:
    with pytest.raises(ModelError) as err:
        parse_check(spec, where="documents.checks[2]")
    assert err.value.problems[0].element == "documents.checks[2]"
    assert err.value.problems[0].hint


def test_run_checks_names_the_position_of_a_bad_spec() -> None:
    with pytest.raises(ModelError) as err:
        run_checks([{"same": ["a", "b"]}, {"same": "a"}], {})
    assert err.value.problems[0].element == "check 2"


def test_today_must_be_given() -> None:
    with pytest.raises(ConfigurationError):
        run_checks([{"before": ["a", "today"]}], {"a": "2020-01-01"})
    with pytest.raises(ConfigurationError):
        run_checks([{"id_number": "a"}], {"a": "11010519491231002X"})


def test_parsed_checks_and_paths() -> None:
    check = parse_check({"min_items": ["contact_phones", 3]})
    assert check == Check("min_items", ("contact_phones",), 3)
    assert run_checks([check], GOOD) == []
    assert read_path(GOOD, "contact_phones.1") == "139 1234 5678"
    assert read_path(GOOD, "contact_phones.9") is read_path(GOOD, "nothing.here")
    assert read_path({"a": {"b": ""}}, "a.b") is read_path(GOOD, "nothing")


def test_same_compares_numbers_and_dates_by_value() -> None:
    data = {"contract": {"amount": 300000, "days": 30}, "iou": {"amount": "300000",
                                                                "days": Decimal("30.0")}}
    assert run_checks([{"same": ["contract.amount", "iou.amount"]},
                       {"same": ["contract.days", "iou.days"]}], data) == []
    data["iou"]["amount"] = 30000
    assert [p.field for p in run_checks([{"same": ["contract.amount", "iou.amount"]}], data)
            ] == ["iou.amount"]


def test_min_items_counts_records_too() -> None:
    phones = [{"who": "owner", "phone": "13812345678"}, {"who": "spouse", "phone": "13912345678"},
              {"who": "owner", "phone": "13812345678"}]
    found = run_checks([{"min_items": ["phones", 3]}], {"phones": phones})
    assert [p.code for p in found] == ["check.min_items"]
