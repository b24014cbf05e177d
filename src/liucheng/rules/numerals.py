"""Amounts in Chinese capital numerals (大写金额), as written on contracts and bills.

`to_capital` writes the standard form; `check_capital` checks a written capital amount
against the figure. The form follows the People's Bank of China rules for filling in
bills and settlement vouchers (《正确填写票据和结算凭证的基本规定》):

* 壹 before 拾 (10 → 壹拾元整); digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿元角分.
* An amount that ends at 元 is followed by 整 (正 is accepted when checking).
  After 角 整 may be written; liucheng writes none (0.50 → 伍角, 1,409.50 → 壹仟肆佰零玖元伍角).
  After 分 整 is never written.
* Zeros between digits are written as one 零 (1,000,001 → 壹佰万零壹元整; 6,007.14 →
  陆仟零柒元壹角肆分). A zero 角 before a non-zero 分 is written 零 (325.04 →
  叁佰贰拾伍元零肆分).
* Where the 万 or 元 digit is 0 and the next digit (千 or 角) is not, the rules allow 零 or
  nothing. liucheng writes nothing (107,000.53 → 壹拾万柒仟元伍角叁分; 10,010.50 →
  壹万零壹拾元伍角) and `check_capital` accepts both.
* Amounts from 0 to 9,999,999,999,999,999.99 (below 一亿亿); 万亿 is 万 of 亿
  (1,000,000,000,000 → 壹万亿元整).
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal, InvalidOperation

from liucheng.errors import Problem, ValidationError
from liucheng.rules.validators import Message, RuleProblem, problem

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}
MAX_AMOUNT = Decimal("9999999999999999.99")
# Traditional and alternative characters the PBOC rules accept on bills.
VARIANTS = str.maketrans({"貳": "贰", "叄": "叁", "參": "叁", "陸": "陆", "萬": "万",
                          "億": "亿", "圆": "元", "圓": "元", "正": "整"})


def as_amount(value: object) -> Decimal | None:
    """The amount as a Decimal with two places, or None when it is not a money amount."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip()
                                                                               .replace(",", ""))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        return None
    cents = number.quantize(Decimal("0.01"))
    return cents if cents == number else None


def _group(n: int) -> str:
    """1..9999 with inner zeros as one 零 and no trailing zeros."""
    out: list[str] = []
    zero = False
    for power, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = n // power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[digit] + unit)
    return "".join(out)


def _integer(n: int, boundary_zero: frozenset[int]) -> str:
    groups = [n // 10 ** (4 * i) % 10000 for i in (3, 2, 1, 0)]  # 万亿, 亿, 万, 元 groups
    units = ("万", "", "万", "")
    out = ""
    skipped = False  # a whole group of zeros lies between what is written and what comes next
    for i, g in enumerate(groups):
        if g == 0:
            skipped = bool(out)
        else:
            optional = i in boundary_zero and groups[i - 1] % 10 == 0
            if out and (skipped or g < 1000 or optional):
                out += "零"
            out += _group(g) + units[i]
            skipped = False
        if i == 1 and (groups[0] or groups[1]):
            out += "亿"
    return out or "零"


def _render(
    amount: Decimal, *, boundary_zero: frozenset[int], yuan_zero: bool, jiao_zheng: bool
) -> str:
    """The capital text; the flags pick the optional 零 (per group boundary) and 整 forms."""
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan == 0 and jiao == 0 and fen == 0:
        return "零元整"
    text = _integer(yuan, boundary_zero) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao == 0:
        return text + ("零" if yuan else "") + DIGITS[fen] + "分"
    if yuan and yuan_zero and yuan % 10 == 0:
        text += "零"
    text += DIGITS[jiao] + "角"
    return text + (DIGITS[fen] + "分" if fen else "整" if jiao_zheng else "")


def _checked(amount: object) -> Decimal:
    value = as_amount(amount)
    if value is None:
        raise ValidationError([Problem(
            f"'{amount}' is not an amount for capital numerals", field="amount",
            hint=f"give a number from 0 to {MAX_AMOUNT:,} with at most two decimal places",
        )])
    return value


def to_capital(amount: object, *, prefix: bool = False) -> str:
    """The amount in capital numerals, e.g. Decimal('10010.50') → '壹万零壹拾元伍角'.

    Takes a Decimal, int or numeric string (floats are read by their repr); raises
    ValidationError for negative amounts, more than two decimal places or 一亿亿 and more.
    `prefix=True` puts 人民币 in front, as bills require.
    """
    text = _render(_checked(amount), boundary_zero=frozenset(), yuan_zero=False, jiao_zheng=False)
    return "人民币" + text if prefix else text


def capital_variants(amount: object) -> frozenset[str]:
    """Every form of the amount the PBOC rules accept (without 人民币, with 整 not 正)."""
    value = _checked(amount)
    boundaries = [frozenset(c) for k in range(4) for c in itertools.combinations((1, 2, 3), k)]
    return frozenset(
        _render(value, boundary_zero=b, yuan_zero=y, jiao_zheng=j)
        for b in boundaries for y, j in itertools.product((False, True), repeat=2)
    )


def normalise_capital(text: str) -> str:
    """Drop spaces, a 人民币/RMB/¥ prefix, and map traditional characters (貳, 圓, 正, …)."""
    text = re.sub(r"\s", "", text).translate(VARIANTS)
    for prefix in ("人民币", "人民幣", "RMB", "¥", "￥"):
        text = text.removeprefix(prefix)
    return text


class CapitalSyntaxError(ValueError):
    """A capital amount cannot be read; `reason` says why in zh-CN and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.reason = Message(zh, en)


ORDINARY = "〇一二两三四五六七八九十百千廿念毛另0123456789"
_FRACTION = re.compile(r"零?(?:([壹贰叁肆伍陆柒捌玖])角)?零?(?:([壹贰叁肆伍陆柒捌玖])分)?整?")


def parse_capital(text: str) -> Decimal:
    """The value of a capital amount; CapitalSyntaxError saying what cannot be read."""
    text = normalise_capital(text)
    ordinary = next((ch for ch in text if ch in ORDINARY), None)
    if ordinary is not None:
        raise CapitalSyntaxError(f"不能用“{ordinary}”，应使用壹贰叁肆伍陆柒捌玖拾佰仟",
                                 f"'{ordinary}' is not allowed: use 壹贰叁肆伍陆柒捌玖拾佰仟")
    whole, sep, tail = text.partition("元")
    if not sep:
        whole, tail = "", text
    match = _FRACTION.fullmatch(tail)
    if match is None:
        raise CapitalSyntaxError(f"“{tail}”不是角、分或整", f"'{tail}' is not 角, 分 or 整")
    if not whole and not (match.group(1) or match.group(2)):
        raise CapitalSyntaxError("缺少元、角或分", "there is no 元, 角 or 分")
    jiao, fen = (DIGITS.index(g) if g else 0 for g in match.groups())
    return Decimal(_parse_integer(whole) * 100 + jiao * 10 + fen) / 100


def _parse_integer(text: str) -> int:
    total = section = small = 0  # before the last 亿, before the last 万, since then
    digit: int | None = None
    for ch in text:
        if ch in DIGITS:
            if digit:
                raise CapitalSyntaxError(f"“{ch}”前缺少单位", f"a unit is missing before '{ch}'")
            digit = DIGITS.index(ch)
        elif ch in SMALL_UNITS:
            if digit == 0:
                raise CapitalSyntaxError(f"零后不能跟{ch}", f"零 cannot be followed by {ch}")
            small += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        elif ch in "万亿":
            value = small + (digit or 0)
            if ch == "万":
                section += value * 10_000
            elif section + value or total:
                total = (total + section + value) * 100_000_000
                section = 0
            else:
                raise CapitalSyntaxError("亿前缺少数字", "亿 has no number before it")
            small, digit = 0, None
        else:
            raise CapitalSyntaxError(f"“{ch}”不是大写数字", f"'{ch}' is not a capital numeral")
    return total + section + small + (digit or 0)


def check_capital(
    amount: object, text: object, *, field: str = "amount_capital", amount_field: str = "amount"
) -> list[RuleProblem]:
    """Problems with a capital amount written for `amount` (empty when they agree).

    Reports an unreadable text, a text whose value differs from the figure, or the right
    value in a non-standard form (e.g. 拾元 for 壹拾元整, a missing 整 or 零).
    """
    value = as_amount(amount)
    if value is None:
        return [problem("capital.amount", amount_field, field=amount_field, value=amount)]
    written = text.strip() if isinstance(text, str) else ""
    if not written:
        return [problem("required", field, label=field)]
    try:
        said = parse_capital(written)
    except CapitalSyntaxError as exc:
        return [problem("capital.unreadable", field, text=written, reason=exc.reason)]
    if said != value:
        return [problem("capital.mismatch", field, text=written, value=f"{said:,.2f}",
                        amount=f"{value:,.2f}")]
    if normalise_capital(written) not in capital_variants(value):
        return [problem("capital.form", field, expected=to_capital(value))]
    return []
