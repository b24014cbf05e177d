"""Return (退回) and withdraw (撤回): sending a case back to an earlier step.

Returning to step T, in the scope instance where T lives:
- every token of that scope at an element reachable from T is ended, with its tasks and
  any sub-process it is in — sibling branches of a parallel block included;
- a token parked at a join is kept when the flow it arrived by does not come from T's
  region (that branch's work stays done), and ended otherwise (the join is reset);
- a join between T and the step returned from that has already fired gets back, as parked
  tokens, the arrivals of the branches that are not redone, so it completes again later;
- a new token enters T; its task goes to whoever did T before. Timers and reminders of T
  are armed again because T is entered again.

Multi-instance steps (engine/multi.py): ending a multi-instance activity ends all its
instances; returning to one starts it afresh (every instance, with its assignee
expression). Inside an instance, the steps done in that instance can be returned to; a
multi-instance step cannot be withdrawn (several people did it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.commands import Actor, ReturnTask, WithdrawCase, WithdrawTask
from liucheng.engine.humantask.common import authorize, open_task, require_active
from liucheng.engine.state import tokens_in
from liucheng.errors import ConflictError, ForbiddenError, StateError
from liucheng.model import InclusiveGateway, ParallelGateway, UserTask

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


def _records(run: Run, scope: str | None = None) -> dict[str, dict[str, Any]]:
    """Completed user steps with their records (as seen from `scope`)."""
    return {k: v for k, v in run.variables(scope).items()
            if isinstance(v, dict) and "seq" in v and run.definition.has_element(k)
            and isinstance(run.definition.element(k), UserTask) and not v.get("skipped")}


def _scope_path(run: Run, token: Token) -> list[tuple[str, str]]:
    """(scope id, anchor element) from the token's own scope out to the case's root."""
    path = [(token["scope"], token["element"])]
    while True:
        parent = run.state["scopes"][path[-1][0]]["parent_token"]
        if parent is None:
            return path
        parent_token = run.state["tokens"][parent]
        path.append((parent_token["scope"], parent_token["element"]))


def _upstream(run: Run, token: Token) -> dict[str, tuple[str, str]]:
    """Completed steps the token's step can be sent back to → (scope, anchor)."""
    out: dict[str, tuple[str, str]] = {}
    for step in _records(run, token["scope"]):
        for scope, anchor in _scope_path(run, token):
            scope_element = run.state["scopes"][scope]["element"]
            if run.definition.parent(step) == scope_element and (
                    step == anchor or run.definition.reaches(step, anchor)):
                out.setdefault(step, (scope, anchor))
    return out


def return_task(run: Run, cmd: ReturnTask) -> None:
    task = open_task(run, cmd.task)
    authorize(run, task, cmd.actor, "return")
    token = run.state["tokens"][task["token"]]
    element = run.definition.element(task["element"])
    assert isinstance(element, UserTask)
    upstream = _upstream(run, token)
    upstream.pop(element.id, None)
    records = _records(run, token["scope"])
    if cmd.to == "previous":
        choices = sorted(upstream, key=lambda s: records[s]["seq"])
        target = choices[-1] if choices else None
    elif cmd.to == "starter":
        starter = run.state.get("started_by")
        choices = sorted((s for s in upstream if records[s].get("by") == starter),
                         key=lambda s: records[s]["seq"])
        target = choices[0] if choices else None
    else:
        target = cmd.to if cmd.to in upstream else None
    allowed = set(element.return_to)
    if target is None or (allowed and target not in allowed and cmd.to not in allowed):
        names = [s for s in upstream if not allowed or s in allowed]
        raise ForbiddenError(
            f"'{element.id}' cannot be returned to '{cmd.to}'"
            + (f"; it can go back to: {', '.join(sorted(names))}" if names else
               "; no earlier step of this case can take it back"), task=task["id"],
            message_zh=f"“{element.id}”不能退回到“{cmd.to}”"
            + (f"；可退回到：{'、'.join(sorted(names))}" if names else
               "；本业务没有可退回的前序步骤"))
    scope, _ = upstream[target]
    run.emit("task_returned", task=task["id"], element=element.id, to=target,
             actor=cmd.actor.user, comment=cmd.comment)
    send_back(run, scope, target, f"returned to '{target}' by {cmd.actor.user}")


def send_back(run: Run, scope: str, target: str, reason: str) -> None:
    region = set(run.definition.downstream(target)) | {target}
    anchors = [t["element"] for t in tokens_in(run.state, scope) if t["element"] in region]
    for token in tokens_in(run.state, scope):
        if token["status"] == "join" and token.get("flow"):
            if run.definition.flow(token["flow"]).source not in region:
                continue
        elif token["element"] not in region:
            continue
        _end_token(run, token, reason)
    for element_id in sorted(region):
        gateway = run.definition.element(element_id)
        incoming = run.definition.incoming(element_id)
        if not isinstance(gateway, (ParallelGateway, InclusiveGateway)) or len(incoming) < 2:
            continue
        if not any(a == element_id or run.definition.reaches(element_id, a) for a in anchors):
            continue  # the join lies after everything that is being undone
        parked = {t["flow"] for t in tokens_in(run.state, scope)
                  if t["element"] == element_id and t["status"] == "join"}
        for flow in run.state.get("joins", {}).get(f"{scope}:{element_id}", []):
            if flow not in parked and run.definition.flow(flow).source not in region:
                run.emit("join_restored", token=run.ctx.new_id(), element=element_id,
                         scope=scope, flow=flow)
    record = run.variables(scope).get(target)
    performer = record.get("by") if isinstance(record, dict) else None
    run.enter(target, scope, None, assign_to=performer if isinstance(performer, str) else None)


def _end_token(run: Run, token: Token, reason: str) -> None:
    run.end_inner(token, reason)
    run.end_token(token, reason)


def withdraw_task(run: Run, cmd: WithdrawTask) -> None:
    """The performer of `step` takes it back while nobody has acted on what followed."""
    require_active(run)
    if _in_multi_instance(run, cmd.step):
        raise ConflictError(f"step '{cmd.step}' runs once per item (multi-instance), so it "
                            "cannot be withdrawn", element=cmd.step,
                            hint="return the following step to it instead",
                            message_zh=f"步骤“{cmd.step}”按条目分别办理（多实例），不能撤回",
                            hint_zh="请在后一步骤退回到此步骤")
    records = _records(run)
    record = records.get(cmd.step)
    if record is None or record.get("by") != cmd.actor.user:
        raise ForbiddenError(f"{cmd.actor.user} did not do step '{cmd.step}', so cannot "
                             "withdraw it", element=cmd.step,
                             message_zh=f"步骤“{cmd.step}”不是{cmd.actor.user}办理的，不能撤回")
    region = set(run.definition.downstream(cmd.step))
    for step, later in [*records.items(), *_instance_records(run)]:
        if _within(run, step, region) and later["seq"] > record["seq"]:
            raise ConflictError(f"too late to withdraw: '{step}' was already done by "
                                f"{later.get('by')}", element=cmd.step,
                                message_zh=f"已不能撤回：“{step}”已由{later.get('by')}办理")
    open_next = [t for t in run.state["tasks"].values() if _within(run, t["element"], region)]
    acted = [t for t in open_next if t["claimed"] or t["delegated"]]
    if acted:
        raise ConflictError(f"too late to withdraw: {acted[0]['assignee']} has already taken "
                            f"'{acted[0]['name']}'", element=cmd.step,
                            message_zh=f"已不能撤回：{acted[0]['assignee']}已接手"
                                       f"“{acted[0]['name']}”")
    scopes = {t["scope"] for t in run.state["tokens"].values() if t["element"] in region
              and run.state["scopes"][t["scope"]]["element"] == run.definition.parent(cmd.step)}
    if len(scopes) != 1:
        raise StateError(f"step '{cmd.step}' cannot be withdrawn now: nothing after it is "
                         "waiting", element=cmd.step,
                         message_zh=f"步骤“{cmd.step}”现在不能撤回：其后没有等待办理的步骤")
    run.emit("task_withdrawn", element=cmd.step, actor=cmd.actor.user, comment=cmd.comment)
    send_back(run, scopes.pop(), cmd.step, f"withdrawn by {cmd.actor.user}")


def _instance_records(run: Run) -> list[tuple[str, dict[str, Any]]]:
    """Steps done inside multi-instance instances that are running or done (not yet
    recorded in the case's variables): (step, its record)."""
    state = run.state
    out = [(k, v) for s in state["scopes"].values() for k, v in s.get("variables", {}).items()
           if isinstance(v, dict) and "seq" in v and run.definition.has_element(k)]
    for token in state["tokens"].values():
        out += [(token["element"], r) for r in token.get("mi", {}).get("records", ())
                if isinstance(r, dict)]
    return out


def _enclosing(run: Run, step: str) -> list[str]:
    """`step` and the sub-processes it lies in, innermost first."""
    out: list[str] = []
    current: str | None = step if run.definition.has_element(step) else None
    while current is not None:
        out.append(current)
        current = run.definition.parent(current)
    return out


def _within(run: Run, step: str, region: set[str]) -> bool:
    return any(e in region for e in _enclosing(run, step))


def _in_multi_instance(run: Run, step: str) -> bool:
    """Whether `step` is, or lies inside, a multi-instance activity."""
    return any(getattr(run.definition.element(e), "multi_instance", None) is not None
               for e in _enclosing(run, step))


def withdraw_case(run: Run, cmd: WithdrawCase) -> None:
    """The starter pulls the case back before anyone else acted."""
    require_active(run)
    starter = run.state.get("started_by")
    if cmd.actor.user != starter:
        raise ForbiddenError(f"only the starter ({starter}) may withdraw the case",
                             message_zh=f"只有发起人（{starter}）可以撤回此业务")
    records = _records(run)
    others = [s for s, r in records.items() if r.get("by") != starter]
    taken = [t for t in run.state["tasks"].values() if t["claimed"] or t["delegated"]]
    if others or taken:
        who = records[others[0]]["by"] if others else taken[0]["assignee"]
        raise ConflictError(f"too late to withdraw: {who} has already acted on the case",
                            message_zh=f"已不能撤回：{who}已办理此业务")
    own = sorted((s for s in records), key=lambda s: records[s]["seq"])
    if not own:
        _cancel(run, cmd.actor)
        return
    withdraw_task(run, WithdrawTask(cmd.actor, own[0], cmd.comment))


def _cancel(run: Run, actor: Actor) -> None:
    run.terminate(run.state["root"], "withdrawn by the starter")
    run.emit("instance_cancelled", actor=actor.user, reason="withdrawn by the starter")
