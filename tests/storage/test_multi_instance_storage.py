"""Multi-instance steps through the Engine, on SQLite and PostgreSQL: a review task per
reviewer in each one's inbox, service handlers called once per item with their own item,
and the state that replays from the stored history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from liucheng.engine import replay
from liucheng.runtime import Engine, ServiceCall
from testclock import Clock

PROCESS = """
process: tender
roles: {buyer: 采购员, expert: 评标专家}
steps:
  - id: quote
    handler: ask_supplier
    for_each: {items: suppliers, as: supplier, collect: {from: price, into: prices}}
  - id: assess
    role: expert
    assignee: expert
    outcomes: [approve, reject]
    form: [{id: score, type: integer, required: true}]
    for_each: {items: experts, as: expert, until: 'count(verdicts, "approve") >= 2',
               collect: {from: assess.outcome, into: verdicts}}
  - {id: award, role: buyer}
"""



@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = Engine(database_url, clock=Clock(tick=timedelta(seconds=1)))
    engine.add_user("buyer", roles=["buyer"])
    for expert in ("qian", "sun", "zhou"):
        engine.add_user(expert, roles=["expert"])
    yield engine
    engine.close()


def test_a_tender_with_one_quote_per_supplier_and_one_assessment_per_expert(
        engine: Engine) -> None:
    seen: list[str] = []

    def ask(call: ServiceCall) -> dict[str, int]:
        seen.append(call.variables["supplier"])
        return {"price": {"a": 120, "b": 90, "c": 100}[call.variables["supplier"]]}

    engine.service("ask_supplier")(ask)
    engine.deploy(PROCESS)
    case = engine.start("tender", {"suppliers": ["a", "b", "c"],
                                   "experts": ["qian", "sun", "zhou"]}, user="buyer")
    assert sorted(seen) == ["a", "b", "c"]
    assert engine.case(case.id).variables["prices"] == [120, 90, 100]
    for expert in ("qian", "sun", "zhou"):
        (task,) = engine.tasks(user=expert)
        assert task.element == "assess" and task.assignee == expert
    (sun,) = engine.tasks(user="sun")
    engine.complete(sun.id, {"score": 80}, user="sun", outcome="approve")
    (zhou,) = engine.tasks(user="zhou")
    engine.complete(zhou.id, {"score": 90}, user="zhou", outcome="approve")
    assert engine.tasks(user="qian") == []  # cancelled: two approvals were enough
    (award,) = engine.tasks(case=case.id)
    assert award.element == "award"
    variables = engine.case(case.id).variables
    assert variables["verdicts"] == [None, "approve", "approve"]
    assert variables["assess"]["by"] == ["sun", "zhou"]
    assert "score" not in variables
    history = [h.data for h in engine.history(case.id)]
    assert replay(history) == engine.state(case.id)


def test_handlers_on_parallel_branches_are_each_called(engine: Engine) -> None:
    calls: list[str] = []
    def check(call: ServiceCall) -> dict[str, bool]:
        calls.append(call.element)
        return {}

    engine.service("check")(check)
    engine.deploy("""
process: checks
roles: {buyer: 采购员}
steps:
  - id: both
    type: parallel
    branches:
      - - {id: credit, handler: check}
      - - {id: stock, handler: check}
  - {id: order, role: buyer}
""")
    case = engine.start("checks", {}, user="buyer")
    assert sorted(calls) == ["credit", "stock"]
    (task,) = engine.tasks(case=case.id)
    assert task.element == "order"
