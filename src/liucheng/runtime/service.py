"""The Engine facade: every command is one transaction around the pure core.

lock the case → load its definition → `decide` → write instance, events, inbox rows →
run service handlers the core asked for (feeding their results back as commands) →
commit. A conflicting concurrent change makes the later command fail with ConflictError
and change nothing.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from liucheng.calendar import BusinessCalendar, calendar_functions, default_calendar
from liucheng.engine import (
    CancelInstance,
    ClaimTask,
    Command,
    CompleteService,
    CompleteTask,
    Context,
    FailService,
    RetryIncident,
    SetVariables,
    StartInstance,
    UnclaimTask,
    decide,
)
from liucheng.engine.commands import SYSTEM, Actor
from liucheng.errors import (
    ConfigurationError,
    ConflictError,
    ForbiddenError,
    LiuchengError,
    NotFoundError,
)
from liucheng.model import ProcessDefinition
from liucheng.org import accounts
from liucheng.org.masking import DEFAULT_MASKED, sensitive_in
from liucheng.rules.expressions import BUILTINS
from liucheng.runtime.calls import calls_round
from liucheng.runtime.definitions import checksum, compile_draft, compile_source, detect_format
from liucheng.runtime.directory import StoredDirectory
from liucheng.runtime.event_actions import EventActions
from liucheng.runtime.files import FileStore
from liucheng.runtime.http_calls import HttpSettings
from liucheng.runtime.http_calls import schedule as schedule_http
from liucheng.runtime.human_tasks import HumanTaskActions
from liucheng.runtime.notify import notifications_for
from liucheng.runtime.outbox import NotifySettings, deliver, enqueue
from liucheng.runtime.start_timers import schedule_start_timers
from liucheng.runtime.views import CaseView, DefinitionView, HistoryEntry, TaskView
from liucheng.storage.database import create_engine, migrate
from liucheng.storage.repository import Repository
from liucheng.storage.tables import instances, tasks

MAX_SERVICE_ROUNDS = 1000


@dataclass(frozen=True)
class ServiceCall:
    """What a service handler receives: the case, the step and a copy of the variables."""

    case: str
    element: str
    variables: Mapping[str, Any]
    options: Mapping[str, Any]


Handler = Callable[[ServiceCall], Mapping[str, Any] | None]


class BpmnError(Exception):
    """Raised by a service handler for a business outcome the process models, not a fault:
    `raise BpmnError("credit_refused", "score below 600")` throws the code to an error
    boundary on the step (`errors:`), an error event sub-process or an enclosing
    sub-process's boundary; uncaught, it is an incident. Any other exception is an
    incident to fix and retry."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex


def _actor(user: str, active: bool | None, admin: bool | None, roles: Iterable[str]) -> Actor:
    """The person acting, from their row (None: no such person); the system as itself."""
    if user == SYSTEM.user:
        return SYSTEM
    if not active:
        raise ForbiddenError(f"unknown or inactive user '{user}'",
                             hint="add the user with 'liucheng user add'",
                             message_zh=f"用户“{user}”不存在或已停用",
                             hint_zh="请用“liucheng user add”添加该用户")
    return Actor(user, frozenset(roles), bool(admin))


class Engine(HumanTaskActions, EventActions):
    """liucheng from Python: deploy processes, start cases, work the inbox, read history."""

    def __init__(self, database_url: str | None = None, *, clock: Callable[[], datetime] = _utcnow,
                 ids: Callable[[], str] = _new_id, migrate_schema: bool = True,
                 db: sa.Engine | None = None, calendar: BusinessCalendar | None = None,
                 urge_interval_minutes: int = 60, notify: NotifySettings | None = None,
                 data_dir: str | None = None, http: HttpSettings | None = None) -> None:
        self.db = db or create_engine(database_url)
        self._local = threading.local()
        self.clock = clock
        self.ids = ids
        self.handlers: dict[str, Handler] = {}
        self.calendar = calendar or default_calendar()
        self.functions: dict[str, Callable[..., Any]] = {**BUILTINS,
                                                         **calendar_functions(self.calendar)}
        self.urge_interval_minutes = urge_interval_minutes
        self.files = FileStore(data_dir)
        self.notify = notify
        self.http = http or HttpSettings.from_env()  # HTTP service steps (runtime/http_calls)
        self._compiled: dict[tuple[str, str], ProcessDefinition] = {}
        if migrate_schema:
            migrate(self.db)

    def close(self) -> None:
        self.db.dispose()

    def deliver_notifications(self, limit: int = 100) -> int:
        """Send due e-mails and webhooks from the outbox (after commit); returns how many."""
        return 0 if self.notify is None else deliver(self.db, self.notify, self.clock(),
                                                     limit=limit)

    # -- plumbing ------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        """One database transaction. Nesting them would deadlock SQLite, so it is refused."""
        if getattr(self._local, "open", False):
            raise ConfigurationError("a transaction was opened inside another one")
        self._local.open = True
        try:
            with self.db.begin() as conn:
                yield Repository(conn)
        finally:
            self._local.open = False

    @contextmanager
    def reading(self) -> Iterator[Repository]:
        """A read-only transaction: a consistent snapshot that takes no write lock."""
        if getattr(self._local, "open", False):
            raise ConfigurationError("a transaction was opened inside another one")
        self._local.open = True
        try:
            with self.db.connect() as conn:
                conn = conn.execution_options(liucheng_read_only=True)
                with conn.begin():
                    yield Repository(conn)
        finally:
            self._local.open = False

    def _context(self, repo: Repository) -> Context:
        return Context(now=self.clock(), new_id=self.ids, functions=self.functions,
                       directory=StoredDirectory(repo), calendar=self.calendar,
                       urge_interval_minutes=self.urge_interval_minutes)

    def service(self, name: str) -> Callable[[Handler], Handler]:
        """Register a service handler: `@engine.service("credit_score")`."""

        def register(fn: Handler) -> Handler:
            self.handlers[name] = fn
            return fn

        return register

    def actor(self, repo: Repository, user: str) -> Actor:
        found = None if user == SYSTEM.user else repo.person(user)
        return _actor(user, found[0]["active"] if found else None,
                      found[0]["is_admin"] if found else None, found[1] if found else ())

    def definition(self, repo: Repository, definition_id: str,
                   checksum: str | None = None) -> ProcessDefinition:
        """A deployed definition, compiled; with its checksum, from the Engine's cache."""
        if checksum is not None and (definition_id, checksum) in self._compiled:
            return self._compiled[definition_id, checksum]
        row = repo.definition(definition_id)
        compiled = compile_source(row["source"], row["format"], row["key"])
        self._compiled[definition_id, row["checksum"]] = compiled
        return compiled

    # -- definitions ---------------------------------------------------------------------
    @staticmethod
    def validate(text: str, *, format: str | None = None,
                 source_name: str | None = None) -> ProcessDefinition:
        """Compile and check a source without deploying it; raises ModelError."""
        return compile_source(text, format or detect_format(text, source_name), source_name)

    @staticmethod
    def draft(text: str, *, source_name: str | None = None) -> ProcessDefinition:
        """Import a BPMN drawing as a draft with its findings; deploy refuses its export."""
        return compile_draft(text, source_name)

    def deploy(self, text: str, *, format: str | None = None, source_name: str | None = None,
               by: str | None = None) -> DefinitionView:
        """Deploy a process; a changed source becomes version N+1, an unchanged one is kept."""
        fmt = format or detect_format(text, source_name)
        definition = compile_source(text, fmt, source_name)
        digest = checksum(text)
        with self.transaction() as repo:
            latest = repo.latest_definition(definition.key)
            if latest is not None and latest["checksum"] == digest:
                return DefinitionView.of(latest, created=False)
            version = 1 if latest is None else latest["version"] + 1
            row = {"id": f"{definition.key}:{version}", "key": definition.key, "version": version,
                   "name": definition.name.zh or definition.key, "name_en": definition.name.en,
                   "format": fmt, "source": text, "checksum": digest, "deployed_at": self.clock(),
                   "deployed_by": by}
            repo.insert_definition(row)
            schedule_start_timers(repo, definition, row, self.clock(), self.calendar, self.ids)
            for role in definition.roles:
                repo.ensure_role(role.id, role.name.zh or role.id, role.name.en)
            return DefinitionView.of(row)

    def definitions(self, key: str | None = None) -> list[DefinitionView]:
        with self.reading() as repo:
            return [DefinitionView.of(r) for r in repo.definitions(key)]

    def sensitive(self, key: str | None = None,
                  masked: Iterable[str] = DEFAULT_MASKED) -> dict[str, str]:
        """Variable name → masking kind of the sensitive values of every version of the
        process (of every process without a key): what exports and reports mask."""
        with self.reading() as repo:
            rows = repo.definitions(key)
        return sensitive_in((compile_source(r["source"], r["format"], r["key"]) for r in rows),
                            masked)

    def process(self, key: str, version: int | None = None) -> ProcessDefinition:
        with self.reading() as repo:
            row = (repo.latest_definition(key) if version is None
                   else repo.definition_version(key, version))
            if row is None:
                raise NotFoundError(f"no process '{key}'"
                                    + (f" version {version}" if version else ""),
                                    hint="deploy it first with 'liucheng deploy FILE'",
                                    message_zh=f"没有流程“{key}”"
                                    + (f"第 {version} 版" if version else ""),
                                    hint_zh="请先用“liucheng deploy FILE”发布")
            return compile_source(row["source"], row["format"], row["key"])

    # -- commands ------------------------------------------------------------------------
    def start(self, key: str, variables: Mapping[str, Any] | None = None, *, user: str,
              business_key: str | None = None, version: int | None = None) -> CaseView:
        with self.transaction() as repo:
            row = (repo.latest_definition(key) if version is None
                   else repo.definition_version(key, version))
            if row is None:
                raise NotFoundError(f"no process '{key}' is deployed",
                                    hint="deploy it with 'liucheng deploy FILE'",
                                    message_zh=f"流程“{key}”尚未发布",
                                    hint_zh="请用“liucheng deploy FILE”发布")
            definition = compile_source(row["source"], row["format"], row["key"])
            actor = self.actor(repo, user)
            decision = decide(definition, None, StartInstance(actor, dict(variables or {}),
                                                              business_key), self._context(repo))
            case_id = decision.state["root"]
            title = definition.name.get() + (f" {business_key}" if business_key else "")
            repo.insert_instance({
                "id": case_id, "definition_id": row["id"], "definition_key": row["key"],
                "business_key": business_key, "title": title[:200], "status": "active",
                "state": decision.state, "version": 0, "started_at": self.clock(),
                "started_by": user})
            self._persist(repo, case_id, row["key"], 0, decision, definition)
            return CaseView.of(repo.instance(case_id))

    def _persist(self, repo: Repository, case_id: str, key: str, version: int,
                 decision: Any, definition: ProcessDefinition) -> dict[str, Any]:
        """Write one decision, then run the service calls it asked for, round by round.

        Returns the instance columns written last (state, status, end).
        """
        pending: list[dict[str, Any]] = []  # calls asked for earlier, not yet made
        for _ in range(MAX_SERVICE_ROUNDS):
            state = decision.state
            values: dict[str, Any] = {"state": state, "status": state["status"]}
            if state.get("ended_at"):
                values["ended_at"] = datetime.fromisoformat(state["ended_at"])
            repo.update_instance(case_id, version, values)
            version += 1
            repo.persist_events(case_id, key, decision.events)
            notes = notifications_for(repo, case_id, decision, self.ids)
            repo.add_notifications(notes)
            enqueue(repo, notes, self.notify)  # e-mail / webhooks, sent after commit
            schedule_http(repo, case_id, key, decision.effects, self.clock())  # jobs
            follow = calls_round(self, repo, case_id, decision, definition)
            if follow is not None:  # a called case was started (runtime/calls.py)
                decision = follow
                continue
            # one call per round; the others wait while their token still waits for them
            calls = [e for e in [*pending, *decision.effects] if e["type"] == "invoke_service"
                     and state["tokens"].get(e["token"], {}).get("status") == "service"]
            if not calls:
                return {**values, "version": version}
            effect, pending = calls[0], calls[1:]
            command = self._call_handler(case_id, effect, state)
            decision = decide(definition, state, command, self._context(repo))
        raise ConfigurationError(f"case '{case_id}' ran more than {MAX_SERVICE_ROUNDS} service "
                                 "steps in one command; check the model for a loop of services")

    def _call_handler(self, case_id: str, effect: dict[str, Any], state: Any) -> Command:
        handler = self.handlers.get(effect["handler"])
        if handler is None:
            return FailService(SYSTEM, effect["token"],
                               f"no handler registered for '{effect['handler']}'")
        variables = dict(effect.get("variables") or state["variables"])  # an instance's own
        call = ServiceCall(case_id, effect["element"], variables, effect["options"])
        try:
            outputs = handler(call) or {}
        except BpmnError as exc:
            return FailService(SYSTEM, effect["token"], exc.message, exc.code)
        except Exception as exc:  # noqa: BLE001 - any handler failure becomes an incident
            return FailService(SYSTEM, effect["token"], f"{type(exc).__name__}: {exc}")
        return CompleteService(SYSTEM, effect["token"], dict(outputs))

    def _command(self, case: str | Callable[[Repository], dict[str, Any]], user: str,
                 make: Callable[[Actor], Command]) -> CaseView:
        """One command in one transaction; `case` may be a function locking the case row
        inside it (from a task)."""
        with self.transaction() as repo:
            row = case(repo) if callable(case) else repo.lock_instance(case, user)
            case_id = row["id"]
            definition = self.definition(repo, row["definition_id"], row["definition_checksum"])
            command = make(_actor(user, row["actor_active"], row["actor_admin"],
                                  row["actor_roles"] or ()))
            decision = decide(definition, row["state"], command, self._context(repo))
            written = self._persist(repo, case_id, row["definition_key"], row["version"],
                                    decision, definition)
            return CaseView.of({**row, **written})

    def _task_command(self, task_id: str, user: str, make: Callable[[Actor, str], Command]
                      ) -> CaseView:
        found: dict[str, str] = {}

        def case_of(repo: Repository) -> dict[str, Any]:
            found["task"] = repo.resolve_id(tasks, task_id, "task")
            return repo.lock_case_of_task(found["task"], user)

        try:
            return self._command(case_of, user, lambda actor: make(actor, found["task"]))
        except ConflictError as exc:
            task_id = found.get("task", task_id)
            with self.transaction() as repo:
                row = repo.task(task_id)
            if row["status"] == "completed":
                raise ConflictError(
                    f"task '{task_id}' ({row['name']}) was already completed by "
                    f"{row['completed_by']} at {row['completed_at']:%Y-%m-%d %H:%M}",
                    task=task_id, hint="reload the inbox", hint_zh="请刷新待办",
                    message_zh=f"任务“{row['name']}”已由{row['completed_by']}于"
                               f"{row['completed_at']:%Y-%m-%d %H:%M}办结") from None
            exc.context.setdefault("task", task_id)
            raise
        except LiuchengError as exc:
            exc.context.setdefault("task", found.get("task", task_id))
            raise

    def claim(self, task_id: str, *, user: str) -> CaseView:
        return self._task_command(task_id, user, lambda a, t: ClaimTask(a, t))

    def unclaim(self, task_id: str, *, user: str) -> CaseView:
        return self._task_command(task_id, user, lambda a, t: UnclaimTask(a, t))

    def complete(self, task_id: str, variables: Mapping[str, Any] | None = None, *, user: str,
                 outcome: str | None = None, comment: str | None = None) -> CaseView:
        return self._task_command(task_id, user, lambda a, t: CompleteTask(
            a, t, dict(variables or {}), outcome, comment))

    def set_variables(self, case_id: str, variables: Mapping[str, Any], *, user: str,
                      comment: str | None = None) -> CaseView:
        return self._command(self._case_id(case_id), user,
                             lambda a: SetVariables(a, dict(variables), comment))

    def cancel(self, case_id: str, *, user: str, reason: str | None = None) -> CaseView:
        return self._command(self._case_id(case_id), user, lambda a: CancelInstance(a, reason))

    def retry(self, incident_id: str, *, user: str) -> CaseView:
        with self.transaction() as repo:
            case_id = repo.incident(incident_id)["instance_id"]
        return self._command(case_id, user, lambda a: RetryIncident(a, incident_id))

    # -- queries -------------------------------------------------------------------------
    def _case_id(self, case_id: str) -> str:
        with self.reading() as repo:
            return repo.resolve_id(instances, case_id, "case")

    def case(self, case_id: str) -> CaseView:
        with self.reading() as repo:
            return CaseView.of(repo.instance(repo.resolve_id(instances, case_id, "case")))

    def cases(self, key: str | None = None, status: str | None = None,
              limit: int = 100) -> list[dict[str, Any]]:
        with self.reading() as repo:
            return repo.instances(key, status, limit)

    def state(self, case_id: str) -> dict[str, Any]:
        with self.reading() as repo:
            row = repo.instance(repo.resolve_id(instances, case_id, "case"))
            state: dict[str, Any] = row["state"]
            return state

    def history(self, case_id: str) -> list[HistoryEntry]:
        with self.reading() as repo:
            case_id = repo.resolve_id(instances, case_id, "case")
            repo.instance(case_id)
            return [HistoryEntry.of(r) for r in repo.history(case_id)]

    def task(self, task_id: str) -> TaskView:
        with self.reading() as repo:
            return TaskView.of(repo.task(repo.resolve_id(tasks, task_id, "task")))

    def tasks(self, *, user: str | None = None, role: str | None = None, case: str | None = None,
              status: str | None = "open", limit: int = 100, offset: int = 0) -> list[TaskView]:
        """Open tasks: a user's (assigned or in their roles' pool), a role's, or a case's."""
        with self.reading() as repo:
            case_id = repo.resolve_id(instances, case, "case") if case else None
            if user is not None and status == "open":  # the inbox (org/inbox.py)
                rows = self.inbox_rows(repo, user, "all", covering=False, case=case_id,
                                       role=role, limit=limit, offset=offset, with_case=False)
            elif user is not None:
                roles = repo.user_roles(user)
                rows = repo.tasks(assignee=user, candidate_roles=roles, candidate_user=user,
                                  instance_id=case_id, role=role, status=status, limit=limit,
                                  offset=offset)
            else:
                rows = repo.tasks(instance_id=case_id, role=role, status=status, limit=limit,
                                  offset=offset)
            return [TaskView.of(r) for r in rows]

    def incidents(self) -> list[dict[str, Any]]:
        with self.reading() as repo:
            return repo.open_incidents()

    # -- organisation --------------------------------------------------------------------
    def add_user(self, user_id: str, name: str | None = None, *,
                 roles: list[str] | tuple[str, ...] = (),
                 admin: bool = False, email: str | None = None) -> None:
        """Add or update a person; the id as sign-in and the pages take it (ValidationError
        otherwise, nothing written)."""
        accounts.check_id(user_id, "user")
        with self.transaction() as repo:
            repo.upsert_user({"id": user_id, "name": name or user_id, "email": email,
                              "is_admin": admin, "active": True, "created_at": self.clock()},
                             roles)

    def users(self) -> list[dict[str, Any]]:
        with self.reading() as repo:
            out = []
            for row in repo.users():
                out.append({**row, "roles": sorted(repo.user_roles(row["id"]))})
            return out
