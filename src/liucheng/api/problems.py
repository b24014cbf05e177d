"""Errors → HTTP, in this one module: every LiuchengError becomes application/problem+json
(RFC 9457) with the error's code, hint, context and field problems.

Pages (paths outside /api/) get the same status code but an HTML page: the web layer
registers a renderer in `app.state.html_errors`; this module still decides the status.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from liucheng.errors import (
    ConfigurationError,
    ConflictError,
    ExpressionError,
    ForbiddenError,
    LiuchengError,
    ModelError,
    NotFoundError,
    Problem,
    StateError,
    ValidationError,
)
from liucheng.org.errors import SignInRequired, TooManyAttempts

log = logging.getLogger("liucheng.api")
MEDIA_TYPE = "application/problem+json"
API_PREFIXES = ("/api/", "/openapi.json")

STATUS: tuple[tuple[type[LiuchengError], int, str], ...] = (
    (TooManyAttempts, 429, "Too many attempts"),
    (SignInRequired, 401, "Sign-in required"),
    (ModelError, 422, "Invalid process model"),
    (ValidationError, 422, "Invalid data"),
    (ExpressionError, 422, "Invalid expression"),
    (ConflictError, 409, "Conflict"),
    (StateError, 409, "Not possible in the current state"),
    (ForbiddenError, 403, "Forbidden"),
    (NotFoundError, 404, "Not found"),
    (ConfigurationError, 500, "Configuration error"),
    (LiuchengError, 400, "Bad request"),
)
HTTP_TITLES = {404: "Not found", 405: "Method not allowed", 501: "Not implemented"}

HtmlRenderer = Callable[[Request, LiuchengError, int], Awaitable[Response]]


def status_for(exc: LiuchengError) -> tuple[int, str]:
    """The HTTP status and title of an error."""
    if isinstance(exc, HttpError):
        return exc.status, HTTP_TITLES.get(exc.status, "HTTP error")
    if isinstance(exc, NotImplementedYet):
        return 501, "Not implemented"
    if isinstance(exc, InternalError):
        return 500, "Internal error"
    if isinstance(exc, Busy):
        return 503, "Busy"
    for cls, status, title in STATUS:
        if isinstance(exc, cls):
            return status, title
    return 400, "Bad request"  # pragma: no cover - LiuchengError is the last row


def problem(exc: LiuchengError, instance: str | None = None) -> dict[str, Any]:
    status, title = status_for(exc)
    body: dict[str, Any] = {"type": f"urn:liucheng:problem:{exc.code}", "title": title,
                            "status": status, "detail": exc.message}
    if instance:
        body["instance"] = instance
    body.update(exc.to_dict())
    return body


def headers_for(exc: LiuchengError) -> dict[str, str]:
    if isinstance(exc, TooManyAttempts):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, Busy):
        return {"Retry-After": str(Busy.RETRY_AFTER)}
    if isinstance(exc, SignInRequired):
        return {"WWW-Authenticate": 'Bearer realm="liucheng"'}
    return {}


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIXES) and request.url.path != "/docs"


class HttpError(LiuchengError):
    """A plain HTTP failure (unknown path, wrong method) in the same problem format."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = {404: "not_found", 405: "method_not_allowed"}.get(status, f"http_{status}")


class NotImplementedYet(LiuchengError):
    """A feature this installation does not have (HTTP 501), e.g. BPMN export."""

    code = "not_implemented"


class InternalError(LiuchengError):
    """An unexpected failure; details go to the log, never to the client (HTTP 500)."""

    code = "internal_error"


class Busy(LiuchengError):
    """Every database connection stayed in use while this request waited (HTTP 503)."""

    code = "busy"
    RETRY_AFTER = 5


async def _respond(request: Request, exc: LiuchengError) -> Response:
    renderer: HtmlRenderer | None = getattr(request.app.state, "html_errors", None)
    if renderer is not None and is_page(request):
        return await renderer(request, exc, status_for(exc)[0])
    body = problem(exc, request.url.path)
    return JSONResponse(body, status_code=body["status"], media_type=MEDIA_TYPE,
                        headers=headers_for(exc))


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    async def on_liucheng(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LiuchengError)
        return await _respond(request, exc)

    async def on_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [Problem(str(e.get("msg", "invalid")),
                            field=".".join(str(p) for p in e.get("loc", ()) if p != "body"))
                    for e in exc.errors()]
        return await _respond(request, ValidationError(problems))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return await _respond(request, HttpError(exc.status_code, str(exc.detail)))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return await _respond(request, InternalError(
            "something went wrong on the server; the action was not done",
            hint="try again; if it keeps happening tell the administrator"))

    async def on_pool_timeout(request: Request, exc: Exception) -> Response:
        log.warning("no free database connection for %s %s", request.method, request.url.path)
        return await _respond(request, Busy(
            "the server is busy; the action was not done",
            hint=f"try again in {Busy.RETRY_AFTER} seconds",
            message_zh="服务器繁忙，操作未执行", hint_zh=f"请 {Busy.RETRY_AFTER} 秒后重试"))

    app.add_exception_handler(LiuchengError, on_liucheng)
    app.add_exception_handler(sa.exc.TimeoutError, on_pool_timeout)
    app.add_exception_handler(RequestValidationError, on_request)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
