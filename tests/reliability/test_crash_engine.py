"""Crashes: worker processes running Engine commands under load are killed with SIGKILL at
random moments, then started again, on SQLite and PostgreSQL.

Two workers (crash_worker.py) start cases and complete or return tasks of the same
process concurrently, journalling each command before and after the Engine call. After
every kill and at the end: every acknowledged command is in the database exactly once, no
command is applied twice, nothing appears that no worker asked for, and every case's
state equals the replay of its history, with its open task rows matching.
Size: LC_CRASH_KILLS per database (default 5).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from crash_worker import CRASH_PROCESS, USERS
from race_kit import case_problems, env_count, summary_line

from liucheng.runtime import Engine
from liucheng.storage.tables import events, instances

KILLS = env_count("LC_CRASH_KILLS", 5)
WORKER = Path(__file__).with_name("crash_worker.py")
EVENT_OF = {"complete": "task_completed", "return": "task_returned"}


class Journal:
    """What the workers wrote: begun, acknowledged and lost commands."""

    def __init__(self, folder: Path) -> None:
        self.begun: dict[str, tuple[str, str]] = {}
        self.acked: dict[str, tuple[str, str]] = {}
        self.lost: set[str] = set()
        self.in_flight: list[str] = []  # the command each killed worker had begun
        for path in sorted(folder.glob("journal-*.log")):
            lines = path.read_text(encoding="utf-8").splitlines()
            for line in lines:
                parts = line.split(" ")
                if len(parts) != 4:
                    continue  # a line cut short by the kill
                kind, op, action, target = parts
                if kind == "begin":
                    self.begun[op] = (action, target)
                elif kind == "ack":
                    self.acked[op] = (action, target)
                else:
                    self.lost.add(op)
            if lines and lines[-1].startswith("begin "):
                self.in_flight.append(lines[-1].split(" ")[1])


def _acks(path: Path) -> int:
    try:
        return path.read_text(encoding="utf-8").count("\nack ")
    except FileNotFoundError:
        return 0


def test_acknowledged_commands_survive_sigkill(database_url: str, tmp_path: Path,
                                               figures: list[str]) -> None:
    engine = Engine(database_url)
    for user in USERS:
        engine.add_user(user, roles=["clerk"])
    engine.deploy(CRASH_PROCESS, source_name="crash.yaml")
    rng = random.Random(20260304)
    runs = 0
    workers: dict[int, tuple[subprocess.Popen[bytes], Path]] = {}

    def launch(slot: int) -> None:
        nonlocal runs
        runs += 1
        journal = tmp_path / f"journal-{runs:03d}.log"
        journal.write_text("\n", encoding="utf-8")
        proc = subprocess.Popen([sys.executable, str(WORKER), database_url, str(journal),
                                 f"r{runs}", str(rng.randrange(1 << 30))],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        workers[slot] = (proc, journal)

    def kill(slot: int) -> None:
        proc, _ = workers[slot]
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"worker ended by itself ({proc.returncode}): "
                                 f"{err.decode(errors='replace')[-3000:]}")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.stderr is not None
        proc.stderr.close()

    started = time.monotonic()
    for slot in (0, 1):
        launch(slot)
    try:
        for _ in range(KILLS):
            slot = rng.randrange(2)
            proc, journal = workers[slot]
            deadline = time.monotonic() + 90
            while _acks(journal) < 3:  # let it get going (imports take a moment)
                assert proc.poll() is None, proc.communicate()[1].decode(errors="replace")
                assert time.monotonic() < deadline, "worker made no progress"
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.6))
            kill(slot)
            launch(slot)
        time.sleep(rng.uniform(0.3, 0.8))
    finally:
        for slot in list(workers):
            proc, _ = workers[slot]
            if proc.poll() is None:
                kill(slot)
    elapsed = time.monotonic() - started
    journal = Journal(tmp_path)

    with engine.db.connect() as conn:
        started_by_op = Counter(r[0] for r in conn.execute(sa.select(instances.c.business_key)))
        case_of = {r[0]: r[1] for r in conn.execute(sa.select(instances.c.business_key,
                                                              instances.c.id))}
        done = conn.execute(sa.select(events.c.type, events.c.task_id, events.c.data).where(
            events.c.type.in_(["task_completed", "task_returned"]))).all()
    applied: Counter[str] = Counter()
    applied_task: dict[str, tuple[str, str]] = {}
    for kind, task_id, data in done:
        if data.get("comment"):
            applied[data["comment"]] += 1
            applied_task[data["comment"]] = (kind, task_id)
    applied.update(started_by_op)

    problems = [f"{op} applied {n} times" for op, n in applied.items() if n > 1]
    problems += [f"{op} is in the database but no worker began it"
                 for op in applied if op not in journal.begun]
    problems += [f"lost-race {op} was applied" for op in journal.lost if applied[op]]
    for op, (action, target) in journal.acked.items():
        if applied[op] != 1:
            problems.append(f"acknowledged {action} {op} applied {applied[op]} times")
        elif action == "start" and case_of[op] != target:
            problems.append(f"acknowledged start {op} made case {case_of[op]}, not {target}")
        elif action != "start":
            kind, task_id = applied_task[op]
            if task_id != target or kind != EVENT_OF[action]:
                problems.append(f"acknowledged {action} {op} recorded as {kind} on {task_id}")
    for case in case_of.values():
        problems += case_problems(engine, case, sequential=False)
    in_flight_applied = sum(1 for op in journal.in_flight if applied[op])
    figures.append(summary_line(f"SIGKILL of Engine workers on {engine.db.dialect.name}", {
        "kills": KILLS + len(workers), "in_flight_at_kill": len(journal.in_flight),
        "in_flight_committed": in_flight_applied, "acknowledged": len(journal.acked),
        "lost_races": len(journal.lost), "cases": len(case_of), "seconds": f"{elapsed:.1f}"}))
    engine.close()
    assert problems == []
    assert len(journal.acked) > 10 * KILLS
