"""`liucheng report …`, `liucheng export-log` and `liucheng import-log`.

Reports read the product database (`--db`) or an analysis space of imported logs
(`--space FILE`). They print a Rich table, or `--json` / `--csv` for scripts, and
`--xlsx FILE` writes an Excel workbook. Open steps are measured up to `--at` (default:
now; for an imported log, the time of its last event). Event logs and the reports that show
case variables (`progress`, `measures`) mask ID and mobile numbers and the names in
LIUCHENG_MASKED_FIELDS, as the pages do for people without `sensitive.read`; `--unmasked`
writes them in full, for those entitled to see them.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO, Annotated
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import typer
from rich.table import Table

from liucheng import analytics as an
from liucheng.analytics.cycle import Period
from liucheng.analytics.measures import Source
from liucheng.analytics.people import By
from liucheng.cli.options import DbOpt, JsonOpt, UnmaskedOpt
from liucheng.cli.output import console, print_json
from liucheng.errors import LiuchengError, NotFoundError, Problem, ValidationError
from liucheng.loaders.yaml_reports import declared_measures
from liucheng.org.masking import hider, masked_here, sensitive_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
report_app = typer.Typer(help="Reports: bottlenecks, cycle time, workload, measures, …",
                         no_args_is_help=True)

SpaceOpt = Annotated[Path | None, typer.Option("--space", help="Report on the logs imported "
                                               "into this analysis space instead.")]
ProcessOpt = Annotated[str | None, typer.Option("--process", "-p", help="Process key.")]
VersionOpt = Annotated[int | None, typer.Option("--version", help="Process version.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="Start, e.g. 2026-03-01 (local).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="End (exclusive), e.g. 2026-04-01.")]
AtOpt = Annotated[str | None, typer.Option("--at", help="Measure open steps up to this time.")]
WorkOpt = Annotated[bool, typer.Option("--working-time", help="Count working time only "
                                       "(business calendar) instead of calendar time.")]
CalOpt = Annotated[Path | None, typer.Option("--calendar", help="Organisation calendar "
                                             "(YAML) for --working-time.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV.")]
XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="Write an Excel file.")]
WideOpt = Annotated[bool, typer.Option("--wide", help="Show every column.")]
DoneOpt = Annotated[bool, typer.Option("--completed-only", help="Leave open steps out.")]


def parse_time(text: str | None, what: str) -> datetime | None:
    """'2026-03-01' (local midnight) or an ISO date-time; without offset, Asia/Shanghai."""
    if text is None:
        return None
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(), SHANGHAI)
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError([Problem(f"'{text}' is not a date or date-time", field=what,
                                       hint="write e.g. 2026-03-01 or 2026-03-01T09:00")]
                              ) from None
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


class Origin:
    """The database and tables a report reads, and the moment it is measured at."""

    def __init__(self, db: str | None, space: Path | None, at: str | None,
                 process: str | None) -> None:
        if space is not None and not space.exists():
            raise NotFoundError(f"no analysis space {space}",
                                hint="import a log first with 'liucheng import-log FILE'")
        self.space = an.AnalysisSpace(space) if space else None
        if self.space is None:
            from liucheng.runtime import Engine
            from liucheng.storage.tables import events, instances, tasks

            self.product: Engine | None = Engine(db)
            self.engine: sa.Engine = self.product.db
            self.tables = an.Tables(instances, tasks, events)
        else:
            self.product = None
            self.engine, self.tables = self.space.db, self.space.tables
        self.now = parse_time(at, "at") or self._log_end(process) or datetime.now(UTC)

    def hide(self, key: str | None, unmasked: bool | None) -> an.Hide:
        """What the values of case variables become: masked when sensitive in a version of
        the process (an imported log: when named in LIUCHENG_MASKED_FIELDS)."""
        if unmasked is None or unmasked:
            return an.show_all
        masked = masked_here()
        return hider(self.product.sensitive(key, masked) if self.product is not None
                     else sensitive_in((), masked))

    def _log_end(self, process: str | None) -> datetime | None:
        if self.space is None:
            return None
        logs = [self.space.log(process)] if process else self.space.logs()
        ends = [s.last_at for s in logs if s.last_at is not None]
        return max(ends) if ends else None


def _measure(working: bool, calendar: Path | None) -> an.Measure:
    if not working:
        return an.Measure.elapsed()
    from liucheng.calendar import BusinessCalendar, default_calendar

    if calendar is None:
        return an.Measure.working(default_calendar())
    import yaml

    try:
        data = yaml.safe_load(calendar.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LiuchengError(f"cannot read calendar {calendar}: {exc}") from None
    cal = BusinessCalendar.from_data(data or {}, source=str(calendar))
    return an.Measure.working(cal, cal.hours.per_day)


def show(report: an.Report, *, as_json: bool, as_csv: bool, xlsx: Path | None,
         wide: bool) -> None:
    if xlsx is not None:
        an.write_xlsx([report], xlsx)
        console.print(f"wrote {report.title} to {xlsx}", soft_wrap=True)
    if as_json:
        print_json(report.to_data())
    elif as_csv:
        print(report.csv_text(), end="")
    elif xlsx is None:
        columns = [c for c in report.columns if wide or not c.wide]
        table = Table(title=report.title, title_justify="left", header_style="bold")
        for c in columns:
            table.add_column(c.label, justify="right" if c.kind != "text" else "left")
        for row in report.rows:
            table.add_row(*[report.text(row, c) for c in columns])
        console.print(table if report.rows else f"{report.title}: nothing to show")
        for note in report.notes:
            console.print(f"  {note}", markup=False)


Build = Callable[[sa.Connection, an.Tables, an.Filters, datetime, an.Hide], an.Report]


def run(build: Build, *, db: str | None, space: Path | None, process: str | None,
        version: int | None, start: str | None, end: str | None, at: str | None,
        include_open: bool = True, as_json: bool, as_csv: bool, xlsx: Path | None,
        wide: bool, unmasked: bool | None = None) -> None:
    """Build and show a report; `unmasked` is None for reports without case variables."""
    filters = an.Filters(process, version, parse_time(start, "from"), parse_time(end, "to"),
                         include_open)
    source = Origin(db, space, at, process)
    try:
        with source.engine.connect() as conn:
            report = build(conn, source.tables, filters, source.now,
                           source.hide(process, unmasked))
    finally:
        if source.space is not None:
            source.space.close()
    show(report, as_json=as_json, as_csv=as_csv, xlsx=xlsx, wide=wide)


@report_app.command("steps")
def steps(db: DbOpt = None, space: SpaceOpt = None, process: ProcessOpt = None,
          version: VersionOpt = None, start: FromOpt = None, end: ToOpt = None, at: AtOpt = None,
          working_time: WorkOpt = False, calendar: CalOpt = None, completed_only: DoneOpt = False,
          as_json: JsonOpt = False, as_csv: CsvOpt = False, xlsx: XlsxOpt = None,
          wide: WideOpt = False) -> None:
    """Per step: visits, open queue, overdue, waiting / working / total time."""
    m = _measure(working_time, calendar)
    run(lambda c, t, f, n, h: an.steps_report(c, t, f, n, m), db=db, space=space, process=process,
        version=version, start=start, end=end, at=at, include_open=not completed_only,
        as_json=as_json, as_csv=as_csv, xlsx=xlsx, wide=wide)


@report_app.command("bottlenecks")
def bottlenecks(db: DbOpt = None, space: SpaceOpt = None, process: ProcessOpt = None,
                version: VersionOpt = None, start: FromOpt = None, end: ToOpt = None,
                at: AtOpt = None, working_time: WorkOpt = False, calendar: CalOpt = None,
                as_json: JsonOpt = False, as_csv: CsvOpt = False, xlsx: XlsxOpt = None,
                wide: WideOpt = False) -> None:
    """Steps ranked by the waiting time they cause, with the reason."""
    m = _measure(working_time, calendar)
    run(lambda c, t, f, n, h: an.bottleneck_report(c, t, f, n, m), db=db, space=space,
        process=process, version=version, start=start, end=end, at=at, as_json=as_json,
        as_csv=as_csv, xlsx=xlsx, wide=wide)


@report_app.command("cycle")
def cycle(period: Annotated[str, typer.Option(help="day, week or month")] = "week",
          db: DbOpt = None, space: SpaceOpt = None, process: ProcessOpt = None,
          version: VersionOpt = None, start: FromOpt = None, end: ToOpt = None, at: AtOpt = None,
          working_time: WorkOpt = False, calendar: CalOpt = None, as_json: JsonOpt = False,
          as_csv: CsvOpt = False, xlsx: XlsxOpt = None, wide: WideOpt = False) -> None:
    """Cycle time and throughput per day, week or month, with the trend."""
    if period not in ("day", "week", "month"):
        raise ValidationError([Problem(f"'{period}' is not a period", field="period",
                                       hint="use day, week or month")])
    m, p = _measure(working_time, calendar), _period(period)
    run(lambda c, t, f, n, h: an.cycle_time_report(c, t, f, n, m, p), db=db, space=space,
        process=process, version=version, start=start, end=end, at=at, as_json=as_json,
        as_csv=as_csv, xlsx=xlsx, wide=wide)


def _period(text: str) -> Period:
    return "day" if text == "day" else "month" if text == "month" else "week"


@report_app.command("workload")
def workload(by: Annotated[str, typer.Option(help="person or role")] = "person",
             db: DbOpt = None, space: SpaceOpt = None, process: ProcessOpt = None,
             version: VersionOpt = None, start: FromOpt = None, end: ToOpt = None,
             at: AtOpt = None, working_time: WorkOpt = False, calendar: CalOpt = None,
             as_json: JsonOpt = False, as_csv: CsvOpt = False, xlsx: XlsxOpt = None,
             wide: WideOpt = False) -> None:
    """Steps done, cases and working time per person or per role."""
    if by not in ("person", "role"):
        raise ValidationError([Problem(f"'{by}' is not person or role", field="by")])
    m = _measure(working_time, calendar)
    who: By = "role" if by == "role" else "person"
    run(lambda c, t, f, n, h: an.workload_report(c, t, f, n, m, who), db=db, space=space,
        process=process, version=version, start=start, end=end, at=at, as_json=as_json,
        as_csv=as_csv, xlsx=xlsx, wide=wide)


@report_app.command("rework")
def rework(db: DbOpt = None, space: SpaceOpt = None, process: ProcessOpt = None,
           version: VersionOpt = None, start: FromOpt = None, end: ToOpt = None,
           as_json: JsonOpt = False, as_csv: CsvOpt = False, xlsx: XlsxOpt = None,
           wide: WideOpt = False) -> None:
    """Steps that cases went through more than once (returns, loops)."""
    run(lambda c, t, f, n, h: an.rework_report(c, t, f), db=db, space=space, process=process,
        version=version, start=start, end=end, at=None, as_json=as_json, as_csv=as_csv,
        xlsx=xlsx, wide=wide)


@report_app.command("measures")
def measures(field: Annotated[str, typer.Option("--field", "-f", help="Numeric field.")],
             group_by: Annotated[str | None, typer.Option("--group-by", "-g",
                                                          help="Case variable.")] = None,
             step: Annotated[str | None, typer.Option(
                 "--step", help="Read the field from this step's form, not the case.")] = None,
             db: DbOpt = None, space: SpaceOpt = None, process: ProcessOpt = None,
             version: VersionOpt = None, start: FromOpt = None, end: ToOpt = None,
             as_json: JsonOpt = False, as_csv: CsvOpt = False, xlsx: XlsxOpt = None,
             wide: WideOpt = False, unmasked: UnmaskedOpt = False) -> None:
    """Count, sum and average of a form field, grouped by a case variable."""
    src: Source = "task" if step else "case"
    run(lambda c, t, f, n, h: an.measure_report(c, t, f, field, group_by=group_by, source=src,
                                             step=step, hide=h),
        db=db, space=space, process=process, version=version, start=start, end=end, at=None,
        as_json=as_json, as_csv=as_csv, xlsx=xlsx, wide=wide, unmasked=unmasked)


@report_app.command("progress")
def progress(group_by: Annotated[str, typer.Option("--group-by", "-g",
                                                   help="Case variable, e.g. dealer.")],
             remarks: Annotated[str | None, typer.Option(
                 help="Case variable holding remarks (default: the latest comment).")] = None,
             all_cases: Annotated[bool, typer.Option("--all", help="Finished cases too.")]
             = False, db: DbOpt = None, space: SpaceOpt = None, process: ProcessOpt = None,
             version: VersionOpt = None, start: FromOpt = None, end: ToOpt = None,
             as_json: JsonOpt = False, as_csv: CsvOpt = False, xlsx: XlsxOpt = None,
             wide: WideOpt = False, unmasked: UnmaskedOpt = False) -> None:
    """Cases grouped by a case variable (e.g. per dealer): current step and remarks."""
    run(lambda c, t, f, n, h: an.progress_report(c, t, f, group_by, remarks=remarks,
                                              active_only=not all_cases, hide=h),
        db=db, space=space, process=process, version=version, start=start, end=end, at=None,
        as_json=as_json, as_csv=as_csv, xlsx=xlsx, wide=wide, unmasked=unmasked)


@report_app.command("declared")
def declared(key: Annotated[str, typer.Argument(help="Process key.")],
             only: Annotated[str | None, typer.Option("--report", "-r",
                                                      help="Only the report of this id.")] = None,
             db: DbOpt = None, version: VersionOpt = None, start: FromOpt = None,
             end: ToOpt = None, as_json: JsonOpt = False, as_csv: CsvOpt = False,
             xlsx: XlsxOpt = None, wide: WideOpt = False,
             unmasked: UnmaskedOpt = False) -> None:
    """The measures a process declares under `reports:` (the operating room's statistics)."""
    source = Origin(db, None, None, key)
    assert source.product is not None
    declared = declared_measures(source.product.process(key, version).extensions)
    chosen = [r for r in declared if only in (None, r["id"])]
    if not chosen:
        raise NotFoundError(f"process '{key}' declares no report '{only}'" if only else
                            f"process '{key}' declares no measure reports",
                            hint=("its reports: " + ", ".join(r["id"] for r in declared))
                            if declared else "add them under 'reports:' (docs/yaml.md)")
    filters = an.Filters(key, version, parse_time(start, "from"), parse_time(end, "to"))
    hide = source.hide(key, unmasked)
    with source.engine.connect() as conn:
        reports = [replace(an.measure_report(
            conn, source.tables, filters, r["measure"], group_by=r["group_by"],
            source="task" if r.get("step") else "case", step=r.get("step"), hide=hide),
            name=r["id"], title=_name(r)) for r in chosen]
    if xlsx is not None:
        an.write_xlsx(reports, xlsx)
        console.print(f"wrote {len(reports)} reports to {xlsx}", soft_wrap=True)
    if as_json:
        print_json([r.to_data() for r in reports])
    elif as_csv or xlsx is None:
        for r in reports:
            show(r, as_json=False, as_csv=as_csv, xlsx=None, wide=wide)


def _name(report: dict[str, object]) -> str:
    name = report.get("name")
    if isinstance(name, dict):
        return str(name.get("zh") or name.get("en") or report["id"])
    return str(name or report["id"])


@report_app.command("flows")
def flows(db: DbOpt = None, space: SpaceOpt = None, process: ProcessOpt = None,
          version: VersionOpt = None, start: FromOpt = None, end: ToOpt = None, at: AtOpt = None,
          working_time: WorkOpt = False, calendar: CalOpt = None, as_json: JsonOpt = False,
          as_csv: CsvOpt = False, xlsx: XlsxOpt = None, wide: WideOpt = False) -> None:
    """Directly-follows pairs of steps with the time between them."""
    m = _measure(working_time, calendar)
    run(lambda c, t, f, n, h: an.flow_report(c, t, f, n, m), db=db, space=space, process=process,
        version=version, start=start, end=end, at=at, as_json=as_json, as_csv=as_csv,
        xlsx=xlsx, wide=wide)


def export_log(key: Annotated[str, typer.Argument(help="Process key.")],
               format: Annotated[str, typer.Option("--format", help="xes or csv")] = "xes",
               output: Annotated[Path | None, typer.Option(
                   "--output", "-o", help="File to write (.gz compresses); default stdout.")]
               = None, version: VersionOpt = None,
               case_attr: Annotated[list[str] | None, typer.Option(
                   "--case-attr", help="Case variable to add as a CSV column.")] = None,
               db: DbOpt = None, space: SpaceOpt = None, at: AtOpt = None,
               unmasked: UnmaskedOpt = False) -> None:
    """Export a process's history as an event log (XES or CSV), streamed; ID and mobile
    numbers masked unless --unmasked."""
    if format not in ("xes", "csv"):
        raise ValidationError([Problem(f"'{format}' is not xes or csv", field="format")])
    source = Origin(db, space, at, key if space else None)
    filters = an.Filters(key, version)
    hide = source.hide(key, unmasked)
    with source.engine.connect() as conn:
        chunks: Iterator[str] = (
            an.export_xes(conn, source.tables, filters, source.now, hide=hide)
            if format == "xes"
            else an.export_csv(conn, source.tables, filters, source.now, case_attr or [], hide))
        if output is None:
            for chunk in chunks:
                typer.echo(chunk, nl=False)
            return
        with _open_out(output) as out:
            for chunk in chunks:
                out.write(chunk.encode("utf-8"))
    console.print(f"wrote {format.upper()} log of {key} to {output}", soft_wrap=True)


def _open_out(path: Path) -> IO[bytes]:
    try:
        if path.suffix == ".gz":
            return gzip.open(path, "wb")  # type: ignore[return-value]
        return path.open("wb")
    except OSError as exc:
        raise LiuchengError(f"cannot write {path}: {exc.strerror}") from None


def import_log(file: Path, space: Annotated[Path, typer.Option(
                   "--space", help="Analysis space file.")] = Path("liucheng-analysis.sqlite"),
               name: Annotated[str | None, typer.Option(
                   "--name", help="Process key for the log (default: file name).")] = None,
               replace: Annotated[bool, typer.Option(help="Replace a log of that name.")]
               = False, as_json: JsonOpt = False) -> None:
    """Import an XES (plain or .gz) or CSV log into an analysis space for reports."""
    target = an.AnalysisSpace(space)
    try:
        summary = target.import_log(file, now=datetime.now(UTC), key=name, replace=replace)
    finally:
        target.close()
    if as_json:
        print_json({"space": str(space), **summary.__dict__})
        return
    console.print(f"imported {file} as '{summary.key}' into {space}: {summary.cases} cases, "
                  f"{summary.steps} steps from {summary.events} events"
                  + (f" ({summary.ignored} lifecycle events ignored)" if summary.ignored else ""),
                  soft_wrap=True)
    console.print(f"  try: liucheng report bottlenecks --space {space} --process {summary.key}",
                  soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `report …`, `export-log` and `import-log` to `app`."""
    app.add_typer(report_app, name="report")
    app.command("export-log")(export_log)
    app.command("import-log")(import_log)
