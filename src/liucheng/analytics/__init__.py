"""Analytics: where cases wait, how long they take, who does the work — and event logs.

Figures are computed from the `tasks` and `events` tables (one task row = one visit of a
case to a step) in calendar or working time, with SQL aggregation where the database can
do it; `now` is always passed in. The same reports run on event logs imported into an
`AnalysisSpace`. See docs/analytics.md for the definitions.

    tables = Tables(instances, tasks, events)          # the product's, from liucheng.storage
    with engine.db.connect() as conn:
        report = bottleneck_report(conn, tables, Filters(process="loan"), now,
                                   Measure.working(default_calendar()))
"""

from liucheng.analytics.cycle import CycleReport, PeriodStats, cycle_report, period_of
from liucheng.analytics.flows import Flow, Performance, directly_follows, performance, service_times
from liucheng.analytics.logwrite import export_csv, export_xes
from liucheng.analytics.measure import Measure, Stats, WorkingTime, human, percentile, summarize
from liucheng.analytics.measures import MeasureRow, ProgressRow, measure, progress
from liucheng.analytics.people import Rework, Workload, rework, workload
from liucheng.analytics.report import Column, Report, write_xlsx
from liucheng.analytics.reports import (
    bottleneck_report,
    cycle_time_report,
    flow_report,
    measure_report,
    progress_report,
    rework_report,
    steps_report,
    workload_report,
)
from liucheng.analytics.source import Filters, Hide, Tables, show_all
from liucheng.analytics.space import AnalysisSpace, LogSummary
from liucheng.analytics.steps import Bottleneck, StepStats, bottlenecks, step_stats
from liucheng.analytics.visits import Segment, Visit, visits

__all__ = [
    "AnalysisSpace", "Bottleneck", "Column", "CycleReport", "Filters", "Flow", "Hide",
    "LogSummary",
    "Measure", "MeasureRow", "Performance", "PeriodStats", "ProgressRow", "Report", "Rework",
    "Segment",
    "Stats", "StepStats", "Tables", "Visit", "WorkingTime", "Workload", "bottleneck_report",
    "bottlenecks", "cycle_report", "cycle_time_report", "directly_follows", "export_csv",
    "export_xes", "flow_report", "human", "measure", "measure_report", "percentile",
    "performance", "period_of", "progress", "progress_report", "rework", "rework_report",
    "service_times",
    "show_all",
    "step_stats", "steps_report", "summarize", "visits", "workload", "workload_report",
    "write_xlsx",
]
