"""Migrating a running case to another version of its process.

`decide(new_definition, state, MigrateInstance(actor, to_version, mapping))` moves every
token, task and scope to the element of the same id in the new version, or to
`mapping[old id]`. It refuses (changing nothing) when a token would be orphaned: its
element is missing, is of another kind, or sits in another sub-process; a token parked
at a join needs its flow too (flows can be mapped like elements). A case with a running
multi-instance activity is refused too. Timers and
subscriptions of the old version are cancelled and armed again from the new version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from liucheng.engine.event_commands import MigrateInstance
from liucheng.engine.event_subprocesses import arm_scope, disarm_scope
from liucheng.engine.humantask.common import require_active
from liucheng.engine.messages import subscribe
from liucheng.engine.timers import arm, arm_boundaries, disarm
from liucheng.errors import Problem, ValidationError
from liucheng.model import MessageEvent, SignalEvent, SubProcess, TimerEvent, UserTask
from liucheng.model.events import EventGateway

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

STATUS_KINDS: dict[str, tuple[type, ...]] = {"waiting": (UserTask,), "scope": (SubProcess,)}


def migrate(run: Run, cmd: MigrateInstance) -> None:
    require_active(run)
    new = run.definition
    mapping = dict(cmd.mapping)
    scope_elements = {sid: s["element"] for sid, s in run.state["scopes"].items()}
    problems: list[Problem] = []
    moves: dict[str, str] = {}
    flow_moves: dict[str, str] = {}
    for token in sorted(run.state["tokens"].values(), key=lambda t: t["seq"]):
        old = token["element"]
        target = mapping.get(old, old)
        where = f"token at '{old}'" + (f" (mapped to '{target}')" if target != old else "")
        if not new.has_element(target):
            problems.append(Problem(f"{where}: version {cmd.to_version} has no element "
                                    f"'{target}'", element=old,
                                    hint="map it to an element of the new version"))
            continue
        element = new.element(target)
        if token["status"] == "multi":
            problems.append(Problem(f"{where}: a multi-instance step is running there",
                                    element=old, hint="migrate the case once it has ended"))
            continue
        kinds = STATUS_KINDS.get(token["status"])
        if kinds and not isinstance(element, kinds):
            problems.append(Problem(f"{where}: a {token['status']} token needs a "
                                    f"{kinds[0].__name__}, not a {type(element).__name__}",
                                    element=old))
        host = scope_elements.get(token["scope"])
        mapped_host = None if host is None else mapping.get(host, host)
        if new.has_element(target) and new.parent(target) != mapped_host:
            problems.append(Problem(f"{where}: in version {cmd.to_version} it lies in "
                                    f"{new.parent(target) or 'the top level'}, not in "
                                    f"{mapped_host or 'the top level'}", element=old))
        if token["status"] == "join" and token.get("flow"):
            flow = mapping.get(token["flow"], token["flow"])
            if flow not in {f.id for f in new.incoming(target)}:
                problems.append(Problem(f"{where}: it waits at the join for flow "
                                        f"'{token['flow']}', which does not lead there in "
                                        f"version {cmd.to_version}", element=old,
                                        hint="map the flow id too"))
            elif flow != token["flow"]:
                flow_moves[token["id"]] = flow
        if target != old:
            moves[token["id"]] = target
    if problems:
        raise ValidationError(problems, hint="no token may be left without an element")
    task_moves = {t["id"]: mapping[t["element"]] for t in run.state["tasks"].values()
                  if t["element"] in mapping}
    scope_moves = {sid: mapping[e] for sid, e in scope_elements.items() if e in mapping}
    for token_id in list(run.state["tokens"]):
        disarm(run, token_id)
    for scope_id in list(run.state["scopes"]):
        disarm_scope(run, scope_id)
    run.emit("instance_migrated", to_version=cmd.to_version, actor=cmd.actor.user,
             moves=moves, task_moves=task_moves, scope_moves=scope_moves,
             flow_moves=flow_moves, mapping=mapping)
    _rearm(run)


def _rearm(run: Run) -> None:
    for scope_id in list(run.state["scopes"]):
        arm_scope(run, scope_id)
    for token in sorted(run.state["tokens"].values(), key=lambda t: t["seq"]):
        element = run.definition.element(token["element"])
        if token["status"] == "event":
            if isinstance(element, TimerEvent):
                arm(run, element.timer, element.id, token["id"], hold=True)
            elif isinstance(element, (MessageEvent, SignalEvent)):
                subscribe(run, element, token["id"], hold=True)
            elif isinstance(element, EventGateway):
                from liucheng.engine.behaviors.timers import EventGatewayBehavior

                EventGatewayBehavior().enter(run, token)
        arm_boundaries(run, token)
