"""Field validators for Chinese office paperwork, and declarative cross-field checks.

Every validator returns a list of `RuleProblem` (empty when the value is valid) and never
raises for bad input. A `RuleProblem` is a `liucheng.errors.Problem` whose `message` and
`hint` are English and which also carries the zh-CN text (`message_zh`, `hint_zh`) and a
stable `code` (e.g. `id_number.check_digit`) that a UI can use as a translation key.
All texts live in one catalogue, `MESSAGES`, as `Message(zh, en)` pairs.

Covered: PRC resident ID numbers (GB 11643-1999), mainland mobile numbers, unified social
credit codes (GB 32100-2015) and bank card numbers (Luhn). Amounts in capital numerals are
in `liucheng.rules.numerals`. The end of this module holds the declarative check specs
(`{same: [...]}`, `{before: [...]}`, `{min_items: [...]}`, ...) read from YAML and run over
nested form data by `run_checks`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from liucheng.errors import ConfigurationError, ModelError, Problem


@dataclass(frozen=True)
class Message:
    """A text in zh-CN and English; `{name}` placeholders are filled by `format`."""

    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.en if lang.lower().startswith("en") else self.zh

    def format(self, **params: Any) -> Message:
        """Fill placeholders; a parameter that is itself a Message is used per language."""
        zh = {k: v.zh if isinstance(v, Message) else v for k, v in params.items()}
        en = {k: v.en if isinstance(v, Message) else v for k, v in params.items()}
        return Message(self.zh.format(**zh), self.en.format(**en))

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True)
class RuleProblem(Problem):
    """A Problem with a stable code and zh-CN texts next to the English ones."""

    code: str = ""
    message_zh: str = ""
    hint_zh: str | None = None

    def text(self, lang: str = "zh") -> str:
        """The message (and hint) in one language, for showing beside the field."""
        if lang.lower().startswith("en"):
            return self.message + (f" — {self.hint}" if self.hint else "")
        return self.message_zh + (f"（{self.hint_zh}）" if self.hint_zh else "")


M = Message
MESSAGES: dict[str, Message] = {
    "required": M("{label}不能为空", "{label} is required"),
    "id_number.length": M("身份证号码应为18位，现为{length}位",
                          "an ID number has 18 characters, this one has {length}"),
    "id_number.old15": M("请提供第二代身份证上的18位号码", "ask for the 18-digit number"
                         " printed on the second-generation ID card"),
    "id_number.chars": M("身份证号码前17位应为数字，最后一位为数字或X",
                         "an ID number is 17 digits followed by a digit or X"),
    "id_number.region": M("身份证号码的地区码“{region}”不存在",
                          "region code '{region}' of the ID number does not exist"),
    "id_number.birth_date": M("身份证号码中的出生日期“{text}”不是有效日期",
                              "the birth date '{text}' in the ID number is not a valid date"),
    "id_number.future": M("身份证号码中的出生日期{birth}晚于今天{today}",
                          "the birth date {birth} in the ID number is after today ({today})"),
    "id_number.check_digit": M("身份证号码校验位应为{expected}，实为{actual}",
                               "the check character should be {expected}, not {actual}"),
    "retype": M("请对照证件重新核对输入", "check the number against the document and retype it"),
    "mobile.format": M("手机号码应为以1开头、第二位为3至9的11位数字",
                       "a mobile number has 11 digits starting 13–19"),
    "mobile.hint": M("可带+86或0086前缀，可用空格或连字符分隔",
                     "a +86 or 0086 prefix and spaces or hyphens are allowed"),
    "credit_code.length": M("统一社会信用代码应为18位，现为{length}位", "a unified social"
                            " credit code has 18 characters, this one has {length}"),
    "credit_code.chars": M("统一社会信用代码含有不允许的字符“{char}”（不使用I、O、Z、S、V）",
                           "character '{char}' is not allowed (I, O, Z, S and V are never used)"),
    "credit_code.check_digit": M("统一社会信用代码校验位应为{expected}，实为{actual}",
                                 "the check character should be {expected}, not {actual}"),
    "bank_card.format": M("银行卡号应为12至19位数字", "a bank card number has 12 to 19 digits"),
    "bank_card.check_digit": M("银行卡号校验失败（Luhn算法）",
                               "the card number fails the Luhn check"),
    "capital.unreadable": M("大写金额“{text}”无法识别：{reason}",
                            "the capital amount '{text}' cannot be read: {reason}"),
    "capital.mismatch": M("大写金额“{text}”为{value}，与小写金额{amount}不符",
                          "the capital amount '{text}' says {value}, the figure is {amount}"),
    "capital.form": M("大写金额写法不规范，应写作“{expected}”",
                      "the capital amount is not written in the standard form: write '{expected}'"),
    "capital.amount": M("{field}“{value}”不是有效金额（非负，最多两位小数）", "{field} '{value}' is"
                        " not an amount (not negative, at most two decimal places)"),
    "check.same": M("{field}“{value}”与{other}“{other_value}”不一致",
                    "{field} is '{value}' but {other} is '{other_value}'"),
    "check.same.hint": M("请对照证件原件，改正有误的一项", "compare the originals and correct"
                         " the one that is wrong"),
    "check.before": M("{first}（{a}）应早于{second}（{b}）",
                      "{first} ({a}) must be before {second} ({b})"),
    "check.not_after": M("{first}（{a}）不应晚于{second}（{b}）",
                         "{first} ({a}) must not be after {second} ({b})"),
    "check.date": M("{field}“{value}”不是日期，应写作YYYY-MM-DD",
                    "{field} '{value}' is not a date: write YYYY-MM-DD"),
    "check.min_items": M("{field}至少需要{n}个不同的值，现有{count}个",
                         "{field} needs at least {n} different entries, it has {count}"),
}


def problem(code: str, at: str | None, hint: str | None = None, **params: Any) -> RuleProblem:
    """A RuleProblem for field `at` from the catalogue; `hint` is another catalogue code."""
    text = MESSAGES[code].format(**params)
    hint_text = MESSAGES[hint].format(**params) if hint else None
    return RuleProblem(
        message=text.en, field=at, code=code, message_zh=text.zh,
        hint=hint_text.en if hint_text else None, hint_zh=hint_text.zh if hint_text else None,
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


# -- PRC resident ID number (GB 11643-1999) ------------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # ISO 7064 MOD 11-2: remainder 0..10 -> check character
# Province-level codes (GB/T 2260) plus 81/82/83 used on Hong Kong, Macao and Taiwan
# residents' residence permits, which carry the same 18-character number.
ID_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
})
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")


def normalise_id_number(value: object) -> str:
    """Strip spaces and upper-case a trailing x."""
    return re.sub(r"\s", "", _text(value)).upper()


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of an ID number."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _birth(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_id_number(value: object, *, today: date, field: str = "id_number") -> list[RuleProblem]:
    """Problems with an 18-character resident ID number, checked as of `today`."""
    number = normalise_id_number(value)
    if not number:
        return [problem("required", field, label="身份证号码 / ID number")]
    if len(number) != 18:
        hint = "id_number.old15" if len(number) == 15 and number.isdigit() else "retype"
        return [problem("id_number.length", field, hint, length=len(number))]
    if not _ID_RE.fullmatch(number):
        return [problem("id_number.chars", field, "retype")]
    found: list[RuleProblem] = []
    if number[:2] not in ID_PROVINCES:
        found.append(problem("id_number.region", field, "retype", region=number[:6]))
    birth = _birth(number)
    if birth is None or birth.year < 1800:
        found.append(problem("id_number.birth_date", field, "retype", text=number[6:14]))
    elif birth > today:
        found.append(problem("id_number.future", field, "retype", birth=birth, today=today))
    expected = id_check_char(number[:17])
    if number[17] != expected:
        found.append(problem(
            "id_number.check_digit", field, "retype", expected=expected, actual=number[17]
        ))
    return found


def id_birth_date(value: object) -> date:
    """The birth date encoded in an ID number (digits 7–14); ValueError if there is none."""
    number = normalise_id_number(value)
    birth = _birth(number) if _ID_RE.fullmatch(number) else None
    if birth is None:
        raise ValueError(f"'{number}' does not contain a valid birth date")
    return birth


def id_sex(value: object) -> Literal["male", "female"]:
    """The holder's sex: the 17th digit is odd for men and even for women."""
    number = normalise_id_number(value)
    if not _ID_RE.fullmatch(number):
        raise ValueError(f"'{number}' is not an 18-character ID number")
    return "male" if int(number[16]) % 2 else "female"


# -- mainland mobile numbers ---------------------------------------------------------------
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")


def normalise_mobile(value: object) -> str | None:
    """The 11-digit mobile number, without +86/0086 prefix and separators, or None."""
    text = re.sub(r"[\s\-]", "", _text(value))
    for prefix in ("+86", "0086", "(+86)", "（+86）"):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    return text if _MOBILE_RE.fullmatch(text) else None


def check_mobile(value: object, *, field: str = "mobile") -> list[RuleProblem]:
    if not _text(value):
        return [problem("required", field, label="手机号码 / mobile number")]
    if normalise_mobile(value) is None:
        return [problem("mobile.format", field, "mobile.hint")]
    return []


# -- unified social credit code (GB 32100-2015) ----------------------------------------------
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def check_credit_code(value: object, *, field: str = "credit_code") -> list[RuleProblem]:
    """Problems with an 18-character unified social credit code (统一社会信用代码)."""
    code = re.sub(r"\s", "", _text(value)).upper()
    if not code:
        return [problem("required", field, label="统一社会信用代码 / credit code")]
    if len(code) != 18:
        return [problem("credit_code.length", field, "retype", length=len(code))]
    bad = next((c for c in code if c not in USCC_CHARS), None)
    if bad is not None:
        return [problem("credit_code.chars", field, "retype", char=bad)]
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return [problem(
            "credit_code.check_digit", field, "retype", expected=expected, actual=code[17]
        )]
    return []


# -- bank card numbers ---------------------------------------------------------------------
def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn (mod 10) check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def check_bank_card(value: object, *, field: str = "bank_card") -> list[RuleProblem]:
    digits = re.sub(r"[\s\-]", "", _text(value))
    if not digits:
        return [problem("required", field, label="银行卡号 / bank card number")]
    if not (digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19):
        return [problem("bank_card.format", field, "retype")]
    if not luhn_ok(digits):
        return [problem("bank_card.check_digit", field, "retype")]
    return []


# -- declarative cross-field checks ---------------------------------------------------------
CHECK_KINDS = (
    "same", "before", "not_after", "min_items", "required", "capital",
    "id_number", "mobile", "credit_code", "bank_card",
)
_MISSING: Any = object()


@dataclass(frozen=True)
class Check:
    """One parsed check spec: a kind, the field paths it reads and, for min_items, a count."""

    kind: str
    fields: tuple[str, ...]
    count: int = 0
    message: Message | None = None  # replaces the catalogue text when given


def parse_check(spec: object, *, where: str = "check") -> Check:
    """Parse `{kind: [field, ...]}` (plus an optional `message: {zh, en}`); ModelError if bad."""
    def fail(what: str) -> ModelError:
        hint = "write e.g. {same: [id_card.name, household_register.name]}; kinds: " + ", ".join(
            CHECK_KINDS)
        return ModelError([Problem(what, element=where, hint=hint)])

    if not isinstance(spec, Mapping):
        raise fail(f"a check is a mapping, got {type(spec).__name__}")
    kinds = [k for k in spec if k != "message"]
    if len(kinds) != 1 or kinds[0] not in CHECK_KINDS:
        raise fail(f"a check needs exactly one kind, got {kinds or 'none'}")
    kind, args = kinds[0], spec[kinds[0]]
    items = tuple(args) if isinstance(args, list) else (args,)
    message = None
    if "message" in spec:
        raw = spec["message"]
        if not (isinstance(raw, Mapping) and {"zh", "en"} <= raw.keys()):
            raise fail("message must be a mapping with zh and en texts")
        message = Message(str(raw["zh"]), str(raw["en"]))
    if kind == "min_items":
        if len(items) != 2 or not isinstance(items[1], int) or isinstance(items[1], bool):
            raise fail("min_items takes [field, count], e.g. [contact_phones, 3]")
        return Check(kind, (str(items[0]),), items[1], message)
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise fail(f"{kind} takes field paths, got {args!r}")
    expected = {"same": 2, "before": 2, "not_after": 2, "capital": 2}
    if kind in expected and len(items) < expected[kind]:
        raise fail(f"{kind} needs at least {expected[kind]} field paths")
    if kind == "capital" and len(items) != 2:
        raise fail("capital takes [amount field, capital text field]")
    return Check(kind, tuple(i.strip() for i in items), 0, message)


def read_path(data: object, path: str) -> Any:
    """The value at a dotted path (`id_card.name`, `contact_phones.0`), or the MISSING marker."""
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return _MISSING if current is None or current == "" else current


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _custom(found: list[RuleProblem], message: Message | None) -> list[RuleProblem]:
    if message is None:
        return found
    return [RuleProblem(message=message.en, field=p.field, code=p.code, message_zh=message.zh)
            for p in found]


def _run_one(check: Check, data: object, today: date | None) -> list[RuleProblem]:
    values = [today if f == "today" else read_path(data, f) for f in check.fields]
    first = check.fields[0]
    if check.kind == "required":
        return [problem("required", f, label=f) for f, v in zip(check.fields, values, strict=True)
                if v is _MISSING]
    if check.kind == "same":
        present = [(f, v) for f, v in zip(check.fields, values, strict=True) if v is not _MISSING]
        found = []
        for f, v in present[1:]:
            ref_field, ref = present[0]
            if _canon(v) != _canon(ref):
                found.append(problem("check.same", f, "check.same.hint", field=f, value=v,
                                     other=ref_field, other_value=ref))
        return found
    if check.kind in ("before", "not_after"):
        dates: list[tuple[str, date]] = []
        found = []
        for f, v in zip(check.fields, values, strict=True):
            if v is _MISSING:
                continue
            d = _as_date(v)
            if d is None:
                found.append(problem("check.date", f, field=f, value=v))
            else:
                dates.append((f, d))
        for (fa, a), (fb, b) in zip(dates, dates[1:], strict=False):
            if a > b or (check.kind == "before" and a == b):
                found.append(problem(f"check.{check.kind}", fa, first=fa, a=a, second=fb, b=b))
        return found
    if check.kind == "min_items":
        items = values[0] if isinstance(values[0], list) else []
        distinct = {_canon(i) for i in items if i not in (None, "")}
        if len(distinct) < check.count:
            return [problem("check.min_items", first, field=first, n=check.count,
                            count=len(distinct))]
        return []
    if values[0] is _MISSING:
        return []
    if check.kind == "capital":
        # numerals builds on this module's messages, so it is imported where it is used
        from liucheng.rules.numerals import check_capital

        return check_capital(values[0], values[1], field=check.fields[1])
    if check.kind == "id_number":
        if today is None:
            raise ConfigurationError("the id_number check needs today's date",
                                     hint="pass run_checks(..., today=...)")
        return check_id_number(values[0], today=today, field=first)
    validator = {"mobile": check_mobile, "credit_code": check_credit_code,
                 "bank_card": check_bank_card}[check.kind]
    return validator(values[0], field=first)


def _canon(value: object) -> object:
    """The form values are compared in: texts without surrounding or doubled spaces and
    without case (ID numbers end in x or X), numbers and dates as text, the rest by repr."""
    if isinstance(value, str):
        return " ".join(value.split()).upper()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format(Decimal(repr(value) if isinstance(value, float) else value).normalize(),
                      "f")
    return value if isinstance(value, (bool, type(None))) else repr(value)


def run_checks(
    specs: Sequence[Check | Mapping[str, Any]],
    data: object,
    *,
    today: date | None = None,
) -> list[RuleProblem]:
    """Run check specs (parsed or raw mappings) over nested form data; all problems found.

    Missing or empty fields are skipped by every kind except `required`, so a check over
    a certificate the applicant does not have (a single person's marriage certificate)
    passes; list such fields under `required` where they must be present. The field name
    `today` stands for the `today` argument.
    """
    found: list[RuleProblem] = []
    for i, spec in enumerate(specs, start=1):
        check = spec if isinstance(spec, Check) else parse_check(spec, where=f"check {i}")
        if "today" in check.fields and today is None:
            raise ConfigurationError(f"check {i} compares with today but no date was given",
                                     hint="pass run_checks(..., today=...)")
        found.extend(_custom(_run_one(check, data, today), check.message))
    return found
