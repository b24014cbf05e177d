"""The visit state machine on event rows for hand-overs the Engine facade may not expose."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from analytics_history import PRODUCT

from liucheng.analytics import Filters, visits
from liucheng.analytics.visits import _visit
from liucheng.runtime import Engine

SH = ZoneInfo("Asia/Shanghai")


def t(hour: int) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=SH)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def row(type_: str, hour: int, actor: str | None = None, *, implicit: bool | None = None,
        given_to: str | None = None, status: str = "completed") -> tuple[Any, ...]:
    """An event row in the visits query's layout: the event, then its task's columns."""
    return ("t1", type_, t(hour), actor, implicit, given_to,
            "c1", "p", "s", "S", "r", status, None, t(8), "dan", "p:1")


def periods(rows: list[tuple[Any, ...]]) -> list[tuple[str, int, int, str | None]]:
    visit = _visit(rows, t(23))
    return [(s.kind, s.start.hour, s.end.hour, s.actor) for s in visit.segments]


def test_transfer_from_the_pool_keeps_the_wait_and_hands_the_work_on() -> None:
    assert periods([row("task_created", 8), row("task_claimed", 10, "ann", implicit=True),
                    row("task_transferred", 10, "ann", given_to="bob"),
                    row("task_completed", 12, "bob")]) == [
        ("waiting", 8, 10, None), ("working", 10, 12, "bob")]


def test_delegation_goes_to_the_delegate_and_back_to_the_owner() -> None:
    assert periods([row("task_created", 8), row("task_claimed", 9, "ann"),
                    row("task_delegated", 10, "ann", given_to="cat"),
                    row("task_resolved", 13, "cat", given_to="ann"),
                    row("task_completed", 14, "ann")]) == [
        ("waiting", 8, 9, None), ("working", 9, 10, "ann"), ("working", 10, 13, "cat"),
        ("working", 13, 14, "ann")]


def test_a_suspended_step_waits_until_resumed() -> None:
    assert periods([row("task_created", 8, given_to="ann"), row("task_suspended", 9),
                    row("task_resumed", 12), row("task_completed", 13, "ann")]) == [
        ("working", 8, 9, "ann"), ("waiting", 9, 12, None), ("working", 12, 13, "ann")]


def test_completed_from_the_pool_counts_as_work_since_it_became_free() -> None:
    assert periods([row("task_created", 8), row("task_claimed", 9, "ann"),
                    row("task_unclaimed", 10, "ann"), row("task_claimed", 15, "bob", implicit=True),
                    row("task_completed", 15, "bob")]) == [
        ("waiting", 8, 9, None), ("working", 9, 10, "ann"), ("working", 10, 15, "bob")]


def test_an_open_step_runs_to_now() -> None:
    visit = _visit([row("task_created", 8, status="open")], t(23))
    assert visit.open and [(s.kind, s.end.hour) for s in visit.segments] == [("waiting", 23)]


HANDS = """
process: hands
name: Hands
roles:
  clerk: Clerk
steps:
  - id: fill
    name: Fill
    role: clerk
    assignee: starter
  - id: check
    name: Check
    role: clerk
  - id: done
    type: end
"""


def test_stored_hand_overs_give_the_work_to_whom_the_event_names(database_url: str) -> None:
    """The fields the visits query reads from the events' JSON (the assignee at creation, an
    implicit claim, the new holder of a transfer or delegation, the owner a delegate hands
    back to), on SQLite and PostgreSQL."""
    clock = Clock(t(8))
    engine = Engine(database_url, clock=clock)
    try:
        engine.deploy(HANDS)
        for user in ("ann", "bob", "cat", "dan"):
            engine.add_user(user, roles=["clerk"])
        case = engine.start("hands", user="ann").id
        steps = [(9, lambda task: engine.complete(task, user="ann")),  # assigned at creation
                 (10, lambda task: engine.transfer(task, user="bob", to="cat")),  # from the pool
                 (11, lambda task: engine.delegate(task, user="cat", to="dan")),
                 (12, lambda task: engine.complete(task, user="dan")),  # back to cat
                 (13, lambda task: engine.complete(task, user="cat"))]
        for hour, act in steps:
            clock.now = t(hour)
            [task] = engine.tasks(case=case)
            act(task.id)
        with engine.db.connect() as conn:
            found = {v.element: v for v in visits(conn, PRODUCT, Filters("hands"), t(23))}
    finally:
        engine.close()
    spans = {k: [(s.kind, s.start.astimezone(SH).hour, s.end.astimezone(SH).hour, s.actor)
                 for s in v.segments] for k, v in found.items()}
    assert spans == {
        "fill": [("working", 8, 9, "ann")],
        "check": [("waiting", 9, 10, None), ("working", 10, 11, "cat"),
                  ("working", 11, 12, "dan"), ("working", 12, 13, "cat")]}
