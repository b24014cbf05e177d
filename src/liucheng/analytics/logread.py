"""Reading event logs: XES (IEEE 1849, plain or gzip) and CSV, one trace at a time.

XES is parsed with lxml's `iterparse`, clearing each trace once read, so a large log
needs memory for one trace only. Namespaced and plain tags are both accepted; nested
attributes (lists, containers) are skipped; `<global>` defaults are not applied to events.
CSV rows may come in any order: they are staged by the caller and read back per case.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from liucheng.errors import Problem, ValidationError

TYPES = {"string", "date", "int", "float", "boolean", "id"}


@dataclass
class LogEvent:
    activity: str
    at: datetime
    lifecycle: str = "complete"
    resource: str | None = None
    role: str | None = None
    instance: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Trace:
    name: str
    attrs: dict[str, Any]
    events: list[LogEvent]


def parse_time(text: str, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError([Problem(f"'{text}' is not an ISO date-time", source=where,
                                       hint="write e.g. 2026-03-02T09:00:00+08:00")]) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _value(kind: str, raw: str, where: str) -> Any:
    if kind == "date":
        return parse_time(raw, where)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        return raw.strip().lower() == "true"
    return raw


def _local(tag: Any) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def open_log(path: Path) -> IO[bytes]:
    """The file's bytes, uncompressed when it is gzip (whatever its name)."""
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _attributes(element: Any, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in element:
        kind = _local(child.tag)
        if kind in TYPES and child.get("key") is not None:
            out[child.get("key")] = _value(kind, child.get("value", ""), where)
    return out


def _event(attrs: dict[str, Any], where: str) -> LogEvent:
    at = attrs.pop("time:timestamp", None)
    if not isinstance(at, datetime):
        raise ValidationError([Problem("an event has no time:timestamp", source=where,
                                       hint="every event needs a date attribute "
                                            "time:timestamp")])
    return LogEvent(activity=str(attrs.pop("concept:name", "")), at=at,
                    lifecycle=str(attrs.pop("lifecycle:transition", "complete")).lower(),
                    resource=_text(attrs.pop("org:resource", None)),
                    role=_text(attrs.pop("org:role", None)),
                    instance=_text(attrs.pop("concept:instance", None)), attrs=attrs)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def read_xes(path: Path) -> Iterator[Trace]:
    """Traces of an XES file in file order, each with its events in file order."""
    from lxml import etree

    where = str(path)
    with open_log(path) as stream:
        try:
            for _, element in etree.iterparse(stream, events=("end",), huge_tree=True):
                if _local(element.tag) != "trace":
                    continue
                events = [_event(_attributes(e, where), where) for e in element
                          if _local(e.tag) == "event"]
                attrs = _attributes(element, where)
                name = str(attrs.pop("concept:name", ""))
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
                yield Trace(name, attrs, events)
        except etree.XMLSyntaxError as exc:
            raise ValidationError([Problem(f"not a well-formed XES file: {exc}", source=where,
                                           line=exc.lineno)]) from None


CSV_ALIASES = {
    "case": ("case_id", "case", "case:concept:name", "caseid"),
    "activity": ("activity", "concept:name", "step_name", "name"),
    "at": ("timestamp", "time:timestamp", "time"),
    "lifecycle": ("lifecycle", "lifecycle:transition"),
    "resource": ("resource", "org:resource"),
    "role": ("role", "org:role"),
    "instance": ("instance", "concept:instance"),
    "start": ("start_timestamp", "start_time"),
    "step": ("step", "liucheng:step"),
}


def csv_columns(header: list[str], where: str) -> dict[str, str]:
    """Which CSV column plays which part; case, activity and timestamp are required."""
    lower = {h.strip().lower(): h for h in header}
    found = {part: next((lower[a] for a in names if a in lower), "")
             for part, names in CSV_ALIASES.items()}
    missing = [p for p in ("case", "activity", "at") if not found[p]]
    if missing:
        raise ValidationError([Problem(f"the CSV has no {', '.join(missing)} column",
                                       source=where,
                                       hint="name them case_id, activity and timestamp")])
    return {k: v for k, v in found.items() if v}


def read_csv_rows(stream: IO[str], where: str) -> Iterator[tuple[str, LogEvent, dict[str, Any]]]:
    """(case, event, case attributes) per row; `case:X` columns are case attributes.

    A row with a start_timestamp column gives a start and a complete event."""
    reader = csv.DictReader(stream)
    columns = csv_columns(list(reader.fieldnames or []), where)
    used = set(columns.values())
    for row in reader:
        needed = (row.get(columns["case"]), row.get(columns["activity"]), row.get(columns["at"]))
        if None in row or None in needed:  # more cells than the header, or fewer
            raise ValidationError([Problem(
                f"row {reader.line_num} does not have the {len(reader.fieldnames or [])} "
                "columns of the header", source=where, line=reader.line_num,
                hint="every row needs a cell for each column (commas inside cells need quotes)")])
        attrs = {k: v for k, v in row.items() if k not in used and v not in (None, "")}
        case_attrs = {k[5:]: v for k, v in attrs.items() if k.startswith("case:")}
        attrs = {k: v for k, v in attrs.items() if not k.startswith("case:")}

        def cell(part: str, row: dict[str, str] = row) -> str | None:
            return row.get(columns.get(part, "")) or None

        activity, case = row[columns["activity"]], row[columns["case"]]
        who, role, instance = cell("resource"), cell("role"), cell("instance")
        if cell("step"):
            attrs["liucheng:step"] = cell("step")
        start = cell("start")
        if start:
            yield case, LogEvent(activity, parse_time(start, where), "start", who, role,
                                 instance), {}
        lifecycle = (cell("lifecycle") or "complete").lower()
        yield case, LogEvent(activity, parse_time(row[columns["at"]], where), lifecycle, who,
                             role, instance, attrs), case_attrs
