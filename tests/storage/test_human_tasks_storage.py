"""Human-task actions through the Engine on SQLite and PostgreSQL: inbox rows follow every move."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from liucheng.errors import ConflictError, ForbiddenError
from liucheng.runtime import Engine
from testclock import Clock

MODEL = """
process: claim_form
roles: {clerk: 文员, boss: 主管, board: 董事会}
steps:
  - {id: apply, role: clerk, name: 申请}
  - id: checks
    type: parallel
    branches:
      - - {id: legal, role: clerk, name: 法务}
      - - {id: money, role: boss, name: 财务, due: {working_days: 1}}
  - {id: vote, roles: [board], countersign: {mode: ratio, ratio: 0.5}, name: 会签}
  - {id: sign, role: boss, name: 签字}
  - {id: leader_ok, assignee: leader(starter), name: 领导确认}
"""


@pytest.fixture
def engine(database_url: str) -> Engine:
    clock = Clock(tick=timedelta(seconds=1))
    engine = Engine(database_url, clock=clock)
    engine.clock_ = clock  # type: ignore[attr-defined]
    for user, roles in {"wang": ["clerk"], "li": ["clerk"], "zhao": ["boss"], "chen": ["boss"],
                        "b1": ["board"], "b2": ["board"], "b3": ["board"], "b4": ["board"],
                        "boss_of_wang": []}.items():
        engine.add_user(user, roles=roles)
    engine.deploy(MODEL)
    yield engine
    engine.close()


def _only(engine: Engine, user: str, step: str) -> str:
    (task,) = [t for t in engine.inbox(user, "all") if t.element == step]
    return task.id


def test_return_transfer_delegate_and_the_inbox_rows(engine: Engine) -> None:
    case = engine.start("claim_form", {}, user="wang")
    engine.complete(_only(engine, "wang", "apply"), user="wang")
    money = _only(engine, "zhao", "money")
    assert engine.task(money).due_at is not None
    engine.transfer(money, user="zhao", to="chen", comment="出差")
    assert [t.id for t in engine.inbox("chen", "mine")] == [money]
    assert engine.inbox("zhao", "mine") == []
    with pytest.raises(ForbiddenError):
        engine.complete(money, user="zhao")
    engine.delegate(money, user="chen", to="zhao")
    assert engine.task(money).assignee == "zhao" and engine.task(money).owner == "chen"
    engine.complete(money, {"checked": True}, user="zhao")  # resolves back to chen
    assert engine.task(money).assignee == "chen"
    engine.complete(money, user="chen")
    legal = _only(engine, "li", "legal")
    engine.return_task(legal, user="li", to="apply", comment="缺材料")
    assert [t.element for t in engine.tasks(case=case.id)] == ["apply"]
    assert engine.task(legal).status == "cancelled"
    assert engine.task(money).status == "completed"
    cancelled = engine.tasks(case=case.id, status="cancelled")
    assert {t.element for t in cancelled} == {"legal"}
    (again,) = engine.tasks(case=case.id)
    assert again.assignee == "wang"  # back to who did it
    with engine.db.connect() as conn:
        open_rows = conn.execute(sa.text(
            "select element from tasks where instance_id = :c and status in ('open', 'suspended')"
        ), {"c": case.id}).scalars().all()
    assert open_rows == ["apply"]
    assert engine.state(case.id)["tasks"].keys() == {again.id}


def test_countersign_signers_from_role_members_and_add_signer(engine: Engine) -> None:
    case = engine.start("claim_form", {}, user="wang")
    engine.complete(_only(engine, "wang", "apply"), user="wang")
    engine.complete(_only(engine, "li", "legal"), user="li")
    money = _only(engine, "zhao", "money")
    engine.claim(money, user="zhao")
    engine.add_signers(money, ["chen"], user="zhao", position="before")
    assert engine.task(money).status == "suspended"
    assert [(t.id, t.status) for t in engine.tasks(user="zhao")] == [(money, "suspended")]
    (added,) = [t for t in engine.inbox("chen", "mine") if t.kind == "added"]
    engine.complete(added.id, user="chen")
    engine.complete(money, user="zhao")
    votes = engine.tasks(case=case.id)
    assert sorted(t.assignee or "" for t in votes) == ["b1", "b2", "b3", "b4"]
    engine.complete(_only(engine, "b1", "vote"), user="b1", outcome="reject")
    engine.complete(_only(engine, "b2", "vote"), user="b2", outcome="approve")
    assert len(engine.tasks(case=case.id)) == 2
    engine.complete(_only(engine, "b3", "vote"), user="b3", outcome="approve")
    assert [t.element for t in engine.tasks(case=case.id)] == ["sign"]
    assert engine.case(case.id).variables["vote"]["outcome"] == "approve"


def test_urge_cc_notifications_and_comment(engine: Engine) -> None:
    case = engine.start("claim_form", {}, user="wang")
    engine.complete(_only(engine, "wang", "apply"), user="wang")
    legal = _only(engine, "li", "legal")
    engine.urge(legal, user="wang", comment="客户在等")
    with pytest.raises(ConflictError, match="urged again"):
        engine.urge(legal, user="wang")
    urges = [n for n in engine.notifications("li") if n["kind"] == "urge"]
    assert len(urges) == 1 and "客户在等" in urges[0]["text"]
    engine.carbon_copy(case.id, ["chen"], user="wang", comment="供参考")
    (copy,) = engine.copies("chen", unread_only=True)
    assert copy["sent_by"] == "wang"
    engine.mark_copy_read(copy["id"], user="chen")
    assert engine.copies("chen", unread_only=True) == []
    engine.comment(case.id, "已电话确认", user="chen")
    assert any(h.type == "comment_added" for h in engine.history(case.id))


def test_out_of_office_sends_new_tasks_to_the_stand_in(engine: Engine) -> None:
    now = engine.clock()
    engine.set_out_of_office("wang", "li", now, now + timedelta(days=7), reason="年假")
    model = MODEL.replace("process: claim_form", "process: direct").replace(
        "{id: apply, role: clerk, name: 申请}", "{id: apply, assignee: starter, name: 申请}")
    engine.deploy(model)
    case = engine.start("direct", {}, user="wang")
    (task,) = engine.tasks(case=case.id)
    assert task.assignee == "li" and task.on_behalf_of == "wang"
    assert [t.id for t in engine.inbox("li", "mine")] == [task.id]
    engine.complete(task.id, user="li")
    completed = next(h for h in engine.history(case.id) if h.type == "task_completed")
    assert completed.data["on_behalf_of"] == "wang"


def test_hand_over_existing_tasks_in_one_action(engine: Engine) -> None:
    for _ in range(3):
        engine.start("claim_form", {}, user="wang")
    for task in engine.inbox("wang", "pool"):
        engine.claim(task.id, user="wang")
    moved = engine.hand_over("wang", "li")
    assert len(moved) == 3 and engine.inbox("wang", "mine") == []
    assert len(engine.inbox("li", "mine")) == 3


def test_inbox_views_filters_and_leader_assignment(engine: Engine) -> None:
    case = engine.start("claim_form", {}, user="wang")
    assert [t.element for t in engine.inbox("li", "pool")] == ["apply"]
    assert engine.inbox("li", "mine") == []
    engine.complete(_only(engine, "wang", "apply"), user="wang")
    assert [t.element for t in engine.inbox("wang", "done")] == ["apply"]
    assert engine.inbox("zhao", "all", text="财务")[0].element == "money"
    assert engine.inbox("zhao", "all", text="nothing") == []
    assert engine.inbox("zhao", "all", process="other") == []
    engine.clock_.now += timedelta(days=5)  # type: ignore[attr-defined]
    assert [t.element for t in engine.inbox("zhao", "overdue")] == ["money"]
    assert [c["id"] for c in engine.started_by("wang")] == [case.id]


def test_an_assignee_who_is_not_a_user_is_an_incident_not_a_lost_task(engine: Engine) -> None:
    model = MODEL.replace("process: claim_form", "process: named").replace(
        "{id: apply, role: clerk, name: 申请}", "{id: apply, assignee: officer, name: 申请}")
    engine.deploy(model)
    case = engine.start("named", {"officer": "王五"}, user="wang")
    assert engine.tasks(case=case.id) == []
    (incident,) = engine.incidents()
    assert "'王五' (from 'officer') is not the id of an active user" in incident["reason"]
    engine.set_variables(case.id, {"officer": "li"}, user="wang")
    engine.retry(incident["id"], user="wang")
    assert [t.assignee for t in engine.tasks(case=case.id)] == ["li"]
