"""A report as data — title, typed columns, rows, notes — and its CSV, JSON and Excel forms.

Durations are kept in seconds inside a report and written as hours (calendar or working
hours, as the report's measure says) in CSV, JSON and Excel; people-facing tables show
them as '2.5 working days'. Times are written in ISO form (CSV, JSON) or as local times
of the report's zone (Excel, which has no time zones).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from liucheng.analytics.measure import Measure, human

Kind = Literal["text", "int", "duration", "number", "percent", "time"]


@dataclass(frozen=True)
class Column:
    """A report column; `wide` ones are left out of narrow terminal tables."""

    key: str
    label: str
    kind: Kind = "text"
    wide: bool = False


@dataclass
class Report:
    """One table of figures; `notes` are sentences printed under it."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    measure: Measure = field(default_factory=Measure.elapsed)
    notes: list[str] = field(default_factory=list)
    zone: tzinfo = ZoneInfo("Asia/Shanghai")

    def value(self, row: dict[str, Any], column: Column) -> Any:
        """The machine form of a cell: hours for durations, ISO text for times."""
        value = row.get(column.key)
        if value is None:
            return None
        if column.kind == "duration":
            return round(float(value) / 3600, 4)
        if column.kind == "time" and isinstance(value, datetime):
            return value.isoformat()
        if column.kind in ("number", "percent"):
            return round(float(value), 6)
        return value

    def text(self, row: dict[str, Any], column: Column) -> str:
        """The people form of a cell."""
        value = row.get(column.key)
        if value is None:
            return "—" if column.kind == "duration" else ""
        if column.kind == "duration":
            return human(float(value), self.measure)
        if column.kind == "percent":
            return f"{float(value):.0%}"
        if column.kind == "number":
            return f"{float(value):,.2f}"
        if column.kind == "time" and isinstance(value, datetime):
            return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
        return str(value)

    def to_data(self) -> dict[str, Any]:
        return {"report": self.name, "title": self.title, "measure": self.measure.kind,
                "duration_unit": "working hours" if self.measure.kind == "working" else "hours",
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind}
                            for c in self.columns],
                "rows": [{c.key: self.value(r, c) for c in self.columns} for r in self.rows],
                "notes": list(self.notes)}

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([_csv_header(c) for c in self.columns])
        for row in self.rows:
            writer.writerow(["" if (v := self.value(row, c)) is None else v
                             for c in self.columns])
        return out.getvalue()


def _csv_header(column: Column) -> str:
    return column.key + ("_h" if column.kind == "duration" else "")


def write_xlsx(reports: Sequence[Report], path: Path | str) -> None:
    """One sheet per report: a bold header, typed cells, the notes below the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for report in reports:
        sheet = book.create_sheet(_sheet_name(report.name, book.sheetnames))
        sheet.append([report.title])
        sheet["A1"].font = Font(bold=True, size=13)
        unit = "working hours" if report.measure.kind == "working" else "hours"
        sheet.append([f"durations in {unit}"])
        sheet.append([c.label + (f" ({unit})" if c.kind == "duration" else "")
                      for c in report.columns])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in report.rows:
            sheet.append([_excel(report, row, c) for c in report.columns])
            for cell, column in zip(sheet[sheet.max_row], report.columns, strict=True):
                cell.number_format = _FORMATS.get(column.kind, "General")
        for note in report.notes:
            sheet.append([])
            sheet.append([note])
        for i, column in enumerate(report.columns, 1):
            width = max(len(column.label) + 2, 10)
            sheet.column_dimensions[sheet.cell(3, i).column_letter].width = min(width, 40)
        sheet.freeze_panes = "A4"
    book.save(str(path))


_FORMATS = {"duration": "0.00", "number": "#,##0.00", "percent": "0%", "int": "0",
            "time": "yyyy-mm-dd hh:mm"}


def _excel(report: Report, row: dict[str, Any], column: Column) -> Any:
    value = row.get(column.key)
    if column.kind == "time" and isinstance(value, datetime):
        return value.astimezone(report.zone).replace(tzinfo=None)
    return report.value(row, column)


def _sheet_name(name: str, taken: Iterable[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "report"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
