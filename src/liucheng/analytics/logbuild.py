"""Turning one trace of an event log into case, step-visit and event rows.

Lifecycle transitions are paired per activity (and `concept:instance`, when given) first
in, first out, as process-mining tools pair them:

- `schedule` marks when a step became ready (its creation);
- `start` begins work; `suspend` returns it to waiting, `resume` starts work again;
  `reassign` during work hands it to another person;
- `complete` ends it; `ate_abort`/`pi_abort` cancel it; other transitions are ignored.

A step without `schedule` became ready when the case's latest earlier completion happened
(or at its own start, for the first step). An event without `start` is an instant: the
case waited for it since it became ready and no working time is recorded. A `start` never
completed, or a `schedule` never started, leaves the step open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from liucheng.analytics.logread import LogEvent, Trace


@dataclass
class _Open:
    activity: str
    created: datetime
    role: str | None
    element: str | None = None  # a step id (`liucheng:step`) when the log has one
    marks: list[tuple[str, datetime, str | None]] = field(default_factory=list)  # claim/unclaim
    working: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    end: tuple[str, datetime, str | None] | None = None  # (status, at, by)


@dataclass
class Rows:
    instance: dict[str, Any]
    tasks: list[dict[str, Any]]
    events: list[dict[str, Any]]
    ignored: int


def _step(e: LogEvent) -> str | None:
    value = e.attrs.get("liucheng:step")
    return None if value is None else str(value)


def _ready(done: list[datetime], at: datetime) -> datetime:
    earlier = [t for t in done if t <= at]
    return max(earlier) if earlier else at


def _pair(trace: Trace) -> tuple[list[_Open], int]:
    scheduled: dict[tuple[str, str | None], list[tuple[datetime, str | None, str | None]]] = {}
    started: dict[tuple[str, str | None], list[_Open]] = {}
    finished: list[_Open] = []
    done: list[datetime] = []
    ignored = 0

    def created(key: tuple[str, str | None], at: datetime) -> datetime:
        queue = scheduled.get(key)
        return queue.pop(0)[0] if queue else _ready(done, at)

    for e in trace.events:
        key = (e.activity, e.instance)
        queue = started.setdefault(key, [])
        if e.lifecycle == "schedule":
            scheduled.setdefault(key, []).append((e.at, e.role, _step(e)))
        elif e.lifecycle == "start":
            step = _Open(e.activity, created(key, e.at), e.role, _step(e), working=True)
            step.marks.append(("task_claimed", e.at, e.resource))
            step.data.update(e.attrs)
            queue.append(step)
        elif e.lifecycle == "reassign" and any(s.working for s in queue):
            holder = next(s for s in queue if s.working)
            holder.marks.append(("task_claimed", e.at, e.resource))
        elif e.lifecycle in ("suspend", "resume"):
            want = e.lifecycle == "resume"
            step_ = next((s for s in queue if s.working != want), None)
            if step_ is None:
                ignored += 1
                continue
            step_.working = want
            step_.marks.append(("task_claimed" if want else "task_unclaimed", e.at, e.resource))
        elif e.lifecycle in ("complete", "ate_abort", "pi_abort"):
            if queue:
                step = queue.pop(0)
            else:  # an instant: waiting since ready, no working time
                step = _Open(e.activity, created(key, e.at), e.role, _step(e))
                step.marks.append(("task_claimed", e.at, e.resource))
            step.role, step.element = step.role or e.role, step.element or _step(e)
            step.data.update(e.attrs)
            status = "completed" if e.lifecycle == "complete" else "cancelled"
            by = e.resource or next((m[2] for m in reversed(step.marks) if m[2]), None)
            step.end = (status, e.at, by if status == "completed" else None)
            finished.append(step)
            done.append(e.at)
        else:
            ignored += 1
    leftover = [s for q in started.values() for s in q]
    leftover += [_Open(activity, at, role, element) for (activity, _), queue
                 in scheduled.items() for at, role, element in queue]  # ready, never started
    return finished + sorted(leftover, key=lambda s: s.created), ignored


def build(key: str, number: int, trace: Trace) -> Rows:
    """Rows for trace `number` of log `key`; ids keep the order steps were finished in."""
    case = f"{key}:{trace.name or number}"
    steps, ignored = _pair(trace)
    attrs = dict(trace.attrs)
    status = str(attrs.pop("liucheng:status", "completed"))
    times = [e.at for e in trace.events]
    start = attrs.pop("liucheng:start", None) or (min(times) if times else None)
    end = attrs.pop("liucheng:end", None) or (max(times) if times else start)
    business_key = attrs.pop("liucheng:business_key", None) or trace.name
    title = attrs.pop("liucheng:title", None)
    attrs = {k: _plain(v) for k, v in attrs.items() if not k.startswith("liucheng:")}
    instance = {"id": case, "definition_id": f"{key}:1", "definition_key": key,
                "business_key": business_key, "title": title, "status": status,
                "state": {"variables": attrs}, "started_at": start,
                "ended_at": end if status not in ("active", "open") else None}
    tasks, events = [], []
    for n, step in enumerate(steps, 1):
        task = f"{key}/{number:07d}/{n:05d}"
        status_, ended, by = step.end or ("open", None, None)
        claims = [m for m in step.marks if m[0] == "task_claimed"]
        tasks.append({"id": task, "instance_id": case, "definition_key": key,
                      "element": step.element or step.activity, "name": step.activity,
                      "status": status_,
                      "role": step.role, "assignee": claims[-1][2] if claims else None,
                      "created_at": step.created, "claimed_at": claims[0][1] if claims else None,
                      "completed_at": ended, "completed_by": by,
                      "data": {k: _plain(v) for k, v in step.data.items()
                               if not k.startswith("liucheng:")}})
        marks = [("task_created", step.created, None), *step.marks]
        if step.end is not None:
            marks.append(("task_" + status_, step.end[1], by))
        for type_, at, actor in marks:
            events.append({"instance_id": case, "at": at, "type": type_,
                           "element": step.element or step.activity,
                           "task_id": task, "actor": actor, "data": {"type": type_}})
    return Rows(instance, tasks, events, ignored)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value

