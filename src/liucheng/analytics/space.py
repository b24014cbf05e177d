"""The analysis space: imported event logs, kept apart from the product's database.

An `AnalysisSpace` is a SQLite file (or an in-memory database) with tables of its own —
`log_instances`, `log_tasks`, `log_events` with the columns the reports read, plus `logs`
(one row per imported log) and `log_staging` (CSV rows while an import runs). Each log
becomes one process whose key is the log's name; reports run on `space.tables` exactly as
on the product's tables. Imported logs are only read after import: re-importing a name
needs `replace=True`.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from liucheng.analytics.logbuild import build
from liucheng.analytics.logread import LogEvent, Trace, open_log, read_csv_rows, read_xes
from liucheng.analytics.source import Tables
from liucheng.errors import ConflictError, NotFoundError, Problem, ValidationError


class _UTC(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on SQLite, which stores them without a zone."""

    impl = sa.DateTime()
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = sa.MetaData()
T = _UTC()
logs = sa.Table("logs", metadata, sa.Column("key", sa.String, primary_key=True),
                sa.Column("source", sa.String, nullable=False),
                sa.Column("imported_at", T, nullable=False), sa.Column("first_at", T),
                sa.Column("last_at", T), sa.Column("cases", sa.Integer, nullable=False),
                sa.Column("steps", sa.Integer, nullable=False),
                sa.Column("events", sa.Integer, nullable=False),
                sa.Column("ignored", sa.Integer, nullable=False))
log_instances = sa.Table(
    "log_instances", metadata, sa.Column("id", sa.String, primary_key=True),
    sa.Column("definition_id", sa.String, nullable=False),
    sa.Column("definition_key", sa.String, nullable=False, index=True),
    sa.Column("business_key", sa.String), sa.Column("title", sa.String),
    sa.Column("status", sa.String, nullable=False), sa.Column("state", sa.JSON, nullable=False),
    sa.Column("started_at", T), sa.Column("ended_at", T))
log_tasks = sa.Table(
    "log_tasks", metadata, sa.Column("id", sa.String, primary_key=True),
    sa.Column("instance_id", sa.String, nullable=False, index=True),
    sa.Column("definition_key", sa.String, nullable=False),
    sa.Column("element", sa.String, nullable=False), sa.Column("name", sa.String, nullable=False),
    sa.Column("status", sa.String, nullable=False), sa.Column("role", sa.String),
    sa.Column("assignee", sa.String), sa.Column("due_at", T),
    sa.Column("created_at", T, nullable=False), sa.Column("claimed_at", T),
    sa.Column("completed_at", T), sa.Column("completed_by", sa.String),
    sa.Column("data", sa.JSON))
log_events = sa.Table(
    "log_events", metadata, sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("instance_id", sa.String, nullable=False), sa.Column("at", T, nullable=False),
    sa.Column("type", sa.String, nullable=False), sa.Column("element", sa.String),
    sa.Column("task_id", sa.String, index=True), sa.Column("actor", sa.String),
    sa.Column("data", sa.JSON, nullable=False))
log_staging = sa.Table(
    "log_staging", metadata, sa.Column("pos", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String, nullable=False, index=True),
    sa.Column("event", sa.JSON, nullable=False), sa.Column("case_attrs", sa.JSON))


@dataclass(frozen=True)
class LogSummary:
    key: str
    source: str
    cases: int
    steps: int
    events: int
    ignored: int  # lifecycle transitions with no meaning for step times
    first_at: datetime | None
    last_at: datetime | None


class AnalysisSpace:
    """A database of imported logs; `AnalysisSpace()` is in memory, `AnalysisSpace(path)`
    a SQLite file."""

    def __init__(self, path: Path | str | None = None) -> None:
        url = "sqlite://" if path is None else f"sqlite:///{Path(path)}"
        self.db = sa.create_engine(url, poolclass=sa.StaticPool if path is None else None)
        metadata.create_all(self.db)
        self.tables = Tables(log_instances, log_tasks, log_events)

    def close(self) -> None:
        self.db.dispose()

    def logs(self) -> list[LogSummary]:
        with self.db.connect() as conn:
            return [LogSummary(r.key, r.source, r.cases, r.steps, r.events, r.ignored,
                               r.first_at, r.last_at)
                    for r in conn.execute(sa.select(logs).order_by(logs.c.key))]

    def log(self, key: str) -> LogSummary:
        found = [s for s in self.logs() if s.key == key]
        if not found:
            raise NotFoundError(f"no imported log '{key}' in the analysis space",
                                hint="import it with 'liucheng import-log FILE'")
        return found[0]

    def import_log(self, path: Path | str, *, now: datetime, key: str | None = None,
                   replace: bool = False) -> LogSummary:
        """Import an XES (.xes, .xes.gz) or CSV log as process `key` (default: file name).

        `now` is recorded as the import time."""
        path = Path(path)
        if not path.is_file():
            raise NotFoundError(f"no log file {path}")
        name = path.name.lower()
        key = key or path.name.split(".")[0]
        csv_file = name.endswith((".csv", ".csv.gz"))
        if not csv_file and not name.endswith((".xes", ".xes.gz", ".xml")):
            raise ValidationError([Problem("not an event log file", source=str(path),
                                           hint="give a .xes, .xes.gz or .csv file")])
        with self.db.begin() as conn:
            if conn.execute(sa.select(logs.c.key).where(logs.c.key == key)).first():
                if not replace:
                    raise ConflictError(f"a log named '{key}' is already imported",
                                        hint="use --replace, or --name for another name")
                self._drop(conn, key)
            traces = self._csv(conn, path) if csv_file else read_xes(path)
            try:
                summary = self._store(conn, key, str(path), traces, now)
            except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
                # a damaged gzip stream, text that is not UTF-8, a broken CSV row
                raise ValidationError([Problem(f"cannot read the log: {exc}", source=str(path),
                                               hint="export it again as UTF-8 XES or CSV")]
                                      ) from None
            conn.execute(log_staging.delete())
        return summary

    def _drop(self, conn: sa.Connection, key: str) -> None:
        cases = sa.select(log_instances.c.id).where(log_instances.c.definition_key == key)
        conn.execute(log_events.delete().where(log_events.c.instance_id.in_(cases)))
        conn.execute(log_tasks.delete().where(log_tasks.c.definition_key == key))
        conn.execute(log_instances.delete().where(log_instances.c.definition_key == key))
        conn.execute(logs.delete().where(logs.c.key == key))

    def _csv(self, conn: sa.Connection, path: Path) -> Iterator[Trace]:
        conn.execute(log_staging.delete())
        with open_log(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig") as text:
            batch: list[dict[str, Any]] = []
            for case, event, attrs in read_csv_rows(text, str(path)):
                batch.append({"case_id": case, "case_attrs": attrs or None,
                              "event": _event_json(event)})
                if len(batch) >= 5000:
                    conn.execute(log_staging.insert(), batch)
                    batch = []
            if batch:
                conn.execute(log_staging.insert(), batch)
        rows = conn.execution_options(yield_per=5000).execute(
            sa.select(log_staging).order_by(log_staging.c.case_id, log_staging.c.pos))
        trace: Trace | None = None
        for row in rows:
            if trace is None or trace.name != row.case_id:
                if trace is not None:
                    yield trace
                trace = Trace(row.case_id, {}, [])
            trace.attrs.update(row.case_attrs or {})
            trace.events.append(_event_from(row.event))
        if trace is not None:
            yield trace

    def _store(self, conn: sa.Connection, key: str, source: str,
               traces: Iterator[Trace], now: datetime) -> LogSummary:
        cases = steps = count = ignored = 0
        first: datetime | None = None
        last: datetime | None = None
        seen: set[str] = set()
        for number, trace in enumerate(traces, 1):
            rows = build(key, number, trace)
            if rows.instance["id"] in seen:
                rows = build(key, number, Trace(f"{trace.name}#{number}", trace.attrs,
                                                trace.events))
            seen.add(rows.instance["id"])
            conn.execute(log_instances.insert(), [rows.instance])
            if rows.tasks:
                conn.execute(log_tasks.insert(), rows.tasks)
                conn.execute(log_events.insert(), rows.events)
            cases, steps, ignored = cases + 1, steps + len(rows.tasks), ignored + rows.ignored
            count += len(trace.events)
            for e in trace.events:
                first = e.at if first is None or e.at < first else first
                last = e.at if last is None or e.at > last else last
        if not cases:
            raise ValidationError([Problem("the log has no traces", source=source)])
        conn.execute(logs.insert().values(key=key, source=source, imported_at=now,
                                          first_at=first, last_at=last, cases=cases,
                                          steps=steps, events=count, ignored=ignored))
        return LogSummary(key, source, cases, steps, count, ignored, first, last)


def _event_json(e: LogEvent) -> dict[str, Any]:
    return {"activity": e.activity, "at": e.at.isoformat(), "lifecycle": e.lifecycle,
            "resource": e.resource, "role": e.role, "instance": e.instance, "attrs": e.attrs}


def _event_from(data: dict[str, Any]) -> LogEvent:
    return LogEvent(data["activity"], datetime.fromisoformat(data["at"]), data["lifecycle"],
                    data["resource"], data["role"], data["instance"], data["attrs"])
