"""Exclusive, parallel and inclusive gateways, with their join rules.

Joins park arriving tokens (status `join`, remembering the flow they came by):
- parallel: fires when every incoming flow has a parked token, consuming the earliest
  one per flow, so a second token on the same flow waits for the next round;
- inclusive: fires when no other token of the scope can still reach the gateway,
  consuming the earliest parked token of each flow that has one. It is re-checked
  whenever the case is otherwise at rest, so a branch ending elsewhere releases it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.engine.state import tokens_in
from liucheng.model import InclusiveGateway

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


class ExclusiveGatewayBehavior:
    def enter(self, run: Run, token: Token) -> None:
        element = run.definition.element(token["element"])
        chosen = run.select(token, run.definition.outgoing(element.id), element.default,
                            exclusive=True)
        if chosen is not None:
            run.take(token, chosen)


def _parked(run: Run, token: Token) -> list[Token]:
    return sorted(
        (t for t in tokens_in(run.state, token["scope"])
         if t["element"] == token["element"] and t["status"] == "join"),
        key=lambda t: t["seq"],
    )


def _fire(run: Run, gateway: str, scope: str, consumed: list[str]) -> Token:
    new = run.ctx.new_id()
    flows = [run.state["tokens"][t]["flow"] for t in consumed]
    run.emit("join_fired", element=gateway, scope=scope, consumed=consumed, flows=flows,
             token=new)
    return run.state["tokens"][new]  # type: ignore[no-any-return]


class ParallelGatewayBehavior:
    def enter(self, run: Run, token: Token) -> None:
        incoming = run.definition.incoming(token["element"])
        if len(incoming) > 1:
            run.emit("join_waiting", token=token["id"], element=token["element"],
                     flow=token["flow"])
            parked = _parked(run, token)
            first: dict[str, str] = {}
            for t in parked:
                first.setdefault(t["flow"], t["id"])
            if any(f.id not in first for f in incoming):
                return
            token = _fire(run, token["element"], token["scope"], [first[f.id] for f in incoming])
        run.take(token, list(run.definition.outgoing(token["element"])))


class InclusiveGatewayBehavior:
    def enter(self, run: Run, token: Token) -> None:
        if len(run.definition.incoming(token["element"])) > 1 and token["status"] != "joined":
            run.emit("join_waiting", token=token["id"], element=token["element"],
                     flow=token["flow"])
            return  # settled by settle_inclusive_joins once the case is at rest
        split(run, token)


def split(run: Run, token: Token) -> None:
    element = run.definition.element(token["element"])
    chosen = run.select(token, run.definition.outgoing(element.id), element.default,
                        exclusive=False)
    if chosen is not None:
        run.take(token, chosen)


def settle_inclusive_joins(run: Run) -> bool:
    """Fire one inclusive join that no other token can still reach; True if one fired."""
    waiting = [t for t in run.state["tokens"].values() if t["status"] == "join"]
    for token in sorted(waiting, key=lambda t: t["seq"]):
        gateway = run.definition.element(token["element"])
        if not isinstance(gateway, InclusiveGateway):
            continue
        others = [t for t in tokens_in(run.state, token["scope"])
                  if not (t["element"] == gateway.id and t["status"] == "join")]
        if any(run.definition.reaches(t["element"], gateway.id) for t in others):
            continue
        first: dict[str, str] = {}
        for t in _parked(run, token):
            first.setdefault(t["flow"], t["id"])
        joined = _fire(run, gateway.id, token["scope"], list(first.values()))
        split(run, joined)
        return True
    return False
