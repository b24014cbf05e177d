"""Pure-core scenarios: sequence, gateways, joins, loops, incidents, terminate, sub-processes.

Every command in these tests also runs on a JSON save of the state and is checked against
a replay of the events (see engine_harness.Case.run).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine import ClaimTask, CompleteTask, StartInstance
from liucheng.engine.commands import Actor
from liucheng.errors import ConflictError, ForbiddenError, StateError, ValidationError
from liucheng.loaders.yaml_dsl import load_yaml

ROLES = "roles: {clerk: 文员, boss: 主管}\n"


def test_sequence_runs_to_the_end() -> None:
    case = Case(ROLES + """
process: seq
steps:
  - {id: a, role: clerk}
  - {id: b, role: clerk}
""").start()
    assert case.open_steps() == ["a"]
    case.complete("a")
    assert case.open_steps() == ["b"]
    case.complete("b")
    assert case.status == "completed"
    assert case.state is not None and case.state["tokens"] == {}


EXCLUSIVE = ROLES + """
process: excl
steps:
  - {id: a, role: clerk}
  - id: g
    type: exclusive
    routes:
      - {to: big, when: amount > 100}
      - {to: small, when: amount <= 10}
      - {to: medium, default: true}
  - {id: big, role: boss, next: done}
  - {id: small, role: clerk, next: done}
  - {id: medium, role: clerk, next: done}
  - {id: done, type: end}
"""


@pytest.mark.parametrize(("amount", "step"), [(500, "big"), (5, "small"), (50, "medium")])
def test_exclusive_gateway_takes_first_true_route_else_default(amount: int, step: str) -> None:
    case = Case(EXCLUSIVE).start(amount=amount).complete("a")
    assert case.open_steps() == [step]


def test_exclusive_without_match_or_default_is_an_incident_and_retryable() -> None:
    case = Case(ROLES + """
process: noroute
steps:
  - {id: a, role: clerk}
  - id: g
    type: exclusive
    routes:
      - {to: yes_step, when: ok == true}
      - {to: no_step, when: ok == false}
  - {id: yes_step, role: clerk, next: end_here}
  - {id: no_step, role: clerk, next: end_here}
  - {id: end_here, type: end}
""").start(ok="maybe").complete("a")
    (incident,) = case.incidents()
    assert incident["element"] == "g"
    assert "no condition" in incident["reason"]
    assert case.open_steps() == [] and case.status == "active"
    case.retry()  # the data is still wrong: a new incident, nothing else changes
    assert len(case.incidents()) == 1 and case.open_steps() == []
    case.set(ok=True).retry()
    assert case.incidents() == [] and case.open_steps() == ["yes_step"]


def test_condition_reading_a_missing_variable_is_an_incident_naming_it() -> None:
    case = Case(EXCLUSIVE).start().complete("a")
    (incident,) = case.incidents()
    assert "amount" in incident["reason"]


def test_flow_order_never_changes_the_default() -> None:
    definition = load_yaml(EXCLUSIVE, "t.yaml")
    reversed_flows = dataclasses.replace(definition, flows=tuple(reversed(definition.flows)))
    for d in (definition, reversed_flows):
        case = Case(d).start(amount=50).complete("a")
        assert case.open_steps() == ["medium"]


PARALLEL_SAME_FLOW = ROLES + """
process: twice
steps:
  - id: split
    type: parallel
    routes: [{to: x}, {to: y}, {to: z}]
  - {id: x, role: clerk, next: merge}
  - {id: y, role: clerk, next: merge}
  - {id: merge, type: exclusive, routes: [{to: join}]}
  - {id: z, role: clerk, next: join}
  - id: join
    type: parallel
    routes: [{to: after}]
  - {id: after, role: clerk}
"""


def test_parallel_join_waits_for_every_flow_and_a_second_token_waits_for_the_next_round() -> None:
    case = Case(PARALLEL_SAME_FLOW).start()
    assert case.open_steps() == ["x", "y", "z"]
    case.complete("x").complete("y")  # two tokens on the merge → join flow
    assert case.open_steps() == ["z"]
    case.complete("z")
    assert case.open_steps() == ["after"]  # fired once, not twice
    assert case.state is not None
    parked = [t for t in case.state["tokens"].values() if t["status"] == "join"]
    assert len(parked) == 1 and parked[0]["flow"] == "merge_to_join"


INCLUSIVE = ROLES + """
process: incl
steps:
  - id: split
    type: inclusive
    routes:
      - {to: a, when: want_a}
      - {to: b, when: want_b}
      - {to: c, when: want_c}
  - {id: a, role: clerk, next: join}
  - {id: b, role: clerk}
  - id: b_done
    type: exclusive
    routes:
      - {to: abandoned, when: 'get("give_up", false)'}
      - {to: join, default: true}
  - {id: abandoned, type: end}
  - {id: c, role: clerk, next: join}
  - id: join
    type: inclusive
    routes: [{to: after}]
  - {id: after, role: clerk}
"""


def test_inclusive_split_and_join_wait_only_for_started_branches() -> None:
    case = Case(INCLUSIVE).start(want_a=True, want_b=True, want_c=False)
    assert case.open_steps() == ["a", "b"]
    case.complete("a")
    assert case.open_steps() == ["b"]
    case.complete("b")
    assert case.open_steps() == ["after"]


def test_inclusive_join_does_not_wait_for_a_branch_that_ended_elsewhere() -> None:
    case = Case(INCLUSIVE).start(want_a=True, want_b=True, want_c=False)
    case.complete("a")
    assert case.open_steps() == ["b"]
    case.complete("b", give_up=True)
    assert case.open_steps() == ["after"]


def test_inclusive_split_with_nothing_true_and_no_default_is_an_incident() -> None:
    case = Case(INCLUSIVE).start(want_a=False, want_b=False, want_c=False)
    assert [i["element"] for i in case.incidents()] == ["split"]


LOOP = ROLES + """
process: loop
steps:
  - {id: prepare, role: clerk}
  - id: both
    type: parallel
    branches:
      - - {id: left, role: clerk}
      - - {id: right, role: clerk}
  - {id: review, role: boss, outcomes: [ok, again]}
  - id: decide
    type: exclusive
    routes:
      - {to: prepare, when: review.outcome == "again"}
      - {to: done, default: true}
  - {id: done, type: end}
"""


def test_loop_back_through_gateways_works_on_every_pass_with_a_join_inside() -> None:
    case = Case(LOOP).start()
    for _ in range(3):
        case.complete("prepare")
        assert case.open_steps() == ["left", "right"]
        case.complete("right").complete("left")
        assert case.open_steps() == ["review"]
        case.complete("review", outcome="again")
    case.complete("prepare").complete("left").complete("right").complete("review", outcome="ok")
    assert case.status == "completed"
    assert case.visited("both_join") == 8  # two arrivals per pass, four passes


def test_terminate_end_ends_every_token_and_cancels_open_tasks() -> None:
    case = Case(ROLES + """
process: term
steps:
  - id: p
    type: parallel
    branches:
      - - {id: slow, role: clerk}
      - - {id: fast, role: clerk}
        - {id: stop, type: end, terminate: true}
""").start()
    case.complete("fast")
    assert case.status == "terminated"
    assert case.state is not None and case.state["tasks"] == {}
    assert [e["element"] for e in case.events if e["type"] == "task_cancelled"] == ["slow"]


SUBPROCESS = ROLES + """
process: sub
steps:
  - {id: before, role: clerk}
  - id: inner
    type: subprocess
    steps:
      - id: ip
        type: parallel
        branches:
          - - {id: one, role: clerk}
          - - {id: two, role: clerk}
            - id: early
              type: exclusive
              routes:
                - {to: stop_inner, when: stop}
                - {to: ip_join, default: true}
      - {id: closing, role: clerk}
  - {id: stop_inner, type: end, terminate: true}
  - {id: after, role: clerk}
"""


def test_subprocess_is_a_scope_that_completes_then_continues() -> None:
    # stop_inner is at top level here, so the model is invalid: flows must stay in scope
    with pytest.raises(Exception, match="not an element of sub-process 'inner'"):
        Case(SUBPROCESS)
    fixed = SUBPROCESS.replace("  - {id: stop_inner, type: end, terminate: true}\n", "").replace(
        "      - {id: closing, role: clerk}\n",
        "      - {id: closing, role: clerk, next: inner_done}\n"
        "      - {id: stop_inner, type: end, terminate: true}\n"
        "      - {id: inner_done, type: end}\n")
    case = Case(fixed).start().complete("before")
    assert case.open_steps() == ["one", "two"]
    case.complete("two", stop=False).complete("one")
    assert case.open_steps() == ["closing"]
    case.complete("closing")
    assert case.open_steps() == ["after"]

    case = Case(fixed).start().complete("before").complete("two", stop=True)
    # terminate inside the sub-process ends only the sub-process; the case goes on
    assert case.open_steps() == ["after"] and case.status == "active"
    assert [e["element"] for e in case.events if e["type"] == "task_cancelled"] == ["one"]


SERVICE = ROLES + """
process: svc
steps:
  - {id: a, role: clerk}
  - id: score
    handler: credit_score
    set:
      grade: '"A" if score >= 700 else "B"'
  - {id: fees, set: {total: 80 + 360 + extra}}
  - {id: b, role: clerk}
"""


def test_service_handler_is_an_effect_whose_result_sets_variables() -> None:
    case = Case(SERVICE).start(extra=0).complete("a")
    assert [e["handler"] for e in case.effects] == ["credit_score"]
    assert case.open_steps() == []
    case.service_done(score=720)
    assert case.state is not None
    assert case.state["variables"]["grade"] == "A"
    assert case.state["variables"]["total"] == 440
    assert case.open_steps() == ["b"]


def test_failed_handler_is_an_incident_and_retry_calls_it_again() -> None:
    case = Case(SERVICE).start(extra=0).complete("a").service_failed("timeout")
    (incident,) = case.incidents()
    assert incident["element"] == "score" and "timeout" in incident["reason"]
    case.retry()
    assert [e["handler"] for e in case.effects] == ["credit_score"]
    case.service_done(score=600)
    assert case.state is not None and case.state["variables"]["grade"] == "B"


def test_set_with_a_bad_value_is_an_incident() -> None:
    case = Case(SERVICE.replace("extra=0", "")).start(extra="x").complete("a").service_done(score=1)
    assert [i["element"] for i in case.incidents()] == ["fees"]


def test_decimal_money_adds_up_exactly() -> None:
    case = Case(ROLES + """
process: money
steps:
  - {id: sum, set: {total: price + fee}}
  - {id: a, role: clerk}
""").start(price=0.1, fee=0.2)
    assert case.state is not None and case.state["variables"]["total"] == Decimal("0.3")


def test_step_record_outcome_and_performer() -> None:
    case = Case(EXCLUSIVE).start(amount=1)
    clerk = Actor("wang", frozenset({"clerk"}))
    case.complete("a", actor=clerk, note="ok")
    assert case.state is not None
    record = case.state["variables"]["a"]
    assert record["by"] == "wang" and case.state["variables"]["note"] == "ok"


def test_required_field_and_outcome_are_checked_and_nothing_changes() -> None:
    case = Case(ROLES + """
process: form
steps:
  - id: a
    role: clerk
    outcomes: [approve, reject]
    form:
      - {id: amount, type: money, required: true, label: 金额}
""").start()
    before = case.state
    with pytest.raises(ValidationError) as err:
        case.run(CompleteTask(ADMIN, case.task_id("a"), {}, None))
    fields = {p.field for p in err.value.problems}
    assert fields == {"amount", "outcome"}
    assert case.state == before


def test_only_candidates_may_claim_or_complete_and_claims_conflict() -> None:
    case = Case(EXCLUSIVE).start(amount=1)
    task = case.task_id("a")
    outsider = Actor("li", frozenset({"boss"}))
    with pytest.raises(ForbiddenError, match="role clerk"):
        case.run(ClaimTask(outsider, task))
    wang, zhao = Actor("wang", frozenset({"clerk"})), Actor("zhao", frozenset({"clerk"}))
    case.run(ClaimTask(wang, task))
    with pytest.raises(ConflictError, match="already claimed by wang"):
        case.run(ClaimTask(zhao, task))
    with pytest.raises(ForbiddenError, match="assigned to wang"):
        case.run(CompleteTask(zhao, task))
    case.run(CompleteTask(wang, task))
    with pytest.raises(ConflictError, match="no longer open"):
        case.run(CompleteTask(wang, task))


def test_assignee_expression_names_the_user() -> None:
    case = Case(ROLES + """
process: assign
steps:
  - {id: a, role: clerk}
  - {id: b, assignee: a.by}
  - {id: c, assignee: starter}
""")
    case.start(actor=Actor("boss1", frozenset({"boss"})))
    case.complete("a", actor=Actor("wang", frozenset({"clerk"})))
    assert case.state is not None
    assert [t["assignee"] for t in case.state["tasks"].values()] == ["wang"]
    case.complete("b", actor=Actor("wang"))
    assert [t["assignee"] for t in case.state["tasks"].values()] == ["boss1"]


def test_a_case_starts_once() -> None:
    case = Case(EXCLUSIVE).start()
    with pytest.raises(StateError):
        case.run(StartInstance(ADMIN, {}))
