"""Event actions on the Engine: correlate a message, broadcast a signal, fire a timer now,
migrate a case to another version, list jobs. Each case is changed in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from liucheng.engine import decide
from liucheng.engine.event_commands import (
    BroadcastSignal,
    CorrelateMessage,
    FireTimer,
    MigrateInstance,
)
from liucheng.errors import ConflictError, NotFoundError
from liucheng.model import MessageStartEvent
from liucheng.runtime.definitions import compile_source
from liucheng.runtime.views import CaseView
from liucheng.storage.jobs import subscribers
from liucheng.storage.tables import definitions, instances, jobs

if TYPE_CHECKING:
    from liucheng.engine.commands import Actor
    from liucheng.storage.repository import Repository

CORRELATION_ATTEMPTS = 5


class EventActions:
    """Mixed into Engine; relies on its `_command`, `transaction`, `actor`, `_persist`."""

    _command: Callable[..., CaseView]
    _case_id: Callable[[str], str]
    _context: Callable[..., Any]
    _persist: Callable[..., dict[str, Any]]
    transaction: Callable[..., Any]
    actor: Callable[..., Actor]
    definition: Callable[..., Any]
    clock: Callable[[], datetime]
    start: Callable[..., CaseView]

    def fire_timer(self, timer_id: str, *, user: str = "system") -> CaseView:
        """Fire an armed timer now (an administrator's "do not wait"); stale ones do nothing."""
        with self.transaction() as repo:
            row = repo.conn.execute(sa.select(jobs.c.instance_id).where(
                jobs.c.id == timer_id)).first()
        if row is None or row[0] is None:
            raise NotFoundError(f"no armed timer '{timer_id}'", hint="list them with jobs()",
                                message_zh=f"没有待触发的定时器“{timer_id}”",
                                hint_zh="请用 jobs() 列出定时器")
        return self._command(row[0], user, lambda a: FireTimer(a, timer_id))

    def correlate(self, message: str, key: Any = None,
                  variables: Mapping[str, Any] | None = None, *,
                  user: str = "system") -> CaseView:
        """Deliver a message to the case waiting for it (name and correlation key); if none
        waits, start the newest process whose start event is this message."""
        text_key = None if key is None else str(key)
        data = dict(variables or {})
        for _ in range(CORRELATION_ATTEMPTS):
            with self.transaction() as repo:
                found = subscribers(repo.conn, "message", message, text_key)
            if not found:
                return self._start_on_message(message, text_key, data, user)
            case_id, sub_id = found[0]["instance_id"], found[0]["id"]
            try:
                return self._command(case_id, user, lambda a, s=sub_id: CorrelateMessage(
                    a, message, key, data, s))
            except (NotFoundError, ConflictError):
                continue  # taken by a concurrent message, or the case ended: look again
        raise NotFoundError(f"message '{message}' could not be delivered", key=text_key,
                            message_zh=f"消息“{message}”未能送达")

    def _start_on_message(self, message: str, key: str | None, data: dict[str, Any],
                          user: str) -> CaseView:
        with self.transaction() as repo:
            rows = repo.conn.execute(sa.select(definitions).order_by(
                definitions.c.key, definitions.c.version.desc())).mappings().all()
        latest: dict[str, Any] = {}
        for row in rows:
            latest.setdefault(row["key"], row)
        for row in latest.values():
            definition = compile_source(row["source"], row["format"], row["key"])
            if any(isinstance(e, MessageStartEvent) and e.message == message
                   for e in definition.elements):
                return self.start(row["key"], {**data, "message_key": key}, user=user,
                             business_key=key)
        raise NotFoundError(f"no case waits for message '{message}'"
                            + (f" with key '{key}'" if key is not None else "")
                            + " and no process starts on it",
                            hint="check the message name and its correlation key",
                            message_zh=f"没有业务在等待消息“{message}”"
                            + (f"（关联键“{key}”）" if key is not None else "")
                            + "，也没有以此消息发起的流程",
                            hint_zh="请检查消息名称及其关联键")

    def signal(self, name: str, variables: Mapping[str, Any] | None = None, *,
               user: str = "system") -> list[str]:
        """Broadcast a signal to every case waiting for it; returns the cases reached."""
        with self.transaction() as repo:
            cases = list(dict.fromkeys(s["instance_id"] for s in subscribers(
                repo.conn, "signal", name, None)))
        reached = []
        for case_id in cases:
            try:
                self._command(case_id, user, lambda a: BroadcastSignal(a, name, dict(
                    variables or {})))
            except ConflictError:
                continue  # the case ended meanwhile
            reached.append(case_id)
        return reached

    def migrate(self, case_id: str, to_version: int, mapping: Mapping[str, str] | None = None,
                *, user: str) -> CaseView:
        """Move a running case to `to_version` of its process; refuses to orphan a token."""
        case_id = self._case_id(case_id)
        with self.transaction() as repo:
            row = repo.lock_instance(case_id)
            target = repo.definition_version(row["definition_key"], to_version)
            if target is None:
                raise NotFoundError(f"process '{row['definition_key']}' has no version "
                                    f"{to_version}", case=case_id,
                                    message_zh=f"流程“{row['definition_key']}”没有第 "
                                               f"{to_version} 版")
            definition = compile_source(target["source"], target["format"], target["key"])
            command = MigrateInstance(self.actor(repo, user), to_version, dict(mapping or {}))
            decision = decide(definition, row["state"], command, self._context(repo))
            self._persist(repo, case_id, row["definition_key"], row["version"], decision,
                          definition)
            repo.conn.execute(instances.update().where(instances.c.id == case_id).values(
                definition_id=target["id"]))
            return CaseView.of(repo.instance(case_id))

    def jobs(self, case_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Armed timers and start schedules, soonest first."""
        with self.transaction() as repo:
            return _jobs(repo, case_id, limit)


def _jobs(repo: Repository, case_id: str | None, limit: int) -> list[dict[str, Any]]:
    stmt = sa.select(jobs).order_by(jobs.c.due_at, jobs.c.id).limit(limit)
    if case_id:
        stmt = stmt.where(jobs.c.instance_id == case_id)
    return [dict(r) for r in repo.conn.execute(stmt).mappings()]
