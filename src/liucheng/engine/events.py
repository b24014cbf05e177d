"""Events and `apply`, the only place instance state changes.

Every event is a JSON dict with a `type` and `at` (ISO time), plus `actor` where a person
or the system acted. The same events are the case's audit trail, stored append-only.
`replay(events)` folds `apply` over them from an empty state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from liucheng.engine.event_apply import APPLY as EVENT_APPLY
from liucheng.engine.multi_apply import APPLY as MULTI_APPLY
from liucheng.engine.state import State, new_state

Event = dict[str, Any]


def _started(s: State, e: Event) -> None:
    s.update(status="active", root=e["scope"], started_by=e.get("actor"), started_at=e["at"],
             business_key=e.get("business_key"))
    s["variables"] = dict(e.get("variables") or {})
    s["scopes"][e["scope"]] = {"id": e["scope"], "element": None, "parent_token": None}


def _scope_opened(s: State, e: Event) -> None:
    s["scopes"][e["scope"]] = {"id": e["scope"], "element": e["element"],
                               "parent_token": e["parent_token"]}
    s["tokens"][e["parent_token"]]["status"] = "scope"


def _scope_closed(s: State, e: Event) -> None:
    s["scopes"].pop(e["scope"], None)


def _entered(s: State, e: Event) -> None:
    s["seq"] += 1
    token = {"id": e["token"], "element": e["element"], "scope": e["scope"],
             "status": "active", "flow": e.get("flow"), "seq": s["seq"]}
    if e.get("assign_to"):
        token["assign_to"] = e["assign_to"]
    s["tokens"][e["token"]] = token


def _left(s: State, e: Event) -> None:
    s["tokens"].pop(e["token"], None)


def _join_waiting(s: State, e: Event) -> None:
    s["tokens"][e["token"]]["status"] = "join"


def _join_fired(s: State, e: Event) -> None:
    for token in e["consumed"]:
        s["tokens"].pop(token, None)
    s.setdefault("joins", {})[f"{e['scope']}:{e['element']}"] = list(e.get("flows") or [])
    s["seq"] += 1
    s["tokens"][e["token"]] = {"id": e["token"], "element": e["element"], "scope": e["scope"],
                               "status": "joined", "flow": None, "seq": s["seq"]}


def _task_created(s: State, e: Event) -> None:
    s["tokens"][e["token"]]["status"] = "waiting"
    s["tasks"][e["task"]] = {
        "id": e["task"], "element": e["element"], "token": e["token"], "name": e.get("name"),
        "roles": list(e.get("roles") or []), "assignee": e.get("assignee"),
        "owner": e.get("owner") or e.get("assignee"),
        "candidate_users": list(e.get("candidate_users") or []), "priority": e.get("priority", 50),
        "created_at": e["at"], "claimed_at": e["at"] if e.get("assignee") else None,
        "claimed": False, "status": e.get("status", "open"), "kind": e.get("kind", "main"),
        "main": e.get("main"), "added_by": e.get("added_by"), "due_at": e.get("due_at"),
        "position": e.get("position"),
        "on_behalf_of": e.get("on_behalf_of"), "after_signers": [], "urged_at": None,
        "delegated": False,
    }


def _task_claimed(s: State, e: Event) -> None:
    task = s["tasks"][e["task"]]
    task.update(assignee=e["actor"], owner=e["actor"], claimed_at=e["at"], claimed=True)


def _task_transferred(s: State, e: Event) -> None:
    s["tasks"][e["task"]].update(assignee=e["to"], owner=e["to"], claimed_at=e["at"],
                                 claimed=True, delegated=False, on_behalf_of=None)


def _task_delegated(s: State, e: Event) -> None:
    s["tasks"][e["task"]].update(assignee=e["to"], owner=e["owner"], delegated=True,
                                 claimed=True)


def _task_resolved(s: State, e: Event) -> None:
    task = s["tasks"][e["task"]]
    task.update(assignee=task["owner"], delegated=False, draft=e.get("data") or {})


def _task_status(status: str) -> Callable[[State, Event], None]:
    def change(s: State, e: Event) -> None:
        s["tasks"][e["task"]]["status"] = status

    return change


def _task_escalated(s: State, e: Event) -> None:
    task = s["tasks"][e["task"]]
    if e.get("to"):
        task.update(assignee=e["to"], owner=e["to"], claimed=True, on_behalf_of=None)
    else:
        task.update(assignee=None, owner=None, claimed=False, roles=list(e["roles"]),
                    candidate_users=[])


def _signers_pending(s: State, e: Event) -> None:
    s["tasks"][e["task"]]["after_signers"] = list(e["users"])


def _task_urged(s: State, e: Event) -> None:
    s["tasks"][e["task"]]["urged_at"] = e["at"]


def _join_restored(s: State, e: Event) -> None:
    s["seq"] += 1
    s["tokens"][e["token"]] = {"id": e["token"], "element": e["element"], "scope": e["scope"],
                               "status": "join", "flow": e["flow"], "seq": s["seq"]}


def _vote_opened(s: State, e: Event) -> None:
    s["tokens"][e["token"]]["vote"] = {
        "signers": list(e["signers"]), "mode": e["mode"], "ratio": e["ratio"],
        "veto": e["veto"], "approvals": 0, "rejections": 0, "voted": []}


def _vote_cast(s: State, e: Event) -> None:
    token = s["tokens"][e["token"]]
    vote = token["vote"]
    key = "approvals" if e["outcome"] == "approve" else "rejections"
    # replaced, not edited: copies of the state share nested values
    token["vote"] = {**vote, key: vote[key] + 1, "voted": [*vote["voted"], e["actor"]]}


def _cc_sent(s: State, e: Event) -> None:
    for cc_id, user in zip(e["ccs"], e["users"], strict=True):
        s.setdefault("cc", {})[cc_id] = {"id": cc_id, "user": user, "by": e["actor"],
                                        "task": e.get("task"), "at": e["at"], "read_at": None}


def _supplement_requested(s: State, e: Event) -> None:
    s["supplements"] = {**s.get("supplements", {}), e["supplement"]: {
        "id": e["supplement"], "item": e["item"], "note": e.get("note"), "by": e["actor"],
        "at": e["at"], "task": e.get("task"), "received_at": None, "received_by": None,
        "files": []}}


def _supplement_received(s: State, e: Event) -> None:
    entry = {**s["supplements"][e["supplement"]], "received_at": e["at"],
             "received_by": e["actor"], "files": list(e.get("files") or [])}
    s["supplements"] = {**s["supplements"], e["supplement"]: entry}


def _cc_read(s: State, e: Event) -> None:
    s["cc"][e["cc"]]["read_at"] = e["at"]


def _task_unclaimed(s: State, e: Event) -> None:
    s["tasks"][e["task"]].update(assignee=None, claimed_at=None)


def _task_ended(s: State, e: Event) -> None:
    s["tasks"].pop(e["task"], None)


def _variables_set(s: State, e: Event) -> None:
    if e.get("scope"):  # the own variables of one instance of a multi-instance activity
        scope = s["scopes"][e["scope"]]
        s["scopes"][e["scope"]] = {**scope, "variables": {**scope["variables"],
                                                          **e["variables"]}}
        return
    s["variables"] = {**s["variables"], **e["variables"]}


def _service_requested(s: State, e: Event) -> None:
    s["tokens"][e["token"]]["status"] = "service"


def _incident_raised(s: State, e: Event) -> None:
    s["tokens"][e["token"]]["status"] = "incident"
    s["incidents"][e["incident"]] = {"id": e["incident"], "token": e["token"],
                                     "element": e["element"], "reason": e["reason"],
                                     "created_at": e["at"]}


def _incident_resolved(s: State, e: Event) -> None:
    incident = s["incidents"].pop(e["incident"])
    token = s["tokens"].get(incident["token"])
    if token is not None:
        token["status"] = "active"


def _ended(status: str) -> Callable[[State, Event], None]:
    def end(s: State, e: Event) -> None:
        s.update(status=status, ended_at=e["at"])
        s["tokens"].clear()
        s["scopes"].clear()
        s["tasks"].clear()
        s["incidents"].clear()

    return end


APPLY: dict[str, Callable[[State, Event], None]] = {
    "instance_started": _started,
    "scope_opened": _scope_opened,
    "scope_closed": _scope_closed,
    "element_entered": _entered,
    "element_left": _left,
    "element_terminated": _left,
    "join_waiting": _join_waiting,
    "join_fired": _join_fired,
    "task_created": _task_created,
    "task_claimed": _task_claimed,
    "task_unclaimed": _task_unclaimed,
    "task_completed": _task_ended,
    "task_cancelled": _task_ended,
    "task_transferred": _task_transferred,
    "task_delegated": _task_delegated,
    "task_resolved": _task_resolved,
    "task_suspended": _task_status("suspended"),
    "task_resumed": _task_status("open"),
    "signers_pending": _signers_pending,
    "task_escalated": _task_escalated,
    "deadline_reminder": lambda s, e: None,
    "task_urged": _task_urged,
    "task_returned": lambda s, e: None,
    "join_restored": _join_restored,
    "vote_opened": _vote_opened,
    "vote_cast": _vote_cast,
    "vote_decided": lambda s, e: None,
    "cc_sent": _cc_sent,
    "cc_read": _cc_read,
    "comment_added": lambda s, e: None,
    "decision_evaluated": lambda s, e: None,
    "supplement_requested": _supplement_requested,
    "supplement_received": _supplement_received,
    "task_skipped": lambda s, e: None,
    "task_withdrawn": lambda s, e: None,
    "signers_added": lambda s, e: None,
    "signer_removed": lambda s, e: None,
    "variables_set": _variables_set,
    "service_requested": _service_requested,
    "service_completed": lambda s, e: None,
    "incident_raised": _incident_raised,
    "incident_resolved": _incident_resolved,
    "instance_completed": _ended("completed"),
    "instance_terminated": _ended("terminated"),
    "instance_cancelled": _ended("cancelled"),
    **EVENT_APPLY,
    **MULTI_APPLY,
}


def apply(state: State, event: Event) -> State:
    """Apply one event to `state` in place and return it."""
    APPLY[event["type"]](state, event)
    return state


def replay(events: Iterable[Event]) -> State:
    state = new_state()
    for event in events:
        apply(state, event)
    return state
