"""The inbox and case search, always within what the person's organisation may see.

Tabs: `mine` (待办, assigned to me), `pool` (待领, offered to me or my roles), `done` (已办,
completed by me), `started` (我发起的, cases I started) and `overdue` (mine or pool, past
due); `all` (mine and pool) for the Engine's `tasks(user=…)` and `inbox(…, "all")`. Every
query pages with `limit`/`offset` and filters by a search text. The web pages, the HTTP
API, the Python `Engine` and the CLI all read the inbox here.

A page of mine, pool or all without filters, in priority order, is read from index ranges:
the person's own tasks from `ix_tasks_assignee_page` (a range per status), and for each
of their roles (and for them by name) the pooled candidate rows from
`ix_task_candidates_pool`, which carry the task's sort keys; each range is cut to the
page's end, then merged. The pool's rule "locally first" (org/visibility.py) becomes, per
role, a list of the other organisations that have members of the role: a task of a case
started there is not in the pool. The same page from the general query (`_task_select`)
is the definition; tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from liucheng.errors import NotFoundError, Problem, ValidationError
from liucheng.org.permissions import Principal
from liucheng.org.schema import DEFAULT_ORG, Db, Tables, built
from liucheng.org.visibility import (
    bound,
    in_pool,
    in_pool_bound,
    organisation_of,
    visible_cases,
)

TABS = ("mine", "pool", "done", "started", "overdue")
TASK_TABS = ("mine", "pool", "done", "overdue", "all")
SORTS = ("priority", "due", "created")
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


def _statuses(waiting: bool) -> tuple[str, ...]:
    """A person's own open tasks; `waiting` adds those suspended while signers added
    before them sign (the Engine and the CLI list them, the web inbox does not)."""
    return ("open", "suspended") if waiting else ("open",)


def _task_condition(t: Tables, tab: str, user: Any, pool: Callable[[], sa.ColumnElement[bool]],
                    now: Any, waiting: bool = False) -> sa.ColumnElement[bool]:
    """A task tab's condition for `user`, with `pool()` the user's pool (`in_pool`); the
    user and `now` are values or bind parameters."""
    tasks = t.tasks
    mine = sa.and_(tasks.c.status.in_(_statuses(waiting)), tasks.c.assignee == user)
    if tab == "mine":
        return mine
    if tab == "pool":
        return pool()
    if tab == "all":
        return sa.or_(mine, pool())
    if tab == "done":
        # status is never null: coalesce only keeps SQLite (without statistics) from reading
        # every completed task by ix_tasks_status_due instead of the person's by
        # ix_tasks_completed_by
        return sa.and_(tasks.c.completed_by == user,
                       sa.func.coalesce(tasks.c.status, "") == "completed")
    return sa.and_(sa.or_(mine, pool()), tasks.c.due_at.is_not(None), tasks.c.due_at < now)


def _task_columns(t: Tables) -> list[Any]:
    return [c for c in t.tasks.c if c.name != "data"]


def _page_columns(t: Tables) -> list[Any]:
    """An inbox row: the task (without its form data) and what the list shows of its case."""
    case = t.instances
    return [*_task_columns(t), case.c.title.label("case_title"),
            case.c.business_key.label("business_key"),
            case.c.started_by.label("case_started_by"),
            case.c.definition_id.label("definition_id")]


def _task_select(t: Tables, principal: Principal, tab: str, q: str | None,
                 now: datetime, waiting: bool = False) -> sa.Select[Any]:
    tasks = t.tasks
    search = _case_search(t, q)
    if q and q.strip():
        search = sa.or_(search, tasks.c.name.ilike(_like(q.strip()), escape="\\"))
    condition = _task_condition(t, tab, principal.user, lambda: in_pool(t, principal), now,
                                waiting)
    return _tasks_of_tab(t, condition).where(search)


def _tasks_of_tab(t: Tables, condition: sa.ColumnElement[bool]) -> sa.Select[Any]:
    tasks, case = t.tasks, t.instances
    return (sa.select(*_page_columns(t))
            .select_from(tasks.join(case, case.c.id == tasks.c.instance_id)).where(condition))


def _started_select(t: Tables, user: Any, q: str | None) -> sa.Select[Any]:
    return sa.select(*_case_columns(t)).where(t.instances.c.started_by == user,
                                              _case_search(t, q))


def _counted(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return sa.select(sa.func.count()).select_from(stmt.subquery())


def _count(db: Db, stmt: sa.Select[Any]) -> int:
    return int(db.conn.execute(_counted(stmt)).scalar_one())


def counts(db: Db, principal: Principal, *, now: datetime) -> dict[str, int]:
    """How many items each tab holds (without a search text), in one statement built once
    per shape (whether the person has roles, and `_ranges_select`'s for the pool)."""
    local, params = _ranges_params(db, principal, "pool")
    t, with_roles = db.t, bool(principal.roles)

    def build() -> sa.Select[Any]:
        user: sa.BindParameter[str] = sa.bindparam("user")
        now_param: sa.BindParameter[datetime] = sa.bindparam("now")
        each = {tab: _counted(_tasks_of_tab(t, _task_condition(
                    t, tab, user, lambda: in_pool_bound(t, with_roles), now_param)))
                for tab in ("mine", "done", "overdue")}
        each["pool"] = _ranges_select(t, "count", False, local)
        each["started"] = _counted(_started_select(t, user, None))
        return sa.select(*(each[tab].scalar_subquery().label(tab) for tab in TABS))

    stmt = built(t, "counts", (with_roles, local), build)
    row = db.conn.execute(stmt, {**params, **bound(principal), "now": now}).one()
    return {tab: int(row[i]) for i, tab in enumerate(TABS)}


def inbox(db: Db, principal: Principal, tab: str, *, now: datetime, q: str | None = None,
          limit: int = 20, offset: int = 0, total: int | None = None) -> Page:
    """A page of a tab; `total`, when known (`counts` without a search text), is not
    counted again."""
    check_tab(tab)
    if tab == "started":
        case = db.t.instances
        stmt = _started_select(db.t, principal.user, q)
        rows = db.all(stmt.order_by(case.c.started_at.desc(), case.c.id).limit(limit)
                      .offset(offset))
        return Page(rows, _count(db, stmt) if total is None else total, limit, offset)
    rows = task_page(db, principal, tab, now=now, q=q, limit=limit, offset=offset)
    if total is None:
        total = _count(db, _task_select(db.t, principal, tab, q, now))
    return Page(rows, total, limit, offset)


def task_page(db: Db, principal: Principal, tab: str, *, now: datetime, q: str | None = None,
              process: str | None = None, case: str | None = None, role: str | None = None,
              created_from: datetime | None = None, created_to: datetime | None = None,
              sort: str = "priority", waiting: bool = False, limit: int = 20,
              offset: int = 0, with_case: bool = True) -> list[Row]:
    """One page of a task tab (`TASK_TABS`), filtered; `sort` by priority, due or created.
    Without `with_case` a row may lack what the list shows of the task's case (the
    Engine's tasks do not show it, and the page from index ranges then does not read it)."""
    if tab not in TASK_TABS:
        raise ValidationError([Problem(f"unknown inbox tab '{tab}'", field="tab",
                                       hint="use one of " + ", ".join(TASK_TABS))])
    if sort not in SORTS:
        raise NotFoundError(f"unknown sort '{sort}'", hint="sort by priority, due or created")
    if tab in ("mine", "pool", "all") and sort == "priority" and not (
            (q and q.strip()) or process or case or role or created_from or created_to):
        return _ranges_page(db, principal, tab, waiting, limit, offset, with_case)
    return _general_page(db, principal, tab, now=now, q=q, process=process, case=case,
                         role=role, created_from=created_from, created_to=created_to,
                         sort=sort, waiting=waiting, limit=limit, offset=offset)


def _general_page(db: Db, principal: Principal, tab: str, *, now: datetime, q: str | None,
                  process: str | None, case: str | None, role: str | None,
                  created_from: datetime | None, created_to: datetime | None, sort: str,
                  waiting: bool, limit: int, offset: int) -> list[Row]:
    """The page from the general query: any filter and order (the definition)."""
    t = db.t
    stmt = _task_select(t, principal, tab, q, now, waiting)
    tasks = t.tasks
    if process:
        stmt = stmt.where(tasks.c.definition_key == process)
    if case:
        stmt = stmt.where(tasks.c.instance_id == case)
    if role:
        tc = t.task_candidates.alias()
        stmt = stmt.where(tasks.c.id.in_(sa.select(tc.c.task_id).where(
            tc.c.kind == "role", tc.c.value == role)))
    if created_from:
        stmt = stmt.where(tasks.c.created_at >= created_from)
    if created_to:
        stmt = stmt.where(tasks.c.created_at < created_to)
    order: tuple[Any, ...] = (
        (tasks.c.completed_at.desc(),) if tab == "done" else
        {"priority": (tasks.c.priority.desc(), tasks.c.created_at),
         "due": (tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.priority.desc()),
         "created": (tasks.c.created_at.desc(),)}[sort])
    return db.all(stmt.order_by(*order, tasks.c.id).limit(limit).offset(offset))


# -- pages from index ranges -----------------------------------------------------------------
def _elsewhere(db: Db, principal: Principal) -> list[list[str]]:
    """For each of the person's roles (sorted): the other organisations with members of it,
    whose cases' tasks for the role stay with them (locally first); once per snapshot
    (`seeker` answers it with the person)."""
    roles = sorted(principal.roles)
    if not roles:
        return []

    def ask() -> list[list[str]]:
        found: dict[str, set[str]] = {r: set() for r in roles}
        stmt = built(db.t, "orgs_of_roles", None, lambda: _orgs_of_roles(db.t))
        for role_id, org in db.conn.execute(stmt, {"roles": roles}):
            found[role_id].add(org)
        return [sorted(found[r] - {principal.organisation}) for r in roles]

    answer: list[list[str]] = db.remembered(_elsewhere_key(principal), ask)
    return answer


def _elsewhere_key(principal: Principal) -> tuple[str, str, frozenset[str]]:
    return ("elsewhere", principal.organisation, principal.roles)


def seeker(db: Db, user_id: str) -> Principal | None:
    """Who reads an inbox, by user id: organisation and roles (all an inbox query needs;
    no permissions), in one statement that also finds, for each role, the organisations
    of its members (kept for `_elsewhere` in a read-only snapshot). None for an unknown or
    deactivated user."""
    rows = db.read(db.conn, built(db.t, "seeker", None, lambda: _seeker(db.t)),
                   {"user": user_id})
    if not rows or not rows[0]["active"]:
        return None
    who = Principal(user=user_id, name=user_id, organisation=rows[0]["org"] or DEFAULT_ORG,
                    department=None,
                    roles=frozenset(r["role_id"] for r in rows if r["role_id"]),
                    admin=False, permissions=frozenset())
    found: dict[str, set[str]] = {r: set() for r in who.roles}
    for row in rows:
        if row["role_id"]:
            found[row["role_id"]].add(row["member_org"])
    db.remembered(_elsewhere_key(who), lambda: [sorted(found[r] - {who.organisation})
                                                for r in sorted(who.roles)])
    return who


def _orgs_of_roles(t: Tables) -> sa.Select[Any]:
    ur, acc = t.user_roles, t.accounts
    return (sa.select(ur.c.role_id, sa.func.coalesce(acc.c.organisation_id, DEFAULT_ORG))
            .select_from(ur.outerjoin(acc, acc.c.user_id == ur.c.user_id))
            .where(ur.c.role_id.in_(sa.bindparam("roles", expanding=True))).distinct())


def _seeker(t: Tables) -> sa.Select[Any]:
    """The person, their organisation and roles, and each role's members' organisations."""
    ur, acc, users = t.user_roles, t.accounts, t.users
    members, their = ur.alias(), acc.alias()
    return (sa.select(users.c.active, acc.c.organisation_id.label("org"), ur.c.role_id,
                      sa.func.coalesce(their.c.organisation_id, DEFAULT_ORG)
                      .label("member_org"))
            .select_from(users.outerjoin(acc, acc.c.user_id == users.c.id)
                         .outerjoin(ur, ur.c.user_id == users.c.id)
                         .outerjoin(members, members.c.role_id == ur.c.role_id)
                         .outerjoin(their, their.c.user_id == members.c.user_id))
            .where(users.c.id == sa.bindparam("user")).distinct())


def _ranges_select(t: Tables, tab: str, waiting: bool, local: tuple[int, ...],
                   with_case: bool = True) -> sa.Select[Any]:
    """The page statement for a shape: which tab, for each role how many other
    organisations keep some of its tasks (`local`; a parameter each, not an expanding
    list, so that the page may run straight on the driver: `Db.read`), and whether the
    rows carry their case's columns; built once per shape."""
    stmt: sa.Select[Any] = built(t, "ranges", (tab, waiting, local, with_case),
                                 lambda: _build_ranges(t, tab, waiting, local, with_case))
    return stmt


def _build_ranges(t: Tables, tab: str, waiting: bool, local: tuple[int, ...],
                  with_case: bool) -> sa.Select[Any]:
    tasks, case, tc = t.tasks, t.instances, t.task_candidates
    end: sa.BindParameter[int] = sa.bindparam("end", type_=sa.Integer)

    def pool(kind: str, value: str, elsewhere: str = "", orgs: int = 0) -> sa.Select[Any]:
        columns = (tc.c.task_id,) if tab == "count" else (tc.c.task_id, tc.c.priority,
                                                           tc.c.created_at)
        stmt = sa.select(*columns).where(
            tc.c.kind == kind, tc.c.value == sa.bindparam(value), tc.c.pooled == sa.true())
        if orgs:
            t2, c2 = tasks.alias(), case.alias()
            starter_org = (sa.select(organisation_of(t, c2.c.started_by))
                           .select_from(t2.join(c2, c2.c.id == t2.c.instance_id))
                           .where(t2.c.id == tc.c.task_id).scalar_subquery())
            stmt = stmt.where(starter_org.not_in(
                [sa.bindparam(f"{elsewhere}_{j}") for j in range(orgs)]))
        if tab == "count":
            return stmt
        return stmt.order_by(tc.c.priority.desc(), tc.c.created_at, tc.c.task_id).limit(end)

    ranges = []
    if tab == "count":  # how many tasks the pool holds: the ranges whole, each task once
        branches = [pool("user", "user"), *(pool("role", f"r{i}", f"o{i}", orgs)
                                            for i, orgs in enumerate(local))]
        union = sa.union(*branches).subquery()
        return sa.select(sa.func.count()).select_from(union)
    if tab != "pool":  # one range per status: within a status the index is in page order
        ranges += [sa.select(tasks.c.id.label("task_id"), tasks.c.priority, tasks.c.created_at)
                   .where(tasks.c.assignee == sa.bindparam("user"), tasks.c.status == status)
                   .order_by(tasks.c.priority.desc(), tasks.c.created_at, tasks.c.id)
                   .limit(end) for status in _statuses(waiting)]
    if tab != "mine":
        ranges.append(pool("user", "user"))
        ranges += [pool("role", f"r{i}", f"o{i}", orgs) for i, orgs in enumerate(local)]
    merged = sa.union_all(*[sa.select(r.subquery()) for r in ranges]).subquery()
    page = (sa.select(merged.c.task_id, merged.c.priority, merged.c.created_at).distinct()
            .order_by(merged.c.priority.desc(), merged.c.created_at, merged.c.task_id)
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery())
    rows = page.join(tasks, tasks.c.id == page.c.task_id)
    if not with_case:
        return (sa.select(*_task_columns(t)).select_from(rows)
                .order_by(tasks.c.priority.desc(), tasks.c.created_at, tasks.c.id))
    return (sa.select(*_page_columns(t))
            .select_from(rows.join(case, case.c.id == tasks.c.instance_id))
            .order_by(tasks.c.priority.desc(), tasks.c.created_at, tasks.c.id))


def _ranges_params(db: Db, principal: Principal, tab: str,
                   **params: Any) -> tuple[tuple[int, ...], dict[str, Any]]:
    """The shape of the ranges statement (see `_ranges_select`) and its parameters."""
    elsewhere = _elsewhere(db, principal) if tab != "mine" else []
    params["user"] = principal.user
    for i, role in enumerate(sorted(principal.roles) if tab != "mine" else []):
        params[f"r{i}"] = role
        for j, org in enumerate(elsewhere[i]):
            params[f"o{i}_{j}"] = org
    return tuple(len(o) for o in elsewhere), params


def _ranges_page(db: Db, principal: Principal, tab: str, waiting: bool, limit: int,
                 offset: int, with_case: bool) -> list[Row]:
    local, params = _ranges_params(db, principal, tab, end=offset + limit, limit=limit,
                                   offset=offset)
    return db.read(db.conn, _ranges_select(db.t, tab, waiting, local, with_case), params)


def pool_count(db: Db, principal: Principal) -> int:
    """How many tasks are in this person's pool (the `pool` tab without a search text)."""
    local, params = _ranges_params(db, principal, "pool")
    return int(db.conn.execute(_ranges_select(db.t, "count", False, local), params)
               .scalar_one())


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

    def build() -> sa.Select[Any]:
        stmt = sa.select(tasks).where(tasks.c.instance_id == sa.bindparam("case"))
        if status:
            stmt = stmt.where(tasks.c.status == sa.bindparam("status"))
        return stmt.order_by(tasks.c.created_at, tasks.c.id)

    return db.all(built(db.t, "case_tasks", bool(status), build),
                  {"case": case_id, "status": status})
