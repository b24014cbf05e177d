"""What the race and crash tests share: the process they run, how a contender acts, how a
trial is planned, and the invariants every case must keep after any interleaving.

A *trial* is one race: several contenders act on the same open task at the same moment
with actions that exclude one another (claims; completions and returns; a withdrawal of
the step before against actions on the task). Exactly one may win; the others must get
ConflictError, ForbiddenError or StateError — any other exception is a failure.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from liucheng.engine import replay
from liucheng.errors import ConflictError, ForbiddenError, StateError
from liucheng.runtime import Engine
from liucheng.runtime.views import HistoryEntry
from liucheng.storage.tables import events, tasks

RACE_PROCESS = """
process: race
name: {zh: 竞争测试, en: Race}
roles: {clerk: {zh: 文员, en: Clerk}}
steps:
  - {id: s1, role: clerk, name: 受理}
  - {id: s2, role: clerk, name: 审核}
  - {id: s3, role: clerk, name: 复核}
  - {id: s4, role: clerk, name: 归档}
"""
FANOUT_PROCESS = """
process: fanout
name: {zh: 并行会审, en: Fan-out}
roles: {clerk: {zh: 文员, en: Clerk}}
steps:
  - {id: intake, role: clerk, name: 受理}
  - id: checks
    type: parallel
    branches:
      - - {id: b1, role: clerk, name: 法务}
      - - {id: b2, role: clerk, name: 财务}
      - - {id: b3, role: clerk, name: 风控}
      - - {id: b4, role: clerk, name: 合规}
  - {id: after, role: clerk, name: 汇总}
"""
FANOUT_BRANCHES = 4
CLERKS = tuple(f"clerk{i}" for i in range(6))
ADMIN = "boss"
LOSING = (ConflictError, ForbiddenError, StateError)
DECISIVE = ("task_claimed", "task_completed", "task_returned", "task_withdrawn")


def env_count(name: str, default: int) -> int:
    """A test size from the environment (`LC_RACE_TRIALS=5000 pytest …`), else the default."""
    return int(os.environ.get(name, default))


def setup_engine(engine: Engine) -> None:
    for user in CLERKS:
        engine.add_user(user, roles=["clerk"])
    engine.add_user(ADMIN, admin=True)
    engine.deploy(RACE_PROCESS, source_name="race.yaml")
    engine.deploy(FANOUT_PROCESS, source_name="fanout.yaml")


@dataclass(frozen=True)
class Attempt:
    """One contender's action: `claim`, `complete` or `return` on a task, or `withdraw`
    (the step `step` of case `case`)."""

    user: str
    action: str
    task: str
    case: str
    step: str | None = None
    element: str = ""


def perform(engine: Engine, attempt: Attempt) -> str:
    """'won', the name of the expected error, or 'UNEXPECTED …' for anything else."""
    try:
        if attempt.action == "claim":
            engine.claim(attempt.task, user=attempt.user)
        elif attempt.action == "complete":
            engine.complete(attempt.task, {f"note_{attempt.element}": attempt.user},
                            user=attempt.user,
                            comment=f"by {attempt.user}")
        elif attempt.action == "return":
            engine.return_task(attempt.task, user=attempt.user, to="previous")
        elif attempt.action == "withdraw":
            engine.withdraw(attempt.case, user=attempt.user, step=attempt.step)
        else:  # pragma: no cover - a bug in the plan
            return f"UNEXPECTED unknown action {attempt.action}"
    except LOSING as exc:
        return type(exc).__name__
    except BaseException as exc:  # noqa: BLE001 - the point is to catch anything else
        return f"UNEXPECTED {type(exc).__name__}: {exc}"
    return "won"


@dataclass
class Tracker:
    """What a case did last, so a withdrawal can be planned: (step, performer)."""

    last_done: tuple[str, str] | None = None


def plan(engine: Engine, case: str, tracker: Tracker, rng: random.Random,
         contenders: int) -> list[Attempt] | None:
    """Mutually exclusive attempts on the case's open task; None when the case has ended."""
    open_tasks = engine.tasks(case=case)
    if not open_tasks:
        return None
    (task,) = open_tasks
    users = rng.sample(CLERKS, contenders)
    kinds = ["finish"]
    if task.assignee is None:
        kinds.append("claim")
    if tracker.last_done is not None and task.assignee is None:
        kinds += ["withdraw", "withdraw"]
    kind = rng.choice(kinds)
    can_return = task.element != "s1"
    if kind == "claim":
        return [Attempt(u, "claim", task.id, case, element=task.element) for u in users]
    if kind == "withdraw":
        assert tracker.last_done is not None
        step, performer = tracker.last_done
        others = [u for u in CLERKS if u != performer]
        rng.shuffle(others)
        out = [Attempt(performer, "withdraw", task.id, case, step, task.element)]
        for user in others[:contenders - 1]:
            action = rng.choice(["claim", "complete"] + (["return"] if can_return else []))
            out.append(Attempt(user, action, task.id, case, element=task.element))
        return out
    if task.assignee is not None:  # only the assignee (or an administrator) can win
        users = [task.assignee] + [u for u in users if u != task.assignee][:contenders - 2]
        users.append(ADMIN)
    out = []
    for user in users:
        action = rng.choice(["complete", "complete"] + (["return"] if can_return else []))
        out.append(Attempt(user, action, task.id, case, element=task.element))
    return out


def settle(engine: Engine, case: str, attempts: list[Attempt], results: list[str],
           before_seq: int, tracker: Tracker) -> tuple[int, list[str]]:
    """Check one trial: one winner, expected losers, the history records exactly the win.

    Returns the case's last event number and a list of problems (empty when all is well).
    """
    problems = [f"{a.user} {a.action}: {r}" for a, r in zip(attempts, results, strict=True)
                if r.startswith("UNEXPECTED")]
    winners = [a for a, r in zip(attempts, results, strict=True) if r == "won"]
    if len(winners) != 1:
        problems.append(f"{len(winners)} winners in {attempts} → {results}")
    history = engine.history(case)
    new = [h for h in history if h.seq > before_seq]
    decisive = [h for h in new if h.type in DECISIVE
                and (h.task == attempts[0].task or h.type == "task_withdrawn")]
    kinds = Counter(h.type for h in decisive)
    if winners:
        win = winners[0]
        expected = {"claim": {"task_claimed"}, "return": {"task_returned"},
                    "withdraw": {"task_withdrawn"},
                    "complete": {"task_completed", "task_claimed"}}[win.action]
        if set(kinds) - expected or any(n != 1 for n in kinds.values()) or not kinds:
            problems.append(f"history after {win} shows {dict(kinds)}")
        if {h.actor for h in decisive} != {win.user}:
            problems.append(f"history credits {[h.actor for h in decisive]}, winner {win.user}")
        tracker.last_done = (win.element, win.user) if win.action == "complete" else None
    problems += case_problems(engine, case, history)
    last = max((h.seq for h in new), default=before_seq)
    return last, problems


def case_problems(engine: Engine, case: str, history: list[HistoryEntry] | None = None,
                  *, sequential: bool = True) -> list[str]:
    """The invariants of a stored case: state == replay(history); open task rows == the
    state's tasks; one task row per task created; a waiting token has its open task."""
    problems: list[str] = []
    history = engine.history(case) if history is None else history
    state = engine.state(case)
    seqs = [h.seq for h in history]
    if seqs != sorted(set(seqs)):
        problems.append(f"case {case}: event numbers repeat or go backwards")
    if replay(h.data for h in history) != state:
        problems.append(f"case {case}: state differs from the replay of its {len(history)} "
                        "events")
    with engine.db.connect() as conn:
        rows = conn.execute(sa.select(tasks.c.id, tasks.c.status).where(
            tasks.c.instance_id == case)).all()
    open_rows = {r.id for r in rows if r.status in ("open", "suspended")}
    if open_rows != set(state["tasks"]):
        problems.append(f"case {case}: open task rows {sorted(open_rows)} but state tasks "
                        f"{sorted(state['tasks'])}")
    created = [h.task for h in history if h.type == "task_created"]
    if len(created) != len(set(created)) or set(created) != {r.id for r in rows}:
        problems.append(f"case {case}: {len(created)} task_created events, {len(rows)} rows")
    waiting = [t for t in state["tokens"].values() if t["status"] == "waiting"]
    by_token = Counter(t["token"] for t in state["tasks"].values())
    for token in waiting:
        if by_token[token["id"]] != 1:
            problems.append(f"case {case}: token at {token['element']} has "
                            f"{by_token[token['id']]} open tasks")
    places = Counter((t["scope"], t["element"]) for t in waiting)
    if any(n > 1 for n in places.values()):
        problems.append(f"case {case}: two tokens wait at one step: {dict(places)}")
    if sequential and state["status"] == "active" and len(state["tokens"]) != 1:
        problems.append(f"case {case}: {len(state['tokens'])} tokens in a sequential process")
    return problems


def last_seq(engine: Engine, case: str) -> int:
    with engine.db.connect() as conn:
        value = conn.execute(sa.select(sa.func.max(events.c.seq)).where(
            events.c.instance_id == case)).scalar()
    return int(value or 0)


def summary_line(label: str, figures: dict[str, Any]) -> str:
    """One line for the run's figures (printed with -s, collected into docs/reliability.md)."""
    return f"[reliability] {label}: " + ", ".join(f"{k}={v}" for k, v in figures.items())


def contender_process(url: str, barrier: Any, inbox: Any, outbox: Any) -> None:
    """A contender in its own process (multiprocessing, spawn): for each attempt it is
    sent, wait at the shared barrier with the others, act, and send back the result."""
    engine = Engine(url, migrate_schema=False)
    outbox.put("ready")
    try:
        while True:
            attempt = inbox.get()
            if attempt is None:
                return
            try:
                barrier.wait(timeout=60)
            except Exception as exc:  # noqa: BLE001 - report a broken barrier, do not hang
                outbox.put(f"UNEXPECTED barrier: {exc!r}")
                continue
            outbox.put(perform(engine, attempt))
    finally:
        engine.close()


def fanout_attempts(engine: Engine, rng: random.Random, contenders: int) -> list[Attempt]:
    """A fan-out case whose branch tasks are open: one completion per branch, at once.
    These do not exclude one another — every one must land (no lost update)."""
    case = engine.start("fanout", user="clerk0").id
    (intake,) = engine.tasks(case=case)
    engine.complete(intake.id, user="clerk0")
    branches = sorted(engine.tasks(case=case), key=lambda t: t.element)
    users = rng.sample(CLERKS, contenders)
    return [Attempt(u, "complete", t.id, case, element=t.element)
            for u, t in zip(users, branches, strict=False)]


def fanout_problems(engine: Engine, attempts: list[Attempt], results: list[str]) -> list[str]:
    """Every branch completion won and is in the state; the join fired once."""
    case = attempts[0].case
    problems = [f"{a.user} on {a.element}: {r}" for a, r in zip(attempts, results, strict=True)
                if r != "won"]
    state = engine.state(case)
    for a in attempts:
        if state["variables"].get(f"note_{a.element}") != a.user:
            problems.append(f"case {case}: {a.element} by {a.user} lost from the variables")
    history = engine.history(case)
    completed = Counter(h.task for h in history if h.type == "task_completed")
    if any(completed[a.task] != 1 for a in attempts):
        problems.append(f"case {case}: completions per branch {dict(completed)}")
    open_tasks = engine.tasks(case=case)
    done = len(attempts) == FANOUT_BRANCHES  # the join fired: "after" is open
    if done and [t.element for t in open_tasks] != ["after"]:
        problems.append(f"case {case}: after the join the open tasks are "
                        f"{[t.element for t in open_tasks]}")
    if not done and len(open_tasks) != FANOUT_BRANCHES - len(attempts):
        problems.append(f"case {case}: {len(open_tasks)} open branch tasks left")
    if done:
        problems += case_problems(engine, case, history)
    elif replay(h.data for h in history) != state:
        problems.append(f"case {case}: state differs from the replay of its events")
    return problems
