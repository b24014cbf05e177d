"""The web pages (Jinja2 + htmx), served by the same app as the REST API.

Templates, static files and locale catalogues live in `liucheng/web/`; the page routes are
here, beside the REST routes, so both share one permission check (`security.Need`) and
one error mapping (`problems`), which hands page errors to `render_error` below.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liucheng.api.pages import (
    account,
    admin,
    auth,
    board,
    cases,
    dashboards,
    designer,
    inbox,
    tasks,
)
from liucheng.api.pages.common import build, render, see_other
from liucheng.api.pages.work import ROUTERS as WORK_PAGES
from liucheng.errors import LiuchengError
from liucheng.org.errors import SignInRequired

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


async def render_error(request: Request, exc: LiuchengError, status: int) -> Response:
    """The HTML answer for an error on a page (the status comes from `problems`)."""
    if isinstance(exc, SignInRequired):
        target = "/login?next=" + request.url.path
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return see_other(target)
    principal = getattr(request.state, "principal", None)
    return await run_in_threadpool(render, request, principal, "error.html", status=status,
                                   title="error.title", error=exc, status_code=status)


def install(app: FastAPI, web_dir: Path) -> None:
    """Add the page routes, the HTML error renderer and the security headers to `app`."""
    app.state.web = build(web_dir, app.state.services.settings.timezone)
    app.state.html_errors = render_error
    for module in (auth, inbox, cases, tasks, admin, account, dashboards, board, designer):
        app.include_router(module.router)
    for router in WORK_PAGES:  # human-task actions (pages/work.py)
        app.include_router(router)

    app.add_middleware(SecurityHeaders)


class SecurityHeaders:
    """PAGE_HEADERS on every HTTP answer but /docs' (unless the answer sets one itself).

    Plain ASGI: Starlette's `@app.middleware("http")` passes every answer through a task
    group and a memory stream, which costs more than some pages take to build.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or URL(scope=scope).path == "/docs":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
