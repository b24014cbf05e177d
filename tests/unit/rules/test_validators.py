"""Field validators: ID numbers, mobile numbers, credit codes and bank cards."""

from __future__ import annotations

from datetime import date

import pytest

from liucheng.rules.validators import (
    MESSAGES,
    RuleProblem,
    check_bank_card,
    check_credit_code,
    check_id_number,
    check_mobile,
    credit_code_check_char,
    id_birth_date,
    id_check_char,
    id_sex,
    luhn_ok,
    normalise_mobile,
)

TODAY = date(2026, 5, 1)


def iso7064_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 written the other way round: weights 2^(17-i) mod 11 and a check
    value that makes the weighted sum ≡ 1 (mod 11). Independent of the module's table."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(area: str, birth: str, sequence: str) -> str:
    first17 = area + birth + sequence
    return first17 + iso7064_check(first17)


def codes(found: list[RuleProblem]) -> list[str]:
    return [p.code for p in found]


# -- ID numbers --------------------------------------------------------------------------
def test_published_example_ending_in_x_is_valid() -> None:
    # the example number of GB 11643-1999
    assert check_id_number("11010519491231002X", today=TODAY) == []
    assert check_id_number("11010519491231002x", today=TODAY) == []  # lower-case x
    assert check_id_number(" 440524188001010014 ", today=TODAY) == []


def test_check_digit_tables_agree() -> None:
    for n in range(0, 10_000, 7):
        first17 = f"3301061990030{n:04d}"
        assert id_check_char(first17) == iso7064_check(first17)


def test_wrong_check_digit_names_the_expected_one() -> None:
    found = check_id_number("110105194912310021", today=TODAY)
    assert codes(found) == ["id_number.check_digit"]
    assert "X" in found[0].message and "X" in found[0].message_zh
    assert found[0].field == "id_number"


@pytest.mark.parametrize("birth", ["20000229", "20240229", "19960229", "19880229"])
def test_29_february_in_leap_years_is_valid(birth: str) -> None:
    assert check_id_number(make_id("320102", birth, "123"), today=TODAY) == []


@pytest.mark.parametrize("birth", ["19000229", "20230229", "19990229", "21000229"])
def test_29_february_outside_leap_years_is_refused(birth: str) -> None:
    found = check_id_number(make_id("320102", birth, "123"), today=TODAY)
    assert codes(found) == ["id_number.birth_date"]


@pytest.mark.parametrize("birth", ["19901301", "19900230", "19900431", "19900000", "17991231"])
def test_impossible_birth_dates_are_refused(birth: str) -> None:
    assert "id_number.birth_date" in codes(check_id_number(make_id("110101", birth, "001"),
                                                           today=TODAY))


def test_birth_date_after_today_is_refused_and_today_is_fine() -> None:
    future = make_id("440305", "20260502", "017")
    assert codes(check_id_number(future, today=TODAY)) == ["id_number.future"]
    assert check_id_number(make_id("440305", "20260501", "017"), today=TODAY) == []
    assert check_id_number(future, today=date(2026, 5, 2)) == []


@pytest.mark.parametrize(("value", "code"), [
    ("", "required"),
    (None, "required"),
    ("11010519491231002", "id_number.length"),
    ("11010519491231002X1", "id_number.length"),
    ("110105491231002", "id_number.length"),
    ("1101051949123100XX", "id_number.chars"),
    ("11010519491231A02X", "id_number.chars"),
    ("１１0105194912310０2X", "id_number.chars"),  # full-width digits
])
def test_malformed_numbers(value: object, code: str) -> None:
    assert codes(check_id_number(value, today=TODAY)) == [code]


def test_old_15_digit_number_gets_a_hint() -> None:
    found = check_id_number("110105491231002", today=TODAY)
    assert found[0].hint is not None and "18-digit" in found[0].hint
    assert found[0].hint_zh is not None and "18位" in found[0].hint_zh


def test_unknown_region_code() -> None:
    assert codes(check_id_number(make_id("991234", "19800101", "001"), today=TODAY)) == [
        "id_number.region"]
    assert check_id_number(make_id("810000", "19800101", "001"), today=TODAY) == []  # HK permit


def test_birth_date_and_sex() -> None:
    assert id_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_sex("11010519491231002X") == "female"  # 17th digit 2
    assert id_sex("440524188001010014") == "male"  # 17th digit 1
    assert id_birth_date(make_id("320102", "20000229", "123")) == date(2000, 2, 29)
    with pytest.raises(ValueError):
        id_birth_date("110105194902300010")
    with pytest.raises(ValueError):
        id_sex("12345")


# -- mobile numbers ----------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    "13812345678", "+86 138 1234 5678", "0086-139-1234-5678", "+8615012345678",
    "166 1234 5678", "19912345678", "(+86)17712345678", " 18611112222 ",
])
def test_valid_mobiles(value: str) -> None:
    assert check_mobile(value) == []
    assert normalise_mobile(value) is not None and len(normalise_mobile(value) or "") == 11


@pytest.mark.parametrize("value", [
    "12812345678", "1381234567", "138123456789", "23812345678", "+8513812345678",
    "010-12345678", "1381234567a", "８６13812345678", "138１２３４５６７８",
])
def test_invalid_mobiles(value: str) -> None:
    assert codes(check_mobile(value, field="contact_phone")) == ["mobile.format"]
    assert check_mobile(value, field="contact_phone")[0].field == "contact_phone"


def test_normalised_mobile() -> None:
    assert normalise_mobile("+86 138-1234-5678") == "13812345678"
    assert codes(check_mobile("")) == ["required"]


# -- unified social credit codes ---------------------------------------------------------
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def gb32100_check(first17: str) -> str:
    """Check character computed with weights 3^i mod 31 (GB 32100-2015 defines them so)."""
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_CHARS[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", [
    "91110000600037341L", "914403001922038216", "91310000775785552L", "91110108551385082Q",
])
def test_published_credit_codes(code: str) -> None:
    assert check_credit_code(code) == []
    assert check_credit_code(code.lower()) == []
    assert credit_code_check_char(code[:17]) == gb32100_check(code[:17]) == code[17]


def test_remainder_zero_gives_check_zero() -> None:
    prefix = next(p for n in range(10_000) if (p := f"9111000060{n:07d}")
                  and gb32100_check(p) == "0")
    assert credit_code_check_char(prefix) == "0"
    assert check_credit_code(prefix + "0") == []


@pytest.mark.parametrize(("code", "problem"), [
    ("91110000600037341M", "credit_code.check_digit"),
    ("91110000600037341", "credit_code.length"),
    ("9111000060003734IL", "credit_code.chars"),
    ("91110000O00037341L", "credit_code.chars"),
    ("", "required"),
])
def test_bad_credit_codes(code: str, problem: str) -> None:
    assert codes(check_credit_code(code)) == [problem]


# -- bank cards --------------------------------------------------------------------------
def luhn_complete(prefix: str) -> str:
    digits = [int(d) for d in prefix][::-1]
    total = sum(sum(divmod(d * 2, 10)) if i % 2 == 0 else d for i, d in enumerate(digits))
    return prefix + str((10 - total % 10) % 10)


@pytest.mark.parametrize("prefix", [
    "622202100112345678",  # 19 digits, an ICBC-style BIN
    "621700000012345",  # 16 digits
    "62284804025648",  # 15 digits
    "60138290123",  # 12 digits
])
def test_valid_bank_cards(prefix: str) -> None:
    card = luhn_complete(prefix)
    assert check_bank_card(card) == []
    assert check_bank_card(" ".join(card[i:i + 4] for i in range(0, len(card), 4))) == []
    assert luhn_ok(card)


def test_known_luhn_numbers() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("79927398713")
    assert not luhn_ok("4111111111111112") and not luhn_ok("79927398710")


def test_bad_bank_cards() -> None:
    card = luhn_complete("622202100112345678")
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert codes(check_bank_card(wrong)) == ["bank_card.check_digit"]
    assert codes(check_bank_card("12345678901")) == ["bank_card.format"]
    assert codes(check_bank_card("1" * 20)) == ["bank_card.format"]
    assert codes(check_bank_card("6222abc")) == ["bank_card.format"]


# -- messages ------------------------------------------------------------------------------
def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    import string

    for code, message in MESSAGES.items():
        zh = {f for _, f, _, _ in string.Formatter().parse(message.zh) if f}
        en = {f for _, f, _, _ in string.Formatter().parse(message.en) if f}
        assert message.zh and message.en and zh == en, code


def test_problem_text_per_language() -> None:
    problem = check_mobile("123")[0]
    assert problem.text("en").startswith("a mobile number has 11 digits")
    assert problem.text("zh").startswith("手机号码应为")
    assert problem.to_dict()["code"] == "mobile.format"
    assert "field 'mobile'" in str(problem)
