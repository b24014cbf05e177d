"""The analytics reports as the web sees them: filters read from a query string, the tables
narrowed to what the reader may see, the named reports, and their downloads.

Used by the REST route `GET /api/v1/reports/{kind}` and by the dashboard pages, so a table
on a page and the CSV or Excel file beside it come from the same `Report`. Case variables a
report shows (the progress list's groups and remarks, the measures' groups) are masked as
everywhere for readers without `sensitive.read`.

Dates: `from` is the first day included, `to` the last day included (a bare date is a
day in the installation's time zone; a date-time with an offset is taken as it is and
then `to` is exclusive, as in the CLI).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Literal, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi.responses import JSONResponse, Response

import liucheng.analytics as an
from liucheng.analytics.cycle import Period
from liucheng.analytics.people import By
from liucheng.api.services import Services
from liucheng.errors import NotFoundError, Problem, ValidationError
from liucheng.org.masking import hider
from liucheng.org.permissions import SENSITIVE_READ, Principal
from liucheng.org.schema import Db
from liucheng.org.visibility import sees_all, visible_cases

KINDS = ("steps", "bottlenecks", "cycle", "workload", "rework", "measures", "progress",
         "flows")
FORMATS = ("json", "csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TimeKind = Literal["working", "calendar"]


@dataclass(frozen=True)
class ReportQuery:
    """The filters and options of a report request, as sent (texts), checked by `filters`."""

    process: str | None = None
    version: int | None = None
    start: str | None = None
    end: str | None = None
    time: str = "working"
    period: str = "week"
    by: str = "person"
    group_by: str | None = None
    remarks: str | None = None
    all_cases: bool = False
    field: str | None = None
    step: str | None = None

    def filters(self, zone: ZoneInfo) -> an.Filters:
        return an.Filters(self.process or None, self.version, _moment(self.start, "from", zone),
                          _moment(self.end, "to", zone, end=True))

    @property
    def time_kind(self) -> TimeKind:
        return "calendar" if self.time == "calendar" else "working"

    def checked(self) -> ReportQuery:
        """The same query, or a ValidationError naming every option that is wrong."""
        problems = []
        if self.time not in ("working", "calendar"):
            problems.append(Problem(f"'{self.time}' is not working or calendar", field="time"))
        if self.period not in ("day", "week", "month"):
            problems.append(Problem(f"'{self.period}' is not day, week or month",
                                    field="period"))
        if self.by not in ("person", "role"):
            problems.append(Problem(f"'{self.by}' is not person or role", field="by"))
        if problems:
            raise ValidationError(problems)
        return replace(self, process=self.process or None, group_by=self.group_by or None)


def _moment(text: str | None, what: str, zone: ZoneInfo, end: bool = False) -> datetime | None:
    if not text or not text.strip():
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + (timedelta(days=1) if end else timedelta())
            return datetime.combine(day, time(), zone)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError([Problem(f"'{text}' is not a date", field=what,
                                       hint="write e.g. 2026-03-01")]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def scoped_tables(db: Db, principal: Principal) -> an.Tables:
    """The analytics tables limited to the cases this reader may see.

    For readers who see every organisation these are the tables themselves; for others
    `instances` is the subquery of visible cases, which every report joins its tasks and
    events to (analytics only read `.c` columns, so a subquery stands in for the table).
    """
    t = db.t
    if sees_all(principal):
        return an.Tables(t.instances, t.tasks, t.events)
    visible = (sa.select(t.instances).where(visible_cases(t, principal))
               .subquery("visible_instances"))
    return an.Tables(cast(sa.Table, visible), t.tasks, t.events)


def hide_for(svc: Services, principal: Principal, key: str | None) -> an.Hide:
    """Case variables as this reader may see them: sensitive ones masked (in any version of
    the process) unless the reader holds `sensitive.read`."""
    if principal.has(SENSITIVE_READ):
        return an.show_all
    return hider(svc.engine.sensitive(key, svc.settings.masked_fields))


def measure_for(svc: Services, kind: TimeKind) -> an.Measure:
    if kind == "calendar":
        return an.Measure.elapsed()
    cal = svc.engine.calendar
    return an.Measure.working(cal, cal.hours.per_day)


def build(conn: sa.Connection, tables: an.Tables, kind: str, query: ReportQuery,
          filters: an.Filters, now: datetime, measure: an.Measure,
          hide: an.Hide = an.show_all) -> an.Report:
    """The named report `kind` for these filters."""
    if kind == "steps":
        return an.steps_report(conn, tables, filters, now, measure)
    if kind == "bottlenecks":
        return an.bottleneck_report(conn, tables, filters, now, measure)
    if kind == "cycle":
        return an.cycle_time_report(conn, tables, filters, now, measure,
                                    cast(Period, query.period))
    if kind == "workload":
        return an.workload_report(conn, tables, filters, now, measure, cast(By, query.by))
    if kind == "rework":
        return an.rework_report(conn, tables, filters)
    if kind == "flows":
        return an.flow_report(conn, tables, filters, now, measure)
    if kind == "measures":
        if not query.field:
            raise ValidationError([Problem("the measures report needs a field", field="field",
                                           hint="add ?field=total_charge")])
        return an.measure_report(conn, tables, filters, query.field, group_by=query.group_by,
                                 source="task" if query.step else "case", step=query.step,
                                 hide=hide)
    if kind == "progress":
        if not query.group_by:
            raise ValidationError([Problem("the progress list needs a case variable to group "
                                           "by", field="group_by", hint="add ?group_by=dealer")])
        return an.progress_report(conn, tables, filters, query.group_by, remarks=query.remarks,
                                  active_only=not query.all_cases, hide=hide)
    raise NotFoundError(f"no report '{kind}'", hint="reports: " + ", ".join(KINDS))


def run(svc: Services, principal: Principal, kind: str, query: ReportQuery) -> an.Report:
    """Check the query, then build the report inside one read transaction."""
    if kind not in KINDS:
        raise NotFoundError(f"no report '{kind}'", hint="reports: " + ", ".join(KINDS))
    query = query.checked()
    filters = query.filters(ZoneInfo(svc.settings.timezone))
    measure = measure_for(svc, query.time_kind)
    hide = hide_for(svc, principal, query.process)
    with svc.db() as db:
        report = build(db.conn, scoped_tables(db, principal), kind, query, filters, svc.now(),
                       measure, hide)
    return replace(report, zone=ZoneInfo(svc.settings.timezone))


def per_group(report: an.Report) -> list[an.Report]:
    """A progress list as one sheet with every case, then one sheet per group (dealer)."""
    groups: dict[str, list[dict[str, object]]] = {}
    for row in report.rows:
        groups.setdefault(str(row.get("group") or "—"), []).append(row)
    return [report] + [replace(report, name=name, title=f"{report.title}: {name}", rows=rows)
                       for name, rows in groups.items()]


def download(report: an.Report, fmt: str, stem: str) -> Response:
    """The report as JSON, CSV (UTF-8 with a BOM, so Excel reads the Chinese) or Excel."""
    if fmt not in FORMATS:
        raise ValidationError([Problem(f"'{fmt}' is not json, csv or xlsx", field="format")])
    if fmt == "json":
        return JSONResponse(report.to_data())
    disposition = {"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    if fmt == "csv":
        return Response("\ufeff" + report.csv_text(), media_type="text/csv; charset=utf-8",
                        headers=disposition)
    sheets = per_group(report) if report.name == "progress" else [report]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        an.write_xlsx(sheets, path)
        body = path.read_bytes()
    return Response(body, media_type=XLSX, headers=disposition)


def file_stem(kind: str, query: ReportQuery) -> str:
    """'bottlenecks-sales_order-v2' — ASCII only (process keys are identifiers)."""
    parts = [kind, query.process or "all"] + ([f"v{query.version}"] if query.version else [])
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_"
                   for ch in "-".join(parts))
