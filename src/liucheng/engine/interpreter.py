"""The token interpreter: runs a command against a copy of the state, event by event.

`decide` validates the command (raising before anything changes), then lets tokens flow:
each token that has just arrived at an element is handed to that element's behaviour
(see `behaviors/`), until every token waits for something outside the core — a person,
a service handler, a join. Then inclusive joins and finished scopes are settled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from liucheng.engine import commands as c
from liucheng.engine.behaviors import behavior_of, settle_inclusive_joins
from liucheng.engine.context import Context, Decision, Effect, Event
from liucheng.engine.event_handlers import event_handlers
from liucheng.engine.event_subprocesses import arm_scope, disarm_scope
from liucheng.engine.events import APPLY
from liucheng.engine.humantask import HANDLERS as HUMAN_TASK_HANDLERS
from liucheng.engine.humantask.common import require_active
from liucheng.engine.state import (
    State,
    child_scopes,
    copy_state,
    instance_scopes,
    is_instance,
    new_state,
    tokens_in,
    upgrade,
)
from liucheng.engine.timers import arm_boundaries, disarm
from liucheng.errors import ConflictError, ExpressionError, NotFoundError, StateError
from liucheng.model import ProcessDefinition, SequenceFlow
from liucheng.rules.expressions import compile_expression

Token = dict[str, Any]
TOKEN_ENDS = frozenset({"element_left", "element_terminated"})
SCOPE_ENDS = frozenset({"scope_closed", "instance_completed", "instance_terminated",
                        "instance_cancelled"})
ENDS = TOKEN_ENDS | SCOPE_ENDS  # one set lookup for the many events that end nothing


class Run:
    """One command's working set: the definition, the state being changed, the output."""

    def __init__(self, definition: ProcessDefinition, state: State, ctx: Context) -> None:
        self.definition = definition
        self.state = state
        self.ctx = ctx
        self.events: list[Event] = []
        self.effects: list[Effect] = []

    @cached_property
    def functions(self) -> dict[str, Callable[..., Any]]:
        """What expressions may call: the context's functions and the directory's."""
        directory = self.ctx.directory
        return {
            **self.ctx.functions,
            "leader": lambda user, levels=1: directory.leader(str(user), int(levels)),
            "members": lambda role: directory.members(str(role)),
        }

    # -- primitives ----------------------------------------------------------------------
    def emit(self, type_: str, **data: Any) -> Event:
        if type_ in ENDS:
            if type_ in TOKEN_ENDS:
                disarm(self, data["token"])  # its timers and subscriptions end with it
            else:  # so do its event sub-processes' with a scope
                disarm_scope(self, data.get("scope") or self.state["root"])
        event: Event = {"type": type_, "at": self.ctx.timestamp, **data}
        APPLY[type_](self.state, event)
        self.events.append(event)
        return event

    def evaluate(self, source: str, scope: str | None = None) -> Any:
        return compile_expression(source).evaluate(self.variables(scope), self.functions)

    def variables(self, scope: str | None = None) -> dict[str, Any]:
        """What work in `scope` sees: the case's variables under the own variables of
        every multi-instance instance it lies in (the innermost wins)."""
        values: dict[str, Any] = self.state["variables"]
        layers = instance_scopes(self.state, scope) if scope else []
        if not layers:
            return values
        merged = dict(values)
        for layer in reversed(layers):
            merged.update(self.state["scopes"][layer]["variables"])
        return merged

    def set_variables(self, token: Token, variables: dict[str, Any], **data: Any) -> None:
        """Variables written by `token`'s work; inside an instance they stay its own."""
        layers = instance_scopes(self.state, token["scope"])
        where = {"scope": layers[0]} if layers else {}
        self.emit("variables_set", variables=variables, **where, **data)

    def enter(self, element: str, scope: str, flow: str | None,
              assign_to: str | None = None) -> str:
        token = self.ctx.new_id()
        extra = {"assign_to": assign_to} if assign_to else {}
        self.emit("element_entered", token=token, element=element, scope=scope, flow=flow,
                  **extra)
        return token

    def take(self, token: Token, flows: Sequence[SequenceFlow]) -> None:
        """The token leaves its element along `flows` (a new token on each)."""
        self.emit("element_left", token=token["id"], element=token["element"])
        for flow in flows:
            self.enter(flow.target, token["scope"], flow.id)

    def leave(self, token: Token) -> None:
        """Leave an activity or event: every flow whose condition holds (none → default)."""
        if is_instance(self.state, token):  # one instance ends; engine/multi.py goes on
            self.emit("element_left", token=token["id"], element=token["element"])
            return
        chosen: Sequence[SequenceFlow] | None = self.definition.unconditional.get(token["element"])
        if chosen is None:
            element = self.definition.element(token["element"])
            chosen = self.select(token, self.definition.outgoing(element.id), element.default,
                                 exclusive=False)
        if chosen is not None:
            self.take(token, chosen)

    def select(self, token: Token, outgoing: tuple[SequenceFlow, ...], default: str | None,
               exclusive: bool) -> list[SequenceFlow] | None:
        """Flows to take; None after raising an incident (nothing else has changed)."""
        chosen: list[SequenceFlow] = []
        try:
            for flow in outgoing:
                if flow.id == default:
                    continue
                if flow.condition is None or self.evaluate(flow.condition, token["scope"]):
                    chosen.append(flow)
                    if exclusive:
                        break
        except ExpressionError as exc:
            self.incident(token, f"condition could not be evaluated: {exc.message}")
            return None
        if not chosen and default is not None:
            chosen = [self.definition.flow(default)]
        if not chosen and outgoing:
            self.incident(token, "no condition of the outgoing flows holds and there is no "
                          "default flow; set the data the conditions read, then retry")
            return None
        return chosen

    def incident(self, token: Token, reason: str) -> None:
        self.emit("incident_raised", incident=self.ctx.new_id(), token=token["id"],
                  element=token["element"], reason=reason)

    # -- the loop ------------------------------------------------------------------------
    def run(self) -> None:
        while self.state["status"] == "active":
            active = [t for t in self.state["tokens"].values() if t["status"] == "active"]
            if active:
                token = active[0] if len(active) == 1 else min(active, key=lambda t: t["seq"])
                behavior_of(self, token).enter(self, token)
                arm_boundaries(self, token)
                continue
            if (self.definition.has_inclusive and settle_inclusive_joins(self)
                    or self.close_finished_scopes()):
                continue
            break

    def close_finished_scopes(self) -> bool:
        occupied = {t["scope"] for t in self.state["tokens"].values()}
        if occupied.issuperset(self.state["scopes"]):
            return False  # every scope still has work (the usual case at rest)
        for scope_id, scope in list(self.state["scopes"].items()):
            if scope_id in occupied:
                continue
            if "index" in scope:  # an instance of a multi-instance activity has ended
                from liucheng.engine.multi import instance_done

                if instance_done(self, scope_id):
                    return True
                continue
            if scope["parent_token"] is None:
                self.emit("instance_completed")
                return True
            self.emit("scope_closed", scope=scope_id, element=scope["element"])
            parent = self.state["tokens"][scope["parent_token"]]
            self.leave(parent)
            return True
        return False

    def terminate(self, scope: str, reason: str) -> None:
        """End every token of `scope` and of the scopes inside it."""
        for inner in [*child_scopes(self.state, scope), scope]:
            for token in tokens_in(self.state, inner):
                self.end_token(token, reason)
            if inner != scope:
                self.emit("scope_closed", scope=inner,
                          element=self.state["scopes"][inner]["element"])

    def end_inner(self, token: Token, reason: str) -> None:
        """End what runs inside `token`'s activity: its sub-process scope, or every
        instance of a multi-instance activity."""
        for inner in [s for s, v in self.state["scopes"].items()
                      if v["parent_token"] == token["id"]]:
            self.terminate(inner, reason)
            self.emit("scope_closed", scope=inner, element=token["element"])

    def end_token(self, token: Token, reason: str) -> None:
        """End one token: its open tasks are cancelled and its incidents closed."""
        for task in [t for t in self.state["tasks"].values() if t["token"] == token["id"]]:
            self.emit("task_cancelled", task=task["id"], element=task["element"], reason=reason)
        for inc in [i for i in self.state["incidents"].values() if i["token"] == token["id"]]:
            self.emit("incident_resolved", incident=inc["id"], reason=reason)
        self.emit("element_terminated", token=token["id"], element=token["element"],
                  reason=reason)


# -- command handlers --------------------------------------------------------------------
def _start(run: Run, cmd: c.StartInstance) -> None:
    if run.state["status"] != "new":
        raise StateError("the case has already started", message_zh="此业务已经发起")
    variables = {v.id: v.default for v in run.definition.variables if v.default is not None}
    variables.update(cmd.variables)
    variables["starter"] = cmd.actor.user
    root = run.ctx.new_id()
    run.emit("instance_started", scope=root, actor=cmd.actor.user, variables=variables,
             business_key=cmd.business_key, definition=run.definition.key)
    arm_scope(run, root)
    run.enter(run.definition.start_event().id, root, None)


def _service_token(run: Run, token_id: str) -> Token:
    require_active(run)
    token = run.state["tokens"].get(token_id)
    if token is None or token["status"] != "service":
        raise ConflictError(f"no service call is waiting on token '{token_id}'", token=token_id,
                            message_zh=f"令牌“{token_id}”上没有等待中的服务调用")
    return token  # type: ignore[no-any-return]


def _service_done(run: Run, cmd: c.CompleteService) -> None:
    from liucheng.engine.behaviors.tasks import finish_service

    finish_service(run, _service_token(run, cmd.token), dict(cmd.outputs))


def _service_failed(run: Run, cmd: c.FailService) -> None:
    token = _service_token(run, cmd.token)
    if cmd.code is not None:
        from liucheng.engine.throws import throw_error

        throw_error(run, token, cmd.code, cmd.error)
        return
    run.incident(token, f"service handler failed: {cmd.error}")


def _set_variables(run: Run, cmd: c.SetVariables) -> None:
    require_active(run)
    run.emit("variables_set", variables=dict(cmd.variables), actor=cmd.actor.user,
             comment=cmd.comment)


def _retry(run: Run, cmd: c.RetryIncident) -> None:
    require_active(run)
    incident = run.state["incidents"].get(cmd.incident)
    if incident is None:
        raise NotFoundError(f"the case has no open incident '{cmd.incident}'",
                            incident=cmd.incident,
                            message_zh=f"此业务没有未处理的异常“{cmd.incident}”")
    run.emit("incident_resolved", incident=cmd.incident, actor=cmd.actor.user, reason="retry")


def _cancel(run: Run, cmd: c.CancelInstance) -> None:
    require_active(run)
    run.terminate(run.state["root"], "case cancelled")
    run.emit("instance_cancelled", actor=cmd.actor.user, reason=cmd.reason)


HANDLERS: dict[type[c.Command], Callable[[Run, Any], None]] = {
    **HUMAN_TASK_HANDLERS,
    c.StartInstance: _start,
    c.CompleteService: _service_done,
    c.FailService: _service_failed,
    c.SetVariables: _set_variables,
    c.RetryIncident: _retry,
    c.CancelInstance: _cancel,
}
HANDLERS.update(event_handlers(HANDLERS))


def decide(definition: ProcessDefinition, state: State | None, command: c.Command,
           ctx: Context) -> Decision:
    """Run `command` on a copy of `state`; the input state is never changed.

    Raises a LiuchengError (and returns nothing) when the command is not allowed now.
    """
    working = copy_state(upgrade(state)) if state else new_state()
    run = Run(definition, working, ctx)
    handler = HANDLERS.get(type(command))
    if handler is None:
        raise StateError(f"unknown command {type(command).__name__}")
    handler(run, command)
    run.run()
    return Decision(run.state, run.events, run.effects)
