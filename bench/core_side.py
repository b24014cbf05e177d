"""B1, liucheng side: user-task completions per second through the pure core, in memory.

All cases are started with `StartInstance` first (not timed); then each case's open
tasks (`state["tasks"]`) are completed with `CompleteTask`, one `decide` call each, until
the case ends, with one `Context` per case made beforehand. Only the
`decide(CompleteTask)` calls are timed (and the profile looks only below `decide`).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.definitions import load
from bench.timing import Stopwatch, result, settle
from bench.workload import ROLES, USER, step_data


def complete_all(definition: Any, actor: Any, states: list[Any], contexts: list[Any],
                 watch: Stopwatch) -> int:
    from liucheng.engine import CompleteTask, decide

    done = 0
    for index, (state, ctx) in enumerate(zip(states, contexts, strict=True)):
        data = step_data(index)
        while state["status"] == "active":
            for task_id in list(state["tasks"]):
                command = CompleteTask(actor, task_id, data)
                with watch.measure():
                    state = decide(definition, state, command, ctx).state
                done += 1
    return done


def run(params: dict[str, Any]) -> dict[str, object]:
    from liucheng.engine import Context, StartInstance, decide
    from liucheng.engine.commands import Actor

    loaded = load(params["model"])
    definition = loaded.definition
    actor = Actor(USER, frozenset(ROLES))
    counter = itertools.count()
    base = datetime(2025, 1, 6, 9, tzinfo=UTC)

    def context(n: int) -> Context:
        return Context(now=base + timedelta(seconds=n), new_id=lambda: f"{next(counter):032x}")

    def started(count: int) -> tuple[list[Any], list[Context]]:
        contexts = [context(i) for i in range(count)]
        return [decide(definition, None, StartInstance(actor, {}), ctx).state
                for ctx in contexts], contexts

    complete_all(definition, actor, *started(params.get("warmup", 50)), Stopwatch())
    states, contexts = started(params["cases"])
    settle()
    watch = Stopwatch()
    completions = complete_all(definition, actor, states, contexts, watch)
    return result(completions, watch.seconds, loader=loaded.loader)
