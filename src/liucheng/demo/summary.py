"""What the demo database holds: the `DemoSummary` and `existing`, which counts the demo
cases (those whose business key starts with MARKER) per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from liucheng.runtime import Engine

MARKER = "DEMO-"  # business keys of demo cases start with this


@dataclass
class DemoSummary:
    """What the demo database holds (or now holds): cases per process, users, period."""

    created: bool
    cases: dict[str, int]
    open_cases: dict[str, int]
    users: int
    tasks_done: int = 0
    start: datetime | None = None
    end: datetime | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "cases": self.cases, "open_cases": self.open_cases,
                "total": self.total, "users": self.users, "tasks_done": self.tasks_done,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None,
                "seconds": round(self.seconds, 1), "problems": self.problems}


def existing(engine: Engine) -> DemoSummary:
    """What demo data the database holds (cases whose business key marks them as demo)."""
    cases: dict[str, int] = {}
    open_: dict[str, int] = {}
    for row in engine.cases(limit=1_000_000):
        if not str(row.get("business_key") or "").startswith(MARKER):
            continue
        key = row["definition_key"]
        cases[key] = cases.get(key, 0) + 1
        if row["status"] == "active":
            open_[key] = open_.get(key, 0) + 1
    started = [r["started_at"] for r in engine.cases(limit=1_000_000)
               if str(r.get("business_key") or "").startswith(MARKER)]
    return DemoSummary(created=False, cases=cases, open_cases=open_, users=len(engine.users()),
                       start=min(started) if started else None,
                       end=max(started) if started else None)
