"""How a case value reads on a page: yes/no in words, a choice by its label, money with
thousands separators and two decimals, times in the office's time zone, people by name,
lists joined, a repeating group entry by entry.

`specs` finds what the process says about each variable (its form field or declaration);
`format_value` turns one value into the text shown, in the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from liucheng.model import FormField, ProcessDefinition, Text, UserTask, Variable
from liucheng.rules.forms import group_fields

Spec = FormField | Variable
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def specs(definition: ProcessDefinition) -> dict[str, Spec]:
    """Variable name → its first form field (by step order), else its declaration."""
    out: dict[str, Spec] = {v.id: v for v in definition.variables}
    for element, _ in definition.walk():
        if isinstance(element, UserTask):
            for f in element.form:
                if f.id not in out or isinstance(out[f.id], Variable):
                    out[f.id] = f
    return out


def _choice_label(spec: Any, value: Any, txt: Callable[[Any], str],
                  t: Callable[..., str]) -> str:
    options = getattr(spec, "options", {})
    for item in options.get("choices", ()):
        if isinstance(item, Mapping) and item.get("value") == value and item.get("label"):
            return txt(item["label"])
    key = f"choice.{value}"
    found = t(key)
    return str(value) if found == key else found


def _money(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{number:,.2f}" if number.is_finite() else str(value)


def format_value(value: Any, spec: Any, *, txt: Callable[[Any], str],
                 t: Callable[..., str], tz: ZoneInfo, sep: str = ", ") -> str:
    """The text a page shows for `value`; '—' for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    kind = str(getattr(spec, "type", ""))
    if isinstance(value, bool):
        return t("value.yes") if value else t("value.no")
    if kind == "group" and isinstance(value, list):
        subs = group_fields(spec)
        entries = []
        for entry in value:
            if not isinstance(entry, Mapping):
                entries.append(str(entry))
                continue
            parts = [f"{txt(Text(s.label.zh, s.label.en)) or s.id} "
                     f"{format_value(entry.get(s.id), s, txt=txt, t=t, tz=tz)}"
                     for s in subs if not _blank(entry.get(s.id))]
            entries.append(" ".join(parts))
        return "；".join(entries) if sep == "、" else "; ".join(entries)
    if isinstance(value, list):
        return sep.join(format_value(v, spec, txt=txt, t=t, tz=tz, sep=sep) for v in value)
    if isinstance(value, Mapping):
        return txt(value) if ("zh" in value or "en" in value) else "—"
    if kind in ("select", "multiselect") and spec is not None:
        return _choice_label(spec, value, txt, t)
    if kind == "money":
        return _money(value)
    if kind == "yesno" and isinstance(value, str):
        return t("value.yes") if value.lower() in ("true", "yes", "是") else t("value.no")
    if isinstance(value, str) and ISO_TIME.match(value) and kind != "text":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(tz)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _blank(value: Any) -> bool:
    return value is None or value == ""
