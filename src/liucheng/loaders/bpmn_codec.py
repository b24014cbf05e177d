"""Model values as typed JSON, for `<lc:setting>` entries that have no BPMN counterpart.

Some step settings (document checklists, cross-field checks, …) and whole element kinds
(liucheng-only steps) have no place in BPMN. The exporter writes them as
`<lc:setting name="…">JSON</lc:setting>` and the importer rebuilds them, so
`load_bpmn(export_bpmn(d))` keeps them. Frozen dataclasses of `liucheng.model` carry
their class (`"$type": "module:Class"`); tuples, decimals and dates are tagged too.
Only `liucheng.model` dataclasses are ever rebuilt: the data names no other code.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

SAFE_MODULE = "liucheng.model"


class Unencodable(ValueError):
    """A value that is not plain model data (a compiled expression, a function, …)."""


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith(SAFE_MODULE):
            raise Unencodable(f"{cls.__module__}.{cls.__qualname__}")
        out: dict[str, Any] = {"$type": f"{cls.__module__}:{cls.__qualname__}"}
        for f in dataclasses.fields(value):
            if f.name != "line":
                out[f.name] = encode(getattr(value, f.name))
        return out
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) and not k.startswith("$") for k in value):
            raise Unencodable("a mapping with non-text keys")
        return {k: encode(v) for k, v in value.items()}
    raise Unencodable(type(value).__name__)


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$tuple" in data:
        return tuple(decode(v) for v in data["$tuple"])
    if "$decimal" in data:
        return Decimal(data["$decimal"])
    if "$datetime" in data:
        return datetime.fromisoformat(data["$datetime"])
    if "$date" in data:
        return date.fromisoformat(data["$date"])
    if "$type" in data:
        cls = model_class(str(data["$type"]))
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: decode(v) for k, v in data.items() if k in names})
    return {k: decode(v) for k, v in data.items()}


def model_class(ref: str) -> Any:
    """The `liucheng.model` dataclass named `module:Class`; ValueError for anything else."""
    module_name, _, name = ref.partition(":")
    if not (module_name == SAFE_MODULE or module_name.startswith(SAFE_MODULE + ".")):
        raise ValueError(f"'{ref}' is not a liucheng model class")
    cls = getattr(importlib.import_module(module_name), name, None)
    if cls is None or not dataclasses.is_dataclass(cls):
        raise ValueError(f"'{ref}' is not a liucheng model class")
    return cls


def extra_fields(value: Any, native: set[str]) -> tuple[dict[str, str], list[str]]:
    """JSON text of each field not in `native` that differs from its default, and the
    names of fields that hold something other than model data (left out)."""
    out: dict[str, str] = {}
    skipped: list[str] = []
    for f in dataclasses.fields(value):
        if f.name in native or f.name == "line":
            continue
        current = getattr(value, f.name)
        if f.default is not dataclasses.MISSING and current == f.default:
            continue
        if f.default_factory is not dataclasses.MISSING and current == f.default_factory():
            continue
        try:
            out[f.name] = json.dumps(encode(current), ensure_ascii=False, sort_keys=True)
        except Unencodable:
            skipped.append(f.name)
    return out, skipped


def restore(cls: Any, raw: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Keyword arguments for `cls` from `<lc:setting>` texts, and the names not understood."""
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    bad: list[str] = []
    for name, text in raw.items():
        if name not in names:
            bad.append(name)
            continue
        try:
            kwargs[name] = decode(json.loads(text))
        except (ValueError, TypeError):
            bad.append(name)
    return kwargs, bad


def element_class(kind: str) -> Any:
    """The element class of `liucheng.model` whose `kind` is `kind`, or None."""
    model = importlib.import_module(SAFE_MODULE)
    base = model.Element
    for value in vars(model).values():
        if (isinstance(value, type) and issubclass(value, base)
                and getattr(value, "kind", None) == kind):
            return value
    return None
