"""Runs an imported BPMN model through the pure engine core, as the runtime would.

Every command also runs on a JSON save of the state (save → restore → continue must give
the same result) and the events so far must replay to the same state. Service handlers
are answered by the scenario (`complete_service`), people by `complete`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bpmn_corpus import CORPUS

from liucheng.engine import (
    ClaimTask,
    CompleteService,
    CompleteTask,
    Context,
    StartInstance,
    decide,
    replay,
)
from liucheng.engine.commands import Actor, Command
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.model import ProcessDefinition
from liucheng.rules import jsontext

ADMIN = Actor("admin", admin=True)


class Case:
    """One case of an imported definition, driven command by command."""

    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self.state: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self.services: dict[str, dict[str, Any]] = {}  # token -> invoke_service effect
        self.handled: list[str] = []
        self.counter = 0
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    @classmethod
    def load(cls, path: str) -> Case:
        return cls(load_bpmn((CORPUS / path).read_text(encoding="utf-8"), path))

    def run(self, command: Command) -> None:
        start = self.counter

        def ctx() -> Context:
            ids = iter(range(start, start + 100_000))
            return Context(now=self.now, new_id=lambda: f"id{next(ids)}")

        saved = jsontext.loads(jsontext.dumps(self.state)) if self.state is not None else None
        live = decide(self.definition, self.state, command, ctx())
        restored = decide(self.definition, saved, command, ctx())
        assert restored.state == live.state, "save → restore → continue diverged"
        self.events += live.events
        assert replay(self.events) == live.state, "replaying the events gave another state"
        self.counter = start + 100_000
        self.state = live.state
        self.now += timedelta(minutes=5)
        for effect in live.effects:
            if effect["type"] == "invoke_service":
                self.services[effect["token"]] = effect
        waiting = {t["id"] for t in self.state["tokens"].values() if t["status"] == "service"}
        self.services = {k: v for k, v in self.services.items() if k in waiting}

    # -- commands ------------------------------------------------------------------------
    def start(self, actor: Actor = ADMIN, **variables: Any) -> Case:
        self.run(StartInstance(actor, variables))
        return self

    def task(self, name: str) -> dict[str, Any]:
        assert self.state is not None
        found = [t for t in self.state["tasks"].values() if name in (t["name"], t["element"])]
        assert found, f"no open task '{name}'; open: {self.open_tasks()}"
        return dict(found[0])

    def claim(self, name: str, actor: Actor) -> Case:
        self.run(ClaimTask(actor, self.task(name)["id"]))
        return self

    def complete(self, name: str, actor: Actor = ADMIN, **variables: Any) -> Case:
        self.run(CompleteTask(actor, self.task(name)["id"], variables))
        return self

    def complete_service(self, handler: str, **outputs: Any) -> Case:
        token = next((t for t, e in self.services.items() if e["handler"] == handler), None)
        assert token is not None, f"no call of handler '{handler}' is waiting: {self.handlers()}"
        self.handled.append(handler)
        self.run(CompleteService(ADMIN, token, outputs))
        return self

    def message(self, name: str, **payload: Any) -> Case:
        raise NotImplementedError(f"liucheng's engine has no message events ('{name}')")

    def signal(self, name: str) -> Case:
        raise NotImplementedError(f"liucheng's engine has no signal events ('{name}')")

    def fire_timers(self, after: timedelta) -> Case:
        raise NotImplementedError("liucheng's engine core has no BPMN timer events")

    # -- observations --------------------------------------------------------------------
    @property
    def status(self) -> str:
        assert self.state is not None
        return str(self.state["status"])

    @property
    def variables(self) -> dict[str, Any]:
        assert self.state is not None
        return dict(self.state["variables"])

    def open_tasks(self) -> list[str]:
        assert self.state is not None
        return sorted(t["name"] for t in self.state["tasks"].values())

    def handlers(self) -> list[str]:
        return sorted(e["handler"] for e in self.services.values())

    def incidents(self) -> list[str]:
        assert self.state is not None
        return sorted(i["element"] for i in self.state["incidents"].values())

    def visited(self, element: str) -> int:
        return sum(1 for e in self.events
                   if e["type"] == "element_entered" and e["element"] == element)
