"""Human-task actions in the pure core: each action, return semantics, countersign votes.

Every command also runs on a JSON save of the state and against a replay of the events,
and after each one the open tasks must be exactly those of waiting tokens (no zombies).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine import Context, StartInstance, decide
from liucheng.engine import commands as c
from liucheng.engine.commands import Actor
from liucheng.errors import ConflictError, ForbiddenError, StateError

WANG = Actor("wang", frozenset({"clerk"}))
LI = Actor("li", frozenset({"clerk"}))
ZHAO = Actor("zhao", frozenset({"boss"}))
HEAD = "roles: {clerk: 文员, boss: 主管}\n"

LINEAR = HEAD + """
process: linear
steps:
  - {id: apply, role: clerk}
  - {id: review, role: clerk}
  - {id: approve, role: boss, outcomes: [approve, reject]}
"""


def tasks(case: Case, element: str) -> list[dict[str, object]]:
    assert case.state is not None
    return [t for t in case.state["tasks"].values() if t["element"] == element]


def test_return_to_previous_goes_back_to_its_performer() -> None:
    case = Case(LINEAR).start(actor=WANG).complete("apply", actor=WANG).complete("review",
                                                                                 actor=LI)
    case.run(c.ReturnTask(ZHAO, case.task_id("approve"), "previous", "材料不全"))
    (task,) = tasks(case, "review")
    assert task["assignee"] == "li" and case.open_steps() == ["review"]
    case.run(c.ReturnTask(LI, case.task_id("review"), "starter"))
    (task,) = tasks(case, "apply")
    assert task["assignee"] == "wang"
    returned = [e for e in case.events if e["type"] == "task_returned"]
    assert [(e["element"], e["to"]) for e in returned] == [("approve", "review"),
                                                          ("review", "apply")]
    assert returned[0]["comment"] == "材料不全"


def test_return_only_to_earlier_completed_steps_and_only_by_the_holder() -> None:
    case = Case(LINEAR).start().complete("apply", actor=WANG)
    with pytest.raises(ForbiddenError, match="cannot be returned to 'approve'"):
        case.run(c.ReturnTask(LI, case.task_id("review"), "approve"))
    with pytest.raises(ForbiddenError, match="role clerk"):
        case.run(c.ReturnTask(ZHAO, case.task_id("review"), "apply"))
    case.run(c.ReturnTask(LI, case.task_id("review"), "apply"))
    with pytest.raises(ForbiddenError, match="no earlier step"):
        case.run(c.ReturnTask(WANG, case.task_id("apply"), "previous"))


def test_return_to_is_limited_by_the_model() -> None:
    case = Case(LINEAR.replace("outcomes: [approve, reject]}",
                               "outcomes: [approve, reject], return_to: [apply]}"))
    case.start().complete("apply", actor=WANG).complete("review", actor=LI)
    with pytest.raises(ForbiddenError, match="it can go back to: apply"):
        case.run(c.ReturnTask(ZHAO, case.task_id("approve"), "review"))
    case.run(c.ReturnTask(ZHAO, case.task_id("approve"), "apply"))
    assert case.open_steps() == ["apply"]


PARALLEL = HEAD + """
process: par
steps:
  - {id: intake, role: clerk}
  - id: checks
    type: parallel
    branches:
      - - {id: legal, role: clerk}
        - {id: legal2, role: clerk}
      - - {id: finance, role: boss}
  - {id: decide, role: boss}
"""


def test_return_from_a_branch_to_before_the_split_cancels_all_branches_and_resets_join() -> None:
    case = Case(PARALLEL).start().complete("intake", actor=WANG).complete("finance", actor=ZHAO)
    assert case.open_steps() == ["legal"]
    case.run(c.ReturnTask(LI, case.task_id("legal"), "intake"))
    assert case.open_steps() == ["intake"]
    assert case.state is not None
    assert [t for t in case.state["tokens"].values() if t["status"] == "join"] == []
    case.complete("intake", actor=WANG)
    assert case.open_steps() == ["finance", "legal"]  # both branches redone
    case.complete("legal", actor=LI).complete("legal2", actor=LI)
    assert case.open_steps() == ["finance"]  # the old finance arrival no longer counts
    case.complete("finance", actor=ZHAO)
    assert case.open_steps() == ["decide"]


def test_return_into_one_branch_lets_the_join_complete_later() -> None:
    case = Case(PARALLEL).start().complete("intake", actor=WANG)
    case.complete("legal", actor=LI).complete("legal2", actor=LI).complete("finance", actor=ZHAO)
    assert case.open_steps() == ["decide"]
    case.run(c.ReturnTask(ZHAO, case.task_id("decide"), "legal2"))
    assert case.open_steps() == ["legal2"]  # finance is not redone
    case.complete("legal2", actor=LI)
    assert case.open_steps() == ["decide"]
    assert case.visited("decide") == 2


def test_return_within_a_branch_keeps_the_other_branch_waiting_at_the_join() -> None:
    case = Case(PARALLEL).start().complete("intake", actor=WANG).complete("finance", actor=ZHAO)
    case.complete("legal", actor=LI)
    case.run(c.ReturnTask(LI, case.task_id("legal2"), "legal"))
    assert case.open_steps() == ["legal"]
    case.complete("legal", actor=LI).complete("legal2", actor=LI)
    assert case.open_steps() == ["decide"]


SUB = HEAD + """
process: sub
steps:
  - {id: intake, role: clerk}
  - id: review
    type: subprocess
    steps:
      - {id: inner1, role: clerk}
      - {id: inner2, role: clerk}
  - {id: sign, role: boss}
"""


def test_return_from_inside_a_subprocess_to_before_it_closes_the_subprocess() -> None:
    case = Case(SUB).start().complete("intake", actor=WANG).complete("inner1", actor=LI)
    case.run(c.ReturnTask(LI, case.task_id("inner2"), "intake"))
    assert case.open_steps() == ["intake"]
    assert case.state is not None and len(case.state["scopes"]) == 1
    case.complete("intake", actor=WANG).complete("inner1").complete("inner2").complete("sign")
    assert case.status == "completed"


def test_return_inside_a_subprocess_stays_inside_it() -> None:
    case = Case(SUB).start().complete("intake", actor=WANG).complete("inner1", actor=LI)
    case.run(c.ReturnTask(WANG, case.task_id("inner2"), "inner1"))
    assert case.open_steps() == ["inner1"]
    case.complete("inner1").complete("inner2")
    assert case.open_steps() == ["sign"]


COUNTERSIGN = HEAD + """
process: vote
steps:
  - {id: draft, role: clerk}
  - id: board
    roles: [boss]
    countersign: {mode: ratio, ratio: 0.5, signers: reviewers}
  - id: result
    type: exclusive
    routes:
      - {to: passed, when: board.outcome == "approve"}
      - {to: failed, default: true}
  - {id: passed, role: clerk, next: done}
  - {id: failed, role: clerk, next: done}
  - {id: done, type: end}
"""


def vote(case: Case, user: str, outcome: str) -> Case:
    assert case.state is not None
    task = next(t for t in case.state["tasks"].values()
                if t["element"] == "board" and t["assignee"] == user)
    case.run(c.CompleteTask(Actor(user), task["id"], {}, outcome))
    return case


def test_a_half_vote_does_not_fail_on_the_first_rejection() -> None:
    case = Case(COUNTERSIGN).start(reviewers=["a", "b", "c", "d"]).complete("draft")
    assert len(tasks(case, "board")) == 4
    vote(case, "a", "reject")
    assert len(tasks(case, "board")) == 3
    vote(case, "b", "approve")
    vote(case, "c", "approve")  # 2 of 4 = 50%: passed, d's task is cancelled
    assert case.open_steps() == ["passed"]
    assert case.state is not None and case.state["variables"]["board"]["approvals"] == 2


def test_countersign_fails_as_soon_as_the_ratio_cannot_be_reached() -> None:
    case = Case(COUNTERSIGN).start(reviewers=["a", "b", "c", "d"]).complete("draft")
    vote(case, "a", "reject").vote_ = None  # type: ignore[attr-defined]
    vote(case, "b", "reject")
    vote(case, "c", "reject")
    assert case.open_steps() == ["failed"]


@pytest.mark.parametrize(("mode", "votes", "expected", "cast"), [
    ("all", ["approve", "reject", "approve"], "reject", 2),
    ("all", ["approve", "approve", "approve"], "approve", 3),
    ("any", ["reject", "approve", "approve"], "reject", 1),
    ("any", ["approve"], "approve", 1),
])
def test_all_and_any(mode: str, votes: list[str], expected: str, cast: int) -> None:
    model = COUNTERSIGN.replace("{mode: ratio, ratio: 0.5, signers: reviewers}",
                                f"{{mode: {mode}, signers: reviewers}}")
    case = Case(model).start(reviewers=["a", "b", "c"]).complete("draft")
    for user, outcome in zip("abc", votes, strict=False):
        if not tasks(case, "board"):
            break
        vote(case, user, outcome)
    assert case.open_steps() == ["passed" if expected == "approve" else "failed"]
    assert case.state is not None
    record = case.state["variables"]["board"]
    assert record["approvals"] + record["rejections"] == cast


def test_sequential_countersign_goes_one_after_another() -> None:
    model = COUNTERSIGN.replace("{mode: ratio, ratio: 0.5, signers: reviewers}",
                                "{mode: sequential, signers: reviewers}")
    case = Case(model).start(reviewers=["a", "b", "c"]).complete("draft")
    assert [t["assignee"] for t in tasks(case, "board")] == ["a"]
    vote(case, "a", "approve")
    assert [t["assignee"] for t in tasks(case, "board")] == ["b"]
    vote(case, "b", "approve").__class__  # noqa: B018
    vote(case, "c", "approve")
    assert case.open_steps() == ["passed"]


def test_veto_fails_on_any_rejection() -> None:
    model = COUNTERSIGN.replace("signers: reviewers}", "signers: reviewers, veto: true}")
    case = Case(model).start(reviewers=["a", "b", "c", "d"]).complete("draft")
    vote(case, "a", "approve")
    vote(case, "b", "reject")
    assert case.open_steps() == ["failed"]


def _outcome_at(votes: list[str], n: int, k: int) -> tuple[str, int]:
    """Where a k-of-n vote becomes certain, worked out independently of the engine."""
    approvals = rejections = 0
    for i, v in enumerate(votes, 1):
        approvals += v == "approve"
        rejections += v == "reject"
        if approvals >= k:
            return "approve", i
        if rejections > n - k:
            return "reject", i
    raise AssertionError("undecided")


def test_five_person_sixty_percent_vote_is_decided_exactly_when_certain_in_every_order() -> None:
    """All 5! orders × 2^5 ballots: the engine decides at the first vote that makes it certain."""
    model = COUNTERSIGN.replace("ratio: 0.5", "ratio: 0.6")
    from liucheng.loaders.yaml_dsl import load_yaml

    definition = load_yaml(model)
    people = ["p1", "p2", "p3", "p4", "p5"]
    ids = itertools.count()
    ctx = Context(now=datetime(2026, 3, 2, tzinfo=UTC), new_id=lambda: f"i{next(ids)}")
    start = decide(definition, None, StartInstance(ADMIN, {"reviewers": people}), ctx)
    draft = next(iter(start.state["tasks"]))
    opened = decide(definition, start.state, c.CompleteTask(ADMIN, draft), ctx).state
    checked = 0
    for order in itertools.permutations(people):
        for ballots in itertools.product(["approve", "reject"], repeat=5):
            state = opened
            expected, at = _outcome_at(list(ballots), 5, 3)
            for i, (user, ballot) in enumerate(zip(order, ballots, strict=True), 1):
                task = next(t for t in state["tasks"].values() if t["assignee"] == user)
                state = decide(definition, state, c.CompleteTask(Actor(user), task["id"], {},
                                                                 ballot), ctx).state
                board_open = [t for t in state["tasks"].values() if t["element"] == "board"]
                if i < at:
                    assert len(board_open) == 5 - i
                else:
                    assert board_open == []
                    assert state["variables"]["board"]["outcome"] == expected
                    break
            checked += 1
    assert checked == 120 * 32


def test_return_to_a_countersign_step_recreates_all_its_votes() -> None:
    case = Case(COUNTERSIGN).start(reviewers=["a", "b"]).complete("draft")
    vote(case, "a", "approve")
    assert case.open_steps() == ["passed"]
    case.run(c.ReturnTask(ADMIN, case.task_id("passed"), "board"))
    assert sorted(t["assignee"] for t in tasks(case, "board")) == ["a", "b"]
    vote(case, "a", "reject").__class__  # noqa: B018
    vote(case, "b", "reject")
    assert case.open_steps() == ["failed"]


def test_return_from_a_countersign_cancels_all_its_votes() -> None:
    case = Case(COUNTERSIGN).start(reviewers=["a", "b", "c"]).complete("draft", actor=WANG)
    task = next(t for t in tasks(case, "board") if t["assignee"] == "b")
    case.run(c.ReturnTask(Actor("b"), str(task["id"]), "draft"))
    assert case.open_steps() == ["draft"]


def test_withdraw_by_the_performer_before_the_next_step_is_taken() -> None:
    case = Case(LINEAR).start(actor=WANG).complete("apply", actor=WANG)
    with pytest.raises(ForbiddenError, match="did not do step"):
        case.run(c.WithdrawTask(LI, "apply"))
    case.run(c.WithdrawTask(WANG, "apply", "填错了"))
    assert [t["assignee"] for t in tasks(case, "apply")] == ["wang"]
    case.complete("apply", actor=WANG)
    case.run(c.ClaimTask(LI, case.task_id("review")))
    with pytest.raises(ConflictError, match="li has already taken"):
        case.run(c.WithdrawTask(WANG, "apply"))


def test_withdraw_too_late_after_the_next_step_was_done() -> None:
    case = Case(LINEAR).start(actor=WANG).complete("apply", actor=WANG).complete("review",
                                                                                 actor=LI)
    with pytest.raises(ConflictError, match="'review' was already done by li"):
        case.run(c.WithdrawTask(WANG, "apply"))


def test_starter_withdraws_the_case_before_anyone_acted() -> None:
    case = Case(LINEAR).start(actor=WANG).complete("apply", actor=WANG)
    with pytest.raises(ForbiddenError, match="only the starter"):
        case.run(c.WithdrawCase(LI))
    case.run(c.WithdrawCase(WANG))
    assert case.open_steps() == ["apply"]
    case.complete("apply", actor=WANG).complete("review", actor=LI)
    with pytest.raises(ConflictError, match="li has already acted"):
        case.run(c.WithdrawCase(WANG))


def test_starter_withdrawing_before_doing_any_step_cancels_the_case() -> None:
    case = Case(LINEAR).start(actor=ZHAO)
    case.run(c.WithdrawCase(ZHAO))
    assert case.status == "cancelled"


def test_transfer_moves_ownership_and_the_former_assignee_cannot_complete() -> None:
    case = Case(LINEAR).start()
    task = case.task_id("apply")
    case.run(c.TransferTask(WANG, task, "chen", "我出差"))
    (t,) = tasks(case, "apply")
    assert t["assignee"] == "chen" and t["owner"] == "chen"
    with pytest.raises(ForbiddenError, match="assigned to chen"):
        case.run(c.CompleteTask(WANG, task))
    case.run(c.CompleteTask(Actor("chen"), task))
    assert case.state is not None and case.state["variables"]["apply"]["by"] == "chen"


def test_delegate_does_the_work_and_it_comes_back_to_the_owner() -> None:
    case = Case(LINEAR).start()
    task = case.task_id("apply")
    case.run(c.ClaimTask(WANG, task))
    case.run(c.DelegateTask(WANG, task, "chen"))
    with pytest.raises(ForbiddenError, match="assigned to chen"):
        case.run(c.CompleteTask(WANG, task))
    case.run(c.CompleteTask(Actor("chen"), task, {"note": "已核对"}))
    (t,) = tasks(case, "apply")
    assert t["assignee"] == "wang" and case.open_steps() == ["apply"]
    case.run(c.CompleteTask(WANG, task))
    assert case.state is not None and case.state["variables"]["note"] == "已核对"
    assert case.open_steps() == ["review"]


def test_add_signer_before_suspends_the_task_until_they_sign() -> None:
    case = Case(LINEAR).start()
    task = case.task_id("apply")
    case.run(c.ClaimTask(WANG, task))
    case.run(c.AddSigners(WANG, task, ("chen", "sun"), "before"))
    with pytest.raises(StateError, match="waits for the signers added before it"):
        case.run(c.CompleteTask(WANG, task))
    added = {t["assignee"]: t["id"] for t in tasks(case, "apply") if t["kind"] == "added"}
    case.run(c.CompleteTask(Actor("chen"), str(added["chen"])))
    case.run(c.CompleteTask(Actor("sun"), str(added["sun"])))
    case.run(c.CompleteTask(WANG, task))
    assert case.open_steps() == ["review"]


def test_add_signer_after_signs_once_the_assignee_completed() -> None:
    case = Case(LINEAR).start()
    task = case.task_id("apply")
    case.run(c.ClaimTask(WANG, task))
    case.run(c.AddSigners(WANG, task, ("chen",), "after"))
    case.run(c.CompleteTask(WANG, task))
    (added,) = tasks(case, "apply")
    assert added["assignee"] == "chen" and added["kind"] == "added"
    case.run(c.CompleteTask(Actor("chen"), str(added["id"])))
    assert case.open_steps() == ["review"]


def test_add_signer_alongside_and_remove_signer() -> None:
    case = Case(LINEAR).start()
    task = case.task_id("apply")
    case.run(c.ClaimTask(WANG, task))
    case.run(c.AddSigners(WANG, task, ("chen", "sun"), "alongside"))
    with pytest.raises(ForbiddenError, match="only wang may remove"):
        case.run(c.RemoveSigner(LI, task, "sun"))
    case.run(c.RemoveSigner(WANG, task, "sun"))
    with pytest.raises(ConflictError, match="chen already sign"):
        case.run(c.AddSigners(WANG, task, ("chen",), "alongside"))
    case.run(c.CompleteTask(WANG, task))
    assert case.open_steps() == ["apply"]  # chen still to sign
    chen = next(t for t in tasks(case, "apply") if t["assignee"] == "chen")
    case.run(c.CompleteTask(Actor("chen"), str(chen["id"])))
    assert case.open_steps() == ["review"]


def test_removing_the_last_before_signer_resumes_the_task() -> None:
    case = Case(LINEAR).start()
    task = case.task_id("apply")
    case.run(c.ClaimTask(WANG, task))
    case.run(c.AddSigners(WANG, task, ("chen",), "before"))
    case.run(c.RemoveSigner(WANG, task, "chen"))
    (t,) = tasks(case, "apply")
    assert t["status"] == "open"
    case.run(c.CompleteTask(WANG, task))


def test_urge_is_limited_in_frequency_and_rearmed_after_a_return() -> None:
    case = Case(LINEAR).start(actor=WANG).complete("apply", actor=WANG)
    task = case.task_id("review")
    case.run(c.UrgeTask(WANG, task, "请尽快"))
    assert case.effects[0]["kind"] == "urge" and case.effects[0]["roles"] == ["clerk"]
    with pytest.raises(ConflictError, match="can be urged again from"):
        case.run(c.UrgeTask(WANG, task))
    with pytest.raises(ForbiddenError, match="only the starter"):
        case.run(c.UrgeTask(ZHAO, task))
    case.complete("review", actor=LI)
    case.run(c.ReturnTask(ZHAO, case.task_id("approve"), "review"))
    case.run(c.UrgeTask(WANG, case.task_id("review")))  # a new visit can be urged at once
    assert case.effects[0]["users"] == ["li"]


def test_cc_with_read_receipt_and_comments() -> None:
    case = Case(LINEAR).start(actor=WANG)
    case.run(c.CarbonCopy(WANG, ("zhao", "sun"), case.task_id("apply"), "请知悉"))
    assert case.state is not None
    ccs = {v["user"]: k for k, v in case.state["cc"].items()}
    with pytest.raises(ForbiddenError):
        case.run(c.MarkCcRead(WANG, ccs["zhao"]))
    case.run(c.MarkCcRead(Actor("zhao"), ccs["zhao"]))
    assert case.state["cc"][ccs["zhao"]]["read_at"] is not None
    case.run(c.AddComment(Actor("sun"), "看过了"))
    with pytest.raises(ForbiddenError):
        case.run(c.AddComment(Actor("stranger"), "hi"))


def test_four_eyes_signer_and_checker_must_differ() -> None:
    case = Case(HEAD + """
process: contract
steps:
  - {id: sign, role: clerk}
  - {id: check, role: clerk, distinct_from: [sign]}
""").start().complete("sign", actor=WANG)
    with pytest.raises(ForbiddenError, match="four-eyes rule: wang did 'sign'"):
        case.run(c.ClaimTask(WANG, case.task_id("check")))
    with pytest.raises(ForbiddenError, match="four-eyes"):
        case.run(c.CompleteTask(WANG, case.task_id("check")))
    with pytest.raises(ForbiddenError, match="four-eyes"):
        case.run(c.TransferTask(LI, case.task_id("check"), "wang"))
    case.complete("check", actor=LI)
    assert case.status == "completed"


def test_a_user_holding_two_tasks_acts_on_exactly_the_named_one() -> None:
    case = Case(PARALLEL.replace("role: boss}", "role: clerk}")).start().complete("intake")
    legal, finance = case.task_id("legal"), case.task_id("finance")
    case.run(c.ClaimTask(WANG, legal))
    case.run(c.ClaimTask(WANG, finance))
    case.run(c.CompleteTask(WANG, finance))
    assert case.open_steps() == ["legal"]


def test_empty_candidate_policies() -> None:
    base = HEAD + """
process: empty
steps:
  - {id: a, role: boss, on_empty: POLICY}
  - {id: b, role: clerk}
"""
    skipped = Case(base.replace("POLICY", "skip")).start()
    assert skipped.open_steps() == ["b"]
    incident = Case(base.replace("POLICY", "incident")).start()
    assert [i["element"] for i in incident.incidents()] == ["a"]
    admin = Case(base.replace("POLICY", "admin")).start()
    assert [t["roles"] for t in tasks(admin, "a")] == [["admin"]]
    pool = Case(base.replace("POLICY", "pool")).start()
    assert [t["roles"] for t in tasks(pool, "a")] == [["boss"]]


def test_due_dates_on_the_working_calendar() -> None:
    case = Case(LINEAR.replace("{id: review, role: clerk}",
                               "{id: review, role: clerk, due: {working_days: 2}}"))
    case.now = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # Wed 10:00 Beijing, before National Day
    case.start().complete("apply")
    (task,) = tasks(case, "review")
    # 1 Oct – 7 Oct are holidays, so two working days later is Friday 9 October
    assert str(task["due_at"]).startswith("2026-10-09")


DEADLINE = HEAD + """
process: deadline
steps:
  - {id: apply, role: clerk}
  - id: review
    role: boss
    outcomes: [approve, reject]
    due: {hours: 8}
    deadline: {remind_before: {hours: 2}, overdue: OVERDUE, escalate_to: TARGET}
  - {id: after, role: clerk}
"""


def _timers(case: Case) -> list[dict[str, object]]:
    assert case.state is not None
    return sorted(case.state.get("timers", {}).values(), key=lambda t: str(t["due_at"]))


def _fire(case: Case, timer: dict[str, object]) -> None:
    from liucheng.engine.event_commands import FireTimer

    case.run(FireTimer(ADMIN, str(timer["id"])))


def test_deadline_reminds_before_due_then_decides_automatically_when_overdue() -> None:
    case = Case(DEADLINE.replace("OVERDUE", "approve").replace("TARGET", "boss"))
    case.start().complete("apply", actor=WANG)
    remind, overdue = _timers(case)
    assert [remind["purpose"], overdue["purpose"]] == ["remind", "overdue"]
    _fire(case, remind)
    assert case.effects[0]["kind"] == "urge" and case.effects[0]["roles"] == ["boss"]
    _fire(case, overdue)
    assert case.open_steps() == ["after"]
    assert case.state is not None
    assert case.state["variables"]["review"]["by"] == "system"
    assert case.state["variables"]["review"]["outcome"] == "approve"


def test_deadline_escalates_into_a_role_pool_and_timers_end_with_the_step() -> None:
    case = Case(DEADLINE.replace("OVERDUE", "escalate").replace("TARGET", "clerk"))
    case.start().complete("apply", actor=WANG)
    case.run(c.ClaimTask(ZHAO, case.task_id("review")))
    _fire(case, _timers(case)[1])
    (task,) = tasks(case, "review")
    assert task["assignee"] is None and task["roles"] == ["clerk"]
    case.run(c.CompleteTask(LI, str(task["id"]), {}, "reject"))
    assert _timers(case) == []  # cancelled when the step ended


def test_deadline_timers_are_armed_again_after_a_return() -> None:
    case = Case(DEADLINE.replace("OVERDUE", "remind").replace("TARGET", "clerk"))
    case.start().complete("apply", actor=WANG)
    first = {str(t["id"]) for t in _timers(case)}
    case.run(c.ReturnTask(ZHAO, case.task_id("review"), "apply"))
    assert _timers(case) == []
    case.complete("apply", actor=WANG)
    again = {str(t["id"]) for t in _timers(case)}
    assert len(again) == 2 and not again & first


def test_deadline_settings_are_checked() -> None:
    from liucheng.errors import ModelError
    from liucheng.loaders.yaml_dsl import load_yaml

    with pytest.raises(ModelError, match="needs the outcome 'approve'"):
        load_yaml(DEADLINE.replace("outcomes: [approve, reject]", "outcomes: [ok]")
                  .replace("OVERDUE", "approve").replace("TARGET", "x"))
    with pytest.raises(ModelError, match="deadline overdue must be one of"):
        load_yaml(DEADLINE.replace("OVERDUE", "explode").replace("TARGET", "x"))
