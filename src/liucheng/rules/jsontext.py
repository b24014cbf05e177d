"""JSON text with exact decimals.

`dumps` writes a `Decimal` as the JSON number it is, every digit kept
(`12345678901234567.89`, never `1.2345678901234568e16`); `loads` reads every number with a
fraction or an exponent back as a `Decimal` (whole numbers stay `int`). The database's JSON
columns use both (`liucheng.storage.database`), so money keeps every digit from a form to
the database and back, and a case's state equals the replay of its history after a round
trip. Everything else is the standard library's JSON: text is written as it is
(`ensure_ascii=False`), NaN and infinities are refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


class _Exact(Exception):
    """Raised inside `json.dumps` when a Decimal is met: the exact writer takes over."""


def _no_decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        raise _Exact
    raise TypeError(f"{type(value).__name__} is not a JSON value")


# made once: `json.dumps` and `json.loads` with options build an encoder or decoder per
# call, which costs as much as encoding a small event
_ENCODERS = {sort: json.JSONEncoder(ensure_ascii=False, allow_nan=False, sort_keys=sort,
                                    separators=(",", ":"), default=_no_decimal)
             for sort in (False, True)}
_DECODER = json.JSONDecoder(parse_float=Decimal)


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """The JSON text of `value`; Decimals as exact numbers."""
    try:  # the C encoder, for the many values without a Decimal
        return _ENCODERS[sort_keys].encode(value)
    except _Exact:
        out: list[str] = []
        _write(value, out, sort_keys)
        return "".join(out)


def _write(value: Any, out: list[str], sort_keys: bool) -> None:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        out.append(str(value))
    elif isinstance(value, Mapping):
        out.append("{")
        items = sorted(value.items()) if sort_keys else value.items()
        for i, (key, item) in enumerate(items):
            out.append(("," if i else "") + json.dumps(str(key), ensure_ascii=False) + ":")
            _write(item, out, sort_keys)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, sort_keys)
        out.append("]")
    else:
        out.append(json.dumps(value, ensure_ascii=False, allow_nan=False, default=_no_decimal))


def loads(text: str | bytes) -> Any:
    """The value of JSON `text`; numbers with a fraction or an exponent as Decimals."""
    if isinstance(text, bytes):
        text = text.decode(json.detect_encoding(text), "surrogatepass")  # as json.loads does
    return _DECODER.decode(text)
