"""Sign-in errors: branches of the one exception tree (`liucheng.errors.ForbiddenError`)."""

from __future__ import annotations

from typing import Any

from liucheng.errors import ForbiddenError


class SignInRequired(ForbiddenError):
    """No valid session or API token came with the request (HTTP 401)."""

    code = "unauthenticated"


class TooManyAttempts(ForbiddenError):
    """Sign-in is throttled after repeated failures (HTTP 429); says when to try again."""

    code = "throttled"

    def __init__(self, message: str, *, retry_after: int, **context: Any) -> None:
        super().__init__(message, retry_after=retry_after, **context)
        self.retry_after = retry_after
