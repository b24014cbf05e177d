"""The ceilings' script: every row the Engine writes, worked out in advance by the pure core.

A ceiling must do the same reads and writes as the Engine with no engine in between, so
its work is computed before the clock starts: `decide` runs each case exactly as the
Engine's client loop will (start; then, round by round, complete every open task) and
each completion becomes a `Step` holding the instance state to write back, the event
rows, the task rows that end and the task and candidate rows that are created — the
same rows `Repository.persist_events` materialises.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.definitions import Loaded
from bench.workload import ROLES, USER, step_data

Row = dict[str, Any]


@dataclass
class Step:
    """One completion transaction (or, for `Case.start`, the start's rows)."""

    case: str
    task: str | None
    version: int  # the instance version it reads; it writes version + 1
    state: Row
    events: list[Row]
    ended: list[Row] = field(default_factory=list)
    created: list[Row] = field(default_factory=list)
    candidates: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Case:
    id: str
    start: Step
    rounds: list[list[Step]]

    @property
    def completions(self) -> int:
        return sum(len(r) for r in self.rounds)


def _rows(step: Step, key: str) -> None:
    """Fold the events into task rows the way the repository's materialisers do."""
    claims: dict[str, Row] = {}
    for e in step.events:
        if e["type"] == "task_created":
            step.created.append({
                "id": e["task"], "instance_id": step.case, "definition_key": key,
                "element": e["element"], "name": e.get("name") or e["element"], "status": "open",
                "role": (e.get("roles") or [None])[0], "assignee": e.get("assignee"),
                "priority": e.get("priority", 50), "created_at": e["at"],
                "claimed_at": e["at"] if e.get("assignee") else None})
            step.candidates += [(e["task"], "role", r) for r in e.get("roles") or []]
            step.candidates += [(e["task"], "user", u) for u in e.get("candidate_users") or []]
        elif e["type"] == "task_claimed":
            claims[e["task"]] = {"assignee": e["actor"], "claimed_at": e["at"]}
        elif e["type"] in ("task_completed", "task_cancelled"):
            done = e["type"] == "task_completed"
            step.ended.append({
                "id": e["task"], "status": "completed" if done else "cancelled",
                **claims.get(e["task"], {"assignee": None, "claimed_at": None}),
                "completed_at": e["at"], "completed_by": e.get("actor") if done else None,
                "outcome": e.get("outcome"), "data": e.get("data")})


def build(loaded: Loaded, cases: int, client: int = 0) -> list[Case]:
    """`cases` cases of one client; ids start with the client number, so clients never clash."""
    from liucheng.engine import CompleteTask, Context, StartInstance, decide
    from liucheng.engine.commands import Actor

    definition = loaded.definition
    actor = Actor(USER, frozenset(ROLES))
    counter = itertools.count()
    base = datetime(2025, 1, 6, 9, tzinfo=UTC)
    out: list[Case] = []
    for index in range(cases):
        ctx = Context(now=base + timedelta(seconds=index),
                      new_id=lambda: f"{client:04x}{next(counter):028x}")
        decision = decide(definition, None, StartInstance(actor, {}), ctx)
        case_id = decision.state["root"]
        start = Step(case_id, None, 0, decision.state, decision.events)
        _rows(start, definition.key)
        state, version, rounds = decision.state, 1, []
        while state["status"] == "active":
            this_round = []
            for task_id in list(state["tasks"]):
                command = CompleteTask(actor, task_id, step_data(index))
                decision = decide(definition, state, command, ctx)
                step = Step(case_id, task_id, version, decision.state, decision.events)
                _rows(step, definition.key)
                this_round.append(step)
                state, version = decision.state, version + 1
            rounds.append(this_round)
        out.append(Case(case_id, start, rounds))
    return out
