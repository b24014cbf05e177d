"""Call activities in the core: ask for a called case, learn its id, finish when it ends.

Entering a call activity computes the called case's variables and emits `call_requested`
with a `start_call` effect; the token waits (status `call`). The runtime starts the case
and answers `CallStarted` (the token remembers `called_case`), and when that case ends,
`CompleteCall` with its status and variables: the outputs are set, the step is recorded
(`{case, status, at}`) and the token moves on. A called case that was cancelled is an
incident on the step (retry calls afresh). If the calling step ends first (an
interrupting boundary, a return, the case cancelled), `disarm` asks the runtime to
cancel the called case (`cancel_call`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.event_commands import CallStarted, CompleteCall
from liucheng.engine.humantask.common import record_step
from liucheng.errors import ExpressionError
from liucheng.model.calls import CallActivity
from liucheng.rules.expressions import compile_expression, to_json

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]
RESERVED = ("parent_case",)


class CallActivityBehavior:
    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        assert isinstance(element, CallActivity)
        try:
            if element.inputs is None:
                variables = {k: v for k, v in run.variables(token["scope"]).items()
                             if k not in RESERVED}
            else:
                variables = {var: to_json(run.evaluate(expr, token["scope"]))
                             for var, expr in element.inputs}
        except ExpressionError as exc:
            run.incident(token, f"the called case's variables could not be worked out: "
                         f"{exc.message}")
            return
        run.emit("call_requested", token=token["id"], element=element.id,
                 process=element.process, version=element.version)
        run.effects.append({"type": "start_call", "token": token["id"], "element": element.id,
                            "process": element.process, "version": element.version,
                            "variables": variables})


def calling(run: Run, token_id: str, case: str) -> Token | None:
    """The token waiting at a call step for `case`, or None."""
    token: Token | None = run.state["tokens"].get(token_id)
    if token is None or token["status"] != "call" or token.get("called_case") not in (None,
                                                                                     case):
        return None  # the step ended meanwhile, or calls another case now
    return token


def call_started(run: Run, cmd: CallStarted) -> None:
    token = calling(run, cmd.token, cmd.case)
    if token is not None and run.state["status"] == "active":
        run.emit("call_started", token=token["id"], element=token["element"], case=cmd.case)


def complete_call(run: Run, cmd: CompleteCall) -> None:
    if run.state["status"] != "active":
        return
    token = calling(run, cmd.token, cmd.case)
    if token is None:
        return
    element = run.definition.element(token["element"])
    assert isinstance(element, CallActivity)
    run.emit("call_completed", token=token["id"], element=element.id, case=cmd.case,
             status=cmd.status)
    if cmd.status not in ("completed", "terminated"):
        run.incident(token, f"the called case {cmd.case} of '{element.process}' was "
                     f"{cmd.status}; retry to call it again")
        return
    values: dict[str, Any] = {}
    try:
        for var, expr in element.outputs:
            values[var] = to_json(compile_expression(expr).evaluate(dict(cmd.variables),
                                                                    run.functions))
    except ExpressionError as exc:
        run.incident(token, f"a result of the called case could not be read: {exc.message}")
        return
    if values:
        run.set_variables(token, values, element=element.id)
    record_step(run, element.id, token=token, case=cmd.case, status=cmd.status, outcome=None,
                by=None)
    run.leave(token)


def cancel_called(run: Run, token_id: str) -> None:
    """The calling step ends early: its called case has to go too (asked of the runtime)."""
    token = run.state["tokens"].get(token_id)
    if token is not None and token.get("called_case") and token["status"] == "call":
        run.effects.append({"type": "cancel_call", "case": token["called_case"],
                            "token": token_id, "element": token["element"]})
