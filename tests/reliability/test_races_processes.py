"""Races between processes: each contender is a process of its own with its own Engine and
connection pool on the same database (SQLite file or PostgreSQL), as several `liucheng
serve` workers would be. The trials and checks are those of the thread races.
Size: LC_RACE_PROCESS_TRIALS per database (default 120), LC_RACE_CONTENDERS processes.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import Counter

from race_kit import (
    ADMIN,
    Tracker,
    contender_process,
    env_count,
    fanout_attempts,
    fanout_problems,
    last_seq,
    plan,
    settle,
    summary_line,
)

from liucheng.runtime import Engine

TRIALS = env_count("LC_RACE_PROCESS_TRIALS", 120)
CONTENDERS = env_count("LC_RACE_CONTENDERS", 4)


def test_one_winner_per_race_between_processes(race_engine: Engine, database_url: str,
                                               figures: list[str]) -> None:
    engine = race_engine
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(CONTENDERS)
    inboxes = [ctx.Queue() for _ in range(CONTENDERS)]
    outboxes = [ctx.Queue() for _ in range(CONTENDERS)]
    procs = [ctx.Process(target=contender_process, args=(database_url, barrier, i, o),
                         daemon=True) for i, o in zip(inboxes, outboxes, strict=True)]
    for proc in procs:
        proc.start()
    try:
        assert [o.get(timeout=120) for o in outboxes] == ["ready"] * CONTENDERS
        rng = random.Random(20260303)
        outcomes: Counter[str] = Counter()
        problems: list[str] = []
        trials = cases = fanouts = 0
        started = time.monotonic()
        while trials < TRIALS:
            case = engine.start("race", user=rng.choice(["clerk1", ADMIN])).id
            cases += 1
            tracker = Tracker()
            seq = last_seq(engine, case)
            while trials < TRIALS:
                attempts = plan(engine, case, tracker, rng, CONTENDERS)
                if attempts is None:
                    break
                for inbox, attempt in zip(inboxes, attempts, strict=True):
                    inbox.put(attempt)
                results = [o.get(timeout=120) for o in outboxes]
                trials += 1
                outcomes.update(f"{a.action}:{r}" for a, r in zip(attempts, results,
                                                                   strict=True))
                seq, found = settle(engine, case, attempts, results, seq, tracker)
                problems += found
                if trials % 5 == 0:
                    branch = fanout_attempts(engine, rng, CONTENDERS)
                    for inbox, attempt in zip(inboxes, branch, strict=True):
                        inbox.put(attempt)
                    problems += fanout_problems(engine, branch,
                                                [o.get(timeout=120) for o in outboxes])
                    fanouts += 1
                assert len(problems) < 20, problems
        elapsed = time.monotonic() - started
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    figures.append(summary_line(f"process races on {engine.db.dialect.name}", {
        "exclusive_trials": trials, "fanout_trials": fanouts, "processes": CONTENDERS,
        "cases": cases + fanouts, "attempts": sum(outcomes.values()) + fanouts * CONTENDERS,
        "seconds": f"{elapsed:.1f}",
        "outcomes": dict(sorted(outcomes.items()))}))
    assert problems == []
    assert all(p.exitcode == 0 for p in procs)
