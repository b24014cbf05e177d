"""Dashboard pages (`reports.read`): every process at a glance, then per process its
overview, bottlenecks with the heat map on the diagram, trends, workload and the progress
list per dealer. Filters (process, version, date range, working or calendar time) are a
GET form; each chart has its table and CSV / Excel downloads from `/api/v1/reports`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.analytics import show_all
from liucheng.analytics.cycle import Period
from liucheng.api.pages import dashboard_data as data
from liucheng.api.pages.cases import field_errors
from liucheng.api.pages.common import negotiate, render, see_other
from liucheng.api.pages.labels import Labels
from liucheng.api.reporting import ReportQuery, hide_for, measure_for, scoped_tables
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import NotFoundError, ValidationError
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.storage.repository import Repository

router = APIRouter(prefix="/reports", include_in_schema=False)
PAGES = ("overview", "bottlenecks", "trends", "workload", "progress")
FILTER_KEYS = ("version", "from", "to", "time")
RENAMED = {"start": "from", "end": "to"}  # Filters' field names → the form's
Build = Callable[[data.View, dict[str, Any], ReportQuery], dict[str, Any]]


def _query(request: Request, key: str | None) -> ReportQuery:
    q = request.query_params
    version = q.get("version") or ""
    return ReportQuery(process=key, version=int(version) if version.isdigit() else None,
                       start=q.get("from") or None, end=q.get("to") or None,
                       time=q.get("time") or "working", period=q.get("period") or "week",
                       group_by=q.get("group_by") or None, remarks=q.get("remarks") or None,
                       all_cases=q.get("all") == "1")


def _filters_qs(query: ReportQuery, with_process: bool = False) -> str:
    """The filters as a query string: for links between the pages (the process is in the
    path) or, `with_process`, for the downloads from /api/v1/reports."""
    pairs = {"process": query.process if with_process else None, "version": query.version,
             "from": query.start, "to": query.end, "time": query.time}
    return urlencode({k: v for k, v in pairs.items() if v not in (None, "")})


def _page(request: Request, who: Principal, svc: Services, key: str | None, page: str,
          template: str, build: Build) -> Response:
    query = _query(request, key)
    lang = negotiate(request, who)
    errors: dict[str, str] = {}
    extra: dict[str, Any] = {}
    hide = hide_for(svc, who, key) if page == "progress" else show_all  # case variables
    with svc.db() as db:
        every = data.processes(Repository(db.conn))
        process = next((p for p in every if p["key"] == key), None)
        if key is not None and process is None:
            raise NotFoundError(f"no process '{key}'", hint="choose one on the reports page")
        if process is not None:
            if query.version not in (None, *process["versions"]):
                errors["version"] = ("该流程没有这个版本" if lang != "en"
                                     else "the process has no such version")
            version = query.version or process["versions"][-1]
            process = {**process, "definition": f"{process['key']}:{version}",
                       "version": version}
        try:
            checked = query.checked()
            filters = checked.filters(ZoneInfo(svc.settings.timezone))
        except ValidationError as exc:
            errors.update({RENAMED.get(k, k): v for k, v in field_errors(exc).items()})
        if not errors:
            view = data.View(db.conn, scoped_tables(db, who), filters,
                             measure_for(svc, checked.time_kind), svc.now(), lang,
                             Labels(svc, db), ZoneInfo(svc.settings.timezone), hide)
            if process is not None:
                process["compiled"] = view.labels.definition(process["definition"])
            extra = build(view, process or {}, checked)
    return render(request, who, template, status=422 if errors else 200, section="reports",
                  title="reports.title",
                  processes=every, process=process, page=page, pages=PAGES, query=query,
                  errors=errors, filters_qs=_filters_qs(query),
                  download_qs=_filters_qs(query, with_process=True), **extra)


@router.get("")
async def index(request: Request, who: Principal = Depends(Need(P.REPORTS_READ)),
                svc: Services = Depends(services)) -> Response:
    """Every process: cases, running, finished, open and overdue tasks, median cycle time."""
    q = request.query_params
    if q.get("process"):  # the filter form: go to the chosen process's page
        page = q.get("page") if q.get("page") in PAGES else "overview"
        keep = [k for k in FILTER_KEYS if k != "version" or q.get("current") == q["process"]]
        rest = urlencode({k: q[k] for k in keep if q.get(k)})
        path = f"/reports/{quote(q['process'], safe='')}"
        path += "" if page == "overview" else f"/{page}"
        return see_other(path + (f"?{rest}" if rest else ""))

    def build(view: data.View, process: dict[str, Any], query: ReportQuery) -> dict[str, Any]:
        counts = data.counts(view)
        return {"counts": counts}

    return await run_in_threadpool(_page, request, who, svc, None, "index",
                                   "reports_index.html", build)


@router.get("/{key}")
async def overview(key: str, request: Request, who: Principal = Depends(Need(P.REPORTS_READ)),
                   svc: Services = Depends(services)) -> Response:
    def build(view: data.View, process: dict[str, Any], query: ReportQuery) -> dict[str, Any]:
        steps = data.step_rows(view, process["definition"])
        return {"counts": data.counts(view).get(key, {}), "cycle": data.cycle(view, "week"),
                "top": [s for s in steps if s["rank"]][:5]}

    return await run_in_threadpool(_page, request, who, svc, key, "overview",
                                   "reports_overview.html", build)


@router.get("/{key}/bottlenecks")
async def bottlenecks(key: str, request: Request,
                      who: Principal = Depends(Need(P.REPORTS_READ)),
                      svc: Services = Depends(services)) -> Response:
    metric = "queue" if request.query_params.get("metric") == "queue" else "wait"

    def build(view: data.View, process: dict[str, Any], query: ReportQuery) -> dict[str, Any]:
        steps = data.step_rows(view, process["definition"])
        return {"steps": steps, "heat": data.heat_map(view, steps), "metric": metric}

    return await run_in_threadpool(_page, request, who, svc, key, "bottlenecks",
                                   "reports_bottlenecks.html", build)


@router.get("/{key}/trends")
async def trends(key: str, request: Request, who: Principal = Depends(Need(P.REPORTS_READ)),
                 svc: Services = Depends(services)) -> Response:
    def build(view: data.View, process: dict[str, Any], query: ReportQuery) -> dict[str, Any]:
        period: Period = "month" if query.period == "month" else "week"
        return {"cycle": data.cycle(view, period), "period": period}

    return await run_in_threadpool(_page, request, who, svc, key, "trends",
                                   "reports_trends.html", build)


@router.get("/{key}/workload")
async def workload(key: str, request: Request, who: Principal = Depends(Need(P.REPORTS_READ)),
                   svc: Services = Depends(services)) -> Response:
    def build(view: data.View, process: dict[str, Any], query: ReportQuery) -> dict[str, Any]:
        return {"people": data.workload(view, "person"), "roles": data.workload(view, "role")}

    return await run_in_threadpool(_page, request, who, svc, key, "workload",
                                   "reports_workload.html", build)


@router.get("/{key}/progress")
async def progress(key: str, request: Request, who: Principal = Depends(Need(P.REPORTS_READ)),
                   svc: Services = Depends(services)) -> Response:
    """The cases grouped by a case variable — the per-dealer progress list."""

    def build(view: data.View, process: dict[str, Any], query: ReportQuery) -> dict[str, Any]:
        declared, remarks = data.declared_group(process["compiled"].extensions)
        group_by = query.group_by or declared
        groups = (data.progress(view, group_by, query.remarks or remarks, query.all_cases)
                  if group_by else [])
        extra = urlencode({k: v for k, v in {"group_by": group_by,
                                              "remarks": query.remarks or remarks,
                                              "all": "1" if query.all_cases else ""}.items()
                           if v})
        return {"group_by": group_by or "", "groups": groups, "progress_qs": extra,
                "all_cases": query.all_cases}

    return await run_in_threadpool(_page, request, who, svc, key, "progress",
                                   "reports_progress.html", build)
