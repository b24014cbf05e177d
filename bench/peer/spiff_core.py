"""B1, SpiffWorkflow side: the same model in memory with BpmnWorkflow.

Each case is a new `BpmnWorkflow(spec)` with `do_engine_steps()` (not timed); then the
ready user tasks are completed and `do_engine_steps()` run after each round, until the
workflow is completed. Timed: finding the ready tasks, `task.run()`, `do_engine_steps()`.
"""

from __future__ import annotations

from typing import Any

from bench.peer.spiff_models import complete, ready_user_tasks, spec, version
from bench.timing import Stopwatch, result, settle
from bench.workload import step_data


def run(params: dict[str, Any]) -> dict[str, object]:
    from SpiffWorkflow.bpmn import BpmnWorkflow

    workflow_spec = spec(params["model"])

    def one_case(index: int, watch: Stopwatch) -> int:
        workflow = BpmnWorkflow(workflow_spec)
        workflow.do_engine_steps()
        data = step_data(index)
        done = 0
        while not workflow.is_completed():
            with watch.measure():
                tasks = ready_user_tasks(workflow)
                for task in tasks:
                    complete(task, data)
                workflow.do_engine_steps()
            done += len(tasks)
            if not tasks:
                raise RuntimeError(f"case {index} is stuck before completion")
        return done

    warm = Stopwatch()
    for index in range(params.get("warmup", 50)):
        one_case(index, warm)
    settle()
    watch = Stopwatch()
    completions = sum(one_case(index, watch) for index in range(params["cases"]))
    return result(completions, watch.seconds, version=version())
