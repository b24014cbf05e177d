"""Form fields: checking a step's form definition, and validating what a person submits.

A field is a `liucheng.model.FormField`; its type-specific settings sit in `options`:
`required_if` / `visible_if` (expressions), `min` / `max`, `min_length` / `max_length`,
`pattern`, `choices`, `compute` (an expression: the field is computed, never typed),
`mode` (`edit`, `readonly` or `hidden` at this step), for a repeating `group` its
`fields` and `min_items` / `max_items`, and for a `user` (a person chosen from the
directory) the `role` they must hold. Every problem names the field (paths like
`guarantors[2].mobile`) in English and zh-CN.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from liucheng.errors import ExpressionError
from liucheng.rules.expressions import compile_expression, to_json
from liucheng.rules.validators import (
    Message,
    RuleProblem,
    check_bank_card,
    check_credit_code,
    check_id_number,
    check_mobile,
    normalise_id_number,
    normalise_mobile,
)

TYPES = ("text", "textarea", "integer", "decimal", "money", "date", "datetime", "select",
         "multiselect", "yesno", "id_number", "mobile", "credit_code", "bank_card", "file",
         "group", "user")
SETTINGS = {"required_if", "visible_if", "min", "max", "min_length", "max_length", "pattern",
            "choices", "compute", "mode", "fields", "min_items", "max_items", "placeholder",
            "help", "sensitive", "width", "unit", "role"}
MODES = ("edit", "readonly", "hidden")
YES = {True, "true", "yes", "y", "1", "是", "on"}
NO = {False, "false", "no", "n", "0", "否", "off"}
Functions = Mapping[str, Callable[..., Any]]
People = Callable[[str, "str | None"], bool]  # (user id, role or None) → may be chosen


def _p(field: str, code: str, zh: str, en: str) -> RuleProblem:
    return RuleProblem(message=en, field=field, code=f"form.{code}", message_zh=zh)


def spec_problems(fields: Sequence[Any], where: str = "") -> list[str]:
    """Problems in a form's definition (for model validation), as short English texts."""
    out: list[str] = []
    for f in fields:
        name = f"{where}{f.id}"
        if f.type not in TYPES:
            out.append(f"field '{name}' has unknown type '{f.type}' (use one of "
                       f"{', '.join(TYPES)})")
        mode = f.options.get("mode", "edit")
        if mode not in MODES:
            out.append(f"field '{name}' mode must be edit, readonly or hidden")
        for key in ("required_if", "visible_if", "compute"):
            if key in f.options:
                try:
                    compile_expression(str(f.options[key]))
                except ExpressionError as exc:
                    out.append(f"field '{name}' {key} does not parse: {exc.message}")
        if "pattern" in f.options:
            try:
                re.compile(str(f.options["pattern"]))
            except re.error as exc:
                out.append(f"field '{name}' pattern is not a valid regular expression: {exc}")
        if f.type in ("select", "multiselect") and not f.options.get("choices"):
            out.append(f"field '{name}' needs 'choices'")
        for bound in ("min", "max"):  # checked here, or every submission would fail on them
            if bound not in f.options:
                continue
            try:
                if f.type in ("integer", "decimal", "money"):
                    if not Decimal(str(f.options[bound])).is_finite():
                        raise InvalidOperation
                elif f.type in ("date", "datetime") and f.options[bound] != "today":
                    date.fromisoformat(str(f.options[bound]))
            except (InvalidOperation, ValueError):
                out.append(f"field '{name}' {bound} must be a "
                           + ("number" if f.type in ("integer", "decimal", "money")
                              else "date such as 2026-03-01, or 'today'"))
        if f.type == "group":
            subs = f.options.get("fields")
            if not isinstance(subs, (list, tuple)) or not subs:
                out.append(f"group '{name}' needs 'fields'")
            elif not all(isinstance(s, Mapping) or hasattr(s, "options") for s in subs):
                out.append(f"group '{name}' fields must each be a mapping with an 'id'")
            else:
                parsed = [_field(s) if isinstance(s, Mapping) else s for s in subs]
                out.extend(spec_problems(parsed, f"{name}."))
    return out


@dataclass(frozen=True)
class _Field:
    """A sub-field of a repeating group, read from its mapping (same shape as FormField)."""

    id: str
    type: str
    label: Message
    required: bool
    default: Any
    options: Mapping[str, Any]


def _field(raw: Mapping[str, Any]) -> _Field:
    label = raw.get("label")
    text = (Message(zh=str(label.get("zh", "")), en=str(label.get("en", "")))
            if isinstance(label, Mapping) else Message(zh=str(label or ""), en=""))
    return _Field(id=str(raw.get("id", "?")), type=str(raw.get("type", "text")), label=text,
                  required=bool(raw.get("required", False)), default=raw.get("default"),
                  options={k: v for k, v in raw.items()
                           if k not in {"id", "type", "label", "required", "default"}})


def group_fields(f: Any) -> list[Any]:
    """The sub-fields of a repeating group, each shaped like a FormField."""
    return [_field(s) if isinstance(s, Mapping) else s for s in f.options.get("fields", [])]


def _holds(source: Any, scope: Mapping[str, Any], functions: Functions | None) -> bool:
    try:
        return bool(compile_expression(str(source)).evaluate(scope, functions))
    except ExpressionError:
        return False


def validate_form(fields: Sequence[Any], submitted: Mapping[str, Any], known: Mapping[str, Any],
                  *, today: date, functions: Functions | None = None, strict: bool = True,
                  people: People | None = None) -> tuple[dict[str, Any], list[RuleProblem]]:
    """Check a submission against a step's fields; returns the clean values and problems.

    `known` are the case variables so far. Read-only and hidden fields may not be changed;
    with `strict`, keys that are not fields of the step are refused. `people` answers
    whether a `user` field may name someone (without it, any user id is taken).
    """
    problems: list[RuleProblem] = []
    clean: dict[str, Any] = {}
    by_id = {f.id: f for f in fields}
    if strict:
        for key in submitted:
            if key not in by_id:
                problems.append(_p(key, "unknown", f"“{key}”不是此步骤的字段",
                                   f"'{key}' is not a field of this step"))
    for f in fields:
        scope = {**known, **submitted, **clean}
        label = f.label.get() or f.id
        mode = f.options.get("mode", "edit")
        if mode != "edit" or "compute" in f.options:
            if f.id in submitted and submitted[f.id] != known.get(f.id):
                problems.append(_p(f.id, "readonly", f"“{label}”在此步骤不可修改",
                                   f"'{f.label.get('en') or f.id}' cannot be changed at this step"))
            if "compute" in f.options and mode == "edit":
                try:
                    clean[f.id] = to_json(compile_expression(str(f.options["compute"]))
                                          .evaluate(scope, functions))
                except ExpressionError as exc:
                    problems.append(_p(f.id, "compute", f"“{label}”无法计算：{exc.message}",
                                       f"'{f.id}' could not be computed: {exc.message}"))
            continue
        if "visible_if" in f.options and not _holds(f.options["visible_if"], scope, functions):
            continue
        value = submitted.get(f.id, None)
        if value is None and f.id not in known and f.default is not None:
            value = f.default
        required = f.required or ("required_if" in f.options and _holds(
            f.options["required_if"], scope, functions))
        if _empty(value):
            if required and _empty(known.get(f.id)):
                problems.append(_p(f.id, "required", f"请填写“{label}”",
                                   f"'{f.label.get('en') or f.id}' is required"))
            continue
        result, found = _value(f, value, f.id, today, functions, known, people)
        problems += found
        if not found:
            clean[f.id] = result
    return clean, problems


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _value(f: Any, value: Any, path: str, today: date, functions: Functions | None,
           known: Mapping[str, Any], people: People | None = None
           ) -> tuple[Any, list[RuleProblem]]:
    label = f.label.get() or f.id
    en = f.label.get("en") or f.id
    kind = f.type
    opts = f.options

    def bad(zh: str, text: str) -> tuple[Any, list[RuleProblem]]:
        return None, [_p(path, kind, f"“{label}”{zh}", f"'{en}' {text}")]

    if kind in ("text", "textarea"):
        text = str(value).strip()
        if "min_length" in opts and len(text) < int(opts["min_length"]):
            return bad(f"至少{opts['min_length']}个字", f"needs at least {opts['min_length']} "
                       "characters")
        limit = int(opts.get("max_length", 4000 if kind == "text" else 20000))
        if len(text) > limit:
            return bad(f"最多{limit}个字", f"has more than {limit} characters")
        if "pattern" in opts and not re.fullmatch(str(opts["pattern"]), text):
            return bad("格式不对", f"does not match the pattern {opts['pattern']}")
        return text, []
    if kind in ("integer", "decimal", "money"):
        try:
            number = Decimal(str(value).replace(",", "").replace("，", "").strip())
        except InvalidOperation:
            return bad("应为数字", "must be a number")
        if not number.is_finite():
            return bad("应为数字", "must be a number")
        if number.adjusted() > 30:  # 1e100000000 would take minutes to turn into an integer
            return bad("数值过大", "is too large")
        if kind == "integer" and number != number.to_integral_value():
            return bad("应为整数", "must be a whole number")
        if kind == "money" and number.as_tuple().exponent < -2:  # type: ignore[operator]
            return bad("最多两位小数", "has more than two decimal places")
        for bound, cmp, zh, text in (("min", number.__lt__, "不能小于", "must be at least"),
                                     ("max", number.__gt__, "不能大于", "must be at most")):
            if bound in opts and cmp(Decimal(str(opts[bound]))):
                return bad(f"{zh}{opts[bound]}", f"{text} {opts[bound]}")
        return (int(number) if kind == "integer" else to_json(number)), []
    if kind in ("date", "datetime"):
        try:
            parsed: date = (date.fromisoformat(str(value)[:10]) if kind == "date"
                            else datetime.fromisoformat(str(value)))
        except ValueError:
            return bad("应为日期，如2026-03-01", "must be a date like 2026-03-01")
        for bound, zh, text in (("min", "不能早于", "must not be before"),
                                ("max", "不能晚于", "must not be after")):
            limit_text = opts.get(bound)
            if limit_text is None:
                continue
            limit_date = today if limit_text == "today" else date.fromisoformat(str(limit_text))
            day = parsed.date() if isinstance(parsed, datetime) else parsed
            if (bound == "min" and day < limit_date) or (bound == "max" and day > limit_date):
                return bad(f"{zh}{limit_date}", f"{text} {limit_date}")
        return parsed.isoformat(), []
    if kind == "yesno":
        key = value.lower().strip() if isinstance(value, str) else value
        if isinstance(key, (list, dict)):  # unhashable: `key in YES` would raise
            return bad("应为是或否", "must be yes or no")
        if key in YES:
            return True, []
        if key in NO:
            return False, []
        return bad("应为是或否", "must be yes or no")
    if kind in ("select", "multiselect"):
        choices = [c["value"] if isinstance(c, Mapping) else c for c in opts.get("choices", [])]
        values = value if isinstance(value, list) else [value]
        if kind == "select" and isinstance(value, list):
            return bad("只能选一项", "takes one choice")
        wrong = [v for v in values if v not in choices]
        if wrong:
            return bad(f"没有选项“{wrong[0]}”", f"has no choice '{wrong[0]}' (choose from "
                       f"{', '.join(str(c) for c in choices)})")
        return (values if kind == "multiselect" else value), []
    if kind == "id_number":
        found = check_id_number(value, today=today, field=path)
        return (None, found) if found else (normalise_id_number(value), [])
    if kind == "mobile":
        found = check_mobile(value, field=path)
        return (None, found) if found else (normalise_mobile(value), [])
    if kind == "credit_code":
        found = check_credit_code(value, field=path)
        return (None, found) if found else (str(value).strip().upper(), [])
    if kind == "bank_card":
        found = check_bank_card(value, field=path)
        return (None, found) if found else (re.sub(r"[\s-]", "", str(value)), [])
    if kind == "file":
        refs = value if isinstance(value, list) else [value]
        if not all(isinstance(r, str) and re.fullmatch(r"[0-9a-f]{64}", r) for r in refs):
            return bad("应为已上传的文件", "must refer to uploaded files")
        return value, []
    if kind == "user":
        user, role = str(value).strip(), opts.get("role")
        if isinstance(value, (list, dict)) or (people is not None and not people(user, role)):
            if role:
                return bad(f"：“{user}”不是在职的{role}角色人员",
                           f"names '{user}', who is not an active user with the role '{role}'")
            return bad(f"：没有在职用户“{user}”", f"names '{user}', who is not an active user")
        return user, []
    if kind == "group":
        return _group(f, value, path, today, functions, known, people)
    return bad("类型未知", "has an unknown type")


def _group(f: Any, value: Any, path: str, today: date, functions: Functions | None,
           known: Mapping[str, Any], people: People | None) -> tuple[Any, list[RuleProblem]]:
    label = f.label.get() or f.id
    if not isinstance(value, list) or not all(isinstance(i, Mapping) for i in value):
        return None, [_p(path, "group", f"“{label}”应为若干条记录",
                         f"'{f.id}' must be a list of entries")]
    low, high = int(f.options.get("min_items", 0)), int(f.options.get("max_items", 100))
    if not low <= len(value) <= high:
        return None, [_p(path, "items", f"“{label}”应有{low}到{high}条，现有{len(value)}条",
                         f"'{f.id}' needs {low} to {high} entries, it has {len(value)}")]
    subs = group_fields(f)
    out: list[dict[str, Any]] = []
    problems: list[RuleProblem] = []
    for i, item in enumerate(value, 1):
        clean, found = validate_form(subs, item, {}, today=today, functions=functions,
                                     people=people)
        problems += [RuleProblem(message=p.message, field=f"{path}[{i}].{p.field}",
                                 code=p.code, message_zh=p.message_zh) for p in found]
        out.append(clean)
    return (None, problems) if problems else (out, [])
