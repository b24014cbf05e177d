"""`generate`: the demo organisation, every template deployed, and months of history.

The engine's clock is pointed at the simulation while it runs and its service handlers are
restored afterwards, so the history is made through the Engine itself; a stand-in ERP
serves the engineering changes and now and then fails, leaving an incident to retry.
"""

from __future__ import annotations

import hashlib
import random
import time as wallclock
from datetime import datetime, time
from typing import Any

from liucheng.calendar import add_months, calendar_functions
from liucheng.demo.organisation import add_people, place_people
from liucheng.demo.plans import PLANS, case_counts
from liucheng.demo.plans.base import SHANGHAI
from liucheng.demo.simulation import Progress, Simulation, demo_calendar
from liucheng.demo.summary import DemoSummary, existing
from liucheng.runtime import Engine
from liucheng.runtime.service import ServiceCall
from liucheng.templates import list_templates, template_source


def generate(engine: Engine, *, months: int = 3, cases: int | None = None, seed: int = 0,
             progress: Progress | None = None, end: datetime | None = None) -> DemoSummary:
    """Create the demo organisation and `months` of history ending at `end` (default: now).

    `cases` is the total number of cases (about; by default about 2,500 for three months,
    hundreds per process).
    On a database that already has demo cases nothing is changed and the summary of what
    is there comes back with `created=False`.
    """
    found = existing(engine)
    if found.total:
        return found
    began = wallclock.monotonic()
    rng = random.Random(seed)
    finish = (end or engine.clock()).astimezone(SHANGHAI)
    start = datetime.combine(add_months(finish.date(), -months), time(8, 30), SHANGHAI)
    saved_clock, saved_handlers = engine.clock, dict(engine.handlers)
    for name, function in calendar_functions(demo_calendar(engine)).items():
        engine.functions.setdefault(name, function)  # the templates' date rules need them
    members: dict[str, list[str]] = {}
    sim = Simulation(engine, rng, start, finish, members, progress)
    engine.clock = lambda: sim.now
    try:
        members.update(add_people(engine, rng))
        place_people(engine, start)
        for info in list_templates():
            # named by its key, as the engine names it when it compiles it again, so the
            # compiled definition is reused from the cache
            engine.deploy(template_source(info.name), format="yaml", source_name=info.key,
                          by="demo")
            sim.definitions[info.key] = engine.process(info.key)
        _erp_stub(engine, rng)
        scan = hashlib.sha256(b"liucheng demo scan").hexdigest()
        for plan, count in zip(PLANS, case_counts(months, cases).values(), strict=True):
            sim.plan_cases(plan, count, scan)
        sim.run()
    finally:
        engine.clock = saved_clock
        engine.handlers.clear()
        engine.handlers.update(saved_handlers)
    summary = existing(engine)
    summary.created = True
    summary.tasks_done = sim.tasks_done
    summary.start, summary.end = start, finish
    summary.seconds = wallclock.monotonic() - began
    summary.problems = sim.problems
    if progress is not None:
        progress(sim.planned, sim.planned, "done")
    return summary


def _erp_stub(engine: Engine, rng: random.Random) -> None:
    """A stand-in ERP for the demo's engineering changes; now and then it is unreachable,
    which leaves an incident to look at and retry."""
    if "erp_engineering_change" in engine.handlers:
        return
    counter = {"n": 0}

    @engine.service("erp_engineering_change")
    def erp(call: ServiceCall) -> dict[str, Any]:
        counter["n"] += 1
        if rng.random() < 0.12:
            raise ConnectionError("ERP 接口超时 (timeout)")
        return {"erp_change_no": f"ECN-{counter['n']:05d}"}
