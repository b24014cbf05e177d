"""Which organisation may see which case, and who may take which task from a pool.

A case is visible to the organisations taking part in it:
  * the organisation of the person who started it;
  * the organisations of everyone who acted on it (any event with them as actor);
  * the organisations of the people an open task is assigned or offered to by name;
  * for an open task offered to a role, the organisations of the role's members —
    taking the role "locally first": when the starter's organisation has members of the
    role, only they are offered the task; otherwise every member of the role is.

"Locally first" lets two dealers share role names without seeing each other's work, while
a step for a role only the finance company has (e.g. its field officer) reaches it.
Administrators and holders of `cases.all` see every case.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from liucheng.org.permissions import CASES_ALL, Principal
from liucheng.org.schema import DEFAULT_ORG, Db, Tables, built


def organisation_of(t: Tables, user_column: Any) -> sa.ColumnElement[Any]:
    """SQL: the organisation of the user in `user_column` ('default' without an account)."""
    acc = t.accounts.alias()
    # correlate explicitly: the user column may sit several subqueries further out
    return sa.func.coalesce(
        sa.select(acc.c.organisation_id).where(acc.c.user_id == user_column)
        .correlate_except(acc).scalar_subquery(), DEFAULT_ORG)


def members(t: Tables, org: Any, *, default: bool) -> sa.Select[Any]:
    """SQL: the ids of the users of an organisation — the default one (`org` unused), or
    `org` (a value or a bind parameter)."""
    acc = t.accounts.alias()
    if default:
        return sa.select(t.users.c.id).where(~t.users.c.id.in_(
            sa.select(acc.c.user_id).where(acc.c.organisation_id != DEFAULT_ORG)))
    return sa.select(acc.c.user_id).where(acc.c.organisation_id == org)


def _role_is_local(t: Tables, role: Any, starter: Any) -> sa.ColumnElement[bool]:
    """SQL: the starter's organisation has at least one member of `role`."""
    ur = t.user_roles.alias()
    return sa.exists(sa.select(ur.c.user_id).where(
        ur.c.role_id == role, organisation_of(t, ur.c.user_id) == organisation_of(t, starter))
        .correlate_except(ur))


def case_visible(t: Tables, org: Any, *, default: bool) -> sa.ColumnElement[bool]:
    """SQL condition on `instances`: the case is visible to the organisation `org` (a value
    or a bind parameter; `default`: the default organisation)."""
    case = t.instances
    inside = members(t, org, default=default)
    ev = t.events.alias()
    acted = sa.exists(sa.select(ev.c.seq).where(ev.c.instance_id == case.c.id,
                                               ev.c.actor.in_(inside)))
    t1 = t.tasks.alias()
    assigned = sa.exists(sa.select(t1.c.id).where(
        t1.c.instance_id == case.c.id, t1.c.status == "open", t1.c.assignee.in_(inside)))
    t2, tc2 = t.tasks.alias(), t.task_candidates.alias()
    named = sa.exists(sa.select(tc2.c.task_id).join(t2, t2.c.id == tc2.c.task_id).where(
        t2.c.instance_id == case.c.id, t2.c.status == "open", tc2.c.kind == "user",
        tc2.c.value.in_(inside)))
    t3, tc3, ur = t.tasks.alias(), t.task_candidates.alias(), t.user_roles.alias()
    offered = sa.exists(sa.select(tc3.c.task_id).join(t3, t3.c.id == tc3.c.task_id).where(
        t3.c.instance_id == case.c.id, t3.c.status == "open", tc3.c.kind == "role",
        sa.exists(sa.select(ur.c.user_id).where(ur.c.role_id == tc3.c.value,
                                                ur.c.user_id.in_(inside))),
        ~_role_is_local(t, tc3.c.value, case.c.started_by)))
    return sa.or_(case.c.started_by.in_(inside), acted, assigned, named, offered)


def sees_all(principal: Principal) -> bool:
    return principal.admin or principal.has(CASES_ALL)


def visible_cases(t: Tables, principal: Principal) -> sa.ColumnElement[bool]:
    """SQL condition on `instances` for what this principal may see."""
    if sees_all(principal):
        return sa.true()
    org = principal.organisation
    return case_visible(t, org, default=org == DEFAULT_ORG)


def in_pool(t: Tables, principal: Principal) -> sa.ColumnElement[bool]:
    """SQL condition on `tasks` (joined to `instances`): an unassigned open task this person
    may take — offered to them by name, or to one of their roles, locally first."""
    return pool_condition(t, principal.user, sorted(principal.roles) or None,
                          principal.organisation)


def pool_condition(t: Tables, user: Any, roles: Any, org: Any) -> sa.ColumnElement[bool]:
    """`in_pool` for a user, their roles (None without roles) and organisation, each a value
    or a bind parameter (see `in_pool_bound`)."""
    tasks, case = t.tasks, t.instances
    tc = t.task_candidates.alias()
    by_name = sa.exists(sa.select(tc.c.task_id).where(
        tc.c.task_id == tasks.c.id, tc.c.kind == "user", tc.c.value == user))
    conditions = [by_name]
    if roles is not None:
        tr = t.task_candidates.alias()
        local = organisation_of(t, case.c.started_by) == org
        conditions.append(sa.exists(sa.select(tr.c.task_id).where(
            tr.c.task_id == tasks.c.id, tr.c.kind == "role", tr.c.value.in_(roles),
            sa.or_(local, ~_role_is_local(t, tr.c.value, case.c.started_by)))))
    return sa.and_(tasks.c.status == "open", tasks.c.assignee.is_(None), sa.or_(*conditions))


def in_pool_bound(t: Tables, with_roles: bool) -> sa.ColumnElement[bool]:
    """`in_pool` with the bind parameters `user`, `roles` and `org` (see `bound`): one
    condition for everyone with roles, one for everyone without."""
    roles: Any = sa.bindparam("roles", expanding=True) if with_roles else None
    return pool_condition(t, sa.bindparam("user"), roles, sa.bindparam("org"))


def bound(principal: Principal) -> dict[str, Any]:
    """The values of the bind parameters `user`, `roles` and `org` for this principal."""
    return {"user": principal.user, "roles": sorted(principal.roles),
            "org": principal.organisation}


def visibility(principal: Principal) -> str:
    """Which `visible_bound` condition holds for this principal: 'all', 'default' (the
    default organisation) or 'org' (any other)."""
    return ("all" if sees_all(principal) else
            "default" if principal.organisation == DEFAULT_ORG else "org")


def visible_bound(t: Tables, shape: str) -> sa.ColumnElement[bool]:
    """`visible_cases` with the bind parameter `org` (see `bound`), for a `visibility`."""
    if shape == "all":
        return sa.true()
    return case_visible(t, sa.bindparam("org"), default=shape == "default")


def case_is_visible(db: Db, principal: Principal, case_id: str) -> bool:
    shape = visibility(principal)
    case = db.t.instances
    stmt = built(db.t, "visible", shape, lambda: sa.select(case.c.id).where(
        case.c.id == sa.bindparam("case"), visible_bound(db.t, shape)))
    return bool(db.remembered(("visible", principal, case_id), lambda: db.conn.execute(
        stmt, {"case": case_id, **bound(principal)}).first() is not None))


def may_take(db: Db, principal: Principal, task_id: str) -> bool:
    """The task is in this person's pool (unassigned and offered to them)."""
    tasks, case = db.t.tasks, db.t.instances

    def build() -> sa.Select[Any]:
        return (sa.select(tasks.c.id).join(case, case.c.id == tasks.c.instance_id)
                .where(tasks.c.id == sa.bindparam("task"),
                       in_pool_bound(db.t, bool(principal.roles))))

    stmt = built(db.t, "may_take", bool(principal.roles), build)
    return bool(db.remembered(("may_take", principal, task_id), lambda: db.conn.execute(
        stmt, {"task": task_id, **bound(principal)}).first() is not None))
