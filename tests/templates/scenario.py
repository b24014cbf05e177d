"""Scenario-test helpers: an injected clock in Asia/Shanghai that the test moves, and an
`Office` — one template deployed with a user per role — with short ways to work a case."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from liucheng.runtime import Engine
from liucheng.runtime.views import CaseView, TaskView
from liucheng.templates import template_source

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCAN = hashlib.sha256(b"scan").hexdigest()  # stands for an uploaded scan


def ticked(element: Any) -> dict[str, Any]:
    """Every checklist item of a step ticked, with a scan attached where one is needed."""
    return {d.id: ({"checked": True, "files": [SCAN]} if d.scan else True)
            for d in getattr(element, "documents", ())}


class Clock:
    """The engine's clock; tests set or advance it between commands."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> None:
        self.now = datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Office:
    """A deployed template with users `<role>.a` and `<role>.b` for each of its roles."""

    def __init__(self, engine: Engine, clock: Clock, name: str) -> None:
        self.engine = engine
        self.clock = clock
        # named by its key, so `engine.process` reuses the compiled definition
        view = engine.deploy(template_source(name), source_name=name)
        self.key = view.key
        self.definition = engine.process(view.key)
        for role in self.definition.roles:
            for n in ("a", "b"):
                engine.add_user(f"{role.id}.{n}", f"{role.name.zh}{n}", roles=[role.id])

    def user(self, role: str, n: str = "a") -> str:
        return f"{role}.{n}"

    def start(self, variables: dict[str, Any] | None = None, *, user: str | None = None,
              business_key: str | None = None) -> str:
        starter = user or self.user(self.definition.roles[0].id)
        return self.engine.start(self.key, variables or {}, user=starter,
                                 business_key=business_key).id

    def tasks(self, case: str) -> list[TaskView]:
        return self.engine.tasks(case=case)

    def open_steps(self, case: str) -> list[str]:
        return sorted(t.element for t in self.tasks(case))

    def task(self, case: str, step: str) -> TaskView:
        found = [t for t in self.tasks(case) if t.element == step]
        assert len(found) == 1, f"expected one open '{step}', open: {self.open_steps(case)}"
        return found[0]

    def do(self, case: str, step: str, outcome: str | None = None, *, user: str | None = None,
           documents: dict[str, Any] | None = None, **variables: Any) -> CaseView:
        """Complete the open task of `step`: by `user`, else its assignee, else its role's `.a`.

        Every checklist item of the step is ticked (with a scan where it needs one) unless
        `documents` says otherwise.
        """
        task = self.task(case, step)
        who = user or task.assignee or self.user(task.role or "")
        if documents is None:
            documents = ticked(self.definition.element(step))
        if documents:
            variables["documents"] = documents
        return self.engine.complete(task.id, variables, user=who, outcome=outcome)

    def case(self, case: str) -> CaseView:
        return self.engine.case(case)

    def var(self, case: str, name: str) -> Any:
        return self.case(case).variables[name]

    def status(self, case: str) -> str:
        return self.case(case).status

    def done_steps(self, case: str) -> list[str]:
        """The steps completed so far, in order, from the case's history."""
        return [h.element or "" for h in self.engine.history(case) if h.type == "task_completed"]

    def ended_at(self, case: str) -> list[str]:
        """The top-level end events the case reached, in order."""
        ends = {e.id for e in self.definition.elements if e.kind == "end_event"}
        return [h.element or "" for h in self.engine.history(case)
                if h.type == "element_entered" and h.element in ends]



def id_number(birth: str = "1980-01-01", sequence: int = 123, region: str = "370102") -> str:
    """A valid resident ID number (GB 11643) for someone born on `birth`."""
    from liucheng.rules.validators import id_check_char

    first17 = region + birth.replace("-", "") + f"{sequence:03d}"
    return first17 + id_check_char(first17)


def bank_card(prefix: str = "622202100000000") -> str:
    """A bank card number with a valid Luhn check digit."""
    digits = [int(d) for d in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)
