"""Rendering for the CLI: JSON for scripts, Rich tables for people, one-line errors."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from liucheng.errors import (
    ConflictError,
    ForbiddenError,
    LiuchengError,
    ModelError,
    NotFoundError,
    StateError,
    ValidationError,
)

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)  # an error stays one line

EXIT_CODES: list[tuple[type[LiuchengError], int]] = [
    (ModelError, 2), (ValidationError, 2), (NotFoundError, 3), (ConflictError, 4),
    (ForbiddenError, 5), (StateError, 6), (LiuchengError, 1),
]


def exit_code(exc: LiuchengError) -> int:
    return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot show {type(value).__name__}")


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def language() -> str:
    """The reader's language for messages: LIUCHENG_LANG, else the locale's (LC_ALL,
    LC_MESSAGES, LANG); 'zh' or 'en'. JSON answers stay English, as the API's do."""
    for name in ("LIUCHENG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def print_error(exc: LiuchengError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False, default=_default))
        return
    problems = getattr(exc, "problems", None)
    if problems and len(problems) > 1:
        errors.print(f"[red]error:[/red] {len(problems)} problems found")
        for p in problems:
            errors.print(f"  - {p}", markup=False)
    elif problems:
        errors.print("[red]error:[/red] ", end="")
        errors.print(str(problems[0]), markup=False)
    else:
        lang = language()
        hint = exc.hint_text(lang)
        errors.print("[red]error:[/red] ", end="")
        errors.print(exc.text(lang) + (f" — {hint}" if hint else ""), markup=False)


ZONE = ZoneInfo(os.environ.get("LIUCHENG_TIMEZONE", "Asia/Shanghai"))


def when(value: Any) -> str:
    """Times in the office's zone (Asia/Shanghai unless LIUCHENG_TIMEZONE says otherwise)."""
    if isinstance(value, datetime):
        return value.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    t = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        t.add_column(column)
    count = 0
    for row in rows:
        t.add_row(*[when(v) if isinstance(v, datetime) else ("" if v is None else str(v))
                    for v in row])
        count += 1
    if count:
        console.print(t)
    else:
        console.print(f"{title or 'nothing'}: none")
