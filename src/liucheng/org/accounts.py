"""People and organisations: users with their account (organisation, department, password,
roles), organisations and departments, and signing in.

A user belongs to one organisation and at most one of its departments. Users made
without an account (e.g. `liucheng user add`) belong to the organisation 'default'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from liucheng.errors import ConflictError, LiuchengError, NotFoundError, Problem, ValidationError
from liucheng.org import sessions
from liucheng.org.errors import SignInRequired
from liucheng.org.passwords import hash_password, needs_rehash, verify_password
from liucheng.org.permissions import Principal, granted
from liucheng.org.schema import DEFAULT_ORG, Db, built
from liucheng.org.throttle import Limits, admit, check, record

RESERVED_USERS = frozenset({"system"})
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
Row = dict[str, Any]


def check_id(value: str, field: str) -> None:
    if not ID_PATTERN.match(value) or value in RESERVED_USERS:
        raise ValidationError([Problem(f"'{value}' cannot be used as an id", field=field,
                                       hint="letters, digits and _ . @ - (up to 64); "
                                       "'system' is reserved")])


# -- organisations and departments -------------------------------------------------------
def organisations_list(db: Db) -> list[Row]:
    orgs = db.t.organisations
    return db.all(sa.select(orgs).order_by(orgs.c.id))


def add_organisation(db: Db, org_id: str, name: str, name_en: str = "", *,
                     now: datetime) -> None:
    check_id(org_id, "id")
    orgs = db.t.organisations
    if db.one(sa.select(orgs.c.id).where(orgs.c.id == org_id)):
        db.conn.execute(orgs.update().where(orgs.c.id == org_id)
                        .values(name=name or org_id, name_en=name_en))
    else:
        db.conn.execute(orgs.insert().values(id=org_id, name=name or org_id, name_en=name_en,
                                             created_at=now))


def departments_list(db: Db, organisation: str | None = None) -> list[Row]:
    depts = db.t.departments
    stmt = sa.select(depts).order_by(depts.c.organisation_id, depts.c.id)
    if organisation:
        stmt = stmt.where(depts.c.organisation_id == organisation)
    return db.all(stmt)


def add_department(db: Db, dept_id: str, organisation: str, name: str, name_en: str = "",
                   parent: str | None = None) -> None:
    check_id(dept_id, "id")
    require_organisation(db, organisation)
    depts = db.t.departments
    if db.one(sa.select(depts.c.id).where(depts.c.id == dept_id)):
        raise ConflictError(f"department '{dept_id}' exists already", field="id")
    if parent and not db.one(sa.select(depts.c.id).where(
            depts.c.id == parent, depts.c.organisation_id == organisation)):
        raise ValidationError([Problem(f"no department '{parent}' in '{organisation}'",
                                       field="parent", hint="add the parent department first")])
    db.conn.execute(depts.insert().values(id=dept_id, organisation_id=organisation,
                                          name=name or dept_id, name_en=name_en,
                                          parent_id=parent or None))


def require_organisation(db: Db, org_id: str) -> None:
    orgs = db.t.organisations
    if not db.one(sa.select(orgs.c.id).where(orgs.c.id == org_id)):
        raise ValidationError([Problem(f"no organisation '{org_id}'", field="organisation",
                                       hint="add it first (administration → organisations)")])


# -- users and accounts ------------------------------------------------------------------
def user(db: Db, user_id: str) -> Row | None:
    return db.one(sa.select(db.t.users).where(db.t.users.c.id == user_id))


def account(db: Db, user_id: str) -> Row | None:
    return db.one(sa.select(db.t.accounts).where(db.t.accounts.c.user_id == user_id))


def roles_of(db: Db, user_id: str) -> frozenset[str]:
    ur = db.t.user_roles
    return frozenset(db.conn.execute(sa.select(ur.c.role_id).where(ur.c.user_id == user_id))
                     .scalars())


def ensure_role(db: Db, role_id: str) -> None:
    if not role_id.strip() or len(role_id) > 64:
        raise ValidationError([Problem(f"'{role_id}' cannot be used as a role id",
                                       field="roles", hint="1 to 64 characters")])
    roles = db.t.roles
    if not db.one(sa.select(roles.c.id).where(roles.c.id == role_id)):
        db.conn.execute(roles.insert().values(id=role_id, name=role_id, name_en=""))


def _set_roles(db: Db, user_id: str, role_ids: Iterable[str], replace: bool) -> None:
    ur = db.t.user_roles
    wanted = set(role_ids)
    have = roles_of(db, user_id)
    if replace and have - wanted:
        db.conn.execute(ur.delete().where(ur.c.user_id == user_id,
                                          ur.c.role_id.in_(sorted(have - wanted))))
    for role_id in sorted(wanted - have):
        ensure_role(db, role_id)
        db.conn.execute(ur.insert().values(user_id=user_id, role_id=role_id))


def save_user(db: Db, user_id: str, *, now: datetime, name: str | None = None,
              roles: Iterable[str] | None = None, admin: bool | None = None,
              active: bool | None = None, organisation: str | None = None,
              department: str | None = None, password: str | None = None,
              replace_roles: bool = False) -> None:
    """Create or update a person with their account; only the given fields change.

    `department=""` removes the department; moving organisation drops the old one's.
    """
    check_id(user_id, "id")
    users = db.t.users
    existing = user(db, user_id)
    values: Row = {}
    if name is not None or existing is None:
        values["name"] = (name or user_id)[:120]
    if admin is not None or existing is None:
        values["is_admin"] = bool(admin)
    if active is not None or existing is None:
        values["active"] = True if active is None else active
    if existing is None:
        db.conn.execute(users.insert().values(id=user_id, created_at=now, **values))
    elif values:
        db.conn.execute(users.update().where(users.c.id == user_id).values(**values))
    if roles is not None:
        _set_roles(db, user_id, roles, replace_roles)
    _save_account(db, user_id, organisation, department, password, now)
    if password is not None or active is False:
        sessions.end_all(db, user_id)


def _save_account(db: Db, user_id: str, organisation: str | None, department: str | None,
                  password: str | None, now: datetime) -> None:
    current = account(db, user_id)
    old_org = current["organisation_id"] if current else DEFAULT_ORG
    org = organisation or old_org
    require_organisation(db, org)
    kept = current["department_id"] if current and org == old_org else None
    dept = kept if department is None else (department or None)
    if dept:
        depts = db.t.departments
        found = db.conn.execute(sa.select(depts.c.organisation_id)
                                .where(depts.c.id == dept)).scalar()
        if found != org:
            raise ValidationError([Problem(f"department '{dept}' is not part of '{org}'",
                                           field="department")])
    values: Row = {"organisation_id": org, "department_id": dept}
    if password is not None:
        values.update(password_hash=hash_password(password), password_changed_at=now)
    accounts = db.t.accounts
    if current is None:
        db.conn.execute(accounts.insert().values(user_id=user_id, **values))
    else:
        db.conn.execute(accounts.update().where(accounts.c.user_id == user_id).values(**values))


def people(db: Db) -> list[Row]:
    """Every user with organisation, department and roles, for administration."""
    users, acc, ur = db.t.users, db.t.accounts, db.t.user_roles
    rows = db.all(sa.select(users, acc.c.organisation_id, acc.c.department_id,
                            acc.c.password_hash)
                  .select_from(users.outerjoin(acc, acc.c.user_id == users.c.id))
                  .order_by(users.c.id))
    roles: dict[str, list[str]] = {}
    for user_id, role_id in db.conn.execute(sa.select(ur.c.user_id, ur.c.role_id)
                                            .order_by(ur.c.role_id)):
        roles.setdefault(user_id, []).append(role_id)
    return [{"id": r["id"], "name": r["name"], "email": r["email"],
             "is_admin": bool(r["is_admin"]), "active": bool(r["active"]),
             "organisation": r["organisation_id"] or DEFAULT_ORG,
             "department": r["department_id"], "has_password": bool(r["password_hash"]),
             "roles": roles.get(r["id"], [])} for r in rows]


def principal(db: Db, user_id: str, **extra: Any) -> Principal | None:
    """The principal for an active user (None when unknown or deactivated)."""
    # every request asks this: the user with the account, then the roles with their grants
    users, acc, ur, rp = db.t.users, db.t.accounts, db.t.user_roles, db.t.role_permissions
    who = built(db.t, "principal", None, lambda: sa.select(
        users.c.name, users.c.is_admin, users.c.active, acc.c.organisation_id,
        acc.c.department_id, acc.c.locale)
        .select_from(users.outerjoin(acc, acc.c.user_id == users.c.id))
        .where(users.c.id == sa.bindparam("user")))
    row = db.conn.execute(who, {"user": user_id}).mappings().first()
    if row is None or not row["active"]:
        return None
    grants = db.conn.execute(built(db.t, "grants", None, lambda: sa.select(
        ur.c.role_id, rp.c.permission)
        .select_from(ur.outerjoin(rp, rp.c.role_id == ur.c.role_id))
        .where(ur.c.user_id == sa.bindparam("user"))), {"user": user_id}).all()
    admin = bool(row["is_admin"])
    return Principal(user=user_id, name=row["name"], roles=frozenset(r for r, _ in grants),
                     admin=admin, organisation=row["organisation_id"] or DEFAULT_ORG,
                     department=row["department_id"], locale=row["locale"],
                     permissions=granted((p for _, p in grants if p is not None), admin),
                     **extra)


def require_user(db: Db, user_id: str) -> Row:
    row = user(db, user_id)
    if row is None:
        raise NotFoundError(f"no user '{user_id}'", hint="see administration → users")
    return row


def set_locale(db: Db, user_id: str, locale: str) -> None:
    acc = db.t.accounts
    db.conn.execute(acc.update().where(acc.c.user_id == user_id).values(locale=locale[:8]))


@dataclass(frozen=True)
class SignIn:
    """The result of a sign-in attempt: a principal, or the error to raise after commit
    (the attempt is recorded in the same transaction, which a raise would roll back)."""

    principal: Principal | None
    error: LiuchengError | None = None


@dataclass(frozen=True)
class Attempt:
    """A sign-in looked at (`attempt`): the user id and the password hash to check the
    password against, or the error already known (the throttle refuses)."""

    user_id: str
    stored: str | None
    error: LiuchengError | None = None

    def matches(self, password: str) -> bool:
        """The password is right — checked with no transaction open: hashing takes a
        while, and on SQLite a writing transaction holds the database's one write lock."""
        return self.error is None and verify_password(self.stored, password)


def attempt(db: Db, user_id: str, *, ip: str, now: datetime, limits: Limits) -> Attempt:
    """The first part of a sign-in, reading only: the throttle's `check` and the stored
    password hash."""
    user_id = user_id.strip()[:64]
    try:
        check(db, user_id, ip, now=now, limits=limits)
    except LiuchengError as exc:
        return Attempt(user_id, None, exc)
    acc = account(db, user_id) if user_id else None
    return Attempt(user_id, acc["password_hash"] if acc else None)


def sign_in(db: Db, tried: Attempt, password: str, matches: bool, *, ip: str, now: datetime,
            limits: Limits) -> SignIn:
    """The last part of a sign-in, in a transaction that may write: admitted by the
    throttle, recorded, and the principal when the password `matches` (`Attempt.matches`)
    the hash that is still stored."""
    if tried.error is not None:
        return SignIn(None, tried.error)
    user_id = tried.user_id
    try:
        admit(db, user_id, ip, now=now, limits=limits)
    except LiuchengError as exc:
        return SignIn(None, exc)
    acc = account(db, user_id) if user_id else None
    stored = acc["password_hash"] if acc else None
    ok = matches and stored == tried.stored  # not changed since the password was checked
    who = principal(db, user_id) if ok else None
    record(db, user_id or "-", ip, now=now, success=who is not None)
    if who is None:
        return SignIn(None, SignInRequired("the user id or password is wrong",
                                           hint="passwords are case-sensitive"))
    if stored and needs_rehash(stored):
        acc_t = db.t.accounts
        db.conn.execute(acc_t.update().where(acc_t.c.user_id == user_id)
                        .values(password_hash=hash_password(password)))
    return SignIn(who)
