"""Which human-task actions a person may take now, asked of the engine core itself.

The pages show a button only for an action that would succeed, and the API lists them
(`GET /tasks/{id}/actions`, `GET /cases/{id}/actions`). Rather than restating the engine's
rules here (who holds a task, which earlier steps a return may go to, `return_to`,
four-eyes, the urge interval, who is on a case), each candidate command is run through
`decide` on the case's stored state and the result thrown away: `decide` works on a copy,
so nothing is saved and no event is written. A person is first checked the way the task
routes check them (`access.actions`: assignee, their pool — locally first — or admin).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from liucheng.api.services import Services
from liucheng.api.views import compiled
from liucheng.engine import commands as c
from liucheng.engine import decide
from liucheng.engine.context import Decision, Directory
from liucheng.errors import LiuchengError
from liucheng.model import UserTask
from liucheng.org import access
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db, remember
from liucheng.storage.repository import Repository

Row = dict[str, Any]
# A user id nobody can have (ids start with a letter or digit, and have no spaces), for
# "may I transfer / delegate / add a signer / copy at all?"
PROBE_USER = "~ probe ~"
TASK_ACTIONS = ("return", "transfer", "delegate", "add_signers", "urge")
CASE_ACTIONS = ("cc", "comment", "supplement", "withdraw")


@dataclass(frozen=True)
class TaskOptions:
    """What a person may do with one task now."""

    actions: list[str]
    return_to: list[tuple[str, str]] = field(default_factory=list)  # (step, `to` to send)
    removable: list[str] = field(default_factory=list)  # added signers they may remove


@dataclass(frozen=True)
class CaseOptions:
    """What a person may do on a case now (`withdraw_steps`: steps they may take back)."""

    actions: list[str]
    withdraw_steps: list[str] = field(default_factory=list)
    withdraw_case: bool = False


class _Remembered:
    """A directory that asks the database each question once: a page's dry runs ask the
    same ones (who stands in for the assignee, is the target a user) in one snapshot."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.answers: dict[tuple[Any, ...], Any] = {}

    def _ask(self, question: tuple[Any, ...], ask: Callable[[], Any]) -> Any:
        return remember(self.answers, question, ask)

    def members(self, role: str) -> list[str]:
        return list(self._ask(("members", role), lambda: self.directory.members(role)))

    def leader(self, user: str, levels: int) -> str | None:
        found: str | None = self._ask(("leader", user, levels),
                                      lambda: self.directory.leader(user, levels))
        return found

    def delegate(self, user: str, process: str, at: datetime) -> str | None:
        if user == PROBE_USER:
            return None  # nobody has its id, so no stand-in row names it (user_id → users)
        found: str | None = self._ask(("delegate", user, process, at),
                                      lambda: self.directory.delegate(user, process, at))
        return found

    def has_user(self, user: str) -> bool:
        return bool(self._ask(("has_user", user), lambda: self.directory.has_user(user)))


class Probe:
    """Runs commands on a copy of one case's state, with the context a real command gets."""

    def __init__(self, svc: Services, db: Db, who: Principal, case: Row) -> None:
        repo = Repository(db.conn)
        self.definition = compiled(svc, db, case["definition_id"])
        self.state: dict[str, Any] = case["state"]
        # the Engine's own context (clock, ids, calendar, directory, urge interval), so the
        # dry run answers exactly as the command would
        ctx = svc.engine._context(repo)
        self.ctx = replace(ctx, directory=_Remembered(ctx.directory))
        self.actor = svc.engine.actor(repo, who.user)

    def run(self, command: c.Command) -> Decision | None:
        try:
            return decide(self.definition, self.state, command, self.ctx)
        except LiuchengError:
            return None

    def allows(self, command: c.Command) -> bool:
        return self.run(command) is not None

    def records(self) -> list[str]:
        """User steps done on this case, the latest first."""
        found = [(v["seq"], k) for k, v in self.state.get("variables", {}).items()
                 if isinstance(v, dict) and "seq" in v and not v.get("skipped")
                 and self.definition.has_element(k)
                 and isinstance(self.definition.element(k), UserTask)]
        return [k for _, k in sorted(found, reverse=True)]


def probe_of(svc: Services, db: Db, who: Principal, case: Row) -> Probe:
    """The case's Probe, one per read snapshot: a page's task and case actions share its
    actor and its directory answers."""
    found: Probe = db.remembered(("probe", who, case["id"]), lambda: Probe(svc, db, who, case))
    return found


def holds(db: Db, who: Principal, task: Row) -> bool:
    """The person may work on the task (the same test as completing it)."""
    return "complete" in access.actions(db, who, task)


def task_options(svc: Services, db: Db, who: Principal, task: Row, case: Row) -> TaskOptions:
    actions = list(access.actions(db, who, task))
    if case["status"] != "active" or task["status"] not in ("open", "suspended"):
        return TaskOptions(actions)
    probe = probe_of(svc, db, who, case)
    actor, tid = probe.actor, task["id"]
    if "unclaim" in actions and not probe.allows(c.UnclaimTask(actor, tid)):
        actions.remove("unclaim")  # given by name: there is no pool to give it back to
    targets: dict[str, str] = {}
    if holds(db, who, task):
        # concrete steps first; the keywords cover a `return_to: [previous]` restriction
        for to in (*probe.records(), "previous", "starter"):
            decision = probe.run(c.ReturnTask(actor, tid, to))
            target = next((e.get("to") for e in decision.events
                           if e["type"] == "task_returned"), None) if decision else None
            if isinstance(target, str):
                targets.setdefault(target, to)
        if targets:
            actions.append("return")
        for name, command in (("transfer", c.TransferTask(actor, tid, PROBE_USER)),
                              ("delegate", c.DelegateTask(actor, tid, PROBE_USER)),
                              ("add_signers", c.AddSigners(actor, tid, (PROBE_USER,)))):
            if probe.allows(command):
                actions.append(name)
    elif probe.allows(c.UrgeTask(actor, tid)):
        actions.append("urge")  # reminding is for the others on the case, not the holder
    removable = [user for user in _added_signers(probe.state, tid)
                 if probe.allows(c.RemoveSigner(actor, tid, user))]
    return TaskOptions(actions, list(targets.items()), removable)


def _added_signers(state: dict[str, Any], task_id: str) -> list[str]:
    main = state.get("tasks", {}).get(task_id) or {}
    found = [t["assignee"] for t in state.get("tasks", {}).values()
             if t.get("kind") == "added" and t.get("main") == task_id and t.get("assignee")]
    return list(dict.fromkeys([*found, *(main.get("after_signers") or [])]))


def case_options(svc: Services, db: Db, who: Principal, case: Row) -> CaseOptions:
    if case["status"] != "active":
        # comments stay possible on an ended case (for the people who were on it)
        probe = probe_of(svc, db, who, case)
        ok = probe.allows(c.AddComment(probe.actor, "probe"))
        return CaseOptions(["comment"] if ok else [])
    probe = probe_of(svc, db, who, case)
    actor = probe.actor
    actions = [name for name, command in (
        ("cc", c.CarbonCopy(actor, (PROBE_USER,))),
        ("comment", c.AddComment(actor, "probe")),
        ("supplement", c.RequestSupplement(actor, "probe"))) if probe.allows(command)]
    steps = [s for s in probe.records() if probe.allows(c.WithdrawTask(actor, s))]
    whole = probe.allows(c.WithdrawCase(actor))
    if steps or whole:
        actions.append("withdraw")
    return CaseOptions(actions, steps, whole)


def options_public(task: TaskOptions | None, case: CaseOptions | None,
                   names: dict[str, Any]) -> Row:
    """The options as the API returns them (`names`: step id → {zh, en})."""
    out: Row = {}
    if task is not None:
        out.update(actions=task.actions, removable_signers=task.removable,
                   return_to=[{"step": step, "to": to, "name": names.get(step)}
                              for step, to in task.return_to])
    if case is not None:
        out.update(case_actions=case.actions, withdraw_case=case.withdraw_case,
                   withdraw_steps=[{"step": s, "name": names.get(s)}
                                   for s in case.withdraw_steps])
    return out
