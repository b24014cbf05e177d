"""What analytics read: the three tables it needs, the filters, and the conditions they give.

Analytics never import the product's storage layer; the caller hands in a `Tables` with
the product's `instances`, `tasks` and `events` tables, or those of an analysis space
(`liucheng.analytics.space`), whose imported logs have the same columns. So every report
runs unchanged on the live database and on an imported event log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from liucheng.errors import Problem, ValidationError

TimeField = Literal["created", "completed"]
# (variable name, value) → the value as the reader may see it: exports and the reports that
# show case variables pass every value through one (`liucheng.org.masking.hider` masks ID
# and mobile numbers); analytics never decide what is sensitive
Hide = Callable[[str, Any], Any]


def show_all(name: str, value: Any) -> Any:
    """The `Hide` of readers entitled to every value."""
    return value


@dataclass(frozen=True)
class Tables:
    """The `instances`, `tasks` and `events` tables (product schema or an analysis space)."""

    instances: sa.Table
    tasks: sa.Table
    events: sa.Table


@dataclass(frozen=True)
class Filters:
    """Which cases and steps a report covers.

    `process` is a definition key and `version` one of its versions; `start` (inclusive)
    and `end` (exclusive) bound a time range whose meaning each report states (steps by
    creation, workload by completion, cycle time by the case's end). `include_open=False`
    leaves steps that are not finished out of the step figures.
    """

    process: str | None = None
    version: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    include_open: bool = True

    def __post_init__(self) -> None:
        problems = []
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                problems.append(Problem(f"{name} time {value.isoformat()} has no time zone",
                                        field=name, hint="give an offset, e.g. +08:00"))
        if self.start and self.end and self.start.tzinfo and self.end.tzinfo \
                and self.end <= self.start:
            problems.append(Problem("the end of the range is not after its start", field="end",
                                    hint="--to must be later than --from"))
        if self.version is not None and not self.process:
            problems.append(Problem("a version needs a process", field="version",
                                    hint="add --process KEY"))
        if self.version is not None and self.version < 1:
            problems.append(Problem("versions start at 1", field="version"))
        if problems:
            raise ValidationError(problems)


def case_conditions(tables: Tables, filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Conditions on `instances` for the process and version filters."""
    ins = tables.instances
    out: list[sa.ColumnElement[bool]] = []
    if filters.process:
        out.append(ins.c.definition_key == filters.process)
    if filters.version is not None:
        out.append(ins.c.definition_id == f"{filters.process}:{filters.version}")
    return out


def in_range(column: Any, filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Conditions putting `column` inside the filters' time range."""
    out: list[sa.ColumnElement[bool]] = []
    if filters.start is not None:
        out.append(column >= filters.start)
    if filters.end is not None:
        out.append(column < filters.end)
    return out


def task_conditions(tables: Tables, filters: Filters,
                    by: TimeField = "created") -> list[sa.ColumnElement[bool]]:
    """Conditions on `tasks` (joined to `instances`) for every filter."""
    tk = tables.tasks
    out = case_conditions(tables, filters)
    if by == "created":
        out += in_range(tk.c.created_at, filters)
    else:
        out.append(tk.c.status == "completed")
        out += in_range(tk.c.completed_at, filters)
    if not filters.include_open:
        out.append(tk.c.status != "open")
    return out


def tasks_with_cases(tables: Tables) -> sa.Join:
    """`tasks` joined to their case, for filters on process version."""
    return tables.tasks.join(tables.instances, tables.instances.c.id == tables.tasks.c.instance_id)
