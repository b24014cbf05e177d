"""A job worker the crash tests kill with SIGKILL while it holds leased jobs.

    python jobs_worker.py DATABASE_URL NOW NAME JOURNAL

Runs `JobExecutor.run_due` in small batches with the clock fixed at NOW (so leases are
measured in that time), journalling each round, until nothing is due; then writes `idle`.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor


def main() -> int:
    url, now, name, journal_path = sys.argv[1:5]
    at = datetime.fromisoformat(now)
    engine = Engine(url, clock=lambda: at, migrate_schema=False)
    executor = JobExecutor(engine, worker=name, batch=4, lease=timedelta(seconds=60))
    with open(journal_path, "a", encoding="utf-8", buffering=1) as journal:
        while True:
            done = executor.run_due()
            journal.write(f"round claimed={done.claimed} fired={done.fired} lost={done.lost} "
                          f"stale={done.stale} errors={len(done.errors)}\n")
            if done.errors:
                journal.write("error " + " | ".join(done.errors) + "\n")
                return 3
            if not done.claimed:
                journal.write("idle\n")
                return 0


if __name__ == "__main__":
    sys.exit(main())
