"""`apply` for the events of multi-instance activities (registered in events.APPLY).

The activity's token carries `mi` = {count, items, sequential, opened, done, outputs,
records}; each running instance is a scope with `index` and its own `variables`.
Nested values are replaced, never edited, because saved copies share them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

State = dict[str, Any]
Event = dict[str, Any]


def _entered(s: State, e: Event) -> None:
    token = s["tokens"][e["token"]]
    token["status"] = "multi"
    token["mi"] = {"count": e["count"], "items": e.get("items"), "sequential": e["sequential"],
                   "opened": 0, "done": 0, "outputs": [None] * e["count"],
                   "records": [None] * e["count"]}


def _opened(s: State, e: Event) -> None:
    s["scopes"][e["scope"]] = {"id": e["scope"], "element": e["element"],
                               "parent_token": e["token"], "index": e["index"],
                               "variables": dict(e["variables"])}
    token = s["tokens"][e["token"]]
    token["mi"] = {**token["mi"], "opened": token["mi"]["opened"] + 1}


def _done(s: State, e: Event) -> None:
    s["scopes"].pop(e["scope"], None)
    token = s["tokens"][e["token"]]
    mi = token["mi"]
    outputs, records = list(mi["outputs"]), list(mi["records"])
    outputs[e["index"]] = e.get("output")
    records[e["index"]] = e.get("record")
    token["mi"] = {**mi, "done": mi["done"] + 1, "outputs": outputs, "records": records}


APPLY: dict[str, Callable[[State, Event], None]] = {
    "multi_instance_entered": _entered,
    "multi_instance_opened": _opened,
    "multi_instance_done": _done,
    "multi_instance_completed": lambda s, e: None,
}
