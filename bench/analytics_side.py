"""B5, the liucheng side: reports over the large history `history_data.build` made.

Timed, each on its own: the bottleneck report (`bottleneck_report`, calendar time, open
steps up to `now`), the directly-follows graph with performance and the per-step service
times of finished steps (`performance`: `directly_follows` and `service_times` from one pass
over the visits, the figures PM4Py computes)
and the XES export of the whole history to a file. The figures themselves go back to the
runner, which compares them with PM4Py's.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.history_data import KEY
from bench.timing import settle


def run(params: dict[str, Any]) -> dict[str, object]:
    from liucheng.analytics import (
        Filters,
        Measure,
        Tables,
        bottleneck_report,
        export_xes,
        performance,
    )
    from liucheng.runtime.service import Engine
    from liucheng.storage.tables import events, instances, tasks

    engine = Engine(f"sqlite:///{params['path']}")
    tables = Tables(instances, tasks, events)
    now = datetime.fromisoformat(params["now"])
    elapsed = Measure.elapsed()
    seconds: dict[str, float] = {}
    with engine.db.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM events").scalar_one()  # warm the cache
        settle()
        began = time.perf_counter()
        report = bottleneck_report(conn, tables, Filters(KEY), now, elapsed)
        seconds["bottlenecks"] = time.perf_counter() - began
        finished = Filters(KEY, include_open=False)  # PM4Py leaves unfinished steps out
        began = time.perf_counter()
        figures = performance(conn, tables, finished, now, elapsed)
        seconds["dfg"] = time.perf_counter() - began
        out = Path(params["xes"])
        began = time.perf_counter()
        with out.open("w", encoding="utf-8") as log:
            for chunk in export_xes(conn, tables, Filters(KEY), now):
                log.write(chunk)
        seconds["export"] = time.perf_counter() - began
    engine.close()
    size = out.stat().st_size
    out.unlink()
    return {"seconds": seconds, "per_second": params["events"] / seconds["dfg"], "xes_bytes": size,
            "bottleneck_rows": len(report.rows),
            "top_bottleneck": report.rows[0]["why"] if report.rows else None,
            "service": {name: {"count": s.count, "mean": s.mean}
                        for (_, name), s in figures.service.items()},
            "dfg": {f"{f.source}→{f.target}": {"count": f.time.count, "mean": f.time.mean}
                    for f in figures.flows}}
