"""`apply` for the events of timers, messages and signals (registered in events.APPLY).

State keys (absent in older saved states, which read as empty — no schema upgrade):

    "timers":        {id: {"id", "element", "token", "due_at", "fired"}}
    "subscriptions": {id: {"id", "element", "token", "kind": "message"|"signal", "name",
                           "key"}}

`element` is the timer or catch event (or boundary event); `token` the token it belongs
to: the catch event's own token, the activity's token for a boundary event, the gateway's
token for an event gateway. The start of an event sub-process belongs to its enclosing
scope instead: `token` is None and `scope` names the scope (`owner_scope` on its event
incidents). A token waiting for an event has status `event`.
A token at a call activity has status `call` and, once the runtime has started the
called case, `called_case`. The nested dicts are replaced, never edited, because saved
copies share them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

State = dict[str, Any]
Event = dict[str, Any]


def _timer_armed(s: State, e: Event) -> None:
    s["timers"] = {**s.get("timers", {}), e["timer"]: {
        "id": e["timer"], "element": e["element"], "token": e["token"], "due_at": e["due_at"],
        "fired": e.get("fired", 0), **({"anchor": e["anchor"]} if e.get("anchor") else {}),
        **({"scope": e["scope"]} if e.get("scope") else {}),
        **({"purpose": e["purpose"]} if e.get("purpose") else {})}}
    if e.get("hold"):
        s["tokens"][e["token"]]["status"] = "event"


def _timer_gone(s: State, e: Event) -> None:
    timers = dict(s.get("timers", {}))
    timers.pop(e["timer"], None)
    s["timers"] = timers


def _subscribed(s: State, e: Event) -> None:
    s["subscriptions"] = {**s.get("subscriptions", {}), e["subscription"]: {
        "id": e["subscription"], "element": e["element"], "token": e["token"],
        "kind": e["kind"], "name": e["name"], "key": e.get("key"),
        **({"scope": e["scope"]} if e.get("scope") else {})}}
    if e.get("hold"):
        s["tokens"][e["token"]]["status"] = "event"


def _unsubscribed(s: State, e: Event) -> None:
    subs = dict(s.get("subscriptions", {}))
    subs.pop(e["subscription"], None)
    s["subscriptions"] = subs


def _event_incident(s: State, e: Event) -> None:
    """An incident that leaves the token's status alone (its task may still be open)."""
    if e.get("timer"):
        _timer_gone(s, e)
    s["incidents"][e["incident"]] = {
        "id": e["incident"], "token": None, "owner_token": e["token"], "element": e["element"],
        "reason": e["reason"], "created_at": e["at"], "kind": e.get("kind", "schedule"),
        **({"owner_scope": e["scope"]} if e.get("scope") else {})}


def _migrated(s: State, e: Event) -> None:
    for token_id, element in e["moves"].items():
        s["tokens"][token_id]["element"] = element
    for task_id, element in e.get("task_moves", {}).items():
        s["tasks"][task_id]["element"] = element
    for scope_id, element in e.get("scope_moves", {}).items():
        s["scopes"][scope_id]["element"] = element
    for token_id, flow in e.get("flow_moves", {}).items():
        s["tokens"][token_id]["flow"] = flow
    s["definition_version"] = e["to_version"]


def _call_requested(s: State, e: Event) -> None:
    s["tokens"][e["token"]]["status"] = "call"


def _call_started(s: State, e: Event) -> None:
    s["tokens"][e["token"]]["called_case"] = e["case"]


def _call_completed(s: State, e: Event) -> None:
    s["tokens"][e["token"]].pop("called_case", None)


def _noop(s: State, e: Event) -> None:
    return None


APPLY: dict[str, Callable[[State, Event], None]] = {
    "timer_armed": _timer_armed,
    "timer_cancelled": _timer_gone,
    "timer_fired": _timer_gone,
    "event_incident": _event_incident,
    "subscription_opened": _subscribed,
    "subscription_closed": _unsubscribed,
    "message_correlated": _noop,
    "signal_received": _noop,
    "error_thrown": _noop,
    "escalation_thrown": _noop,
    "reminder_sent": _noop,
    "instance_migrated": _migrated,
    "call_requested": _call_requested,
    "call_started": _call_started,
    "call_completed": _call_completed,
}
