"""Public status boards (no sign-in): `/boards/{process}` for the wall screens of a waiting
area, `/boards/{process}/rows` for the rows htmx fetches again every 15–30 seconds.

Only processes whose `board:` says `public: true` have one; any other key answers 404,
exactly like a process that does not exist. What a board shows is decided in
`liucheng.api.boards` (configured fields only, names and numbers masked). The language is
`?lang=zh-CN|en` (a screen has no one to click the switch), else the usual negotiation.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.boards import BoardConfig, BoardRow, board_rows
from liucheng.api.pages.common import LANGS, Translator, negotiate, web
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import NotFoundError
from liucheng.model import ProcessDefinition, Text
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/boards", include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _load(svc: Services, key: str) -> tuple[BoardConfig, list[BoardRow]]:
    """The board of the latest version of `key` and its rows; 404 unless it opted in."""
    with svc.db() as db:
        repo = Repository(db.conn)
        latest = repo.latest_definition(key)
        config = None
        if latest is not None:
            config = BoardConfig.of(svc.engine.definition(repo, latest["id"]),
                                    svc.settings.masked_fields)
        if config is None:
            raise NotFoundError(f"no public board for '{key}'",
                                hint="a process shows one when its board says public: true")
        cache: dict[str, ProcessDefinition] = {}

        def definition_of(definition_id: str) -> ProcessDefinition:
            if definition_id not in cache:
                cache[definition_id] = svc.engine.definition(repo, definition_id)
            return cache[definition_id]

        return config, board_rows(db, config, definition_of)


def _render(request: Request, who: Principal | None, template: str,
            **context: Any) -> HTMLResponse:
    wanted = request.query_params.get("lang")
    lang = wanted if wanted in LANGS else negotiate(request, who)
    w = web(request)

    def txt(value: Any) -> str:
        return value.get(lang) if isinstance(value, Text) else ("" if value is None
                                                                 else str(value))

    svc: Services = request.app.state.services
    now = svc.now().astimezone(w.tz)
    html = w.env.get_template(template).render(
        t=Translator(w.catalogs, lang), txt=txt, lang=lang, now=now.strftime("%H:%M:%S"),
        today=now.strftime("%Y-%m-%d"), langs=LANGS, **context)
    return HTMLResponse(html, headers=NO_STORE)


@router.get("/{key}")
async def board(key: str, request: Request, who: Principal | None = Depends(Need(P.PUBLIC)),
                svc: Services = Depends(services)) -> Response:
    """The whole screen: title, clock, the rows, refreshed by htmx."""
    config, rows = await run_in_threadpool(_load, svc, key)
    return _render(request, who, "board.html", config=config, rows=rows)


@router.get("/{key}/rows")
async def rows(key: str, request: Request, who: Principal | None = Depends(Need(P.PUBLIC)),
               svc: Services = Depends(services)) -> Response:
    """Only the rows (what the screen fetches again every `refresh` seconds)."""
    config, found = await run_in_threadpool(_load, svc, key)
    return _render(request, who, "_board_rows.html", config=config, rows=found)
