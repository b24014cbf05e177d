"""Step deadlines through the job executor: overdue steps escalate or are decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor
from testclock import Clock

MODEL = """
process: claim
roles: {clerk: 文员, boss: 主管, deputy: 副主管}
steps:
  - {id: apply, role: clerk}
  - id: review
    role: boss
    outcomes: [approve, reject]
    due: {working_hours: 4}
    deadline: {overdue: OVERDUE, escalate_to: deputy}
  - {id: pay, role: clerk}
"""


@pytest.mark.parametrize("overdue", ["approve", "escalate"])
def test_overdue_step_is_handled_by_the_worker(database_url: str, overdue: str) -> None:
    clock = Clock()
    engine = Engine(database_url, clock=clock)
    for user, role in (("wang", "clerk"), ("zhao", "boss"), ("qian", "deputy")):
        engine.add_user(user, roles=[role])
    engine.deploy(MODEL.replace("OVERDUE", overdue))
    case = engine.start("claim", {}, user="wang")
    engine.complete(engine.tasks(case=case.id)[0].id, user="wang")
    (review,) = engine.tasks(case=case.id)
    assert review.due_at == datetime(2026, 3, 2, 6, 30, tzinfo=UTC)  # 4 working hours later
    executor = JobExecutor(engine, worker="w1")
    assert executor.run_due().fired == 0  # nothing due yet
    clock.now += timedelta(hours=6)
    executor.run_until_idle()
    if overdue == "approve":
        assert [t.element for t in engine.tasks(case=case.id)] == ["pay"]
        assert engine.case(case.id).variables["review"]["by"] == "system"
    else:
        (task,) = engine.inbox("qian", "pool")
        assert task.id == review.id and engine.inbox("zhao", "all") == []
    engine.close()
