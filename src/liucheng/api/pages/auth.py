"""Signing in and out, and the language switch.

The sign-in form carries a CSRF token bound to a random pre-session cookie (HMAC with the
secret key). A successful sign-in always makes a new session and drops the one the browser
came with, so a planted session id is useless; the cookie is HttpOnly and SameSite=Lax.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages.common import LANG_COOKIE, LANGS, form_data, render, safe_next, see_other
from liucheng.api.security import SESSION_COOKIE, Need
from liucheng.api.services import Services, client_ip, services
from liucheng.org import accounts, sessions
from liucheng.org import permissions as P
from liucheng.org.accounts import SignIn
from liucheng.org.crypto import new_secret, same, sign
from liucheng.org.errors import TooManyAttempts
from liucheng.org.permissions import Principal

router = APIRouter(include_in_schema=False)
PRE_COOKIE = "lc_pre"
YEAR = 365 * 24 * 3600


def _login_page(request: Request, svc: Services, *, next_url: str, user: str = "",
                error: str | None = None, status: int = 200) -> HTMLResponse:
    pre = request.cookies.get(PRE_COOKIE) or new_secret()
    response = render(request, None, "login.html", status=status, title="login.title",
                      next_url=next_url, user=user, error=error,
                      login_token=sign(svc.secret, pre))
    response.set_cookie(PRE_COOKIE, pre, max_age=3600, httponly=True, samesite="lax",
                        secure=svc.settings.secure_cookies, path="/")
    return response


@router.get("/login")
async def login_form(request: Request, next: str = "/inbox",
                     who: Principal | None = Depends(Need(P.PUBLIC)),
                     svc: Services = Depends(services)) -> Response:
    if who is not None:
        return see_other(safe_next(next))
    return _login_page(request, svc, next_url=safe_next(next))


def _sign_in(svc: Services, user: str, password: str, ip: str,
             previous: str | None) -> tuple[SignIn, str | None]:
    limits = svc.settings.throttle
    with svc.reading() as db:
        tried = accounts.attempt(db, user, ip=ip, now=svc.now(), limits=limits)
    matches = tried.matches(password)
    with svc.writing() as db:
        result = accounts.sign_in(db, tried, password, matches, ip=ip, now=svc.now(),
                                  limits=limits)
        if result.principal is None:
            return result, None
        raw, _ = sessions.create(db, result.principal.user, now=svc.now(),
                                 lifetime=svc.settings.sessions, ip=ip, previous=previous,
                                 user_agent=None)
        return result, raw


@router.post("/login")
async def login(request: Request, who: Principal | None = Depends(Need(P.PUBLIC)),
                svc: Services = Depends(services)) -> Response:
    data = await form_data(request)
    next_url = safe_next(str(data.get("next") or "/inbox"))
    user = str(data.get("user") or "").strip()
    pre = request.cookies.get(PRE_COOKIE)
    if not pre or not same(sign(svc.secret, pre), str(data.get("csrf_token") or "")):
        return _login_page(request, svc, next_url=next_url, user=user, error="login.expired",
                           status=403)
    ip = client_ip(request, svc.settings.trust_proxy)
    result, raw = await run_in_threadpool(_sign_in, svc, user, str(data.get("password") or ""),
                                          ip, request.cookies.get(SESSION_COOKIE))
    if raw is None:
        throttled = isinstance(result.error, TooManyAttempts)
        return _login_page(request, svc, next_url=next_url, user=user,
                           error="login.throttled" if throttled else "login.wrong",
                           status=429 if throttled else 401)
    response = see_other(next_url)
    response.set_cookie(SESSION_COOKIE, raw, httponly=True, samesite="lax", path="/",
                        secure=svc.settings.secure_cookies,
                        max_age=int(svc.settings.sessions.absolute.total_seconds()))
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, who: Principal = Depends(Need(P.SIGNED_IN)),
                 svc: Services = Depends(services)) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)

    def end() -> None:
        with svc.db() as db:
            if raw:
                sessions.end(db, raw)

    await run_in_threadpool(end)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
async def switch_language(code: str, request: Request, next: str = "/inbox",
                          who: Principal | None = Depends(Need(P.PUBLIC)),
                          svc: Services = Depends(services)) -> Response:
    """Remember the chosen language in a cookie (nothing is stored on the server, so a
    plain link will do) and go back to the page."""
    response = see_other(safe_next(next))
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, max_age=YEAR, samesite="lax", path="/",
                            secure=svc.settings.secure_cookies)
    return response
