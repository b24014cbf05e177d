"""Compare two definitions by what they mean, ignoring where they came from.

`comparable(definition)` is the semantic content of a definition as plain data: every
element (id, kind, names, default flow, roles, assignee, form fields, …), every flow
(source, target, condition, name), roles and variables — without source lines, the
source name or import notes. `differences(a, b)` lists what differs, so a test or a
deploy preview can say why `load_bpmn(export_bpmn(d))` is not `d`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from liucheng.model import ProcessDefinition

_IGNORED = {"line", "source_name"}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
               if f.name not in _IGNORED}
        kind = getattr(value, "kind", None)
        if kind is not None:
            out["kind"] = kind
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def comparable(definition: ProcessDefinition) -> dict[str, Any]:
    """The definition's meaning as JSON-like data (elements and flows sorted by id)."""
    elements = {e.id: _plain(e) for e, _ in definition.walk()}
    for data in elements.values():
        data.pop("elements", None)  # nested elements are listed on their own
        data.pop("flows", None)
    parents = {e.id: parent for e, parent in definition.walk()}
    for eid, data in elements.items():
        data["parent"] = parents[eid]
    extensions = {k: v for k, v in definition.extensions.items() if k != "bpmn_import"}
    return {
        "key": definition.key,
        "name": _plain(definition.name),
        "description": _plain(definition.description),
        "elements": elements,
        "flows": {f.id: _plain(f) for f in definition.all_flows()},
        "roles": _plain(definition.roles),
        "variables": _plain(definition.variables),
        "extensions": _plain(extensions),
    }


def differences(a: ProcessDefinition, b: ProcessDefinition) -> list[str]:
    """Human-readable differences between the meanings of `a` and `b` (empty: the same)."""
    out: list[str] = []
    _diff(comparable(a), comparable(b), "", out)
    return out


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            where = f"{path}.{key}" if path else str(key)
            if key not in a:
                out.append(f"{where}: only in the second")
            elif key not in b:
                out.append(f"{where}: only in the first")
            else:
                _diff(a[key], b[key], where, out)
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")
