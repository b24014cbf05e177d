"""Step windows: the days on which a user step may be claimed and completed.

A `window:` on a user step is a business-calendar date rule (see docs/calendar.md)
reckoned from a reference date held by the case, in any of these shapes:

    {from: death_date, month_offset: 1, days: [1, 19], working_days_only: true}
    {from: review_completed_at, month_offset: 1, first_working_days: 10}
    {reference: death_date, rule: {window: [1, 19], working_days_only: true,
                                   month_offset: 1}, kind: filing}
    {day: 27, roll: earlier}                   # no reference: this month's 27th
    {reference: next_due_date, days_before: 3}  # from 3 days before the date on
    {reference: next_due_date, days_before: 3, days_after: 0}

`from` / `reference` is an expression (usually a variable name) giving a date or a
date-time. The rule's window for that date is the first one; a step not done in it may be
done in a later window of the same monthly pattern (a late filing in the next month's
1st-19th) unless `repeat: false`. `kind` only names the window in messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from liucheng.calendar import DateRule, parse_rule
from liucheng.errors import ExpressionError, ModelError, Problem
from liucheng.rules.expressions import compile_expression

OWN_KEYS = {"from", "reference", "rule", "kind", "repeat", "days", "first_working_days",
            "last_working_days", "days_before", "days_after"}
KIND_NAMES = {"filing": ("申报期", "filing window"), "period": ("办理期", "period"),
              "window": ("办理期", "window")}


@dataclass(frozen=True)
class StepWindow:
    """A rule with the expression of its reference date (None: the day the step is acted on)."""

    rule: DateRule | None
    reference: str | None = None
    days_before: int | None = None
    days_after: int | None = None
    kind: str = "window"
    repeat: bool = True

    def names(self) -> tuple[str, str]:
        return KIND_NAMES.get(self.kind, KIND_NAMES["window"])


def parse_window(data: Any, *, element: str | None = None, line: int | None = None,
                 source: str | None = None) -> StepWindow:
    """Read a `window:` value; raises ModelError naming the element, field and line."""

    def bad(message: str, field: str = "window", hint: str | None = None) -> ModelError:
        return ModelError([Problem(message, element=element, line=line, field=field,
                                   source=source, hint=hint)], source=source)

    if isinstance(data, str):
        return StepWindow(parse_rule(data, element=element, field="window", line=line,
                                     source=source))
    if not isinstance(data, Mapping):
        raise bad("window must be a date rule such as {day: 27, roll: earlier} or "
                  "{from: death_date, month_offset: 1, days: [1, 19], working_days_only: true}")
    raw = dict(data)
    start = raw.get("from")
    reference = raw.pop("reference", None)
    if start is not None and start not in ("month_start", "month_end"):
        reference = raw.pop("from")
    if reference is not None:
        reference = str(reference)
        try:
            compile_expression(reference)
        except ExpressionError as exc:
            raise bad(f"reference date does not parse: {exc.message}", "window.from") from None
    kind = str(raw.pop("kind", "window"))
    repeat = raw.pop("repeat", True)
    if not isinstance(repeat, bool):
        raise bad("repeat must be true or false", "window.repeat")
    if "days_before" in raw or "days_after" in raw:
        return _around(raw, reference, kind, bad)
    if "rule" in raw:
        rule_data = raw.pop("rule")
        if raw:
            raise bad(f"unknown key '{next(iter(raw))}' beside 'rule' in a window",
                      hint="put the rule's keys inside rule: {...}")
    else:
        rule_data = _calendar_shape(raw)
    rule = parse_rule(rule_data, element=element, field="window", line=line, source=source)
    return StepWindow(rule, reference, kind=kind, repeat=repeat)


def _calendar_shape(raw: dict[str, Any]) -> dict[str, Any]:
    """`days: [1, 19]` → `window: [1, 19]`; `first_working_days: 10` → `working_days: 10`."""
    out = dict(raw)
    if "days" in out:
        out["window"] = out.pop("days")
    for key, side in (("first_working_days", "month_start"), ("last_working_days", "month_end")):
        if key in out:
            out["working_days"] = out.pop(key)
            out["from"] = side
    return out


def _around(raw: dict[str, Any], reference: str | None, kind: str, bad: Any) -> StepWindow:
    if reference is None:
        raise bad("days_before / days_after count from a reference date",
                  "window.reference", "add reference: <variable holding the date>")
    values: dict[str, int | None] = {}
    for key in ("days_before", "days_after"):
        value = raw.pop(key, None)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            raise bad(f"{key} must be a whole number of days (0 or more)", f"window.{key}")
        values[key] = value
    if raw:
        raise bad(f"unknown key '{next(iter(raw))}' in a window with days_before/days_after")
    return StepWindow(None, reference, values["days_before"], values["days_after"], kind,
                      repeat=False)
