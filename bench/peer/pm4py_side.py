"""B5, PM4Py side: the same figures from the XES log liucheng exported of the same history.

The calls are those of tests/analytics/pm4py_reference.py, which agree with liucheng on
the corpus logs: `read_xes` (legacy log object), `interval_lifecycle.to_interval` (pairs
start/complete), `convert_to_dataframe`, then `get_service_time` (mean and median; the
per-activity sojourn of finished steps), `discover_performance_dfg` (every aggregation:
mean, median, min, max, …) and `discover_dfg` (the counts). Timed on their own: reading
the log, making the interval frame, computing the figures. PM4Py is AGPL and lives only
in bench/.venv-peers.
"""

from __future__ import annotations

import contextlib
import io
import time
from typing import Any

from bench.timing import settle


def run(params: dict[str, Any]) -> dict[str, object]:
    with contextlib.redirect_stdout(io.StringIO()):  # PM4Py prints a banner on import
        import pm4py
        from pm4py.objects.log.util import interval_lifecycle
    seconds: dict[str, float] = {}
    settle()
    with contextlib.redirect_stdout(io.StringIO()):  # and progress bars while reading
        began = time.perf_counter()
        log = pm4py.read_xes(params["xes"], return_legacy_log_object=True)
        seconds["read"] = time.perf_counter() - began
        began = time.perf_counter()
        frame = pm4py.convert_to_dataframe(interval_lifecycle.to_interval(log))
        seconds["interval"] = time.perf_counter() - began
        began = time.perf_counter()
        mean = pm4py.get_service_time(frame, aggregation_measure="mean",
                                      start_timestamp_key="start_timestamp")
        pm4py.get_service_time(frame, aggregation_measure="median",
                               start_timestamp_key="start_timestamp")
        performance, _, _ = pm4py.discover_performance_dfg(frame, perf_aggregation_key="all")
        frequency, _, _ = pm4py.discover_dfg(frame)
        counts = frame["concept:name"].value_counts().to_dict()
        seconds["figures"] = time.perf_counter() - began
    total = sum(seconds.values())
    return {"seconds": seconds, "per_second": params["events"] / total, "events": len(frame),
            "service": {a: {"count": int(counts[a]), "mean": float(mean[a])} for a in mean},
            "dfg": {f"{a}→{b}": {"count": int(frequency[(a, b)]),
                                 "mean": float(performance[(a, b)]["mean"])}
                    for (a, b) in performance}}
