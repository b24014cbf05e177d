"""Directly-follows performance and service times: how long cases take from one step to the
next, and how long each step is worked on.

Within a case the finished visits are ordered by when work started (then by when it
finished). For each pair of consecutive visits a → b the flow time is from a's completion
to b's start; it is negative when b started before a finished (parallel work). The
pairs are counted and summarised per (a, b) — the directly-follows graph with performance
that process-mining tools draw. A step's service time is the working time of its finished
visits, as process mining's per-activity service time. Both come from one pass over the
visits (`performance`). Steps are named by their display name, as in an XES log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from liucheng.analytics.measure import Measure, Stats, summarize
from liucheng.analytics.source import Filters, Tables
from liucheng.analytics.visits import case_visits


@dataclass(frozen=True)
class Flow:
    process: str
    source: str
    target: str
    time: Stats


@dataclass(frozen=True)
class Performance:
    """The directly-follows pairs with their flow times, and the working time of finished
    visits per (process, step name)."""

    flows: list[Flow]
    service: dict[tuple[str, str], Stats]


def performance(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                measure: Measure) -> Performance:
    """Flow times and service times of finished visits, in one pass over the visits."""
    flow_times: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    service: dict[tuple[str, str], list[float]] = defaultdict(list)
    for group in case_visits(conn, tables, filters, now):
        for v in group:
            if v.status == "completed":
                service[(v.process, v.name)].append(v.time("working", measure))
        done = [v for v in group if v.status == "completed" and v.ended is not None]
        for a, b in zip(done, done[1:], strict=False):
            assert a.ended is not None
            start = b.started or b.created
            flow_times[(a.process, a.name, b.name)].append(measure.seconds(a.ended, start))
    flows = [Flow(p, a, b, summarize(v)) for (p, a, b), v in flow_times.items()]
    flows.sort(key=lambda f: (f.process, -f.time.count, f.source, f.target))
    return Performance(flows, {k: summarize(v) for k, v in service.items()})


def directly_follows(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                     measure: Measure) -> list[Flow]:
    """Every directly-follows pair of finished visits with its flow-time figures."""
    return performance(conn, tables, filters, now, measure).flows


def service_times(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                  measure: Measure) -> dict[tuple[str, str], Stats]:
    """Working time of finished visits per (process, step name), as process mining's
    per-activity service time."""
    return performance(conn, tables, filters, now, measure).service
