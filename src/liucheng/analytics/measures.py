"""Measures over form fields, and the per-dealer progress list.

A measure sums, counts or averages a numeric field — a case variable, or a field of one
step's submitted form — grouped by a case variable (income per specialty, loan amount per
dealer). Cases count by their start time. Everything is aggregated in SQL; JSON fields are
read with SQLAlchemy's portable JSON paths (SQLite `json_extract`, PostgreSQL `#>>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa

from liucheng.analytics.source import Filters, Hide, Tables, case_conditions, in_range, show_all
from liucheng.errors import Problem, ValidationError

Source = Literal["case", "task"]


@dataclass(frozen=True)
class MeasureRow:
    group: str | None
    count: int
    sum: float | None
    mean: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True)
class ProgressRow:
    group: str | None
    case: str
    business_key: str | None
    title: str | None
    status: str
    started_at: datetime
    current: str  # names of the open steps, or the status when none is open
    since: datetime | None  # when the oldest open step was created
    assignee: str | None
    remarks: str | None


def _variable(tables: Tables, name: str) -> Any:
    return tables.instances.c.state[("variables", name)]


def _check_name(name: str, what: str) -> None:
    if not name or not all(ch.isalnum() or ch in "_-" for ch in name):
        raise ValidationError([Problem(f"'{name}' is not a field name", field=what,
                                       hint="use the field's id, e.g. income or dealer")])


def measure(conn: sa.Connection, tables: Tables, filters: Filters, field: str, *,
            group_by: str | None = None, source: Source = "case",
            step: str | None = None, hide: Hide = show_all) -> list[MeasureRow]:
    """count / sum / mean / min / max of `field` per value of case variable `group_by`.

    With `source="task"` the field is read from the form data of completed visits of
    `step` (every visit counts, so a step done twice in a case counts twice). Group values
    pass through `hide`.
    """
    _check_name(field, "field")
    if group_by:
        _check_name(group_by, "group_by")
    ins, tk = tables.instances, tables.tasks
    where = [*case_conditions(tables, filters), *in_range(ins.c.started_at, filters)]
    if source == "task":
        if not step:
            raise ValidationError([Problem("a task field needs the step it is entered in",
                                           field="step", hint="add --step STEP_ID")])
        value = tk.c.data[field].as_float()
        base: sa.FromClause = tk.join(ins, ins.c.id == tk.c.instance_id)
        where += [tk.c.element == step, tk.c.status == "completed"]
    else:
        value = _variable(tables, field).as_float()
        base = ins
    group = _variable(tables, group_by).as_string() if group_by else sa.literal(None)
    stmt = (sa.select(group.label("grp"), sa.func.count(value), sa.func.sum(value),
                      sa.func.avg(value), sa.func.min(value), sa.func.max(value))
            .select_from(base).where(*where, value.is_not(None))
            .group_by(group).order_by(sa.func.sum(value).desc()))
    return [MeasureRow(None if r[0] is None else str(hide(group_by or "", r[0])), int(r[1]),
                       _num(r[2]), _num(r[3]), _num(r[4]), _num(r[5]))
            for r in conn.execute(stmt)]


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def progress(conn: sa.Connection, tables: Tables, filters: Filters, group_by: str, *,
             remarks: str | None = None, active_only: bool = True, hide: Hide = show_all
             ) -> list[ProgressRow]:
    """The cases of a process grouped by a case variable (e.g. dealer), with where each is.

    `current` lists the open steps; `remarks` is the case variable named by `remarks`
    when given and set, else the latest comment made on the case. Group and remarks values
    pass through `hide`.
    """
    _check_name(group_by, "group_by")
    if remarks:
        _check_name(remarks, "remarks")
    ins, tk, ev = tables.instances, tables.tasks, tables.events
    where = [*case_conditions(tables, filters), *in_range(ins.c.started_at, filters)]
    if active_only:
        where.append(ins.c.status == "active")
    group = _variable(tables, group_by).as_string()
    remark = _variable(tables, remarks).as_string() if remarks else sa.literal(None)
    comment = ev.c.data["comment"].as_string()
    last = (sa.select(ev.c.instance_id, sa.func.max(ev.c.seq).label("seq"))
            .where(comment.is_not(None), comment != "").group_by(ev.c.instance_id).subquery())
    latest = (sa.select(ev.c.instance_id, comment.label("comment"))
              .join(last, sa.and_(last.c.instance_id == ev.c.instance_id, last.c.seq == ev.c.seq))
              .subquery())
    cases = (sa.select(ins.c.id, ins.c.business_key, ins.c.title, ins.c.status,
                       ins.c.started_at, group.label("grp"), remark.label("remark"),
                       latest.c.comment)
             .outerjoin(latest, latest.c.instance_id == ins.c.id)
             .where(*where).order_by(group, ins.c.started_at, ins.c.id))
    open_steps = (sa.select(tk.c.instance_id, tk.c.name, tk.c.created_at, tk.c.assignee)
                  .join(ins, ins.c.id == tk.c.instance_id)
                  .where(*where, tk.c.status == "open")
                  .order_by(tk.c.instance_id, tk.c.created_at))
    steps: dict[str, list[Any]] = {}
    for step in conn.execute(open_steps):
        steps.setdefault(step.instance_id, []).append(step)
    out = []
    for row in conn.execute(cases):
        mine = steps.get(row.id, [])
        out.append(ProgressRow(
            None if row.grp is None else str(hide(group_by, row.grp)), row.id,
            row.business_key, row.title,
            row.status, row.started_at, ", ".join(s.name for s in mine) or row.status,
            min((s.created_at for s in mine), default=None),
            ", ".join(sorted({s.assignee for s in mine if s.assignee})) or None,
            hide(remarks, row.remark) if remarks and row.remark else row.comment))
    return out
