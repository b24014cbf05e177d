"""Reference figures from PM4Py for one XES log, printed as JSON (run with PM4Py's Python).

PM4Py is AGPL software and never a dependency of liucheng: this script runs in a separate
virtual environment, started by `test_pm4py_agreement.py` as a subprocess.

    python pm4py_reference.py LOG.xes[.gz] OUT.json
        writes {"service": {activity: {"mean": s, "median": s, "count": n}},
           "dfg": {"a→b": {"mean": s, "median": s, "count": n}}}
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from typing import Any


def main(path: str) -> dict[str, Any]:
    with contextlib.redirect_stdout(io.StringIO()):  # PM4Py prints a banner on import
        import pm4py
        from pm4py.objects.log.util import interval_lifecycle

        log = pm4py.read_xes(path, return_legacy_log_object=True)
        interval = interval_lifecycle.to_interval(log)
        frame = pm4py.convert_to_dataframe(interval)
        mean = pm4py.get_service_time(frame, aggregation_measure="mean",
                                      start_timestamp_key="start_timestamp")
        median = pm4py.get_service_time(frame, aggregation_measure="median",
                                        start_timestamp_key="start_timestamp")
        counts = frame["concept:name"].value_counts().to_dict()
        perf_mean, _, _ = pm4py.discover_performance_dfg(frame, perf_aggregation_key="mean")
        perf_median, _, _ = pm4py.discover_performance_dfg(frame,
                                                           perf_aggregation_key="median")
        freq, _, _ = pm4py.discover_dfg(frame)
    service = {a: {"mean": float(mean[a]), "median": float(median[a]), "count": int(counts[a])}
               for a in mean}
    dfg = {f"{a}→{b}": {"mean": float(perf_mean[(a, b)]), "median": float(perf_median[(a, b)]),
                        "count": int(freq[(a, b)])}
           for (a, b) in perf_mean}
    return {"service": service, "dfg": dfg}


if __name__ == "__main__":
    figures = main(sys.argv[1])
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(figures, out, ensure_ascii=False)
