"""A worker the crash tests kill with SIGKILL: Engine commands in a loop, each recorded.

    python crash_worker.py DATABASE_URL JOURNAL RUN SEED

Before each command it appends `begin OP ACTION TARGET` to JOURNAL; only after the Engine
call has returned does it append `ack OP ACTION RESULT` (or `lost OP ACTION ERROR` when it
lost a race to the other worker: ConflictError, ForbiddenError or StateError). Every
command carries its OP id — as the business key of a case it starts, as the comment of a
completion or return — so the test can count how often each was applied. Any other
exception ends the worker with a traceback, which fails the test.
"""

from __future__ import annotations

import random
import sys

from liucheng.errors import ConflictError, ForbiddenError, StateError
from liucheng.runtime import Engine

CRASH_PROCESS = """
process: crash
name: {zh: 崩溃测试, en: Crash}
roles: {clerk: {zh: 文员, en: Clerk}}
steps:
  - {id: apply, role: clerk, name: 申请}
  - id: checks
    type: parallel
    branches:
      - - {id: legal, role: clerk, name: 法务}
      - - {id: money, role: clerk, name: 财务}
  - {id: approve, role: clerk, name: 审批}
"""
USERS = ("c0", "c1", "c2", "c3")
OPEN_CASES = 6  # keep about this many cases running


def main() -> int:
    url, journal_path, run, seed = sys.argv[1:5]
    rng = random.Random(int(seed))
    engine = Engine(url, migrate_schema=False)
    n = 0
    with open(journal_path, "a", encoding="utf-8", buffering=1) as journal:
        while True:
            n += 1
            op = f"{run}-{n}"
            pool = engine.tasks(role="clerk", limit=40)
            if len(pool) < OPEN_CASES * 2 or rng.random() < 0.15:
                journal.write(f"begin {op} start -\n")
                case = engine.start("crash", {"op": op}, user=rng.choice(USERS),
                                    business_key=op)
                journal.write(f"ack {op} start {case.id}\n")
                continue
            task = rng.choice(pool)
            action = "return" if task.element != "apply" and rng.random() < 0.2 else "complete"
            journal.write(f"begin {op} {action} {task.id}\n")
            try:
                if action == "return":
                    engine.return_task(task.id, user=rng.choice(USERS), to="apply",
                                       comment=op)
                else:
                    engine.complete(task.id, {f"by_{task.element}": op},
                                    user=rng.choice(USERS), comment=op)
            except (ConflictError, ForbiddenError, StateError) as exc:
                journal.write(f"lost {op} {action} {type(exc).__name__}\n")
                continue
            journal.write(f"ack {op} {action} {task.id}\n")


if __name__ == "__main__":
    sys.exit(main())
