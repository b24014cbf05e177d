"""Call activities in the runtime: start the called case, report its end to the caller.

Called from `Engine._persist` after each decision is written, inside the same
transaction. A `start_call` effect starts a case of the called process (its newest
version, or the one named) with the step's variables and `parent_case` = {id, token,
element}, then tells the calling case (`CallStarted`, and `CompleteCall` at once if the
called case already ended). When a called case ends later, its own transaction locks
the calling case and sends `CompleteCall`. A `cancel_call` effect cancels the called
case. An error or escalation the called case did not catch (`throw_to_caller`) goes to
the caller as `CatchFromCall` the same way — or, while the caller's own decision is
being written (the called case threw as it started), through that decision's loop.
Locks are taken child → parent on completion and parent → child on cancellation;
on PostgreSQL the rare crossing of the two is a detected deadlock, and the command that
lost can simply be repeated.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from liucheng.engine import CancelInstance, Decision, StartInstance, decide
from liucheng.engine.commands import SYSTEM, Actor, Command
from liucheng.engine.event_commands import CallStarted, CatchFromCall, CompleteCall
from liucheng.errors import NotFoundError
from liucheng.model import ProcessDefinition
from liucheng.runtime.definitions import compile_source

if TYPE_CHECKING:
    from liucheng.runtime.service import Engine
    from liucheng.storage.repository import Repository

ENDED = ("completed", "terminated", "cancelled")
# calling cases whose decision is being written right now: their called cases must not
# report back on their own (the caller's loop does it)
_IN_FLIGHT: ContextVar[frozenset[str]] = ContextVar("calls_in_flight", default=frozenset())
# what called cases threw to a caller in flight, for its loop to hand over
_DEFERRED: ContextVar[list[dict[str, Any]] | None] = ContextVar("throws_deferred",
                                                                default=None)


@contextmanager
def _in_flight(case_id: str) -> Iterator[None]:
    reset = _IN_FLIGHT.set(_IN_FLIGHT.get() | {case_id})
    try:
        yield
    finally:
        _IN_FLIGHT.reset(reset)


def calls_round(engine: Engine, repo: Repository, case_id: str, decision: Decision,
                definition: ProcessDefinition) -> Decision | None:
    """Handle one written decision's calls; a follow-up decision for the caller, or None."""
    for effect in decision.effects:
        if effect["type"] == "cancel_call":
            _cancel(engine, repo, effect["case"])
        elif effect["type"] == "throw_to_caller":
            deferred = _DEFERRED.get()
            if effect["case"] in _IN_FLIGHT.get() and deferred is not None:
                deferred.append({**effect, "child": case_id})
            else:
                _to_caller(engine, repo, CatchFromCall(SYSTEM, effect["token"], case_id,
                                                       effect["kind"], effect["code"]),
                           effect["case"])
    state = decision.state
    parent = state["variables"].get("parent_case")
    if state["status"] in ENDED and isinstance(parent, dict) and \
            parent.get("id") not in _IN_FLIGHT.get():
        _report(engine, repo, case_id, state, parent)
    starts = [e for e in decision.effects if e["type"] == "start_call"]
    if not starts:
        return None
    events: list[dict[str, Any]] = []
    effects: list[dict[str, Any]] = []
    with _in_flight(case_id):
        for effect in starts:
            thrown: list[dict[str, Any]] = []
            reset = _DEFERRED.set(thrown)
            try:
                child_id, child_state = _start(engine, repo, case_id, state, effect)
            finally:
                _DEFERRED.reset(reset)
            commands: list[Command] = [CallStarted(SYSTEM, effect["token"], child_id)]
            commands += [CatchFromCall(SYSTEM, t["token"], t["child"], t["kind"], t["code"])
                         for t in thrown]
            if child_state["status"] in ENDED:
                commands.append(CompleteCall(SYSTEM, effect["token"], child_id,
                                             child_state["status"],
                                             dict(child_state["variables"])))
            for command in commands:
                follow = decide(definition, state, command, engine._context(repo))
                state = follow.state
                events += follow.events
                effects += follow.effects
    rest = [e for e in decision.effects if e["type"] == "invoke_service"]
    return Decision(state, events, effects + rest)


def _start(engine: Engine, repo: Repository, caller: str, state: dict[str, Any],
           effect: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    key, version = effect["process"], effect.get("version")
    row = (repo.latest_definition(key) if version is None
           else repo.definition_version(key, int(version)))
    if row is None:
        raise NotFoundError(f"the called process '{key}'" + (f" version {version}" if version
                                                             else "") + " is not deployed",
                            case=caller, element=effect["element"],
                            hint="deploy it, then retry",
                            message_zh=f"被调用的流程“{key}”"
                            + (f"第 {version} 版" if version else "") + "尚未发布",
                            hint_zh="请先发布该流程，再重试")
    definition = compile_source(row["source"], row["format"], row["key"])
    variables = {**effect["variables"], "parent_case": {
        "id": caller, "token": effect["token"], "element": effect["element"]}}
    starter = Actor(str(state.get("started_by") or SYSTEM.user))
    ctx = engine._context(repo)
    decision = decide(definition, None, StartInstance(starter, variables), ctx)
    child = decision.state["root"]
    repo.insert_instance({
        "id": child, "definition_id": row["id"], "definition_key": row["key"],
        "business_key": None, "title": definition.name.get()[:200], "status": "active",
        "state": decision.state, "version": 0, "started_at": ctx.now,
        "started_by": starter.user})
    engine._persist(repo, child, row["key"], 0, decision, definition)
    return child, repo.instance(child)["state"]


def _report(engine: Engine, repo: Repository, child: str, state: dict[str, Any],
            parent: dict[str, Any]) -> None:
    _to_caller(engine, repo, CompleteCall(SYSTEM, str(parent["token"]), child,
                                          state["status"], dict(state["variables"])),
               str(parent["id"]))


def _to_caller(engine: Engine, repo: Repository, command: Command, caller: str) -> None:
    try:
        row = repo.lock_instance(caller)
    except NotFoundError:
        return
    if row["status"] != "active":
        return
    definition = engine.definition(repo, row["definition_id"])
    decision = decide(definition, row["state"], command, engine._context(repo))
    engine._persist(repo, row["id"], row["definition_key"], row["version"], decision,
                    definition)


def _cancel(engine: Engine, repo: Repository, child: str) -> None:
    try:
        row = repo.lock_instance(child)
    except NotFoundError:
        return
    if row["status"] != "active":
        return
    definition = engine.definition(repo, row["definition_id"])
    decision = decide(definition, row["state"], CancelInstance(
        SYSTEM, "the calling step ended"), engine._context(repo))
    with _in_flight(str((row["state"]["variables"].get("parent_case") or {}).get("id"))):
        engine._persist(repo, child, row["definition_key"], row["version"], decision,
                        definition)
