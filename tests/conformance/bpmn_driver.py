"""Runs an imported BPMN model through the pure engine core, as the runtime would.

Every command also runs on a JSON save of the state (save → restore → continue must give
the same result) and the events so far must replay to the same state. Service handlers
are answered by the scenario (`complete_service`), people by `complete`, messages,
signals and due timers by `message`, `signal` and `fire_timers` (which moves the clock).
A call activity's `start_call` starts the called process, found by its id in the files
the manifest deploys with the case's own (`deploy_with`), as a case of its own; its
tasks are completed through the calling case, its end is reported back (`CompleteCall`),
what it throws and does not catch goes to the caller (`CatchFromCall`), and a calling
step that ends first cancels it, as `runtime/calls.py` does.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from bpmn_corpus import CORPUS, by_path

from liucheng.calendar import default_calendar
from liucheng.engine import (
    CancelInstance,
    ClaimTask,
    CompleteService,
    CompleteTask,
    Context,
    StartInstance,
    decide,
    replay,
)
from liucheng.engine.commands import SYSTEM, Actor, Command
from liucheng.engine.event_commands import (
    BroadcastSignal,
    CallStarted,
    CatchFromCall,
    CompleteCall,
    CorrelateMessage,
    FireTimer,
)
from liucheng.engine.schedule import first_due
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.model import MessageStartEvent, ProcessDefinition, TimerStartEvent
from liucheng.rules import jsontext

ADMIN = Actor("admin", admin=True)
_PROCESS_ID = re.compile(r"<(?:\w+:)?process\b[^>]*\bid=\"([^\"]+)\"")


@cache
def called_definition(deployed: tuple[str, ...], key: str) -> ProcessDefinition:
    """Process `key` from the files deployed with the case's own (the manifest's deploy_with)."""
    for path in deployed:
        text = (CORPUS / path).read_text(encoding="utf-8")
        if key in _PROCESS_ID.findall(text):
            return load_bpmn(text, path, process=key)
    raise AssertionError(f"none of {deployed} holds the called process '{key}'")


class Case:
    """One case of an imported definition, driven command by command."""

    def __init__(self, definition: ProcessDefinition, deployed: tuple[str, ...] = ()) -> None:
        self.definition = definition
        self.deployed = deployed  # the files called processes are looked for in
        self.calls: list[tuple[Case, str]] = []  # (called case, calling token)
        self.caller: tuple[Case, str] | None = None
        self.reported = False
        self.thrown: list[dict[str, Any]] = []  # throw_to_caller effects not handed over yet
        self.state: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self.services: dict[str, dict[str, Any]] = {}  # token -> invoke_service effect
        self.handled: list[str] = []
        self.counter = 0
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    @classmethod
    def load(cls, path: str) -> Case:
        deployed = tuple(p.strip() for p in by_path(path).deploy_with.split(";")
                         if (CORPUS / p.strip()).is_file())
        return cls(load_bpmn((CORPUS / path).read_text(encoding="utf-8"), path), deployed)

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
        for effect in live.effects:
            if effect["type"] == "start_call":
                self.start_call(effect)
            elif effect["type"] == "cancel_call":
                called = next(c for c, _ in self.calls if c.case_id == effect["case"])
                if called.status == "active":
                    called.run(CancelInstance(ADMIN, "the calling step ended"))
            elif effect["type"] == "throw_to_caller":
                self.thrown.append(effect)
        if self.caller is not None:
            self.hand_over_throws()
        if self.caller is not None and self.status != "active" and not self.reported:
            self.reported = True
            caller, token = self.caller
            caller.run(CompleteCall(ADMIN, token, self.case_id, self.status, self.variables))

    def start_call(self, effect: dict[str, Any]) -> None:
        """Start the called process (a file of the same corpus folder), as the runtime does."""
        called = Case(called_definition(self.deployed, effect["process"]), self.deployed)
        called.caller = (self, effect["token"])
        self.calls.append((called, effect["token"]))
        called.counter = self.counter
        called.state = None
        called.run_start({**effect["variables"], "parent_case": {
            "id": self.case_id, "token": effect["token"], "element": effect["element"]}})
        self.run(CallStarted(ADMIN, effect["token"], called.case_id))
        called.hand_over_throws()
        if called.status != "active" and not called.reported:
            called.reported = True
            self.run(CompleteCall(ADMIN, effect["token"], called.case_id, called.status,
                                  called.variables))

    def hand_over_throws(self) -> None:
        assert self.caller is not None
        caller, token = self.caller
        while self.thrown:
            effect = self.thrown.pop(0)
            caller.run(CatchFromCall(ADMIN, token, self.case_id, effect["kind"], effect["code"]))

    def run_start(self, variables: dict[str, Any]) -> None:
        caller, self.caller = self.caller, None  # report the end only once it is known
        self.run(StartInstance(ADMIN, variables))
        self.caller = caller

    @property
    def case_id(self) -> str:
        assert self.state is not None
        return str(self.state["root"])

    # -- commands ------------------------------------------------------------------------
    def start(self, actor: Actor = ADMIN, **variables: Any) -> Case:
        self.run(StartInstance(actor, variables))
        return self

    def task(self, name: str) -> dict[str, Any]:
        return self.holder(name)[1]

    def holder(self, name: str) -> tuple[Case, dict[str, Any]]:
        """The case (this one or a case it called) with the open task `name`, and the task."""
        assert self.state is not None
        found = [t for t in self.state["tasks"].values() if name in (t["name"], t["element"])]
        if found:
            return self, dict(found[0])
        for called, _ in self.calls:
            if called.state is not None and called.status == "active":
                with contextlib.suppress(AssertionError):
                    return called.holder(name)
        raise AssertionError(f"no open task '{name}'; open: {self.open_tasks()}")

    def claim(self, name: str, actor: Actor) -> Case:
        case, task = self.holder(name)
        case.run(ClaimTask(actor, task["id"]))
        return self

    def complete(self, name: str, actor: Actor = ADMIN, **variables: Any) -> Case:
        case, task = self.holder(name)
        case.run(CompleteTask(actor, task["id"], variables))
        return self

    def complete_service(self, handler: str, **outputs: Any) -> Case:
        token = next((t for t, e in self.services.items() if e["handler"] == handler), None)
        assert token is not None, f"no call of handler '{handler}' is waiting: {self.handlers()}"
        self.handled.append(handler)
        self.run(CompleteService(ADMIN, token, outputs))
        return self

    def message(self, name: str, key: Any = None, **payload: Any) -> Case:
        """Deliver message `name`: to what waits for it, or start the case on it."""
        if self.state is None:
            starts = [e for e in self.definition.elements
                      if isinstance(e, MessageStartEvent) and e.message == name]
            assert starts, f"the process does not start on message '{name}'"
            return self.start(**payload, message_key=key)
        self.run(CorrelateMessage(ADMIN, name, key, payload))
        return self

    def signal(self, name: str) -> Case:
        self.run(BroadcastSignal(ADMIN, name))
        return self

    def fire_timers(self, after: timedelta) -> Case:
        """Let `after` pass: a timer start starts the case, then every due timer fires."""
        until = self.now + after
        if self.state is None:
            starts = [e for e in self.definition.elements if isinstance(e, TimerStartEvent)]
            assert starts, "the process has no timer start event"
            due, _ = first_due(starts[0].timer, self.now, default_calendar())
            assert due <= until, f"the start timer is due only at {due}"
            self.now = due
            self.start(SYSTEM, timer_due_at=due.isoformat())
        for _ in range(100):
            assert self.state is not None
            due_timers = sorted((t["due_at"], t["id"]) for t in self.state.get("timers", {})
                                .values() if datetime.fromisoformat(t["due_at"]) <= until)
            if not due_timers:
                break
            self.now = max(self.now, datetime.fromisoformat(due_timers[0][0]))
            self.run(FireTimer(SYSTEM, due_timers[0][1]))
        self.now = max(self.now, until)
        return self

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
