"""Amounts in Chinese capital numerals, by the PBOC rules for bills."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liucheng.errors import ValidationError
from liucheng.rules.numerals import (
    MAX_AMOUNT,
    capital_variants,
    check_capital,
    parse_capital,
    to_capital,
)

EXAMPLES = [
    ("0.05", "伍分"),
    ("0.5", "伍角"),
    ("0.50", "伍角"),
    ("0.55", "伍角伍分"),
    ("0", "零元整"),
    ("1.05", "壹元零伍分"),
    ("10", "壹拾元整"),
    ("15", "壹拾伍元整"),
    ("100.10", "壹佰元壹角"),
    ("100000", "壹拾万元整"),
    ("1000001", "壹佰万零壹元整"),
    ("10010.50", "壹万零壹拾元伍角"),
    ("1000000000000", "壹万亿元整"),
    ("80", "捌拾元整"),
    ("360", "叁佰陆拾元整"),
    ("440", "肆佰肆拾元整"),
    # the worked examples of the PBOC rules
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    # zeros across the 万 and 亿 groups
    ("100010000", "壹亿零壹万元整"),
    ("1000100000000", "壹万零壹亿元整"),
    ("1000000010000", "壹万亿零壹万元整"),
    ("12345678901234.56", "壹拾贰万叁仟肆佰伍拾陆亿柒仟捌佰玖拾万壹仟贰佰叁拾肆元伍角陆分"),
    ("300000", "叁拾万元整"),
    ("1010", "壹仟零壹拾元整"),
]


@pytest.mark.parametrize(("amount", "capital"), EXAMPLES)
def test_to_capital(amount: str, capital: str) -> None:
    assert to_capital(Decimal(amount)) == capital
    assert parse_capital(capital) == Decimal(amount)
    assert check_capital(Decimal(amount), capital) == []


def test_inputs_other_than_decimal() -> None:
    assert to_capital(10) == "壹拾元整"
    assert to_capital("10,010.50") == "壹万零壹拾元伍角"
    assert to_capital(0.1) == "壹角"
    assert to_capital(Decimal("1.500")) == "壹元伍角"
    assert to_capital(80, prefix=True) == "人民币捌拾元整"


@pytest.mark.parametrize("bad", [-1, "1.001", 10**16, "abc", None, True, Decimal("NaN"), "inf"])
def test_not_an_amount(bad: object) -> None:
    with pytest.raises(ValidationError) as err:
        to_capital(bad)
    assert err.value.problems[0].field == "amount"


@pytest.mark.parametrize(("amount", "written"), [
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),  # the optional 零 after a zero 元 digit
    ("107000.53", "壹拾万零柒仟元伍角叁分"),  # the optional 零 after a zero 万 digit
    ("107000.53", "壹拾万零柒仟元零伍角叁分"),
    ("10010.50", "壹万零壹拾元伍角整"),  # 整 after 角 may be written
    ("0.50", "伍角整"),
    ("10", "人民币壹拾元正"),
    ("10", "人民币 壹拾圆整"),
    ("22", "貳拾貳元整"),
    ("60000", "陸萬元整"),
    ("200000000", "贰億元整"),
])
def test_accepted_variants(amount: str, written: str) -> None:
    assert check_capital(amount, written) == []


def test_variants_include_the_standard_form() -> None:
    assert to_capital("1680.32") in capital_variants("1680.32")
    assert capital_variants("10") == {"壹拾元整"}


def test_wrong_value_names_both_figures() -> None:
    found = check_capital(Decimal("100"), "壹拾元整", field="contract.amount_capital")
    assert [p.code for p in found] == ["capital.mismatch"]
    assert found[0].field == "contract.amount_capital"
    assert "10.00" in found[0].message and "100.00" in found[0].message
    assert "与小写金额100.00不符" in found[0].message_zh


@pytest.mark.parametrize(("amount", "written"), [
    ("10", "拾元整"),  # 壹 before 拾
    ("10", "壹拾元"),  # 整 after 元
    ("1.05", "壹元伍分"),  # 零 for the zero 角
    ("1000001", "壹佰万壹元整"),  # 零 for the inner zeros
    ("0.05", "伍分整"),  # no 整 after 分
    ("1010", "壹仟壹拾元整"),
])
def test_right_value_wrong_form(amount: str, written: str) -> None:
    found = check_capital(amount, written)
    assert [p.code for p in found] == ["capital.form"], written
    assert to_capital(amount) in found[0].message


@pytest.mark.parametrize("written", ["一十元整", "壹拾元整整", "壹拾元伍", "拾佰", "10元整",
                                     "壹贰元整", "零拾元", "元", "亿元整", "壹拾元伍角毛"])
def test_unreadable(written: str) -> None:
    found = check_capital("10", written)
    assert [p.code for p in found] == ["capital.unreadable"], written
    assert found[0].message_zh.startswith("大写金额")


def test_missing_text_and_bad_figure() -> None:
    assert [p.code for p in check_capital("10", "  ")] == ["required"]
    found = check_capital("-5", "伍元整", amount_field="contract.amount")
    assert [p.code for p in found] == ["capital.amount"]
    assert found[0].field == "contract.amount"


@given(st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100)))
def test_round_trip(cents: int) -> None:
    amount = Decimal(cents) / 100
    text = to_capital(amount)
    assert parse_capital(text) == amount
    assert text.endswith(("整", "角", "分"))
    assert "零零" not in text and not text.startswith("零") or text == "零元整"
    for variant in capital_variants(amount):
        assert parse_capital(variant) == amount
        assert check_capital(amount, variant) == []


@given(st.integers(min_value=1, max_value=10**15), st.integers(min_value=1, max_value=10**6))
def test_different_amounts_are_caught(cents: int, delta: int) -> None:
    amount, other = Decimal(cents) / 100, Decimal(cents + delta) / 100
    assert [p.code for p in check_capital(amount, to_capital(other))] == ["capital.mismatch"]
