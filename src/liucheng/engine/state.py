"""Instance state: plain JSON-able data with a schema version, and its upgrade chain.

Shape (schema 1)::

    {"schema_version": 1, "status": "active", "variables": {...},
     "tokens":   {id: {"id", "element", "scope", "status", "flow", "seq"}},
     "scopes":   {id: {"id", "element", "parent_token"}},
     "tasks":    {id: {"id", "element", "token", "name", "roles", "assignee",
                       "candidate_users", "priority", "created_at", "claimed_at"}},
     "incidents":{id: {"id", "token", "element", "reason", "created_at"}},
     "root": scope id, "seq": arrival counter, "started_by", "started_at", "ended_at"}

Token status: `active` (just arrived, to be processed), `waiting` (user task),
`service` (waiting for a handler), `join` (parked at a join), `scope` (a sub-process
waiting for its inner scope), `incident`. A token at a user task may carry `vote`
(countersign bookkeeping) and `assign_to` (a returned step goes back to its performer).
A multi-instance activity has one token at the activity (status `multi`, with `mi`:
count, items, how many instances were opened and are done, their outputs and step
records) and one scope per running instance (`index`, and `variables`: the instance's
own, such as the item and `loop_counter`); see engine/multi.py.
`joins` remembers, per scope and join gateway, the flows its last firing consumed, so a
return into one branch can restore the others. `cc` holds carbon copies with read times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from liucheng.errors import StateError

SCHEMA_VERSION = 1
State = dict[str, Any]

# Each function upgrades state from version N to N+1; index N-1 holds it.
UPGRADES: list[Callable[[State], State]] = []


def new_state() -> State:
    return {"schema_version": SCHEMA_VERSION, "status": "new", "variables": {}, "tokens": {},
            "scopes": {}, "tasks": {}, "incidents": {}, "joins": {}, "cc": {}, "root": None,
            "seq": 0}


def upgrade(state: State) -> State:
    """Bring saved state of an older schema version up to the current one."""
    version = state.get("schema_version", 1)
    if version > SCHEMA_VERSION:
        raise StateError(f"state schema {version} is newer than this liucheng ({SCHEMA_VERSION})",
                         hint="upgrade liucheng",
                         message_zh=f"此业务的数据格式版本 {version} 比本系统支持的版本"
                                    f"（{SCHEMA_VERSION}）新", hint_zh="请升级 liucheng")
    while version < SCHEMA_VERSION:
        state = UPGRADES[version - 1](state)
        version += 1
        state["schema_version"] = version
    return state


def copy_state(state: State) -> State:
    """A copy the core may change freely; nested variable values are replaced, never edited."""
    out = state.copy()
    for key in ("tokens", "scopes", "tasks", "incidents", "cc"):
        entries = state.get(key)
        out[key] = {k: v.copy() for k, v in entries.items()} if entries else {}
    out["joins"] = dict(state.get("joins", {}))
    out["variables"] = state["variables"].copy()
    return out


def tokens_in(state: State, scope: str) -> list[dict[str, Any]]:
    return [t for t in state["tokens"].values() if t["scope"] == scope]


def child_scopes(state: State, scope: str) -> list[str]:
    """Scopes nested (directly or not) inside `scope`."""
    owners = {t["id"]: t["scope"] for t in state["tokens"].values()}
    out: list[str] = []
    for sid, s in state["scopes"].items():
        parent = s["parent_token"]
        while parent is not None:
            parent_scope = owners.get(parent)
            if parent_scope == scope:
                out.append(sid)
                break
            parent = state["scopes"].get(parent_scope or "", {}).get("parent_token")
    return out


def is_instance(state: State, token: dict[str, Any]) -> bool:
    """Whether `token` is one instance of a multi-instance task (alone in its own scope)."""
    return bool(state["scopes"][token["scope"]]["element"] == token["element"])


def instance_scopes(state: State, scope: str) -> list[str]:
    """The multi-instance instance scopes `scope` lies in (itself included), innermost first."""
    if scope == state["root"]:
        return []  # the case's own scope (most work) lies in no instance
    out: list[str] = []
    current: str | None = scope
    while current is not None:
        entry = state["scopes"][current]
        if "variables" in entry:
            out.append(current)
        parent = entry["parent_token"]
        current = None if parent is None else state["tokens"][parent]["scope"]
    return out
