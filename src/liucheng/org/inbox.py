"""The inbox and case search, always within what the person's organisation may see.

Tabs: `mine` (待办, assigned to me), `pool` (待领, offered to me or my roles), `done` (已办,
completed by me), `started` (我发起的, cases I started) and `overdue` (mine or pool, past
due). Every query pages with `limit`/`offset` and filters by a search text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from liucheng.errors import Problem, ValidationError
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db, Tables
from liucheng.org.visibility import in_pool, visible_cases

TABS = ("mine", "pool", "done", "started", "overdue")
Row = dict[str, Any]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.rows) < self.total


def check_tab(tab: str) -> str:
    if tab not in TABS:
        raise ValidationError([Problem(f"unknown inbox tab '{tab}'", field="tab",
                                       hint="use one of " + ", ".join(TABS))])
    return tab


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _case_columns(t: Tables) -> list[Any]:
    return [c for c in t.instances.c if c.name != "state"]


def _case_search(t: Tables, q: str | None) -> sa.ColumnElement[bool]:
    if not q or not q.strip():
        return sa.true()
    text = q.strip()
    case = t.instances
    return sa.or_(case.c.title.ilike(_like(text), escape="\\"),
                  case.c.business_key.ilike(_like(text), escape="\\"),
                  case.c.id.like(text.lower().replace("%", "") + "%"))


def _task_condition(t: Tables, principal: Principal, tab: str,
                    now: datetime) -> sa.ColumnElement[bool]:
    tasks = t.tasks
    mine = sa.and_(tasks.c.status == "open", tasks.c.assignee == principal.user)
    if tab == "mine":
        return mine
    if tab == "pool":
        return in_pool(t, principal)
    if tab == "done":
        return sa.and_(tasks.c.status == "completed", tasks.c.completed_by == principal.user)
    return sa.and_(sa.or_(mine, in_pool(t, principal)), tasks.c.due_at.is_not(None),
                   tasks.c.due_at < now)


def _task_select(t: Tables, principal: Principal, tab: str, q: str | None,
                 now: datetime) -> sa.Select[Any]:
    tasks, case = t.tasks, t.instances
    search = _case_search(t, q)
    if q and q.strip():
        search = sa.or_(search, tasks.c.name.ilike(_like(q.strip()), escape="\\"))
    columns = [*tasks.c, case.c.title.label("case_title"),
               case.c.business_key.label("business_key"),
               case.c.started_by.label("case_started_by"),
               case.c.definition_id.label("definition_id")]
    return (sa.select(*columns)
            .select_from(tasks.join(case, case.c.id == tasks.c.instance_id))
            .where(_task_condition(t, principal, tab, now), search))


def _started_select(t: Tables, principal: Principal, q: str | None) -> sa.Select[Any]:
    return sa.select(*_case_columns(t)).where(t.instances.c.started_by == principal.user,
                                              _case_search(t, q))


def _count(db: Db, stmt: sa.Select[Any]) -> int:
    return int(db.conn.execute(sa.select(sa.func.count()).select_from(stmt.subquery()))
               .scalar_one())


def counts(db: Db, principal: Principal, *, now: datetime) -> dict[str, int]:
    """How many items each tab holds (without a search text)."""
    out = {tab: _count(db, _task_select(db.t, principal, tab, None, now))
           for tab in TABS if tab != "started"}
    out["started"] = _count(db, _started_select(db.t, principal, None))
    return {tab: out[tab] for tab in TABS}


def inbox(db: Db, principal: Principal, tab: str, *, now: datetime, q: str | None = None,
          limit: int = 20, offset: int = 0) -> Page:
    check_tab(tab)
    tasks, case = db.t.tasks, db.t.instances
    if tab == "started":
        stmt = _started_select(db.t, principal, q)
        order: list[Any] = [case.c.started_at.desc(), case.c.id]
    else:
        stmt = _task_select(db.t, principal, tab, q, now)
        order = ([tasks.c.completed_at.desc(), tasks.c.id] if tab == "done" else
                 [tasks.c.priority.desc(), tasks.c.created_at, tasks.c.id])
    total = _count(db, stmt)
    return Page(db.all(stmt.order_by(*order).limit(limit).offset(offset)), total, limit, offset)


def search_cases(db: Db, principal: Principal, *, q: str | None = None,
                 status: str | None = None, process: str | None = None,
                 limit: int = 50, offset: int = 0) -> Page:
    """Cases this principal may see, newest first."""
    case = db.t.instances
    stmt = sa.select(*_case_columns(db.t)).where(visible_cases(db.t, principal),
                                                 _case_search(db.t, q))
    if status:
        stmt = stmt.where(case.c.status == status)
    if process:
        stmt = stmt.where(case.c.definition_key == process)
    total = _count(db, stmt)
    rows = db.all(stmt.order_by(case.c.started_at.desc(), case.c.id).limit(limit)
                  .offset(offset))
    return Page(rows, total, limit, offset)


def case_tasks(db: Db, case_id: str, *, status: str | None = None) -> list[Row]:
    tasks = db.t.tasks
    stmt = sa.select(tasks).where(tasks.c.instance_id == case_id)
    if status:
        stmt = stmt.where(tasks.c.status == status)
    return db.all(stmt.order_by(tasks.c.created_at, tasks.c.id))
