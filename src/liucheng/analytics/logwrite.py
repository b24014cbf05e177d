"""Exporting a process's history as an event log: XES (IEEE 1849) or CSV, streamed.

Each case is a trace (`concept:name` = case id; scalar case variables as attributes, plus
`liucheng:business_key`, `liucheng:status`, `liucheng:start`, `liucheng:end`). Each step
visit gives lifecycle events from its waiting and working periods (`visits.py`):
`schedule` at creation, `start` when work began, `suspend`/`resume` around a return to the
pool, `reassign` when it was handed to someone else, then `complete` (or `ate_abort` when
cancelled). Events carry `concept:name` (the
step's name), `liucheng:step` (its id), `time:timestamp`, `org:resource` and `org:role`.

Both writers are generators of text chunks, one case at a time: two streamed queries (cases
and visits, in the same case order) are walked side by side, so memory stays flat however
long the history is. Case variables pass through `hide` (see `source.Hide`), so an export
masks what its reader may not see.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from liucheng.analytics.source import Filters, Hide, Tables, case_conditions, show_all
from liucheng.analytics.visits import Visit, case_visits

# (at, phase, transition, visit, who); within a visit at one moment a suspend comes
# before a resume
LogEntry = tuple[datetime, int, str, Visit, str | None]

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace"><string key="concept:name" value=""/></global>
  <global scope="event">
    <string key="concept:name" value=""/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
    <string key="lifecycle:transition" value="complete"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>
"""


def lifecycle(visit: Visit) -> list[LogEntry]:
    """The lifecycle transitions of one visit, in time order."""
    out: list[LogEntry] = [(visit.created, 0, "schedule", visit, None)]
    working = [s for s in visit.segments if s.kind == "working"]
    for i, seg in enumerate(working):
        before = working[i - 1] if i else None
        if before is not None and before.end == seg.start and before.actor != seg.actor:
            out.pop()  # handed on without a pause: a reassign, not a suspend and resume
            out.append((seg.start, 2, "reassign", visit, seg.actor))
        else:
            out.append((seg.start, 2, "start" if i == 0 else "resume", visit, seg.actor))
        if seg is not visit.segments[-1]:
            out.append((seg.end, 1, "suspend", visit, seg.actor))
    if visit.ended is not None:
        if visit.status == "completed" and not working:
            out.append((visit.ended, 2, "start", visit, visit.completed_by))
        out.append((visit.ended, 3, "complete" if visit.status == "completed" else "ate_abort",
                    visit, visit.completed_by))
    return out


def _cases(conn: sa.Connection, tables: Tables, filters: Filters) -> Iterator[Any]:
    ins = tables.instances
    stmt = (sa.select(ins.c.id, ins.c.business_key, ins.c.status, ins.c.started_at,
                      ins.c.ended_at, ins.c.definition_id, ins.c.state["variables"]
                      .label("variables"))
            .where(*case_conditions(tables, filters)).order_by(ins.c.id))
    return iter(conn.execution_options(yield_per=1000).execute(stmt))


def history(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime
            ) -> Iterator[tuple[Any, list[LogEntry]]]:
    """(case row, its lifecycle entries in time order) for every case, in case-id order."""
    groups = case_visits(conn, tables, Filters(filters.process, filters.version), now)
    pending = next(groups, None)
    for case in _cases(conn, tables, filters):
        entries: list[LogEntry] = []
        if pending and pending[0].case == case.id:
            order = {v.task: i for i, v in enumerate(pending)}
            entries = [e for v in pending for e in lifecycle(v)]
            # at one moment, what an earlier visit does (its completion) comes first
            entries.sort(key=lambda e: (e[0], e[3].created, order[e[3].task], e[1]))
            pending = next(groups, None)
        yield case, entries


_SPECIAL = re.compile(r'[&<>"\n\r\t]')
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
             "\r": "&#13;", "\t": "&#9;"}


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes (most values need no escaping at all)."""
    if _SPECIAL.search(text):
        text = _SPECIAL.sub(lambda m: _ENTITIES[m.group()], text)
    return f'"{text}"'


def _attr(key: str, value: Any) -> str:
    if isinstance(value, bool):
        kind, text = "boolean", "true" if value else "false"
    elif isinstance(value, int):
        kind, text = "int", str(value)
    elif isinstance(value, float):
        kind, text = "float", repr(value)
    elif isinstance(value, datetime):
        kind, text = "date", _time(value)
    else:
        kind, text = "string", str(value)
    return f"<{kind} key={quoteattr(key)} value={quoteattr(text)}/>"


def _time(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


@functools.lru_cache(maxsize=4096)
def _repeated(key: str, value: str) -> str:
    """`_attr` of a string the events of a step repeat (its name, id and task, a transition,
    a role, a person): formatted once, not once per event; the cache keeps memory flat."""
    return _attr(key, value)


def _case_attrs(case: Any, hide: Hide) -> dict[str, Any]:
    attrs: dict[str, Any] = {"concept:name": case.id, "liucheng:definition": case.definition_id,
                             "liucheng:status": case.status}
    for key, value in (("liucheng:business_key", case.business_key),
                       ("liucheng:start", case.started_at), ("liucheng:end", case.ended_at)):
        if value is not None:
            attrs[key] = value
    for key, value in sorted((case.variables or {}).items()):
        if isinstance(value, str | int | float | bool) and key not in attrs:
            attrs[key] = hide(key, value)
    return attrs


def export_xes(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
               name: str | None = None, hide: Hide = show_all) -> Iterator[str]:
    """The XES text of the filtered cases, as chunks of about one trace each."""
    yield HEAD
    yield "  " + _attr("concept:name", name or filters.process or "liucheng") + "\n"
    for case, entries in history(conn, tables, filters, now):
        parts = ["  <trace>\n"]
        parts += ["    " + _attr(k, v) + "\n" for k, v in _case_attrs(case, hide).items()]
        for at, _, transition, visit, who in entries:
            parts.append("".join((
                "    <event>", _repeated("concept:name", visit.name),
                _repeated("liucheng:step", visit.element),
                _repeated("lifecycle:transition", transition),
                '<date key="time:timestamp" value="', _time(at), '"/>',
                _repeated("liucheng:task", visit.task),
                _repeated("org:resource", who) if who else "",
                _repeated("org:role", visit.role) if visit.role else "", "</event>\n")))
        parts.append("  </trace>\n")
        yield "".join(parts)
    yield "</log>\n"


CSV_HEADER = ["case_id", "activity", "step", "lifecycle", "timestamp", "resource", "role",
              "task_id"]


def export_csv(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
               case_attributes: list[str] | tuple[str, ...] = (), hide: Hide = show_all
               ) -> Iterator[str]:
    """One row per lifecycle event; `case_attributes` become `case:NAME` columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER + [f"case:{a}" for a in case_attributes])
    for case, entries in history(conn, tables, filters, now):
        variables = case.variables or {}
        extra = ["" if variables.get(a) is None else hide(a, variables[a])
                 for a in case_attributes]
        for at, _, transition, visit, who in entries:
            writer.writerow([case.id, visit.name, visit.element, transition, _time(at),
                             who or "", visit.role or "", visit.task, *extra])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()
