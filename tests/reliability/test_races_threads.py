"""Races between threads on one Engine, on SQLite and PostgreSQL.

Exclusive races: several people claim, complete, return and withdraw the same task at the
same instant, trial after trial. Each trial: exactly one winner, the others ConflictError
/ ForbiddenError / StateError, the history credits the winner once, and the case's
invariants hold (state == replay of the history, open task rows == the state's tasks, no
duplicate task or token).

Fan-out races: the branches of a parallel block completed by different people at the same
instant. None excludes another, so every one must land (no lost update) and the join must
fire once.

Sizes: LC_RACE_TRIALS (per database, default 300 exclusive + 1 fan-out in 5) and
LC_RACE_CONTENDERS (default 4).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from race_kit import (
    ADMIN,
    Attempt,
    Tracker,
    env_count,
    fanout_attempts,
    fanout_problems,
    last_seq,
    perform,
    plan,
    settle,
    summary_line,
)

from liucheng.runtime import Engine

TRIALS = env_count("LC_RACE_TRIALS", 300)
CONTENDERS = env_count("LC_RACE_CONTENDERS", 4)


def test_one_winner_per_race_between_threads(race_engine: Engine, figures: list[str]) -> None:
    engine = race_engine
    rng = random.Random(20260302)
    barrier = threading.Barrier(CONTENDERS)
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    trials = cases = fanouts = 0
    started = time.monotonic()

    def contend(attempt: Attempt) -> str:
        barrier.wait(timeout=60)
        return perform(engine, attempt)

    with ThreadPoolExecutor(CONTENDERS) as pool:
        while trials < TRIALS:
            case = engine.start("race", user=rng.choice(["clerk0", ADMIN])).id
            cases += 1
            tracker = Tracker()
            seq = last_seq(engine, case)
            while trials < TRIALS:
                attempts = plan(engine, case, tracker, rng, CONTENDERS)
                if attempts is None:
                    break
                results = list(pool.map(contend, attempts))
                trials += 1
                outcomes.update(f"{a.action}:{r}" for a, r in zip(attempts, results,
                                                                   strict=True))
                seq, found = settle(engine, case, attempts, results, seq, tracker)
                problems += found
                if trials % 5 == 0:
                    branch = fanout_attempts(engine, rng, CONTENDERS)
                    problems += fanout_problems(engine, branch, list(pool.map(contend, branch)))
                    fanouts += 1
                assert len(problems) < 20, problems
    elapsed = time.monotonic() - started
    figures.append(summary_line(f"thread races on {engine.db.dialect.name}", {
        "exclusive_trials": trials, "fanout_trials": fanouts, "contenders": CONTENDERS,
        "cases": cases + fanouts, "attempts": sum(outcomes.values()) + fanouts * CONTENDERS,
        "seconds": f"{elapsed:.1f}", "outcomes": dict(sorted(outcomes.items()))}))
    assert problems == []
    assert outcomes["withdraw:won"] and outcomes["return:won"] and outcomes["claim:won"]
