"""The demo's simulated clock and the people working the cases.

`Simulation` is a discrete-event loop over a heap of (moment, action): starting a case,
claiming a task, completing it. Moments advance through working hours on the engine's
business calendar; each task waits in its queue for a while (long at the plan's
bottleneck), is claimed, worked and completed with the plan's data by someone who holds
the role and is not barred by a separation-of-duties rule. A step refused because its
office is closed is planned again for the day it opens.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from liucheng.calendar import BusinessCalendar
from liucheng.demo.plans import Case, Plan
from liucheng.demo.plans.base import SHANGHAI
from liucheng.demo.summary import MARKER
from liucheng.errors import LiuchengError, StateError
from liucheng.model import ProcessDefinition, UserTask
from liucheng.runtime import Engine
from liucheng.runtime.views import TaskView

Progress = Callable[[int, int, str], None]


class Simulation:
    def __init__(self, engine: Engine, rng: random.Random, begin: datetime, end: datetime,
                 members: dict[str, list[str]], progress: Progress | None) -> None:
        self.engine = engine
        self.rng = rng
        self.calendar = demo_calendar(engine)
        self.begin, self.end, self.now = begin, end, begin
        self.members = members
        self.progress = progress
        self.heap: list[tuple[datetime, int, Callable[[], None]]] = []
        self.seq = 0
        self.definitions: dict[str, ProcessDefinition] = {}
        self.cases: list[Case] = []
        self.planned = 0
        self.started = 0
        self.tasks_done = 0
        self.problems: list[str] = []
        self.generation: dict[str, int] = {}

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        if when <= self.end:
            self.seq += 1
            heapq.heappush(self.heap, (when, self.seq, action))

    def run(self) -> None:
        while self.heap:
            when, _, action = heapq.heappop(self.heap)
            self.now = max(self.now, when)
            action()

    def problem(self, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(text)

    # -- cases -----------------------------------------------------------------------
    def plan_cases(self, plan: Plan, count: int, scan: str) -> None:
        for i, moment in enumerate(plan.starts(self.rng, self.calendar, self.begin, self.end,
                                               count)):
            self.at(moment, self.starter(plan, self.rng.randrange(2**32), i, scan))
            self.planned += 1

    def starter(self, plan: Plan, seed: int, n: int, scan: str) -> Callable[[], None]:
        return lambda: self.start(plan, seed, n, scan)

    def start(self, plan: Plan, seed: int, n: int, scan: str) -> None:
        case = Case("", plan.key, random.Random(seed), scan=scan)
        case.extra.update(officers=self.members["loan_officer"],
                          nurses=self.members["circulating_nurse"],
                          surgeons=self.members["surgeon"],
                          anaesthetists=self.members["anaesthetist"], calendar=self.calendar)
        variables = plan.start_vars(case, self.now)
        starter = case.rng.choice(self.members[plan.starter])
        key = f"{MARKER}{plan.key.upper()}-{self.now:%y%m}-{n + 1:04d}"
        try:
            view = self.engine.start(plan.key, variables, user=starter, business_key=key)
        except LiuchengError as exc:
            self.problem(f"{plan.key}: cannot start: {exc}")
            return
        case.id, case.vars = view.id, dict(view.variables)
        self.cases.append(case)
        self.started += 1
        if self.progress is not None:
            self.progress(self.started, self.planned, plan.key)
        self.watch(case, plan)

    def watch(self, case: Case, plan: Plan) -> None:
        """Plan the work of every task of `case` that has just opened."""
        # in step order, not id order: the same seed must give the same history
        for task in sorted(self.engine.tasks(case=case.id, limit=200), key=lambda t: t.element):
            if task.id not in case.seen:
                case.seen.add(task.id)
                self.schedule(case, plan, task, self.now)

    def schedule(self, case: Case, plan: Plan, task: TaskView, ready: datetime) -> None:
        gen = self.generation[task.id] = self.generation.get(task.id, 0) + 1
        cal, r = self.calendar, case.rng
        begin = cal.add_working_hours(ready, r.uniform(*plan.wait(task.element)))
        floor = plan.not_before(case, task.element, ready)
        if floor is not None and begin < floor:
            begin = cal.add_working_hours(floor, r.uniform(0.0, 0.5))
        finish = cal.add_working_hours(begin, r.uniform(*plan.work(task.element)))
        user = task.assignee or self.pick(case, task)
        if user is None:
            self.problem(f"{case.key} {task.element}: nobody may do it")
            return
        # people take pool tasks when they start on them; to keep the run short, half of
        # the quick steps are simply completed (the claim is then implicit)
        if task.assignee is None and (task.element == plan.bottleneck or r.random() < 0.5):
            self.at(begin, lambda: self.act(case, plan, task, user, gen, claim=True))
        self.at(finish, lambda: self.act(case, plan, task, user, gen, claim=False))

    def pick(self, case: Case, task: TaskView) -> str | None:
        element = self.definitions[case.key].element(task.element)
        barred = set()
        if isinstance(element, UserTask):
            others = set(element.distinct_from) | {
                e.id for e, _ in self.definitions[case.key].walk()
                if isinstance(e, UserTask) and element.id in e.distinct_from}
            barred = {case.done_by[o] for o in others if o in case.done_by}
        choices = [u for u in self.members.get(task.role or "", []) if u not in barred]
        return case.rng.choice(choices) if choices else None

    def act(self, case: Case, plan: Plan, task: TaskView, user: str, gen: int, *,
            claim: bool) -> None:
        if self.generation.get(task.id) != gen:
            return  # re-planned after a refusal
        try:
            if claim:
                self.engine.claim(task.id, user=user)
                return
            variables, outcome = plan.data(case, task.element, self.now)
            documents = self.documents(case, task.element)
            if documents:
                variables["documents"] = documents
            view = self.engine.complete(task.id, variables, user=user, outcome=outcome)
        except StateError as exc:
            again = exc.context.get("next_open")
            if again and self.generation[task.id] < 6:
                self.schedule(case, plan, task, datetime.combine(
                    date.fromisoformat(str(again)), time(8, 30), SHANGHAI))
            else:
                self.problem(f"{case.key} {task.element}: {exc}")
            return
        except LiuchengError as exc:
            self.problem(f"{case.key} {task.element}: {exc}")
            return
        case.vars = dict(view.variables)
        case.done_by[task.element] = user
        case.times[task.element] = case.times.get(task.element, 0) + 1
        self.tasks_done += 1
        if view.status == "active":
            try:
                plan.after(self.engine, case, task.element, user)
            except LiuchengError as exc:
                self.problem(f"{case.key} {task.element}: {exc}")
            self.watch(case, plan)

    def documents(self, case: Case, step: str) -> dict[str, Any]:
        element = self.definitions[case.key].element(step)
        return {d.id: ({"checked": True, "files": [case.scan]} if d.scan else True)
                for d in getattr(element, "documents", ())}


def demo_calendar(engine: Engine) -> BusinessCalendar:
    """The engine's business calendar, else the default one."""
    from liucheng.calendar import default_calendar

    cal = getattr(engine, "calendar", None)
    return cal if isinstance(cal, BusinessCalendar) else default_calendar()
