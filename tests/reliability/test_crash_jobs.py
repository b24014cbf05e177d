"""Crashes of the job executor: job-worker processes fire due timers while one of them
is killed with SIGKILL at random moments — holding leased jobs, often inside a firing
transaction — and replaced by a worker whose clock is past the lease; at the end two
workers finish the rest side by side. On SQLite and
PostgreSQL: every timer fires exactly once, no job is left, and every case's state
equals the replay of its history. Size: LC_JOB_CASES (default 100), LC_JOB_KILLS (3).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from race_kit import case_problems, env_count, summary_line

from liucheng.runtime import Engine
from liucheng.runtime.jobs import JobExecutor
from liucheng.storage.tables import events, instances, jobs

CASES = env_count("LC_JOB_CASES", 100)
KILLS = env_count("LC_JOB_KILLS", 3)
WORKER = Path(__file__).with_name("jobs_worker.py")
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DUE = T0 + timedelta(hours=2)
PROCESS = """
process: cooling
roles: {clerk: {zh: 文员, en: Clerk}}
steps:
  - {id: cool_off, type: timer, wait: PT1H, name: 冷静期}
  - {id: after, role: clerk, name: 冷静期后办理}
"""


def _rounds(path: Path) -> int:
    try:
        return path.read_text(encoding="utf-8").count("round ")
    except FileNotFoundError:
        return 0


def test_timers_fire_once_when_job_workers_are_killed(database_url: str, tmp_path: Path,
                                                      figures: list[str]) -> None:
    engine = Engine(database_url, clock=lambda: T0)
    engine.add_user("c0", roles=["clerk"])
    engine.deploy(PROCESS, source_name="cooling.yaml")
    cases = [engine.start("cooling", user="c0").id for _ in range(CASES)]
    rng = random.Random(20260305)
    launched = 0
    workers: dict[int, tuple[subprocess.Popen[bytes], Path, str]] = {}
    kills_holding = 0

    def launch(slot: int) -> None:
        nonlocal launched
        launched += 1  # each new worker's clock is past every lease taken before it
        at = DUE + timedelta(seconds=61 * launched)
        journal = tmp_path / f"jobs-{launched:02d}.log"
        name = f"w{launched}"
        workers[slot] = (subprocess.Popen(
            [sys.executable, str(WORKER), database_url, at.isoformat(), name, str(journal)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE), journal, name)

    def held_by(name: str) -> int:
        with engine.db.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(jobs).where(
                jobs.c.locked_by == name)).scalar_one())

    started = time.monotonic()
    kills = 0
    try:
        # one worker at a time, killed soon after it starts firing: it dies holding leases
        for _ in range(KILLS):
            launch(0)
            proc, journal, name = workers[0]
            deadline = time.monotonic() + 90
            while _rounds(journal) < 1 and proc.poll() is None:
                assert time.monotonic() < deadline, "job worker made no progress"
                time.sleep(0.005)
            if proc.poll() is not None:  # it finished the work before it could be killed
                assert proc.returncode == 0, proc.communicate()[1].decode(errors="replace")
                break
            time.sleep(rng.uniform(0.0, 0.25))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
            kills_holding += held_by(name) > 0  # leases it took and can no longer release
        # then two at once finish the rest, taking over the dead worker's leases
        for slot in (0, 1):
            launch(slot)
        for proc, _, _ in workers.values():
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err.decode(errors="replace")
    finally:
        for proc, _, _ in workers.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    sweep = JobExecutor(engine, worker="sweeper", clock=lambda: DUE + timedelta(hours=1))
    swept = sweep.run_until_idle()
    elapsed = time.monotonic() - started

    with engine.db.connect() as conn:
        fired = dict(conn.execute(sa.select(events.c.instance_id, sa.func.count()).where(
            events.c.type == "timer_fired").group_by(events.c.instance_id)).all())
        left = conn.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one()
        active = conn.execute(sa.select(sa.func.count()).select_from(instances)).scalar_one()
    problems = [f"case {c} fired {fired.get(c, 0)} times" for c in cases if fired.get(c) != 1]
    for case in cases:
        problems += case_problems(engine, case)
        if [t.element for t in engine.tasks(case=case)] != ["after"]:
            problems.append(f"case {case} did not move past its timer")
    figures.append(summary_line(f"SIGKILL of job workers on {engine.db.dialect.name}", {
        "timers": CASES, "kills": kills, "kills_holding_leases": kills_holding,
        "workers_started": launched, "fired_after_lease_expiry": swept.fired,
        "seconds": f"{elapsed:.1f}"}))
    engine.close()
    assert problems == [] and left == 0 and active == CASES
