"""Masking sensitive values (ID numbers, mobile numbers, names on a list) for people
without the `sensitive.read` permission.

A value is sensitive when the process declares it with type `id_number` or `mobile` (a
form field or a variable), or when its name is in the installation's masked list. Exports
and reports mask through a `hider` of the sensitive values of every version they cover.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from liucheng.model import ProcessDefinition, UserTask

SENSITIVE_TYPES = frozenset({"id_number", "mobile"})
DEFAULT_MASKED = ("id_number", "id_card", "mobile", "phone")
Kinds = Mapping[str, str]


def masked_here() -> tuple[str, ...]:
    """This installation's masked list: LIUCHENG_MASKED_FIELDS (comma-separated), else the
    default."""
    setting = os.environ.get("LIUCHENG_MASKED_FIELDS")
    if setting is None:
        return DEFAULT_MASKED
    return tuple(name.strip() for name in setting.split(",") if name.strip())


def sensitive_fields(definition: ProcessDefinition | None,
                     masked: Iterable[str] = DEFAULT_MASKED) -> dict[str, str]:
    """Variable name → kind ('id_number', 'mobile' or 'text') of every sensitive value."""
    kinds = {name: "text" for name in masked}
    kinds.update({n: n for n in kinds if n in SENSITIVE_TYPES})
    if definition is not None:
        for var in definition.variables:
            if var.type in SENSITIVE_TYPES:
                kinds[var.id] = var.type
        for element, _ in definition.walk():
            if isinstance(element, UserTask):
                for f in element.form:
                    if f.type in SENSITIVE_TYPES:
                        kinds[f.id] = f.type
                    for sub in f.options.get("fields", ()) if f.type == "group" else ():
                        if isinstance(sub, Mapping) and sub.get("type") in SENSITIVE_TYPES:
                            kinds[str(sub.get("id"))] = str(sub["type"])
    return kinds


def sensitive_in(definitions: Iterable[ProcessDefinition],
                 masked: Iterable[str] = DEFAULT_MASKED) -> dict[str, str]:
    """The sensitive values of several definitions (a process's versions): a name
    sensitive in one of them is masked in all."""
    masked = tuple(masked)
    kinds = sensitive_fields(None, masked)
    for definition in definitions:
        kinds.update(sensitive_fields(definition, masked))
    return kinds


def hider(kinds: Kinds) -> Callable[[str, Any], Any]:
    """(variable name, value) → the value masked when the name is sensitive, also inside
    the entries of a repeating group."""
    def hide(name: str, value: Any) -> Any:
        if isinstance(value, list):
            return [{k: hide(k, v) for k, v in entry.items()} if isinstance(entry, Mapping)
                    else entry for entry in value]
        if name in kinds and not isinstance(value, dict):
            return mask_value(value, kinds[name])
        return value
    return hide


def mask_value(value: Any, kind: str = "text") -> Any:
    """ID 110105199001011234 → 1101**********1234; mobile 13812345678 → 138****5678."""
    if value is None or value == "":
        return value
    text = str(value)
    if kind == "mobile" and len(text) >= 7:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if kind == "id_number" and len(text) >= 8:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_values(values: Mapping[str, Any], kinds: Kinds) -> dict[str, Any]:
    hide = hider(kinds)
    return {k: hide(k, v) for k, v in values.items()}


HISTORY_KEYS = ("variables", "data")


def mask_event(data: Mapping[str, Any], kinds: Kinds) -> dict[str, Any]:
    """An event's data with the submitted values masked."""
    out = dict(data)
    for key in HISTORY_KEYS:
        if isinstance(out.get(key), Mapping):
            out[key] = mask_values(out[key], kinds)
    return out
