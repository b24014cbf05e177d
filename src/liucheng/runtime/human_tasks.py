"""Human-task actions on the Engine: return, withdraw, transfer, delegate, signers, urge, CC,
comments, out-of-office, and the inbox views. Each action is one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from liucheng.engine import commands as c
from liucheng.errors import ForbiddenError, NotFoundError, ValidationError
from liucheng.org import inbox
from liucheng.org.schema import Db, Tables
from liucheng.rules.validators import RuleProblem
from liucheng.runtime.files import FileStore
from liucheng.runtime.views import CaseView, TaskView
from liucheng.storage import direct
from liucheng.storage.tables import attachments, instances, metadata

if TYPE_CHECKING:
    from liucheng.engine.commands import Actor, Command
    from liucheng.storage.repository import Repository

INBOX_VIEWS = inbox.TASK_TABS
TABLES = Tables.of(metadata)


class HumanTaskActions:
    """Mixed into Engine; relies on its `_task_command`, `_command`, `transaction`, `clock`."""

    _task_command: Callable[..., CaseView]
    _command: Callable[..., CaseView]
    _case_id: Callable[[str], str]
    transaction: Callable[..., Any]
    reading: Callable[..., Any]
    clock: Callable[[], datetime]
    ids: Callable[[], str]
    files: FileStore
    actor: Callable[..., Actor]

    def _require_user(self, repo: Repository, user: str) -> None:
        if repo.user(user) is None:
            raise NotFoundError(f"no user '{user}'", hint="add the user first",
                                message_zh=f"没有用户“{user}”", hint_zh="请先添加该用户")

    def return_task(self, task_id: str, *, user: str, to: str = "previous",
                    comment: str | None = None) -> CaseView:
        """退回 to `previous`, `starter` or a step id."""
        return self._task_command(task_id, user, lambda a, t: c.ReturnTask(a, t, to, comment))

    def withdraw(self, case_id: str, *, user: str, step: str | None = None,
                 comment: str | None = None) -> CaseView:
        """撤回: a step one did (while nobody acted on the next), or, as starter, the case."""
        make: Callable[[Actor], Command] = (
            (lambda a: c.WithdrawTask(a, step, comment)) if step
            else (lambda a: c.WithdrawCase(a, comment)))
        return self._command(self._case_id(case_id), user, make)

    def transfer(self, task_id: str, *, user: str, to: str,
                 comment: str | None = None) -> CaseView:
        with self.transaction() as repo:
            self._require_user(repo, to)
        return self._task_command(task_id, user, lambda a, t: c.TransferTask(a, t, to, comment))

    def delegate(self, task_id: str, *, user: str, to: str,
                 comment: str | None = None) -> CaseView:
        with self.transaction() as repo:
            self._require_user(repo, to)
        return self._task_command(task_id, user, lambda a, t: c.DelegateTask(a, t, to, comment))

    def add_signers(self, task_id: str, signers: Sequence[str], *, user: str,
                    position: str = "alongside", comment: str | None = None) -> CaseView:
        with self.transaction() as repo:
            for signer in signers:
                self._require_user(repo, signer)
        return self._task_command(task_id, user, lambda a, t: c.AddSigners(
            a, t, tuple(signers), position, comment))

    def remove_signer(self, task_id: str, signer: str, *, user: str,
                      comment: str | None = None) -> CaseView:
        return self._task_command(task_id, user, lambda a, t: c.RemoveSigner(
            a, t, signer, comment))

    def urge(self, task_id: str, *, user: str, comment: str | None = None) -> CaseView:
        return self._task_command(task_id, user, lambda a, t: c.UrgeTask(a, t, comment))

    def carbon_copy(self, case_id: str, users: Sequence[str], *, user: str,
                    task: str | None = None, comment: str | None = None) -> CaseView:
        with self.transaction() as repo:
            for other in users:
                self._require_user(repo, other)
        return self._command(self._case_id(case_id), user, lambda a: c.CarbonCopy(
            a, tuple(users), task, comment))

    def mark_copy_read(self, cc_id: str, *, user: str) -> CaseView:
        with self.transaction() as repo:
            case_id = repo.carbon_copy(cc_id)["instance_id"]
        return self._command(case_id, user, lambda a: c.MarkCcRead(a, cc_id))

    def comment(self, case_id: str, text: str, *, user: str,
                task: str | None = None) -> CaseView:
        return self._command(self._case_id(case_id), user, lambda a: c.AddComment(a, text, task))

    def request_supplement(self, case_id: str, item: str, *, user: str,
                           note: str | None = None, task: str | None = None) -> CaseView:
        """补件: record that an item is missing; the case keeps the list."""
        return self._command(self._case_id(case_id), user, lambda a: c.RequestSupplement(
            a, item, note, task))

    def receive_supplement(self, case_id: str, supplement: str, *, user: str,
                           files: Sequence[str] = (), note: str | None = None) -> CaseView:
        return self._command(self._case_id(case_id), user, lambda a: c.ReceiveSupplement(
            a, supplement, tuple(files), note))

    # -- files ---------------------------------------------------------------------------
    def upload(self, case_id: str, content: bytes, filename: str, *, user: str) -> dict[str, Any]:
        """Store a file for a case (anyone on the case); returns its record with `sha256`."""
        case_id = self._case_id(case_id)
        self._require_involved(case_id, user)
        stored = self.files.put(content, filename)
        row = {"id": self.ids(), "sha256": stored.sha256, "instance_id": case_id,
               "filename": stored.filename, "content_type": stored.content_type,
               "size": stored.size, "uploaded_by": user, "uploaded_at": self.clock()}
        with self.transaction() as repo:
            repo.conn.execute(attachments.insert().values(**row))
        return row

    def download(self, case_id: str, sha256: str, *, user: str) -> tuple[dict[str, Any], bytes]:
        """A case's file, for the people on the case only."""
        import sqlalchemy as sa

        case_id = self._case_id(case_id)
        self._require_involved(case_id, user)
        with self.transaction() as repo:
            row = repo.conn.execute(sa.select(attachments).where(
                attachments.c.instance_id == case_id, attachments.c.sha256 == sha256)
            ).mappings().first()
        if row is None:
            raise NotFoundError(f"case '{case_id}' has no file '{sha256[:12]}'",
                                message_zh=f"业务“{case_id}”没有文件“{sha256[:12]}”")
        return dict(row), self.files.get(sha256)

    def attachments(self, case_id: str) -> list[dict[str, Any]]:
        import sqlalchemy as sa

        case_id = self._case_id(case_id)  # its own transaction: never nest them
        with self.reading() as repo:
            rows = repo.conn.execute(sa.select(attachments).where(
                attachments.c.instance_id == case_id)
                .order_by(attachments.c.uploaded_at)).mappings()
            return [dict(r) for r in rows]

    def _require_involved(self, case_id: str, user: str) -> None:
        from liucheng.engine.humantask.common import involved

        with self.transaction() as repo:
            row = repo.instance(case_id)
            actor = self.actor(repo, user)
        state = row["state"]
        if row["status"] != "active":
            state = {**state, "started_by": row["started_by"]}
        if not involved(_StateView(state), actor):  # type: ignore[arg-type]
            raise ForbiddenError(f"{user} is not on case '{case_id}'",
                                 message_zh=f"{user}不是业务“{case_id}”的发起人、经办人或抄送对象")

    # -- out of office -------------------------------------------------------------------
    def set_out_of_office(self, user: str, delegate: str, starts: datetime, ends: datetime, *,
                          process: str | None = None, reason: str | None = None) -> str:
        """New tasks for `user` between `starts` and `ends` go to `delegate` (on behalf of)."""
        if ends <= starts:
            raise ValidationError([RuleProblem(message="the end must be after the start",
                                               field="ends", code="away.ends",
                                               message_zh="结束时间须晚于开始时间")])
        if delegate == user:
            raise ValidationError([RuleProblem(message="choose someone else to stand in",
                                               field="delegate", code="away.delegate",
                                               message_zh="请选择别人作为代理人")])
        with self.transaction() as repo:
            self._require_user(repo, user)
            self._require_user(repo, delegate)
            delegation_id = self.ids()
            repo.add_delegation({"id": delegation_id, "user_id": user, "delegate_id": delegate,
                                 "starts_at": starts, "ends_at": ends, "process_key": process,
                                 "reason": reason, "created_at": self.clock()})
            return delegation_id

    def hand_over(self, user: str, to: str, *, by: str | None = None,
                  comment: str | None = None) -> list[str]:
        """Transfer every open task assigned to `user` to `to`, one case at a time."""
        with self.transaction() as repo:
            self._require_user(repo, to)
            open_tasks = [r["id"] for r in repo.tasks(assignee=user, limit=10_000)]
        for task_id in open_tasks:
            self._task_command(task_id, by or user, lambda a, t: c.TransferTask(
                a, t, to, comment or f"hand-over from {user}"))
        return open_tasks

    def delegations(self, user: str | None = None) -> list[dict[str, Any]]:
        with self.reading() as repo:
            rows: list[dict[str, Any]] = repo.delegations(user)
            return rows

    # -- inbox ---------------------------------------------------------------------------
    def inbox(self, user: str, view: str = "mine", *, process: str | None = None,
              text: str | None = None, created_from: datetime | None = None,
              created_to: datetime | None = None, sort: str = "priority", limit: int = 50,
              offset: int = 0) -> list[TaskView]:
        """待办 mine (assigned), 待领 pool, 已办 done, overdue, or all (mine + pool)."""
        if view not in INBOX_VIEWS:
            raise ValidationError([RuleProblem(
                message=f"unknown inbox view '{view}'", field="view",
                hint=f"use one of {', '.join(INBOX_VIEWS)}", code="inbox.view",
                message_zh=f"没有“{view}”这个待办视图",
                hint_zh=f"请使用以下之一：{'、'.join(INBOX_VIEWS)}")])
        with self.reading() as repo:
            rows = self.inbox_rows(repo, user, view, covering=True, q=text, process=process,
                                   created_from=created_from, created_to=created_to,
                                   sort=sort, limit=limit, offset=offset, with_case=False)
            return [TaskView.of(r) for r in rows]

    def inbox_rows(self, repo: Repository, user: str, view: str, *, covering: bool,
                   **filters: Any) -> list[dict[str, Any]]:
        """A page of org/inbox.py's `task_page` for a user given by id (none for an unknown
        or deactivated user); `covering` adds the roles of the people they stand in for."""
        # the page's questions asked once: nothing is written while it is read
        db = Db(repo.conn, TABLES, answers={}, read=direct.read)
        who = inbox.seeker(db, user)
        if who is None:
            return []
        if covering and view != "done":
            roles = set(who.roles)
            for covered in repo.covered_users(user, self.clock()):
                roles |= repo.user_roles(covered)
            who = replace(who, roles=frozenset(roles))
        return inbox.task_page(db, who, view, now=self.clock(), waiting=True, **filters)

    def started_by(self, user: str, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """我发起的: cases the user started, newest first."""
        import sqlalchemy as sa

        with self.reading() as repo:
            stmt = (sa.select(*[col for col in instances.c if col.name != "state"])
                    .where(instances.c.started_by == user)
                    .order_by(instances.c.started_at.desc()).limit(limit).offset(offset))
            return [dict(r) for r in repo.conn.execute(stmt).mappings()]

    def copies(self, user: str, *, unread_only: bool = False, limit: int = 50,
               offset: int = 0) -> list[dict[str, Any]]:
        """抄送我的."""
        with self.reading() as repo:
            rows: list[dict[str, Any]] = repo.copies_to(user, unread_only=unread_only,
                                                        limit=limit, offset=offset)
            return rows

    def notifications(self, user: str, *, unread_only: bool = False) -> list[dict[str, Any]]:
        with self.reading() as repo:
            rows: list[dict[str, Any]] = repo.notifications(user, unread_only=unread_only)
            return rows

    def mark_notifications_read(self, user: str) -> int:
        with self.transaction() as repo:
            count: int = repo.mark_notifications_read(user, self.clock())
            return count


class _StateView:
    """Just enough of a Run for `involved` to read a stored state."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
