"""Drives the pure core like the runtime does, checking save/restore and replay each step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from liucheng.engine import (
    CompleteService,
    CompleteTask,
    Context,
    FailService,
    RetryIncident,
    SetVariables,
    StartInstance,
    decide,
    replay,
)
from liucheng.engine.commands import Actor, Command
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import ProcessDefinition
from liucheng.rules import jsontext

ADMIN = Actor("admin", admin=True)


class Case:
    """One case of a definition, run through `decide` with deterministic time and ids."""

    def __init__(self, definition: ProcessDefinition | str) -> None:
        self.definition = (load_yaml(definition, "test.yaml") if isinstance(definition, str)
                           else definition)
        self.state: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self.effects: list[dict[str, Any]] = []
        self.counter = 0
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def _ctx(self, start: int) -> Context:
        counter = iter(range(start, start + 100_000))
        return Context(now=self.now, new_id=lambda: f"id{next(counter)}")

    def run(self, command: Command) -> None:
        """Run on the live state and on a JSON save of it; both must agree, and replay too."""
        start = self.counter
        saved = jsontext.loads(jsontext.dumps(self.state)) if self.state is not None else None
        live = decide(self.definition, self.state, command, self._ctx(start))
        restored = decide(self.definition, saved, command, self._ctx(start))
        assert restored.state == live.state, "save → restore → continue diverged"
        assert restored.events == live.events
        ids = [e for e in live.events]
        self.counter = start + 100_000 if ids else start
        self.events += live.events
        assert replay(self.events) == live.state, "replaying the events gave another state"
        jsontext.dumps(live.state)  # state stays plain JSON (exact decimals)
        self.state = live.state
        self.effects = live.effects
        self.now += timedelta(minutes=5)
        self.check_no_zombies()

    def check_no_zombies(self) -> None:
        assert self.state is not None
        waiting = {t["id"] for t in self.state["tokens"].values() if t["status"] == "waiting"}
        owners = {t["token"] for t in self.state["tasks"].values()}
        assert waiting == owners, "every open task belongs to a waiting token and back"
        tokens, scopes = self.state["tokens"], self.state["scopes"]
        assert all(s["parent_token"] is None or s["parent_token"] in tokens
                   for s in scopes.values()), "a scope outlived the token it belongs to"
        assert all(t["scope"] in scopes for t in tokens.values()), "a token in a closed scope"
        for t in tokens.values():
            if t["status"] == "multi":  # one open scope per instance running
                running = [s for s in scopes.values() if s["parent_token"] == t["id"]]
                assert len(running) == t["mi"]["opened"] - t["mi"]["done"]

    # -- conveniences --------------------------------------------------------------------
    def start(self, actor: Actor = ADMIN, **variables: Any) -> Case:
        self.run(StartInstance(actor, variables))
        return self

    @property
    def status(self) -> str:
        assert self.state is not None
        return str(self.state["status"])

    def open_steps(self) -> list[str]:
        assert self.state is not None
        return sorted(t["element"] for t in self.state["tasks"].values())

    def task_id(self, element: str) -> str:
        assert self.state is not None
        matches = [t["id"] for t in self.state["tasks"].values() if t["element"] == element]
        assert matches, f"no open task at {element}; open: {self.open_steps()}"
        return matches[0]

    def complete(self, element: str, actor: Actor = ADMIN, outcome: str | None = None,
                 **variables: Any) -> Case:
        self.run(CompleteTask(actor, self.task_id(element), variables, outcome))
        return self

    def set(self, **variables: Any) -> Case:
        self.run(SetVariables(ADMIN, variables))
        return self

    def incidents(self) -> list[dict[str, Any]]:
        assert self.state is not None
        return list(self.state["incidents"].values())

    def retry(self) -> Case:
        self.run(RetryIncident(ADMIN, self.incidents()[0]["id"]))
        return self

    def service_done(self, **outputs: Any) -> Case:
        effect = self.effects[0]
        self.run(CompleteService(ADMIN, effect["token"], outputs))
        return self

    def service_failed(self, error: str) -> Case:
        self.run(FailService(ADMIN, self.effects[0]["token"], error))
        return self

    def visited(self, element: str) -> int:
        return sum(1 for e in self.events
                   if e["type"] == "element_entered" and e["element"] == element)
