"""The signed-in person: who am I, my API tokens, and getting a token with a password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from liucheng.api import schemas
from liucheng.api.security import Need
from liucheng.api.services import Services, client_ip, services
from liucheng.org import accounts, api_tokens
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal

router = APIRouter(prefix="/api/v1", tags=["me"])


@router.get("/me", response_model=schemas.Me)
def me(who: Principal = Depends(Need(P.SIGNED_IN))) -> dict[str, Any]:
    return {"user": who.user, "name": who.name, "organisation": who.organisation,
            "department": who.department, "roles": sorted(who.roles), "admin": who.admin,
            "permissions": sorted(who.permissions), "via": who.via}


@router.get("/me/tokens", response_model=list[schemas.TokenPublic])
def tokens(who: Principal = Depends(Need(P.TOKENS_OWN)),
           svc: Services = Depends(services)) -> list[dict[str, Any]]:
    with svc.db() as db:
        return api_tokens.owned(db, who.user)


@router.post("/me/tokens", response_model=schemas.TokenCreated, status_code=201)
def create_token(body: schemas.TokenIn, who: Principal = Depends(Need(P.TOKENS_OWN)),
                 svc: Services = Depends(services)) -> dict[str, Any]:
    """Make an API token for yourself; the secret is in the answer, and only there."""
    with svc.db() as db:
        row, raw = api_tokens.create(db, who.user, body.name, body.scopes, now=svc.now(),
                                     expires_at=body.expires_at)
    return {**row, "token": raw}


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(token_id: str, who: Principal = Depends(Need(P.TOKENS_OWN)),
                 svc: Services = Depends(services)) -> None:
    with svc.db() as db:
        api_tokens.revoke(db, token_id, user_id=who.user, now=svc.now())


@router.post("/auth/token", response_model=schemas.TokenCreated, status_code=201)
def token_by_password(body: schemas.TokenSignIn, request: Request,
                      who: Principal | None = Depends(Need(P.PUBLIC)),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    """Sign in with user id and password (throttled) and get an API token for scripts."""
    ip, limits = client_ip(request, svc.settings.trust_proxy), svc.settings.throttle
    with svc.reading() as db:
        tried = accounts.attempt(db, body.user, ip=ip, now=svc.now(), limits=limits)
    matches = tried.matches(body.password)
    with svc.writing() as db:
        result = accounts.sign_in(db, tried, body.password, matches, ip=ip, now=svc.now(),
                                  limits=limits)
    if result.principal is None:
        assert result.error is not None
        raise result.error
    if not result.principal.has(P.TOKENS_OWN):
        P.authorize(result.principal, P.TOKENS_OWN)
    with svc.db() as db:
        row, raw = api_tokens.create(db, result.principal.user, body.name, body.scopes,
                                     now=svc.now(), expires_at=body.expires_at)
    return {**row, "token": raw}
