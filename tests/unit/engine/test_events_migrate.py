"""Migrating a running case to a new version: tokens, tasks and scopes move, a mapping
that would orphan a token is refused, timers are armed again from the new version."""

from __future__ import annotations

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine.event_commands import MigrateInstance
from liucheng.errors import ValidationError
from liucheng.loaders.yaml_dsl import load_yaml

V1 = """
process: claim
roles: {clerk: 办事员}
steps:
  - id: receive
    role: clerk
  - id: review
    role: clerk
    timers: [{id: late, after: P5D, next: escalate}]
  - id: done
    type: end
  - id: escalate
    role: clerk
"""
V2 = """
process: claim
roles: {clerk: 办事员}
steps:
  - id: receive
    role: clerk
  - id: check
    type: subprocess
    steps:
      - id: first_review
        role: clerk
        timers: [{id: remind, after: {working_hours: 2}, interrupting: false}]
  - id: pay
    role: clerk
"""
V2_FLAT = """
process: claim
roles: {clerk: 办事员}
steps:
  - id: receive
    role: clerk
  - id: review_2
    role: clerk
    timers: [{id: remind, after: {working_hours: 2}, interrupting: false}]
  - id: pay
    role: clerk
"""


def test_a_case_moves_to_the_new_version_with_its_task_and_fresh_timers() -> None:
    case = Case(V1).start().complete("receive")
    assert case.state is not None
    old_timer = next(iter(case.state["timers"]))
    task = case.task_id("review")
    case.definition = load_yaml(V2_FLAT, "v2.yaml")
    case.run(MigrateInstance(ADMIN, 2, {"review": "review_2"}))
    assert case.state["tasks"][task]["element"] == "review_2"
    assert [t["element"] for t in case.state["timers"].values()] == ["remind"]
    assert old_timer not in case.state["timers"]
    case.complete("review_2").complete("pay")
    assert case.status == "completed"


def test_a_mapping_that_would_orphan_a_token_is_refused() -> None:
    case = Case(V1).start().complete("receive")
    before = case.state
    case.definition = load_yaml(V2, "v2.yaml")
    with pytest.raises(ValidationError) as err:
        case.run(MigrateInstance(ADMIN, 2, {}))
    assert "has no element 'review'" in err.value.problems[0].message
    with pytest.raises(ValidationError) as err:  # into a sub-process: a scope would be missing
        case.run(MigrateInstance(ADMIN, 2, {"review": "first_review"}))
    assert "lies in check" in err.value.problems[0].message
    with pytest.raises(ValidationError) as err:  # a waiting task cannot become a sub-process
        case.run(MigrateInstance(ADMIN, 2, {"review": "check"}))
    assert "needs a UserTask" in err.value.problems[0].message
    assert case.state is before
