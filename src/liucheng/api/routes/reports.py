"""Reports over the REST API: `GET /api/v1/reports/{kind}` as JSON, CSV or Excel, with the
dashboards' filters (process, version, date range) and each report's own options."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liucheng.api.reporting import ReportQuery, download, file_stem, run
from liucheng.api.schemas import LARGEST
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/{kind}", response_class=Response,
            responses={200: {"content": {"application/json": {}, "text/csv": {},
                                         "application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet": {}}}})
async def report(
        kind: str,
        process: str | None = Query(None, description="process key"),
        version: int | None = Query(None, ge=1, le=LARGEST,
                                    description="one version of the process"),
        start: str | None = Query(None, alias="from", description="first day, 2026-03-01"),
        end: str | None = Query(None, alias="to", description="last day (included)"),
        format: str = Query("json", description="json, csv or xlsx"),
        time: str = Query("working", description="working or calendar time"),
        period: str = Query("week", description="cycle: day, week or month"),
        by: str = Query("person", description="workload: person or role"),
        group_by: str | None = Query(None, description="progress, measures: case variable"),
        remarks: str | None = Query(None, description="progress: case variable of remarks"),
        all_cases: bool = Query(False, alias="all", description="progress: finished cases too"),
        field: str | None = Query(None, description="measures: numeric field"),
        step: str | None = Query(None, description="measures: read the field from this step"),
        who: Principal = Depends(Need(P.REPORTS_READ)),
        svc: Services = Depends(services)) -> Response:
    """One of the reports `steps`, `bottlenecks`, `cycle`, `workload`, `rework`, `measures`,
    `progress`, `flows` over the cases you may see; durations are hours."""
    query = ReportQuery(process, version, start, end, time, period, by, group_by, remarks,
                        all_cases, field, step)
    built = await run_in_threadpool(run, svc, who, kind, query)
    return await run_in_threadpool(download, built, format, file_stem(kind, query))
