"""bench/README.md from one run's results: figures, ratios, targets, how to reproduce."""

from __future__ import annotations

from typing import Any

from bench import report_b5_b7
from bench import report_sections as sections


def render(r: dict[str, Any]) -> str:
    out = [
        "# Benchmarks against the peers",
        "",
        "liucheng side by side with SpiffWorkflow (the Python BPMN engine), with PM4Py (the "
        "process-mining library) and with "
        "*ceilings* — the same database reads and writes issued by plain `sqlite3` / "
        "`psycopg`, with no engine in between. Every figure below was measured in one run "
        "of `python -m bench`, on the machine described, with the sides of each figure "
        f"run in alternating order, {r['sizes']['rounds']} rounds each: the median is "
        "given, with the range (lowest–highest round) in brackets. Ratios are ratios of "
        "the medians, with the range of the round-by-round ratios. Higher is better "
        "except for latencies.",
        "",
        "This file is written by the runner; do not edit it by hand — run it again.",
        "",
    ]
    out += sections.run_facts(r)
    out += sections.targets(r)
    out += sections.obstacles(r)
    for key, section in (("B1", sections.b1), ("B2", sections.b2), ("B3", sections.b3),
                         ("B4", sections.b4), ("B5", report_b5_b7.b5), ("B6", report_b5_b7.b6),
                         ("B7", report_b5_b7.b7)):
        if key in r:
            out += section(r[key])
    out += sections.method(r)
    out += sections.reproduce()
    return "\n".join(out) + "\n"
