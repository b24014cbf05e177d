"""The application factory: `create_app(settings)` builds the FastAPI app — REST API under
/api/v1, OpenAPI at /docs, the web pages and their static files — with no import-time state.

`create_app_from_env()` is the factory `liucheng serve` hands to uvicorn (settings from the
environment), so several workers can each build their own app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

import liucheng
from liucheng.api import problems
from liucheng.api.routes import admin, cases, definitions, me, reports, tasks
from liucheng.api.routes.work import ROUTERS as WORK_ROUTERS
from liucheng.api.security import Need, declared
from liucheng.api.services import Services
from liucheng.api.settings import Settings
from liucheng.org import passwords
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.org.schema import Tables
from liucheng.runtime import Engine
from liucheng.storage.tables import metadata

WEB_DIR = Path(liucheng.__file__).resolve().parent / "web"
VERSION = "0.1.0"


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               pages: bool = True) -> FastAPI:
    """Build the application. `engine` may be passed in (tests, embedding)."""
    settings = settings or Settings.from_env()
    engine = engine or Engine(settings.database_url, data_dir=str(settings.data_dir))
    app = FastAPI(title="liucheng (流程) API", version=VERSION, docs_url=None, redoc_url=None,
                  openapi_url=None,
                  description="Processes, cases, tasks and administration. Sign in with a "
                  "browser session or send `Authorization: Bearer <API token>`. Errors are "
                  "`application/problem+json`.")
    app.state.services = Services(settings=settings, engine=engine,
                                  secret=settings.resolved_secret(), tables=Tables.of(metadata))
    problems.install(app)
    for module in (definitions, cases, tasks, admin, me, reports):
        app.include_router(module.router)
    for router in WORK_ROUTERS:  # human-task actions (routes/work.py)
        app.include_router(router)
    _add_docs_and_static(app)
    if pages:
        from liucheng.api.pages import install

        install(app, WEB_DIR)
    declared(app.routes)  # refuses to build an app with a route that declares no permission
    passwords.dummy_hash()  # before the first sign-in, which then takes as long for anyone
    return app


def create_app_from_env() -> FastAPI:
    return create_app(Settings.from_env())


def _openapi_with_tokens(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, saying that requests carry `Authorization: Bearer <token>`."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version,
                             description=app.description, routes=app.routes)
        schema.setdefault("components", {})["securitySchemes"] = {"token": {
            "type": "http", "scheme": "bearer",
            "description": "An API token (lc_…) from the 'My account' page or "
                           "POST /api/v1/auth/token"}}
        schema["security"] = [{"token": []}]
        app.openapi_schema = schema
    return app.openapi_schema


def _add_docs_and_static(app: FastAPI) -> None:
    static = StaticFiles(directory=WEB_DIR / "static")
    app.openapi = lambda: _openapi_with_tokens(app)  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(who: Principal | None = Depends(Need(P.PUBLIC))) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(who: Principal | None = Depends(Need(P.PUBLIC))) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="liucheng API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg")

    @app.get("/api/v1/health", tags=["service"])
    def health(who: Principal | None = Depends(Need(P.PUBLIC))) -> dict[str, Any]:
        """Liveness: answers when the server runs and reaches its database."""
        svc: Services = app.state.services
        with svc.db() as db:
            db.conn.exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": VERSION}

    @app.get("/static/{path:path}", include_in_schema=False)
    async def static_file(path: str, request: Request,
                          who: Principal | None = Depends(Need(P.PUBLIC))) -> Response:
        response = await static.get_response(path, request.scope)
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
        return response
