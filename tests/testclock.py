"""The movable clock the storage and runtime tests give the Engine (and its job executor):
it stands still unless moved, or, with `tick`, moves on a little at every reading so each
command gets its own moment. No test waits for real time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MONDAY_9AM_BEIJING = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime = MONDAY_9AM_BEIJING, tick: timedelta = timedelta(0)
                 ) -> None:
        self.now = at
        self.tick = tick

    def __call__(self) -> datetime:
        self.now += self.tick
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def to(self, text: str) -> None:
        self.now = datetime.fromisoformat(text)
