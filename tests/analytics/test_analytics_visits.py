"""The visit state machine on event rows for hand-overs the Engine facade may not expose."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from liucheng.analytics.visits import _visit

SH = ZoneInfo("Asia/Shanghai")


def t(hour: int) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=SH)


def row(type_: str, hour: int, actor: str | None = None, **data: Any) -> SimpleNamespace:
    base = dict(task_id="t1", instance_id="c1", definition_key="p", definition_id="p:1",
                element="s", name="S", role="r", status="completed", due_at=None,
                created_at=t(8), completed_by="dan", implicit=None, assignee=None, to=None,
                owner=None)
    return SimpleNamespace(**{**base, "type": type_, "at": t(hour), "actor": actor, **data})


def periods(rows: list[SimpleNamespace]) -> list[tuple[str, int, int, str | None]]:
    visit = _visit(rows, t(23))
    return [(s.kind, s.start.hour, s.end.hour, s.actor) for s in visit.segments]


def test_transfer_from_the_pool_keeps_the_wait_and_hands_the_work_on() -> None:
    assert periods([row("task_created", 8), row("task_claimed", 10, "ann", implicit=True),
                    row("task_transferred", 10, "ann", to="bob"),
                    row("task_completed", 12, "bob")]) == [
        ("waiting", 8, 10, None), ("working", 10, 12, "bob")]


def test_delegation_goes_to_the_delegate_and_back_to_the_owner() -> None:
    assert periods([row("task_created", 8), row("task_claimed", 9, "ann"),
                    row("task_delegated", 10, "ann", to="cat", owner="ann"),
                    row("task_resolved", 13, "cat", owner="ann"),
                    row("task_completed", 14, "ann")]) == [
        ("waiting", 8, 9, None), ("working", 9, 10, "ann"), ("working", 10, 13, "cat"),
        ("working", 13, 14, "ann")]


def test_a_suspended_step_waits_until_resumed() -> None:
    assert periods([row("task_created", 8, assignee="ann"), row("task_suspended", 9),
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
