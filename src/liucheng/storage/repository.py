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
from liucheng.storage.jobs import MATERIALISE as JOB_EVENTS
from liucheng.storage.tables import (
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

Row = dict[str, Any]
END_EVENTS = {"instance_completed": "completed", "instance_terminated": "terminated",
              "instance_cancelled": "cancelled"}


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
            raise NotFoundError(f"no process definition '{definition_id}'")
        return row

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

    def lock_instance(self, instance_id: str) -> Row:
        stmt = sa.select(instances).where(instances.c.id == instance_id)
        if self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = self._one(stmt)
        if row is None:
            raise NotFoundError(f"no case '{instance_id}'", case=instance_id)
        return row

    def instance(self, instance_id: str) -> Row:
        row = self._one(sa.select(instances).where(instances.c.id == instance_id))
        if row is None:
            raise NotFoundError(f"no case '{instance_id}'", case=instance_id,
                                hint="list cases with 'liucheng cases'")
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
        result = self.conn.execute(
            instances.update()
            .where(instances.c.id == instance_id, instances.c.version == old_version)
            .values(version=old_version + 1, **values)
        )
        if result.rowcount != 1:
            raise ConflictError(f"case '{instance_id}' was changed by someone else meanwhile",
                                case=instance_id, hint="reload and try again")

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
            raise NotFoundError(f"'{prefix}' matches several {what}s", hint="give more characters")
        return prefix

    # -- events and materialised tables --------------------------------------------------
    def persist_events(self, instance_id: str, definition_key: str,
                       new_events: Sequence[Row]) -> None:
        if not new_events:
            return
        self.conn.execute(events.insert(), [
            {"instance_id": instance_id, "at": _time(e["at"]), "type": e["type"],
             "element": e.get("element"), "task_id": e.get("task"), "actor": e.get("actor"),
             "data": e}
            for e in new_events
        ])
        for e in new_events:
            handler = _MATERIALISE.get(e["type"])
            if handler is not None:
                handler(self, instance_id, definition_key, e)

    def _task_created(self, instance_id: str, key: str, e: Row) -> None:
        at = _time(e["at"])
        self.conn.execute(tasks.insert().values(
            id=e["task"], instance_id=instance_id, definition_key=key, element=e["element"],
            name=e.get("name") or e["element"], status=e.get("status", "open"),
            role=(e.get("roles") or [None])[0], assignee=e.get("assignee"),
            owner=e.get("owner") or e.get("assignee"), priority=e.get("priority", 50),
            created_at=at, claimed_at=at if e.get("assignee") else None,
            due_at=_time(e["due_at"]) if e.get("due_at") else None, kind=e.get("kind", "main"),
            on_behalf_of=e.get("on_behalf_of")))
        candidates = [{"task_id": e["task"], "kind": "role", "value": r}
                      for r in e.get("roles") or []]
        candidates += [{"task_id": e["task"], "kind": "user", "value": u}
                       for u in e.get("candidate_users") or []]
        if candidates:
            self.conn.execute(task_candidates.insert(), candidates)

    def _task_claimed(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(tasks.update().where(tasks.c.id == e["task"]).values(
            assignee=e["actor"], owner=e["actor"], claimed_at=_time(e["at"])))

    def _task_moved(self, instance_id: str, key: str, e: Row) -> None:
        """Transferred (ownership moves) or delegated (the owner stays)."""
        owner = e["to"] if e["type"] == "task_transferred" else e["owner"]
        values: Row = {"assignee": e["to"], "owner": owner}
        if e["type"] == "task_transferred":
            values.update(claimed_at=_time(e["at"]), on_behalf_of=None)
        self.conn.execute(tasks.update().where(tasks.c.id == e["task"]).values(**values))

    def _task_escalated(self, instance_id: str, key: str, e: Row) -> None:
        if e.get("to"):
            self.conn.execute(tasks.update().where(tasks.c.id == e["task"]).values(
                assignee=e["to"], owner=e["to"], claimed_at=_time(e["at"])))
            return
        self.conn.execute(tasks.update().where(tasks.c.id == e["task"]).values(
            assignee=None, owner=None, claimed_at=None, role=e["roles"][0]))
        self.conn.execute(task_candidates.delete().where(task_candidates.c.task_id == e["task"]))
        self.conn.execute(task_candidates.insert(), [
            {"task_id": e["task"], "kind": "role", "value": r} for r in e["roles"]])

    def _task_resolved(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(tasks.update().where(tasks.c.id == e["task"]).values(
            assignee=e["owner"]))

    def _task_suspended(self, instance_id: str, key: str, e: Row) -> None:
        status = "suspended" if e["type"] == "task_suspended" else "open"
        self.conn.execute(tasks.update().where(tasks.c.id == e["task"]).values(status=status))

    def _cc_sent(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(carbon_copies.insert(), [
            {"id": cc, "instance_id": instance_id, "task_id": e.get("task"),
             "element": e.get("element"), "user_id": user, "sent_by": e["actor"],
             "sent_at": _time(e["at"]), "comment": e.get("comment")}
            for cc, user in zip(e["ccs"], e["users"], strict=True)])

    def _cc_read(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(carbon_copies.update().where(carbon_copies.c.id == e["cc"]).values(
            read_at=_time(e["at"])))

    def _task_unclaimed(self, instance_id: str, key: str, e: Row) -> None:
        self.conn.execute(tasks.update().where(tasks.c.id == e["task"]).values(
            assignee=None, claimed_at=None))

    def _task_ended(self, instance_id: str, key: str, e: Row) -> None:
        completed = e["type"] == "task_completed"
        self.conn.execute(tasks.update().where(tasks.c.id == e["task"]).values(
            status="completed" if completed else "cancelled", completed_at=_time(e["at"]),
            completed_by=e.get("actor") if completed else None, outcome=e.get("outcome"),
            data=e.get("data")))
        self.conn.execute(task_candidates.delete().where(task_candidates.c.task_id == e["task"]))

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
                                hint="list open tasks with 'liucheng tasks'")
        return row

    def tasks(self, *, assignee: str | None = None, candidate_roles: Iterable[str] = (),
              candidate_user: str | None = None, instance_id: str | None = None,
              role: str | None = None, status: str | None = "open", pool_only: bool = False,
              process: str | None = None, text: str | None = None,
              created_from: datetime | None = None, created_to: datetime | None = None,
              overdue_at: datetime | None = None, sort: str = "priority",
              limit: int = 100, offset: int = 0) -> list[Row]:
        """Inbox query. `status="open"` includes tasks suspended for signers added before."""
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
            raise NotFoundError(f"unknown sort '{sort}'", hint="sort by priority, due or created")
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
            raise NotFoundError(f"no carbon copy '{cc_id}'")
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
        row = self.conn.execute(
            sa.select(delegations.c.delegate_id).where(
                delegations.c.user_id == user, delegations.c.starts_at <= at,
                delegations.c.ends_at > at,
                sa.or_(delegations.c.process_key.is_(None), delegations.c.process_key == process))
            .order_by(delegations.c.process_key.desc(), delegations.c.created_at.desc()).limit(1)
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

    def history(self, instance_id: str) -> list[Row]:
        return self._all(sa.select(events).where(events.c.instance_id == instance_id)
                         .order_by(events.c.seq))

    def open_incidents(self) -> list[Row]:
        return self._all(sa.select(incidents).where(incidents.c.resolved_at.is_(None))
                         .order_by(incidents.c.created_at))

    def incident(self, incident_id: str) -> Row:
        row = self._one(sa.select(incidents).where(incidents.c.id == incident_id))
        if row is None:
            raise NotFoundError(f"no incident '{incident_id}'",
                                hint="list them with 'liucheng incidents'")
        return row

    # -- organisation --------------------------------------------------------------------
    def user(self, user_id: str) -> Row | None:
        return self._one(sa.select(users).where(users.c.id == user_id))

    def user_roles(self, user_id: str) -> frozenset[str]:
        rows = self.conn.execute(sa.select(user_roles.c.role_id)
                                 .where(user_roles.c.user_id == user_id)).scalars()
        return frozenset(rows)

    def users(self) -> list[Row]:
        return self._all(sa.select(users).order_by(users.c.id))

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
        return self._all(sa.select(roles).order_by(roles.c.id))

    def role_members(self, role_id: str) -> list[str]:
        return list(self.conn.execute(sa.select(user_roles.c.user_id)
                                      .where(user_roles.c.role_id == role_id)).scalars())


_MATERIALISE = {
    "task_created": Repository._task_created,
    "task_claimed": Repository._task_claimed,
    "task_unclaimed": Repository._task_unclaimed,
    "task_transferred": Repository._task_moved,
    "task_delegated": Repository._task_moved,
    "task_resolved": Repository._task_resolved,
    "task_escalated": Repository._task_escalated,
    "task_suspended": Repository._task_suspended,
    "task_resumed": Repository._task_suspended,
    "cc_sent": Repository._cc_sent,
    "cc_read": Repository._cc_read,
    "task_completed": Repository._task_ended,
    "task_cancelled": Repository._task_ended,
    "incident_raised": Repository._incident_raised,
    "incident_resolved": Repository._incident_resolved,
    **JOB_EVENTS,  # timers → jobs, subscriptions (storage/jobs.py)
}
