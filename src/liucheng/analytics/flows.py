"""Directly-follows performance: how long cases take from one step to the next.

Within a case the finished visits are ordered by when work started (then by when it
finished). For each pair of consecutive visits a → b the flow time is from a's completion
to b's start; it is negative when b started before a finished (parallel work). The
pairs are counted and summarised per (a, b) — the directly-follows graph with performance
that process-mining tools draw. Steps are named by their display name, as in an XES log.
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


def directly_follows(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                     measure: Measure) -> list[Flow]:
    """Every directly-follows pair of finished visits with its flow-time figures."""
    times: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for group in case_visits(conn, tables, filters, now):
        done = [v for v in group if v.status == "completed" and v.ended is not None]
        for a, b in zip(done, done[1:], strict=False):
            assert a.ended is not None
            start = b.started or b.created
            times[(a.process, a.name, b.name)].append(measure.seconds(a.ended, start))
    flows = [Flow(p, a, b, summarize(v)) for (p, a, b), v in times.items()]
    return sorted(flows, key=lambda f: (f.process, -f.time.count, f.source, f.target))


def service_times(conn: sa.Connection, tables: Tables, filters: Filters, now: datetime,
                  measure: Measure) -> dict[tuple[str, str], Stats]:
    """Working time of finished visits per (process, step name), as process mining's
    per-activity service time."""
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for group in case_visits(conn, tables, filters, now):
        for v in group:
            if v.status == "completed":
                times[(v.process, v.name)].append(v.time("working", measure))
    return {k: summarize(v) for k, v in times.items()}
