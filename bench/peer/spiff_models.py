"""Parsing the shared BPMN files with SpiffWorkflow's plain BpmnParser, and one step of work."""

from __future__ import annotations

from typing import Any

from bench.workload import MODELS


def spec(model_name: str) -> Any:
    from SpiffWorkflow.bpmn.parser import BpmnParser

    model = MODELS[model_name]
    parser = BpmnParser()
    parser.add_bpmn_file(str(model.bpmn_path))
    return parser.get_spec(model.process_id)


def ready_user_tasks(workflow: Any) -> list[Any]:
    from SpiffWorkflow.util.task import TaskState

    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def complete(task: Any, data: dict[str, int]) -> None:
    """What a person completing the task does: submit the form data, run the task."""
    task.data.update(data)
    task.run()


def version() -> str:
    from importlib.metadata import version as dist_version

    return dist_version("SpiffWorkflow")
