"""The one exception tree of liucheng.

Every error carries context (definition, element, line, field, case, task) and a hint
that says what to do. Adapters (CLI, API) turn these into exit codes and HTTP answers in
exactly one place each; nothing else catches them to reword.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: what, where, and what to do."""

    message: str
    element: str | None = None
    line: int | None = None
    field: str | None = None
    source: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source + (f":{self.line}" if self.line else ""))
        elif self.line:
            where.append(f"line {self.line}")
        if self.element:
            where.append(f"element '{self.element}'")
        if self.field:
            where.append(f"field '{self.field}'")
        zh = getattr(self, "message_zh", "")  # bilingual problems (rules.validators) say both
        text = (", ".join(where) + ": " if where else "") + (
            f"{zh} / {self.message}" if zh else self.message)
        if self.hint:
            text += f" — {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class LiuchengError(Exception):
    """Base of every error liucheng raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, hint: str | None = None, message_zh: str | None = None,
                 hint_zh: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.message_zh = message_zh  # for the zh-CN pages; the API and logs stay English
        self.hint_zh = hint_zh
        self.context = {k: v for k, v in context.items() if v is not None}

    def text(self, lang: str) -> str:
        """The message in `lang` ('zh' or 'en'): Chinese where the raiser gave it."""
        return self.message_zh if self.message_zh and not lang.startswith("en") else self.message

    def hint_text(self, lang: str) -> str | None:
        if self.hint_zh and not lang.startswith("en"):
            return self.hint_zh
        return self.hint

    def __str__(self) -> str:
        return self.message + (f" — {self.hint}" if self.hint else "")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            data["hint"] = self.hint
        data.update(self.context)
        return data


class ModelError(LiuchengError):
    """A process definition is invalid; lists every problem found."""

    code = "invalid_model"

    def __init__(self, problems: list[Problem], *, source: str | None = None) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid model"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more, source=source)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


class ExpressionError(LiuchengError):
    """An expression does not parse or cannot be evaluated."""

    code = "invalid_expression"


class ValidationError(LiuchengError):
    """Submitted data is invalid; lists every field problem."""

    code = "invalid_data"

    def __init__(self, problems: list[Problem], **context: Any) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid data"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more, **context)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


class ConflictError(LiuchengError):
    """The thing acted on changed or was already acted on (e.g. a task already completed)."""

    code = "conflict"


class ForbiddenError(LiuchengError):
    """The actor may not do this; the message says why."""

    code = "forbidden"


class NotFoundError(LiuchengError):
    """A definition, case, task or other record does not exist."""

    code = "not_found"


class StateError(LiuchengError):
    """A command does not fit the current state of the case (e.g. a task that is not open)."""

    code = "invalid_state"


class ConfigurationError(LiuchengError):
    """The installation is misconfigured (database URL, missing handler, …)."""

    code = "configuration"
