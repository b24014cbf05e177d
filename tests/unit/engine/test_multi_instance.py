"""Multi-instance activities (多实例) in the pure core: sequential and parallel, empty and
counted, completion conditions cancelling the rest, outputs in the input order, boundary
events on the whole, returns and withdrawals — every command checked by the harness
(save → restore → continue, replay, no zombie tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine import CompleteService, CompleteTask
from liucheng.engine.commands import (
    Actor,
    AddComment,
    CancelInstance,
    ReturnTask,
    WithdrawTask,
)
from liucheng.engine.event_commands import CallStarted, CompleteCall, FireTimer, MigrateInstance
from liucheng.errors import ConflictError, ForbiddenError, ValidationError

SYSTEM = Actor("system", admin=True)

REVIEW = """
process: review
roles: {reviewer: 审核人, clerk: 办事员}
steps:
  - {id: apply, role: clerk}
  - id: review
    role: reviewer
    assignee: reviewer
    outcomes: [approve, reject]
    form: [{id: note, type: text}]
    for_each: {items: reviewers, as: reviewer, parallel: PARALLEL,
               collect: {from: note, into: notes}}
  - {id: decide, role: clerk}
"""


def review(parallel: bool = True) -> str:
    return REVIEW.replace("PARALLEL", "true" if parallel else "false")


def tasks(case: Case, element: str) -> list[dict[str, Any]]:
    assert case.state is not None
    return [t for t in case.state["tasks"].values() if t["element"] == element]


def task_of(case: Case, user: str) -> str:
    (task,) = [t for t in tasks(case, "review") if t["assignee"] == user]
    return str(task["id"])


def do(case: Case, user: str, outcome: str | None = "approve", **variables: Any) -> Case:
    case.run(CompleteTask(Actor(user), task_of(case, user), variables, outcome))
    return case


def variables(case: Case) -> dict[str, Any]:
    assert case.state is not None
    return dict(case.state["variables"])


def events(case: Case, type_: str) -> list[dict[str, Any]]:
    return [e for e in case.events if e["type"] == type_]


def test_parallel_review_one_task_per_reviewer_outputs_in_input_order() -> None:
    case = Case(review()).start(reviewers=["zhang", "li", "wang"]).complete("apply")
    assert sorted(t["assignee"] for t in tasks(case, "review")) == ["li", "wang", "zhang"]
    assert [t["name"] for t in tasks(case, "review")] == ["review (1/3)", "review (2/3)",
                                                         "review (3/3)"]
    do(case, "wang", note="w")
    do(case, "zhang", note="z")
    assert case.open_steps() == ["review"]
    do(case, "li", "reject", note="l")
    assert case.open_steps() == ["decide"]
    values = variables(case)
    assert values["notes"] == ["z", "l", "w"]  # the reviewers' order, not the finishing order
    assert values["review"]["by"] == ["zhang", "li", "wang"]
    assert values["review"]["outcomes"] == ["approve", "reject", "approve"]
    assert "note" not in values and "reviewer" not in values  # instances keep their own
    assert case.state is not None and not case.state["scopes"].keys() - {case.state["root"]}


def test_sequential_review_goes_one_reviewer_after_another() -> None:
    case = Case(review(parallel=False)).start(reviewers=["zhang", "li"]).complete("apply")
    assert [t["assignee"] for t in tasks(case, "review")] == ["zhang"]
    do(case, "zhang", note="first")
    assert [t["assignee"] for t in tasks(case, "review")] == ["li"]
    do(case, "li", note="second")
    assert variables(case)["notes"] == ["first", "second"]
    opened = events(case, "multi_instance_opened")
    assert [e["variables"] for e in opened] == [{"loop_counter": 1, "reviewer": "zhang"},
                                                {"loop_counter": 2, "reviewer": "li"}]


def test_an_empty_collection_completes_at_once() -> None:
    case = Case(review()).start(reviewers=[]).complete("apply")
    assert case.open_steps() == ["decide"]
    assert variables(case)["notes"] == []
    assert variables(case)["review"]["skipped"] is True


def test_a_count_runs_a_service_that_many_times() -> None:
    case = Case("""
process: copies
roles: {clerk: 办事员}
steps:
  - id: stamp
    set: {copy_no: "'No.' + str(loop_counter)"}
    for_each: {times: copies, parallel: false, collect: {from: copy_no, into: numbers}}
  - {id: hand_out, role: clerk}
""").start(copies=3)
    assert variables(case)["numbers"] == ["No.1", "No.2", "No.3"]
    assert "copy_no" not in variables(case)
    zero = Case(case.definition).start(copies=0)
    assert variables(zero)["numbers"] == [] and zero.open_steps() == ["hand_out"]


UNTIL = """
process: board
roles: {director: 董事}
steps:
  - id: vote
    role: director
    assignee: item
    outcomes: [approve, reject]
    for_each:
      items: directors
      until: count(votes, "approve") >= 2 or nr_of_completed_instances == nr_of_instances
      collect: {from: vote.outcome, into: votes}
  - {id: minutes, role: director}
"""


def test_the_completion_condition_cancels_the_remaining_instances() -> None:
    case = Case(UNTIL).start(directors=["a", "b", "c", "d"])
    case.run(CompleteTask(Actor("c"), _task(case, "vote", "c"), {}, "approve"))
    case.run(CompleteTask(Actor("a"), _task(case, "vote", "a"), {}, "reject"))
    assert len(tasks(case, "vote")) == 2
    case.run(CompleteTask(Actor("d"), _task(case, "vote", "d"), {}, "approve"))
    assert case.open_steps() == ["minutes"]
    cancelled = events(case, "task_cancelled")
    assert [e["element"] for e in cancelled] == ["vote"]
    assert "completion condition" in cancelled[0]["reason"]
    assert variables(case)["votes"] == ["reject", None, "approve", "approve"]
    (done,) = events(case, "multi_instance_completed")
    assert (done["completed"], done["cancelled"], done["condition"]) == (3, 1, True)


def _task(case: Case, element: str, user: str) -> str:
    (task,) = [t for t in tasks(case, element) if t["assignee"] == user]
    return str(task["id"])


def test_a_boundary_timer_on_the_whole_ends_every_instance() -> None:
    case = Case("""
process: slow
roles: {reviewer: 审核人, clerk: 办事员}
steps:
  - id: review
    role: reviewer
    assignee: item
    for_each: {items: reviewers}
    timers: [{id: too_slow, after: P2D, next: chase}]
  - {id: decide, role: clerk}
  - {id: done, type: end}
  - {id: chase, role: clerk}
""").start(reviewers=["a", "b"])
    assert case.state is not None
    (timer,) = case.state["timers"].values()  # one timer for the whole, not one per instance
    case.run(CompleteTask(Actor("a"), _task(case, "review", "a"), {}))
    case.now = datetime.fromisoformat(timer["due_at"])
    case.run(FireTimer(SYSTEM, timer["id"]))
    assert case.open_steps() == ["chase"]
    assert case.state["scopes"].keys() == {case.state["root"]}
    assert [e["task"] for e in events(case, "task_cancelled")] == [_created(case, "b")]


def _created(case: Case, user: str) -> str:
    (event,) = [e for e in events(case, "task_created") if e["assignee"] == user]
    return str(event["task"])


def test_instances_of_a_sub_process_keep_their_own_data() -> None:
    case = Case("""
process: inspection
roles: {inspector: 检验员, clerk: 办事员}
steps:
  - id: inspect
    type: subprocess
    for_each:
      items: vehicles
      as: vehicle
      collect: {from: "vehicle + ':' + result", into: results}
    steps:
      - {id: check, role: inspector, form: [{id: result, type: text}]}
      - {id: sign, role: inspector}
  - {id: file, role: clerk}
""").start(vehicles=["沪A1", "沪B2"])
    assert case.open_steps() == ["check", "check"]
    first, second = tasks(case, "check")
    case.run(CompleteTask(ADMIN, second["id"], {"result": "ok"}))
    case.run(CompleteTask(ADMIN, first["id"], {"result": "brakes"}))
    assert case.open_steps() == ["sign", "sign"]
    for task in tasks(case, "sign"):
        case.run(CompleteTask(ADMIN, task["id"], {}))
    assert case.open_steps() == ["file"]
    assert variables(case)["results"] == ["沪A1:brakes", "沪B2:ok"]
    assert "result" not in variables(case) and "check" not in variables(case)


SERVICE = """
process: quotes
roles: {clerk: 办事员}
steps:
  - id: quote
    handler: ask_supplier
    set: {offer: "supplier + '=' + str(price)"}
    for_each: {items: suppliers, as: supplier, collect: {from: offer, into: offers}}
  - {id: choose, role: clerk}
"""


def test_service_instances_complete_out_of_order_outputs_stay_in_input_order() -> None:
    case = Case(SERVICE).start(suppliers=["a", "b", "c"])
    calls = [e for e in case.effects if e["type"] == "invoke_service"]
    assert [e["variables"]["supplier"] for e in calls] == ["a", "b", "c"]
    for effect, price in ((calls[2], 30), (calls[0], 10), (calls[1], 20)):
        case.run(CompleteService(ADMIN, effect["token"], {"price": price}))
    assert variables(case)["offers"] == ["a=10", "b=20", "c=30"]
    assert "price" not in variables(case)
    assert case.open_steps() == ["choose"]


def test_a_call_per_item_waits_for_every_called_case() -> None:
    case = Case("""
process: branches
roles: {clerk: 办事员}
steps:
  - id: audit
    type: call
    process: branch_audit
    in: {branch: item}
    out: {score: score}
    for_each: {items: branches, collect: {from: score, into: scores}}
  - {id: report, role: clerk}
""").start(branches=["north", "south"])
    starts = [e for e in case.effects if e["type"] == "start_call"]
    assert [e["variables"] for e in starts] == [{"branch": "north"}, {"branch": "south"}]
    for n, (effect, score) in enumerate(((starts[1], 7), (starts[0], 9))):
        case.run(CallStarted(SYSTEM, effect["token"], f"child{n}"))
        case.run(CompleteCall(SYSTEM, effect["token"], f"child{n}", "completed",
                              {"score": score}))
    assert variables(case)["scores"] == [9, 7]
    assert case.open_steps() == ["report"]


def test_returning_to_a_multi_instance_step_starts_it_afresh() -> None:
    case = Case(review()).start(reviewers=["zhang", "li"]).complete("apply")
    do(case, "zhang", note="a")
    do(case, "li", note="b")
    case.run(ReturnTask(ADMIN, case.task_id("decide"), "review", "重审"))
    assert sorted(t["assignee"] for t in tasks(case, "review")) == ["li", "zhang"]
    do(case, "zhang", note="c")
    do(case, "li", note="d")
    assert variables(case)["notes"] == ["c", "d"]


def test_returning_from_one_instance_ends_all_instances() -> None:
    case = Case(review()).start(reviewers=["zhang", "li", "wang"]).complete("apply")
    do(case, "li", note="done")
    case.run(ReturnTask(Actor("zhang"), task_of(case, "zhang"), "apply", "材料不全"))
    assert case.open_steps() == ["apply"]
    assert case.state is not None and case.state["scopes"].keys() == {case.state["root"]}
    assert len(events(case, "task_cancelled")) == 2  # zhang's (returned) and wang's
    case.complete("apply")
    assert len(tasks(case, "review")) == 3


def test_a_multi_instance_step_cannot_be_withdrawn() -> None:
    case = Case(review()).start(reviewers=["zhang", "li"]).complete("apply")
    case.run(WithdrawTask(ADMIN, "apply"))  # before anyone reviewed: every instance ends
    assert case.open_steps() == ["apply"]
    case.complete("apply")
    do(case, "zhang", note="ok")
    with pytest.raises(ConflictError, match="multi-instance"):
        case.run(WithdrawTask(Actor("zhang"), "review"))
    with pytest.raises(ConflictError, match="too late to withdraw: 'review' was already done"):
        case.run(WithdrawTask(ADMIN, "apply"))  # zhang has done his part


def test_a_return_inside_a_sub_process_instance_stays_in_that_instance() -> None:
    case = Case("""
process: files
roles: {clerk: 办事员}
steps:
  - id: each
    type: subprocess
    for_each: {items: files}
    steps:
      - {id: draft, role: clerk, form: [{id: text, type: text}]}
      - {id: check, role: clerk}
  - {id: close, role: clerk}
""").start(files=["f1", "f2"])
    first, second = tasks(case, "draft")
    case.run(CompleteTask(ADMIN, first["id"], {"text": "x"}))
    case.run(ReturnTask(ADMIN, case.task_id("check"), "draft"))
    assert case.open_steps() == ["draft", "draft"]
    returned = next(t for t in tasks(case, "draft") if t["id"] != second["id"])
    assert returned["assignee"] == "admin"  # back to whoever did it in that instance


def test_a_collection_that_is_not_a_list_is_an_incident_until_fixed() -> None:
    case = Case(review()).start(reviewers="zhang").complete("apply")
    (incident,) = case.incidents()
    assert "not a list" in incident["reason"] and incident["element"] == "review"
    case.set(reviewers=["zhang"]).retry()
    assert [t["assignee"] for t in tasks(case, "review")] == ["zhang"]


def test_an_output_that_cannot_be_read_is_an_incident_and_retry_collects_it() -> None:
    case = Case("""
process: scores
roles: {clerk: 办事员}
steps:
  - id: grade
    role: clerk
    for_each: {items: papers, collect: {from: score + bonus, into: scores}}
  - {id: publish, role: clerk}
""").start(papers=["p1"])
    case.complete("grade", score=80)
    (incident,) = case.incidents()
    assert "instance 1 could not be collected" in incident["reason"]
    case.set(bonus=5).retry()
    assert variables(case)["scores"] == [85]
    assert case.open_steps() == ["publish"]


def test_cancelling_the_case_ends_every_instance() -> None:
    case = Case(review()).start(reviewers=["a", "b"]).complete("apply")
    case.run(CancelInstance(ADMIN, "no longer needed"))
    assert case.status == "cancelled"
    assert len(events(case, "task_cancelled")) == 2


def test_a_multi_instance_step_inside_a_multi_instance_sub_process() -> None:
    case = Case("""
process: nested
roles: {clerk: 办事员}
steps:
  - id: per_region
    type: subprocess
    for_each: {items: regions, as: region, collect: {from: shops, into: all_shops}}
    steps:
      - id: visit
        role: clerk
        for_each: {items: "[region + '-1', region + '-2']", as: shop,
                   collect: {from: shop, into: shops}}
  - {id: summary, role: clerk}
""").start(regions=["east", "west"])
    assert len(tasks(case, "visit")) == 4
    for task in reversed(tasks(case, "visit")):
        case.run(CompleteTask(ADMIN, task["id"], {}))
    assert variables(case)["all_shops"] == [["east-1", "east-2"], ["west-1", "west-2"]]


def test_a_decision_table_per_item() -> None:
    case = Case("""
process: fees
roles: {cashier: 出纳}
decisions:
  - decision: late_interest
    hit_policy: UNIQUE
    inputs: [{id: days_late, expression: item, type: integer}]
    outputs: [{id: late_months, type: decimal}]
    rules:
      - ["<= 0", 0]
      - ["> 0", 1]
steps:
  - id: charge
    type: decision
    decision: late_interest
    for_each: {items: delays, collect: {from: late_months, into: months}}
  - {id: collect, role: cashier}
""").start(delays=[3, 0, 9])
    assert variables(case)["months"] == [1, 0, 1]
    assert "late_months" not in variables(case)


def test_a_reminder_on_the_whole_reaches_every_open_instance() -> None:
    case = Case("""
process: remind
roles: {reviewer: 审核人}
steps:
  - id: review
    role: reviewer
    assignee: item
    for_each: {items: reviewers}
    timers: [{id: nudge, after: P1D, interrupting: false}]
""").start(reviewers=["a", "b"])
    assert case.state is not None
    (timer,) = case.state["timers"].values()
    case.now = datetime.fromisoformat(timer["due_at"])
    case.run(FireTimer(SYSTEM, timer["id"]))
    (sent,) = events(case, "reminder_sent")
    assert sent["users"] == ["a", "b"] and len(sent["tasks"]) == 2


def test_a_case_with_a_running_multi_instance_step_is_not_migrated() -> None:
    case = Case(review()).start(reviewers=["a"]).complete("apply")
    with pytest.raises(ValidationError) as err:
        case.run(MigrateInstance(ADMIN, 2, {}))
    assert "a multi-instance step is running there" in err.value.problems[0].message


def test_a_handler_inside_a_sub_process_instance_sees_that_instance_s_item() -> None:
    case = Case("""
process: tests
roles: {clerk: 办事员}
steps:
  - id: per_os
    type: subprocess
    for_each: {items: systems, as: os}
    steps: [{id: run, handler: run_tests}]
""").start(systems=["ubuntu", "macos"])
    calls = [e for e in case.effects if e["type"] == "invoke_service"]
    assert [e["variables"]["os"] for e in calls] == ["ubuntu", "macos"]
    for effect in calls:
        case.run(CompleteService(ADMIN, effect["token"], {}))
    assert case.status == "completed"


SUB = """
process: files
roles: {clerk: 办事员}
steps:
  - {id: intake, role: clerk}
  - id: each
    type: subprocess
    for_each: {items: files}
    steps:
      - {id: draft, role: clerk}
      - {id: check, role: clerk}
  - {id: close, role: clerk}
"""


def test_a_step_inside_a_multi_instance_sub_process_cannot_be_withdrawn() -> None:
    case = Case(SUB).start(files=["f1", "f2"]).complete("intake").complete("draft")
    with pytest.raises(ConflictError, match="multi-instance"):
        case.run(WithdrawTask(ADMIN, "draft"))
    with pytest.raises(ConflictError, match="too late to withdraw: 'draft' was already done"):
        case.run(WithdrawTask(ADMIN, "intake"))


def test_a_finished_sub_process_instance_cannot_be_returned_into() -> None:
    case = Case(SUB).start(files=["f1"]).complete("intake").complete("draft").complete("check")
    with pytest.raises(ForbiddenError, match="it can go back to: intake"):
        case.run(ReturnTask(ADMIN, case.task_id("close"), "draft"))
    case.run(ReturnTask(ADMIN, case.task_id("close"), "intake"))
    assert case.open_steps() == ["intake"]


def test_a_reviewer_who_has_done_their_part_may_still_comment() -> None:
    case = Case(review()).start(reviewers=["zhang", "li"]).complete("apply")
    with pytest.raises(ForbiddenError):
        case.run(AddComment(Actor("zhou"), "我也看看"))
    do(case, "zhang", note="同意")
    case.run(AddComment(Actor("zhang"), "请李老师尽快"))
    assert events(case, "comment_added")[0]["actor"] == "zhang"


def test_an_error_thrown_in_one_instance_ends_every_instance() -> None:
    case = Case("""
process: claims
roles: {clerk: 办事员}
steps:
  - id: per_claim
    type: subprocess
    for_each: {items: claims}
    errors: [{id: fraud, error: FRAUD, next: investigate}]
    steps:
      - {id: check, role: clerk, outcomes: [ok, fraud]}
      - id: route
        type: exclusive
        routes:
          - {to: raise_fraud, when: check.outcome == "fraud"}
          - {to: checked, default: true}
      - {id: raise_fraud, type: end, error: FRAUD}
      - {id: checked, type: end}
  - {id: pay, role: clerk}
  - {id: done, type: end}
  - {id: investigate, role: clerk}
""").start(claims=["c1", "c2", "c3"])
    first, *_ = tasks(case, "check")
    case.run(CompleteTask(ADMIN, first["id"], {}, "fraud"))
    assert case.open_steps() == ["investigate"]
    assert case.state is not None and case.state["scopes"].keys() == {case.state["root"]}
    assert len(events(case, "task_cancelled")) == 2


def test_timers_and_routes_inside_an_instance_read_its_item() -> None:
    case = Case("""
process: visits
roles: {clerk: 办事员}
steps:
  - id: per_visit
    type: subprocess
    for_each: {items: visits, as: visit}
    steps:
      - {id: wait, type: timer, until: visit.at}
      - id: kind
        type: exclusive
        routes:
          - {to: inspect, when: visit.kind == "site"}
          - {to: call, default: true}
      - {id: inspect, role: clerk, next: visited}
      - {id: call, role: clerk}
      - {id: visited, type: end}
""").start(visits=[{"at": "2026-03-05T09:00:00+08:00", "kind": "site"},
                   {"at": "2026-03-04T09:00:00+08:00", "kind": "phone"}])
    assert case.state is not None
    due = sorted(datetime.fromisoformat(t["due_at"]) for t in case.state["timers"].values())
    assert due == [datetime.fromisoformat("2026-03-04T09:00:00+08:00"),
                   datetime.fromisoformat("2026-03-05T09:00:00+08:00")]
    for timer in sorted(case.state["timers"].values(), key=lambda t: t["due_at"]):
        case.now = datetime.fromisoformat(timer["due_at"])
        case.run(FireTimer(SYSTEM, timer["id"]))
    assert case.open_steps() == ["call", "inspect"]
