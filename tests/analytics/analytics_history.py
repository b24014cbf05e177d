"""A small hand-computed history, run through the Engine with an injected clock.

Process `review`: prepare (clerk) → approve (boss, ok/back) → back to prepare or done.
Times are Asia/Shanghai; working hours 08:30–12:00 and 13:30–17:30 (Mon 2 and Tue 3
March 2026 are ordinary working days).

Case A (dealer D1)
  Mon 09:00 start; prepare#1 created            Mon 10:00 ann claims   Mon 11:00 ann unclaims
  Mon 14:00 cat claims   Mon 15:00 cat completes (amount 100); approve#1 created
  Mon 16:00 bob completes approve#1 from the pool, outcome back, comment; prepare#2 created
  Tue 10:00 ann completes prepare#2 from the pool; approve#2 created
  Tue 11:00 bob claims   Tue 12:00 bob completes ok; the case ends
Case B (dealer D2, amount 50)
  Tue 09:00 start; prepare created, nobody takes it (due Tue 12:00)
NOW = Tue 15:00
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from liucheng.analytics import Tables
from liucheng.runtime import Engine
from liucheng.storage.tables import events, instances, tasks

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 3, 15, 0, tzinfo=SH)
H = 3600.0
PRODUCT = Tables(instances, tasks, events)

REVIEW = """
process: review
name: Review
roles:
  clerk: Clerk
  boss: Boss
steps:
  - id: prepare
    name: Prepare
    role: clerk
    form:
      - {id: amount, type: decimal}
  - id: approve
    name: Approve
    role: boss
    outcomes: [ok, back]
  - id: check
    type: exclusive
    routes:
      - {to: prepare, when: approve.outcome == "back"}
      - {to: done, default: true}
  - id: done
    type: end
"""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


@dataclass
class History:
    engine: Engine
    case_a: str
    case_b: str
    clock: list[datetime]


class Clock:
    def __init__(self) -> None:
        self.now = at(2, 9)

    def __call__(self) -> datetime:
        return self.now


def open_task(engine: Engine, case: str) -> str:
    [task] = engine.tasks(case=case)
    return task.id


@pytest.fixture
def history(database_url: str) -> Iterator[History]:
    """The history above, on SQLite and on PostgreSQL (see tests/conftest.py)."""
    clock = Clock()
    engine = Engine(database_url, clock=clock)
    engine.deploy(REVIEW)
    for user, role in (("ann", "clerk"), ("cat", "clerk"), ("bob", "boss")):
        engine.add_user(user, roles=[role])
    a = engine.start("review", {"dealer": "D1"}, user="ann").id
    steps = [
        (at(2, 10), lambda t: engine.claim(t, user="ann")),
        (at(2, 11), lambda t: engine.unclaim(t, user="ann")),
        (at(2, 14), lambda t: engine.claim(t, user="cat")),
        (at(2, 15), lambda t: engine.complete(t, {"amount": 100}, user="cat")),
        (at(2, 16), lambda t: engine.complete(t, user="bob", outcome="back",
                                              comment="amount missing")),
        (at(3, 10), lambda t: engine.complete(t, user="ann")),
        (at(3, 11), lambda t: engine.claim(t, user="bob")),
        (at(3, 12), lambda t: engine.complete(t, user="bob", outcome="ok")),
    ]
    case_b = ""
    for moment, act in steps:
        if moment == at(3, 10):
            clock.now = at(3, 9)
            case_b = engine.start("review", {"dealer": "D2", "amount": 50}, user="cat").id
        clock.now = moment
        act(open_task(engine, a))
    with engine.db.begin() as conn:
        conn.execute(tasks.update().where(tasks.c.instance_id == case_b)
                     .values(due_at=at(3, 12)))
    yield History(engine, a, case_b, [clock.now])
    engine.close()


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / H, 6)

