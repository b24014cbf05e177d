"""Reads and writes on one connection inside the caller's transaction (never commits).

`persist_events` turns the core's events into the materialised tables: the inbox (tasks
and candidates), incidents, the instance status, and the append-only events table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from liucheng.errors import ConflictError, NotFoundError
from liucheng.storage.direct import read, write
from liucheng.storage.jobs import MATERIALISE as JOB_EVENTS
from liucheng.storage.tables import (
    JSON,
    carbon_copies,
    definitions,
    delegations,
    events,
    incidents,
    instances,
    notifications,
    roles,
    task_candidates,
    tasks,
    user_roles,
    users,
)
from liucheng.storage.task_rows import TASK_EVENTS as _TASK_EVENTS
from liucheng.storage.task_rows import TaskRows

Row = dict[str, Any]
END_EVENTS = {"instance_completed": "completed", "instance_terminated": "terminated",
              "instance_cancelled": "cancelled"}


INSERT_EVENTS = events.insert()


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


class Repository:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def _one(self, stmt: sa.Select[Any]) -> Row | None:
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def _all(self, stmt: sa.Select[Any]) -> list[Row]:
        return [dict(r) for r in self.conn.execute(stmt).mappings()]

    # -- definitions ---------------------------------------------------------------------
    def latest_definition(self, key: str) -> Row | None:
        return self._one(sa.select(definitions).where(definitions.c.key == key)
                         .order_by(definitions.c.version.desc()).limit(1))

    def definition(self, definition_id: str) -> Row:
        row = self._one(sa.select(definitions).where(definitions.c.id == definition_id))
        if row is None:
            raise NotFoundError(f"no process definition '{definition_id}'",
                                message_zh=f"没有流程定义“{definition_id}”")
        return row

    def definition_checksum(self, definition_id: str) -> str:
        found = self.conn.execute(_CHECKSUM, {"id": definition_id}).scalar()
        if found is None:
            raise NotFoundError(f"no process definition '{definition_id}'",
                                message_zh=f"没有流程定义“{definition_id}”")
        return str(found)

    def definition_version(self, key: str, version: int) -> Row | None:
        return self._one(sa.select(definitions).where(definitions.c.key == key,
                                                      definitions.c.version == version))

    def definitions(self, key: str | None = None) -> list[Row]:
        stmt = sa.select(definitions).order_by(definitions.c.key, definitions.c.version)
        if key:
            stmt = stmt.where(definitions.c.key == key)
        return self._all(stmt)

    def insert_definition(self, row: Row) -> None:
        self.conn.execute(definitions.insert().values(**row))

    # -- instances -----------------------------------------------------------------------
    def insert_instance(self, row: Row) -> None:
        self.conn.execute(instances.insert().values(**row))

    def lock_instance(self, instance_id: str, user: str | None = None) -> Row:
        """The case row, locked for this transaction, with its definition's checksum; and
        the person `user` as `actor_active`, `actor_admin` and `actor_roles` (a list; all
        None for no such person), read with it instead of in a statement of their own."""
        row = self._one_prebuilt(_LOCK_CASE, {"case": instance_id, "user": user})
        if row is None:
            raise NotFoundError(f"no case '{instance_id}'", case=instance_id,
                                message_zh=f"没有业务“{instance_id}”")
        return row

    def lock_case_of_task(self, task_id: str, user: str | None = None) -> Row:
        """`lock_instance` for the case a task belongs to."""
        row = self._one_prebuilt(_LOCK_TASK_CASE, {"task": task_id, "user": user})
        if row is None:
            self.task(task_id)  # raises for an unknown task
            raise NotFoundError(f"no case for task '{task_id}'", task=task_id,
                                message_zh=f"任务“{task_id}”没有所属业务")
        return row

    def _one_prebuilt(self, stmts: dict[str, sa.Select[Any]], params: Row) -> Row | None:
        rows = read(self.conn, stmts.get(self.conn.dialect.name, stmts[""]), params)
        return rows[0] if rows else None

    def instance(self, instance_id: str) -> Row:
        row = self._one(sa.select(instances).where(instances.c.id == instance_id))
        if row is None:
            raise NotFoundError(f"no case '{instance_id}'", case=instance_id,
                                hint="list cases with 'liucheng cases'",
                                message_zh=f"没有业务“{instance_id}”",
                                hint_zh="请用“liucheng cases”查看业务")
        return row

    def instances(self, key: str | None = None, status: str | None = None,
                  limit: int = 100) -> list[Row]:
        stmt = sa.select(*[c for c in instances.c if c.name != "state"])
        if key:
            stmt = stmt.where(instances.c.definition_key == key)
        if status:
            stmt = stmt.where(instances.c.status == status)
        return self._all(stmt.order_by(instances.c.started_at.desc()).limit(limit))

    def update_instance(self, instance_id: str, old_version: int, values: Row) -> None:
        changed = write(self.conn, _UPDATE_CASE, {"case": instance_id, "old": old_version,
                                                  "version": old_version + 1, **values})
        if changed != 1:
            raise ConflictError(f"case '{instance_id}' was changed by someone else meanwhile",
                                case=instance_id, hint="reload and try again",
                                message_zh="此业务刚被别人改动过", hint_zh="请刷新后再试")

    def resolve_id(self, table: sa.Table, prefix: str, what: str) -> str:
        """Full id from an unambiguous prefix of at least 4 characters."""
        if len(prefix) >= 32 or len(prefix) < 4:
            return prefix
        rows = self.conn.execute(
            sa.select(table.c.id).where(table.c.id.like(prefix.replace("%", "") + "%")).limit(2)
        ).scalars().all()
        if len(rows) == 1:
            return str(rows[0])
        if len(rows) > 1:
            raise NotFoundError(f"'{prefix}' matches several {what}s", hint="give more characters",
                                message_zh=f"“{prefix}”对应多条记录", hint_zh="请多输入几个字符")
        return prefix

    # -- events and materialised tables --------------------------------------------------
    def persist_events(self, instance_id: str, definition_key: str,
                       new_events: Sequence[Row]) -> None:
        if not new_events:
            return
        write(self.conn, INSERT_EVENTS, [
            {"instance_id": instance_id, "at": _time(e["at"]), "type": e["type"],
             "element": e.get("element"), "task_id": e.get("task"), "actor": e.get("actor"),
             "data": e}
            for e in new_events
        ])
        rows = TaskRows()
        for e in new_events:
            on_task = _TASK_EVENTS.get(e["type"])
            if on_task is not None:
                on_task(rows, instance_id, definition_key, e)
                continue
            handler = _MATERIALISE.get(e["type"])
            if handler is not None:
                rows.flush(self.conn)  # in event order with what the others write
                handler(self, instance_id, definition_key, e)
        rows.flush(self.conn)

    def _cc_sent(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(carbon_copies.insert(), [
            {"id": cc, "instance_id": instance_id, "task_id": e.get("task"),
             "element": e.get("element"), "user_id": user, "sent_by": e["actor"],
             "sent_at": _time(e["at"]), "comment": e.get("comment")}
            for cc, user in zip(e["ccs"], e["users"], strict=True)])

    def _cc_read(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(carbon_copies.update().where(carbon_copies.c.id == e["cc"]).values(
            read_at=_time(e["at"])))

    def _incident_raised(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(incidents.insert().values(
            id=e["incident"], instance_id=instance_id, element=e["element"],
            reason=e["reason"], created_at=_time(e["at"])))

    def _incident_resolved(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(incidents.update().where(incidents.c.id == e["incident"]).values(
            resolved_at=_time(e["at"])))

    # -- queries -------------------------------------------------------------------------
    def task(self, task_id: str) -> Row:
        row = self._one(sa.select(tasks).where(tasks.c.id == task_id))
        if row is None:
            raise NotFoundError(f"no task '{task_id}'", task=task_id,
                                hint="list open tasks with 'liucheng tasks'",
                                message_zh=f"没有任务“{task_id}”",
                                hint_zh="请用“liucheng tasks”查看待办任务")
        return row

    def tasks(self, *, assignee: str | None = None, candidate_roles: Iterable[str] = (),
              candidate_user: str | None = None, instance_id: str | None = None,
              role: str | None = None, status: str | None = "open", pool_only: bool = False,
              process: str | None = None, text: str | None = None,
              created_from: datetime | None = None, created_to: datetime | None = None,
              overdue_at: datetime | None = None, sort: str = "priority",
              limit: int = 100, offset: int = 0) -> list[Row]:
        """Inbox query. `status="open"` includes tasks suspended for signers added before."""
        if instance_id and status == "open" and sort == "priority" and not (
                assignee or candidate_user or role or pool_only or process or text
                or created_from or created_to or overdue_at or list(candidate_roles)):
            return read(self.conn, _OPEN_TASKS_OF_CASE,
                        {"case": instance_id, "limit": limit, "offset": offset})
        stmt = sa.select(tasks)
        if status == "open":
            stmt = stmt.where(tasks.c.status.in_(("open", "suspended")))
        elif status:
            stmt = stmt.where(tasks.c.status == status)
        if process:
            stmt = stmt.where(tasks.c.definition_key == process)
        if text:
            pattern = "%" + text.replace("%", "").replace("_", "") + "%"
            stmt = stmt.where(sa.or_(tasks.c.name.like(pattern), tasks.c.instance_id.in_(
                sa.select(instances.c.id).where(sa.or_(instances.c.title.like(pattern),
                                                       instances.c.business_key.like(pattern))))))
        if created_from:
            stmt = stmt.where(tasks.c.created_at >= created_from)
        if created_to:
            stmt = stmt.where(tasks.c.created_at < created_to)
        if overdue_at:
            stmt = stmt.where(tasks.c.due_at < overdue_at)
        if instance_id:
            stmt = stmt.where(tasks.c.instance_id == instance_id)
        if role:
            stmt = stmt.where(tasks.c.id.in_(sa.select(task_candidates.c.task_id).where(
                task_candidates.c.kind == "role", task_candidates.c.value == role)))
        who = []
        if assignee and not pool_only:
            who.append(tasks.c.assignee == assignee)
        pool = []
        roles_ = list(candidate_roles)
        if roles_:
            pool.append(sa.and_(task_candidates.c.kind == "role",
                                task_candidates.c.value.in_(roles_)))
        if candidate_user:
            pool.append(sa.and_(task_candidates.c.kind == "user",
                                task_candidates.c.value == candidate_user))
        if pool:
            in_pool = tasks.c.id.in_(sa.select(task_candidates.c.task_id).where(sa.or_(*pool)))
            who.append(sa.and_(tasks.c.assignee.is_(None), in_pool))
        if who:
            stmt = stmt.where(sa.or_(*who))
        elif pool_only:
            return []
        order = {"priority": (tasks.c.priority.desc(), tasks.c.created_at),
                 "due": (tasks.c.due_at.is_(None), tasks.c.due_at, tasks.c.priority.desc()),
                 "created": (tasks.c.created_at.desc(),)}.get(sort)
        if order is None:
            raise NotFoundError(f"unknown sort '{sort}'", hint="sort by priority, due or created",
                                message_zh=f"不认识的排序“{sort}”",
                                hint_zh="可按 priority、due 或 created 排序")
        return self._all(stmt.order_by(*order, tasks.c.id).limit(limit).offset(offset))

    def done_by(self, user: str, *, limit: int = 100, offset: int = 0) -> list[Row]:
        return self._all(sa.select(tasks).where(tasks.c.completed_by == user)
                         .order_by(tasks.c.completed_at.desc(), tasks.c.id)
                         .limit(limit).offset(offset))

    def copies_to(self, user: str, *, unread_only: bool = False, limit: int = 100,
                  offset: int = 0) -> list[Row]:
        stmt = (sa.select(carbon_copies, instances.c.title, instances.c.definition_key)
                .join(instances, instances.c.id == carbon_copies.c.instance_id)
                .where(carbon_copies.c.user_id == user))
        if unread_only:
            stmt = stmt.where(carbon_copies.c.read_at.is_(None))
        return self._all(stmt.order_by(carbon_copies.c.sent_at.desc(), carbon_copies.c.id)
                         .limit(limit).offset(offset))

    def carbon_copy(self, cc_id: str) -> Row:
        row = self._one(sa.select(carbon_copies).where(carbon_copies.c.id == cc_id))
        if row is None:
            raise NotFoundError(f"no carbon copy '{cc_id}'", message_zh=f"没有抄送“{cc_id}”")
        return row

    # -- out of office -------------------------------------------------------------------
    def add_delegation(self, row: Row) -> None:
        self.conn.execute(delegations.insert().values(**row))

    def delegations(self, user: str | None = None) -> list[Row]:
        stmt = sa.select(delegations).order_by(delegations.c.starts_at)
        if user:
            stmt = stmt.where(sa.or_(delegations.c.user_id == user,
                                     delegations.c.delegate_id == user))
        return self._all(stmt)

    def delegate_for(self, user: str, process: str, at: datetime) -> str | None:
        row = self.conn.execute(_DELEGATE_FOR, {"user": user, "process": process, "at": at}
                                ).first()
        return None if row is None else str(row[0])

    def covered_users(self, delegate: str, at: datetime) -> list[str]:
        """Users `delegate` currently stands in for."""
        return list(self.conn.execute(sa.select(delegations.c.user_id).where(
            delegations.c.delegate_id == delegate, delegations.c.starts_at <= at,
            delegations.c.ends_at > at)).scalars())

    # -- notifications -------------------------------------------------------------------
    def add_notifications(self, rows: list[Row]) -> None:
        if rows:
            self.conn.execute(notifications.insert(), rows)

    def notifications(self, user: str, *, unread_only: bool = False, limit: int = 50) -> list[Row]:
        stmt = sa.select(notifications).where(notifications.c.user_id == user)
        if unread_only:
            stmt = stmt.where(notifications.c.read_at.is_(None))
        return self._all(stmt.order_by(notifications.c.created_at.desc()).limit(limit))

    def mark_notifications_read(self, user: str, at: datetime) -> int:
        result = self.conn.execute(notifications.update().where(
            notifications.c.user_id == user, notifications.c.read_at.is_(None)).values(read_at=at))
        return int(result.rowcount)

    def history(self, instance_id: str, types: Iterable[str] | None = None) -> list[Row]:
        """The case's events in order; only those of `types` when given."""
        if types is None:
            found = self.conn.execute(_HISTORY, {"case": instance_id})
        else:
            found = self.conn.execute(_HISTORY_OF_TYPES, {"case": instance_id,
                                                          "types": list(types)})
        return [dict(r) for r in found.mappings()]

    def open_incidents(self) -> list[Row]:
        return self._all(sa.select(incidents).where(incidents.c.resolved_at.is_(None))
                         .order_by(incidents.c.created_at))

    def incident(self, incident_id: str) -> Row:
        row = self._one(sa.select(incidents).where(incidents.c.id == incident_id))
        if row is None:
            raise NotFoundError(f"no incident '{incident_id}'",
                                hint="list them with 'liucheng incidents'",
                                message_zh=f"没有异常“{incident_id}”",
                                hint_zh="请用“liucheng incidents”查看异常")
        return row

    # -- organisation --------------------------------------------------------------------
    def user(self, user_id: str) -> Row | None:
        return self._one(sa.select(users).where(users.c.id == user_id))

    def user_roles(self, user_id: str) -> frozenset[str]:
        rows = self.conn.execute(sa.select(user_roles.c.role_id)
                                 .where(user_roles.c.user_id == user_id)).scalars()
        return frozenset(rows)

    def person(self, user_id: str) -> tuple[Row, frozenset[str]] | None:
        """A user's `active` and `is_admin` with their roles, in one statement."""
        rows = read(self.conn, _PERSON, {"u": user_id})
        if not rows:
            return None
        found = {"active": rows[0]["active"], "is_admin": rows[0]["is_admin"]}
        return found, frozenset(r["role_id"] for r in rows if r["role_id"] is not None)

    def users(self) -> list[Row]:
        return self._all(sa.select(users).order_by(users.c.id))

    def user_names(self) -> dict[str, str]:
        """User id → name, for every user."""
        return {r.id: r.name for r in self.conn.execute(_USER_NAMES)}

    def upsert_user(self, row: Row, role_ids: Iterable[str]) -> None:
        if self.user(row["id"]) is None:
            self.conn.execute(users.insert().values(**row))
        else:
            self.conn.execute(users.update().where(users.c.id == row["id"]).values(
                **{k: v for k, v in row.items() if k not in ("id", "created_at")}))
        for role_id in role_ids:
            self.ensure_role(role_id, role_id, "")
            exists = self.conn.execute(sa.select(user_roles.c.user_id).where(
                user_roles.c.user_id == row["id"], user_roles.c.role_id == role_id)).first()
            if exists is None:
                self.conn.execute(user_roles.insert().values(user_id=row["id"], role_id=role_id))

    def ensure_role(self, role_id: str, name: str, name_en: str) -> None:
        existing = self._one(sa.select(roles).where(roles.c.id == role_id))
        if existing is None:
            self.conn.execute(roles.insert().values(id=role_id, name=name, name_en=name_en))
        elif existing["name"] == role_id and name != role_id:
            self.conn.execute(roles.update().where(roles.c.id == role_id)
                              .values(name=name, name_en=name_en))

    def roles(self) -> list[Row]:
        return [dict(r) for r in self.conn.execute(_ROLES).mappings()]

    def role_members(self, role_id: str) -> list[str]:
        return list(self.conn.execute(sa.select(user_roles.c.user_id)
                                      .where(user_roles.c.role_id == role_id)).scalars())


_CHECKSUM = sa.select(definitions.c.checksum).where(definitions.c.id == sa.bindparam("id"))
_USER_NAMES = sa.select(users.c.id, users.c.name)
_ROLES = sa.select(roles).order_by(roles.c.id)
_HISTORY = (sa.select(events).where(events.c.instance_id == sa.bindparam("case"))
            .order_by(events.c.seq))
_HISTORY_OF_TYPES = _HISTORY.where(events.c.type.in_(sa.bindparam("types", expanding=True)))
# asked for each assignee of each dry run on a task page: built once
_DELEGATE_FOR = (
    sa.select(delegations.c.delegate_id)
    .where(delegations.c.user_id == sa.bindparam("user"),
           delegations.c.starts_at <= sa.bindparam("at"),
           delegations.c.ends_at > sa.bindparam("at"),
           sa.or_(delegations.c.process_key.is_(None),
                  delegations.c.process_key == sa.bindparam("process")))
    .order_by(delegations.c.process_key.desc(), delegations.c.created_at.desc()).limit(1))
_CASE = (sa.select(instances, definitions.c.checksum.label("definition_checksum"))
         .join(definitions, definitions.c.id == instances.c.definition_id))
_OF_TASK = instances.c.id == sa.select(tasks.c.instance_id).where(
    tasks.c.id == sa.bindparam("task")).scalar_subquery()
_BY_ID = instances.c.id == sa.bindparam("case")


def _with_actor(roles_of: Any) -> sa.Select[Any]:
    """The case row with the acting person (`lock_instance`); `roles_of` aggregates a
    column into a JSON array (the function's name differs by database)."""
    user = sa.bindparam("user", type_=sa.String)
    return _CASE.add_columns(
        sa.select(users.c.active).where(users.c.id == user).scalar_subquery()
        .label("actor_active"),
        sa.select(users.c.is_admin).where(users.c.id == user).scalar_subquery()
        .label("actor_admin"),
        sa.select(roles_of(user_roles.c.role_id, type_=JSON))
        .where(user_roles.c.user_id == user).scalar_subquery().label("actor_roles"))


# by dialect ("" for the others): PostgreSQL locks the case row (SQLite's BEGIN IMMEDIATE
# has locked the database already)
_LOCK_CASE = {"": _with_actor(sa.func.json_group_array).where(_BY_ID),
              "postgresql": _with_actor(sa.func.json_agg).where(_BY_ID)
              .with_for_update(of=instances)}
_LOCK_TASK_CASE = {"": _with_actor(sa.func.json_group_array).where(_OF_TASK),
                   "postgresql": _with_actor(sa.func.json_agg).where(_OF_TASK)
                   .with_for_update(of=instances)}
_UPDATE_CASE = instances.update().where(instances.c.id == sa.bindparam("case"),
                                        instances.c.version == sa.bindparam("old"))
_OPEN_TASKS_OF_CASE = (  # an IN list of literals: `read` takes no expanding one
    sa.select(tasks).where(tasks.c.instance_id == sa.bindparam("case"),
                           tasks.c.status.in_([sa.literal("open"), sa.literal("suspended")]))
    .order_by(tasks.c.priority.desc(), tasks.c.created_at, tasks.c.id)
    .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
_PERSON = (sa.select(users.c.active, users.c.is_admin, user_roles.c.role_id)
           .select_from(users.outerjoin(user_roles, user_roles.c.user_id == users.c.id))
           .where(users.c.id == sa.bindparam("u")))

_MATERIALISE = {
    "cc_sent": Repository._cc_sent,
    "cc_read": Repository._cc_read,
    "incident_raised": Repository._incident_raised,
    "incident_resolved": Repository._incident_resolved,
    **JOB_EVENTS,  # timers → jobs, subscriptions (storage/jobs.py)
}
