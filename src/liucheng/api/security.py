"""Who is asking, and may they: the `Need(permission)` dependency every route declares.

A request is signed in by a session cookie (browser) or `Authorization: Bearer <token>`
(scripts). `Need` resolves the principal once per request, checks the permission with
`liucheng.org.permissions.authorize`, and for cookie-signed-in state-changing requests
checks the CSRF token (form field `csrf_token` or header `X-CSRF-Token`). PUBLIC routes
that change state (signing in) check their own pre-session token.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from liucheng.api.services import READS_ONLY, Services, services
from liucheng.errors import ConfigurationError, ForbiddenError
from liucheng.org import accounts, api_tokens, sessions
from liucheng.org.crypto import same
from liucheng.org.errors import SignInRequired
from liucheng.org.permissions import CATALOGUE, PUBLIC, Principal, authorize, narrow
from liucheng.org.schema import Db

SESSION_COOKIE = "lc_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _from_token(svc: Services, raw: str) -> Principal:
    now = svc.now()
    with svc.db() as db:
        row = api_tokens.look_up(db, raw, now=now)
        found = accounts.principal(db, row["user_id"]) if row else None
    if row is not None and api_tokens.due(row, now=now):
        with svc.writing() as db:
            row = api_tokens.find(db, raw, now=now)
            found = accounts.principal(db, row["user_id"]) if row else None
    if row is None or found is None:
        raise SignInRequired("the API token is not valid (unknown, expired or revoked)",
                             hint="create a new token on the 'API tokens' page")
    scopes = frozenset(row["scopes"])
    return replace(found, permissions=narrow(found.permissions, scopes), via="token",
                   token_id=row["id"], scopes=scopes)


def _from_session(svc: Services, raw: str) -> Principal | None:
    now, lifetime = svc.now(), svc.settings.sessions
    with svc.db() as db:
        row = sessions.look_up(db, raw)
        if row is None:
            return None
        if not sessions.due(row, now=now, lifetime=lifetime):
            return _signed_in(db, row)
    with svc.writing() as db:
        row = sessions.find(db, raw, now=now, lifetime=lifetime)
        return None if row is None else _signed_in(db, row)


def _signed_in(db: Db, row: dict[str, Any]) -> Principal | None:
    return accounts.principal(db, row["user_id"], via="session", session_id=row["id"],
                              csrf_token=row["csrf_token"])


def _resolve(svc: Services, authorization: str | None, cookie: str | None) -> Principal | None:
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise SignInRequired("the Authorization header must be 'Bearer <API token>'")
        return _from_token(svc, value.strip())
    if cookie:
        return _from_session(svc, cookie)
    return None


async def current_principal(request: Request) -> Principal | None:
    """The principal of this request (cached on request.state), or None if anonymous."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal = await run_in_threadpool(_resolve, services(request),
                                        request.headers.get("authorization"),
                                        request.cookies.get(SESSION_COOKIE))
    request.state.principal = principal
    return principal


async def check_csrf(request: Request, principal: Principal) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same(sent, principal.csrf_token):
        raise ForbiddenError("the form's security token is missing or out of date",
                             hint="reload the page and submit again")


class Need:
    """Dependency: the route needs `permission`; returns the principal (None if PUBLIC)."""

    def __init__(self, permission: str) -> None:
        if permission not in CATALOGUE:
            raise ValueError(f"unknown permission {permission!r}")
        self.permission = permission

    def __repr__(self) -> str:
        return f"Need({self.permission!r})"

    async def __call__(self, request: Request) -> Principal | None:
        READS_ONLY.set(request.method in SAFE_METHODS)
        try:
            principal = await current_principal(request)
        except SignInRequired:
            if self.permission != PUBLIC:
                raise
            principal = None
        authorize(principal, self.permission)
        if (principal is not None and principal.via == "session"
                and self.permission != PUBLIC and request.method not in SAFE_METHODS):
            await check_csrf(request, principal)
        return principal


def flat_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route of an app, also inside included routers (however FastAPI nests them)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from flat_routes(inner.routes)
        else:
            yield route


def _needs(dependant: Dependant) -> list[Need]:
    found = [dependant.call] if isinstance(dependant.call, Need) else []
    for sub in dependant.dependencies:
        found.extend(_needs(sub))
    return found


def declared(routes: Iterable[Any]) -> dict[str, str]:
    """'METHOD /path' → permission for every route; raises if a route declares none (or
    several), so an app with an undeclared route does not start."""
    out: dict[str, str] = {}
    for route in flat_routes(routes):
        path = getattr(route, "path", repr(route))
        if not isinstance(route, APIRoute):
            raise ConfigurationError(f"route {path} cannot declare a permission",
                                     hint="serve it through an APIRoute with Need(...)")
        needs = _needs(route.dependant)
        if len(needs) != 1:
            raise ConfigurationError(f"route {path} declares {len(needs)} permissions",
                                     hint="give every route exactly one Depends(Need(...))")
        for method in sorted(route.methods or ()):
            out[f"{method} {path}"] = needs[0].permission
    return out
