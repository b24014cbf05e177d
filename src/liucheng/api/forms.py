"""Form values of a step: limited to its fields, typed, and checked field by field.

Browsers send text; JSON clients send numbers and booleans. Both go through `clean`, which
returns typed values and a Problem per wrong field (message in the reader's language), so
the page can show each error at its field and the API can list them. A completion may set
only the fields of its step: other case variables are not the submitter's to change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from liucheng.errors import Problem
from liucheng.model import FormField
from liucheng.rules.validators import check_id_number, check_mobile, normalise_mobile

INTEGER = frozenset({"integer", "int"})
NUMBER = frozenset({"number", "decimal", "float"})
MONEY = frozenset({"money", "amount"})
BOOLEAN = frozenset({"boolean", "bool", "checkbox"})

MESSAGES = {
    "required": ("{label}不能为空", "{label} is required"),
    "integer": ("{label}应为整数", "{label} must be a whole number"),
    "number": ("{label}应为数字", "{label} must be a number"),
    "money": ("{label}应为金额（不为负，最多两位小数）",
              "{label} must be an amount (not negative, at most two decimals)"),
    "min": ("{label}不能小于{limit}", "{label} must be at least {limit}"),
    "max": ("{label}不能大于{limit}", "{label} must be at most {limit}"),
    "date": ("{label}应为日期（年-月-日）", "{label} must be a date (YYYY-MM-DD)"),
    "choice": ("请为{label}选择一个选项", "choose one of the options for {label}"),
    "boolean": ("{label}应为是或否", "{label} must be yes or no"),
    "unknown": ("“{label}”不是本步骤的字段", "'{label}' is not a field of this step"),
    "outcome": ("请选择办理结果：{choices}", "choose an outcome: {choices}"),
}


def message(code: str, lang: str, **params: Any) -> str:
    zh, en = MESSAGES[code]
    return (en if lang.startswith("en") else zh).format(**params)


def choices(field: FormField) -> list[tuple[str, str]]:
    """(value, label) pairs of a select field; labels may be {zh, en} or plain text."""
    out = []
    for item in field.options.get("choices") or []:
        if isinstance(item, Mapping):
            out.append((str(item.get("value")), str(item.get("label") or item.get("value"))))
        else:
            out.append((str(item), str(item)))
    return out


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _number(field: FormField, value: Any, code: str, lang: str, label: str
            ) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return None, message(code, lang, label=label)
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None, message(code, lang, label=label)
    if not number.is_finite():
        return None, message(code, lang, label=label)
    if code == "integer" and number != number.to_integral_value():
        return None, message(code, lang, label=label)
    if code == "money" and (number < 0 or number.as_tuple().exponent < -2):  # type: ignore[operator]
        return None, message(code, lang, label=label)
    for bound in ("min", "max"):
        limit = field.options.get(bound)
        if isinstance(limit, int | float) and (number < Decimal(str(limit)) if bound == "min"
                                                else number > Decimal(str(limit))):
            return None, message(bound, lang, label=label, limit=limit)
    if number == number.to_integral_value():
        return int(number), None
    return number, None  # exact: a Decimal is stored as a JSON number with every digit


def _one(field: FormField, value: Any, lang: str, today: date) -> tuple[Any, str | None]:
    label = field.label.get(lang) or field.id
    kind = field.type
    if kind in INTEGER:
        return _number(field, value, "integer", lang, label)
    if kind in NUMBER:
        return _number(field, value, "number", lang, label)
    if kind in MONEY:
        return _number(field, value, "money", lang, label)
    if kind in BOOLEAN or kind == "yesno":  # a checkbox, or the yes/no radio buttons
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower()
        if text in ("on", "true", "1", "yes", "是"):
            return True, None
        if text in ("off", "false", "0", "no", "否"):
            return False, None
        return None, message("boolean", lang, label=label)
    if kind == "date":
        try:
            return date.fromisoformat(str(value).strip()).isoformat(), None
        except ValueError:
            return None, message("date", lang, label=label)
    if kind == "select":
        allowed = [v for v, _ in choices(field)]
        text = str(value)
        return (text, None) if not allowed or text in allowed else (
            None, message("choice", lang, label=label))
    if kind == "id_number":
        found = check_id_number(value, today=today, field=field.id)
        return (str(value).strip().upper(), None) if not found else (None, found[0].text(lang))
    if kind == "mobile":
        found = check_mobile(value, field=field.id)
        return (normalise_mobile(value), None) if not found else (None, found[0].text(lang))
    return (value.strip() if isinstance(value, str) else value), None


def clean(fields: Sequence[FormField], raw: Mapping[str, Any], *, lang: str, today: date,
          known: Mapping[str, Any] | None = None, booleans_absent_false: bool = False,
          require: bool = True) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values of the step's fields and the problems found (empty when all is well).

    `require=False` checks only the values given (a start form whose first step is someone
    else's: its required fields are filled at that step).
    """
    by_id = {f.id: f for f in fields}
    known = known or {}
    values: dict[str, Any] = {}
    problems = [Problem(message("unknown", lang, label=key), field=key)
                for key in raw if key not in by_id]
    for field in fields:
        value = raw.get(field.id)
        if field.type in BOOLEAN and value is None and booleans_absent_false:
            value = False
        if _empty(value):
            if require and field.required and _empty(known.get(field.id)):
                problems.append(Problem(message("required", lang,
                                                label=field.label.get(lang) or field.id),
                                        field=field.id))
            continue
        typed, error = _one(field, value, lang, today)
        if typed is False and field.required and require and field.type in BOOLEAN:
            # a required checkbox must be ticked (a yes/no answer may be no)
            error = message("required", lang, label=field.label.get(lang) or field.id)
        if error:
            problems.append(Problem(error, field=field.id))
        else:
            values[field.id] = typed
    return values, problems
