"""How much work each case does: the full run (default) and `--quick`.

Case counts are chosen so that both models give about the same number of completions
(a linear10 case has 10, a gateway case 4.5 on average), each side of a round runs for
a few seconds, and the whole full run stays under about 15 minutes on a 2-core machine.
B5–B7 are sized as their targets are stated (a 1,000,000-event history; 100,000 open
cases and 1,000,000 completions; 50 clients); B6 at that size takes hours, see
`--memory-completions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Sizes:
    rounds: int = 5
    b1_cases: dict[str, int] = field(default_factory=lambda: {"linear10": 1000,
                                                              "gateway": 2200})
    b2_cases: dict[str, int] = field(default_factory=lambda: {"linear10": 40, "gateway": 90})
    b3_cases: dict[str, int] = field(default_factory=lambda: {"linear10": 32})
    b3_clients: tuple[int, ...] = (1, 8)
    inbox_tasks: int = 1_000_000
    inbox_open: int = 100_000
    inbox_roles: int = 30
    inbox_users: int = 200
    inbox_queries: int = 40
    warmup: int = 10
    profile_b1_cases: int = 6000
    profile_b2_cases: int = 100
    history_events: int = 1_000_000  # B5: rows in the events table
    history_seed_cases: int = 300
    memory_open: int = 100_000  # B6
    memory_completions: int = 1_000_000
    web_months: int = 3  # B7: the demo's months of history
    web_clients: int = 50
    web_seconds: int = 20  # per page and round


FULL = Sizes()
QUICK = replace(
    FULL, rounds=3, b1_cases={"linear10": 200, "gateway": 440},
    b2_cases={"linear10": 20, "gateway": 44}, b3_cases={"linear10": 24},
    inbox_tasks=50_000, inbox_open=5_000, inbox_queries=30, warmup=3,
    profile_b1_cases=1500, profile_b2_cases=30, history_events=50_000, history_seed_cases=60,
    memory_open=5_000, memory_completions=5_000, web_months=1, web_seconds=8)
