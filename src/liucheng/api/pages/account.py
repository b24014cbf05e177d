"""The signed-in person's own page: who they are, their API tokens, their password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.pages.cases import field_errors
from liucheng.api.pages.common import form_data, render, see_other
from liucheng.api.security import SESSION_COOKIE, Need
from liucheng.api.services import Services, services
from liucheng.errors import Problem, ValidationError
from liucheng.org import accounts, api_tokens
from liucheng.org import permissions as P
from liucheng.org.passwords import verify_password
from liucheng.org.permissions import Principal

router = APIRouter(prefix="/account", include_in_schema=False)
SCOPE_CHOICES = ("tasks.read", "tasks.act", "cases.read", "cases.start", "definitions.read",
                 "definitions.deploy", "incidents.read", "incidents.retry", "users.read")


def _page(request: Request, who: Principal, svc: Services, *, status: int = 200,
          **extra: Any) -> Response:
    with svc.db() as db:
        tokens = api_tokens.owned(db, who.user)
    values: dict[str, Any] = {"errors": {}, "new_token": None, "notice": None}
    values.update(extra)
    return render(request, who, "account.html", status=status, section="account",
                  title="account.title", tokens=tokens,
                  scopes=[s for s in SCOPE_CHOICES if who.has(s)], **values)


@router.get("")
async def account(request: Request, who: Principal = Depends(Need(P.SIGNED_IN)),
                  svc: Services = Depends(services)) -> Response:
    return await run_in_threadpool(lambda: _page(request, who, svc))


@router.post("/tokens")
async def create_token(request: Request, who: Principal = Depends(Need(P.TOKENS_OWN)),
                       svc: Services = Depends(services)) -> Response:
    data = await form_data(request)
    scopes = data.get("scopes") or []
    scopes = scopes if isinstance(scopes, list) else [scopes]

    def run() -> Response:
        try:
            with svc.db() as db:
                row, raw = api_tokens.create(db, who.user, str(data.get("name") or ""),
                                             scopes, now=svc.now())
        except ValidationError as exc:
            return _page(request, who, svc, status=422, errors=field_errors(exc))
        return _page(request, who, svc, new_token={"name": row["name"], "secret": raw})

    return await run_in_threadpool(run)


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(token_id: str, who: Principal = Depends(Need(P.TOKENS_OWN)),
                       svc: Services = Depends(services)) -> Response:
    def run() -> None:
        with svc.db() as db:
            api_tokens.revoke(db, token_id, user_id=who.user, now=svc.now())

    await run_in_threadpool(run)
    return see_other("/account")


@router.post("/password")
async def change_password(request: Request, who: Principal = Depends(Need(P.SIGNED_IN)),
                          svc: Services = Depends(services)) -> Response:
    """A new password signs the person out everywhere, this browser included."""
    data = await form_data(request)

    def run() -> Response | None:
        try:
            with svc.db() as db:
                stored = (accounts.account(db, who.user) or {}).get("password_hash")
                if not verify_password(stored, str(data.get("current") or "")):
                    raise ValidationError([Problem("wrong password", field="current")])
                accounts.save_user(db, who.user, now=svc.now(),
                                   password=str(data.get("new") or ""))
        except ValidationError as exc:
            return _page(request, who, svc, status=422, errors=field_errors(exc))
        return None

    failed = await run_in_threadpool(run)
    if failed is not None:
        return failed
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
