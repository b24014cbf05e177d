"""B1 by instruction count: `decide(CompleteTask)` work per case, under callgrind.

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=OUT \
        python -m bench.core_count MODEL COMPLETE [STARTED]

starts STARTED cases (default 2×COMPLETE, after 50 warm-up cases run to the end), then
completes the first COMPLETE of them as bench/core_side.py does. The instructions of two
runs with the same STARTED and COMPLETE = K and 2K differ by K cases' completions alone:
per case = (I(2K) − I(K)) / K. Deterministic, so one run of each is enough.
"""

from __future__ import annotations

import itertools
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.definitions import load
from bench.workload import ROLES, USER, step_data


def main(model: str, complete: int, started: int) -> None:
    from liucheng.engine import CompleteTask, Context, StartInstance, decide
    from liucheng.engine.commands import Actor

    definition = load(model).definition
    actor = Actor(USER, frozenset(ROLES))
    counter = itertools.count()
    base = datetime(2025, 1, 6, 9, tzinfo=UTC)

    def cases(count: int) -> list[tuple[Any, Context]]:
        contexts = [Context(now=base + timedelta(seconds=i),
                            new_id=lambda: f"{next(counter):032x}") for i in range(count)]
        return [(decide(definition, None, StartInstance(actor, {}), ctx).state, ctx)
                for ctx in contexts]

    def finish(pairs: list[tuple[Any, Context]]) -> None:
        for index, (state, ctx) in enumerate(pairs):
            data = step_data(index)
            while state["status"] == "active":
                for task_id in list(state["tasks"]):
                    state = decide(definition, state, CompleteTask(actor, task_id, data),
                                   ctx).state

    finish(cases(50))
    finish(cases(started)[:complete])


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], int(args[1]), int(args[2]) if len(args) > 2 else 2 * int(args[1]))
