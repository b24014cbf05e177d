"""The figures behind the dashboard pages, read in one transaction per page.

Every function takes a `View` — the reader's scoped tables, the filters, the measure, the
moment and the language — so each page shows only cases its reader may see (see
`reporting.scoped_tables`) and every number on a page agrees with its CSV download.
Counts of cases are of cases *started* in the date range; open and overdue tasks are
those of these cases now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

import liucheng.analytics as an
from liucheng.analytics.source import case_conditions, in_range
from liucheng.api.pages.charts import (
    Level,
    chart,
    duration,
    level_of,
    levels,
    series,
    unit_for,
)
from liucheng.api.pages.labels import Labels
from liucheng.model import Text
from liucheng.storage.repository import Repository


@dataclass
class View:
    """What one dashboard page reads with."""

    conn: sa.Connection
    tables: an.Tables
    filters: an.Filters
    measure: an.Measure
    now: datetime
    lang: str
    labels: Labels
    zone: ZoneInfo
    hide: an.Hide = an.show_all  # case variables as the reader may see them

    def t(self, text: Text) -> str:
        return text.get(self.lang)

    def took(self, seconds: float | None) -> str:
        return duration(seconds, self.measure, self.lang)


def processes(repo: Repository) -> list[dict[str, Any]]:
    """Every deployed process: key, latest definition id, name and versions."""
    out: dict[str, dict[str, Any]] = {}
    for row in repo.definitions():
        entry = out.setdefault(row["key"], {"key": row["key"], "versions": []})
        entry["versions"].append(row["version"])
        entry["definition"] = row["id"]
        entry["name"] = Text(row["name"], row.get("name_en") or "")
    return sorted(out.values(), key=lambda p: p["key"])


def counts(view: View) -> dict[str, dict[str, int]]:
    """Per process: cases started in the range by status, and their open / overdue tasks."""
    ins, tk = view.tables.instances, view.tables.tasks
    where = [*case_conditions(view.tables, view.filters),
             *in_range(ins.c.started_at, view.filters)]
    out: dict[str, dict[str, int]] = {}
    for key, status, n in view.conn.execute(
            sa.select(ins.c.definition_key, ins.c.status, sa.func.count())
            .where(*where).group_by(ins.c.definition_key, ins.c.status)):
        row = out.setdefault(str(key), {})
        row[str(status)] = int(n)
        row["cases"] = row.get("cases", 0) + int(n)
    is_overdue = sa.case((tk.c.due_at < view.now, 1), else_=0)
    for key, n, late in view.conn.execute(
            sa.select(ins.c.definition_key, sa.func.count(), sa.func.sum(is_overdue))
            .select_from(tk.join(ins, ins.c.id == tk.c.instance_id))
            .where(*where, tk.c.status == "open").group_by(ins.c.definition_key)):
        row = out.setdefault(str(key), {})
        row["open_tasks"], row["overdue"] = int(n), int(late or 0)
    return out


def cycle(view: View, period: an.cycle.Period) -> dict[str, Any]:
    """Throughput and cycle time per period: the chart, the table rows and the trend."""
    result = an.cycle_report(view.conn, view.tables, view.filters, view.now, view.measure,
                             period, view.zone)
    unit = unit_for([p.cycle.p90 for p in result.periods], view.measure)
    zh = view.lang != "en"
    names = (("开始", "完成", "中位周期", "P90 周期") if zh
             else ("started", "finished", "median cycle time", "p90 cycle time"))
    spec = chart([p.period for p in result.periods], [
        series(names[0], [p.started for p in result.periods]),
        series(names[1], [p.completed for p in result.periods]),
        series(names[2], [unit.of(p.cycle.median) for p in result.periods], "line", 1),
        series(names[3], [unit.of(p.cycle.p90) for p in result.periods], "line", 1)],
        axes=("件" if zh else "cases", unit.name(view.lang)))
    rows = [{"period": p.period, "started": p.started, "completed": p.completed,
             "cancelled": p.cancelled, "median": view.took(p.cycle.median),
             "p90": view.took(p.cycle.p90), "mean": view.took(p.cycle.mean)}
            for p in result.periods]
    return {"chart": spec, "rows": rows, "overall": view.took(result.overall.median),
            "finished": result.overall.count, "running": result.open_cases,
            "age": view.took(result.open_age.median),
            "trend": trend(result, view, period)}


def trend(result: an.CycleReport, view: View, period: an.cycle.Period) -> str:
    """The direction of the period medians and of throughput, in a sentence."""
    if view.lang == "en":
        return result.trend(view.measure, period)
    if result.cycle_slope is None:
        return "已完成业务的期数太少，尚看不出趋势"
    per = {"day": "每天", "week": "每周", "month": "每月"}[period]
    word = "延长" if result.cycle_slope > 0 else "缩短"
    text = (f"中位周期{per}{word} {view.took(abs(result.cycle_slope))}"
            f"（共 {len(result.periods)} 期）")
    if result.throughput_slope is not None:
        more = "增加" if result.throughput_slope >= 0 else "减少"
        text += f"；完成量{per}{more} {abs(result.throughput_slope):.1f} 件"
    return text


def step_rows(view: View, definition_id: str | None) -> list[dict[str, Any]]:
    """Per step: the figures, the step's name in the reader's language, its rank."""
    ranked = {(b.step.process, b.step.element): b for b in an.bottlenecks(
        view.conn, view.tables, view.filters, view.now, view.measure)}
    out = []
    for s in an.step_stats(view.conn, view.tables, view.filters, view.now, view.measure):
        b = ranked.get((s.process, s.element))
        name = view.labels.step(definition_id, s.element) if definition_id else Text(s.name)
        out.append({"element": s.element, "name": view.t(name) or s.name, "visits": s.visits,
                    "open": s.open, "overdue": s.overdue, "wait": s.waiting.median or 0.0,
                    "wait_text": view.took(s.waiting.median),
                    "wait_p90": view.took(s.waiting.p90),
                    "work_text": view.took(s.working.median),
                    "wait_total": view.took(s.waiting.total),
                    "rank": b.rank if b else None, "share": b.share if b else 0.0,
                    "reason": b.reason if b else ""})
    return sorted(out, key=lambda r: (r["rank"] is None, r["rank"] or 0))


def heat_map(view: View, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per step its heat level for median waiting time and for the queue now, the
    overlay texts, and the two legends."""
    top_wait = max((r["wait"] for r in rows), default=0.0)
    top_queue = float(max((r["open"] for r in rows), default=0))
    zh = view.lang != "en"
    steps = {r["element"]: {
        "wait": level_of(r["wait"], top_wait), "queue": level_of(float(r["open"]), top_queue),
        "wait_text": r["wait_text"],
        "queue_text": (f"排队 {r['open']}" if zh else f"queue {r['open']}"),
        "title": r["name"]} for r in rows}

    def legend(values: list[Level], fmt: Callable[[float], str]) -> list[dict[str, Any]]:
        def text(lv: Level) -> str:
            if lv.level == 0:
                return "无" if zh else "none"
            return f"≤ {fmt(lv.high)}" if lv.level == 1 else f"{fmt(lv.low)} – {fmt(lv.high)}"

        return [{"level": lv.level, "text": text(lv)} for lv in values]

    return {"steps": steps,
            "legend": {"wait": legend(levels([r["wait"] for r in rows]), view.took),
                       "queue": legend(levels([float(r["open"]) for r in rows]),
                                       lambda v: f"{v:.0f}")}}



def workload(view: View, by: an.people.By) -> dict[str, Any]:
    """Steps done, cases and working time per person or role, with a bar chart."""
    rows = an.workload(view.conn, view.tables, view.filters, view.now, view.measure, by)
    named: list[dict[str, Any]] = []
    for w in rows:
        name = (view.labels.person(w.who) if by == "person"
                else view.t(view.labels.role(w.who))) or "—"
        named.append({"who": name, "id": w.who, "steps": w.steps, "cases": w.cases,
                      "working": view.took(w.working), "people": w.people,
                      "seconds": w.working})
    top = named[:15]
    unit = unit_for([r["seconds"] for r in top], view.measure)
    zh = view.lang != "en"
    spec = chart([r["who"] for r in top], [
        series("完成步骤" if zh else "steps done", [r["steps"] for r in top]),
        series(("工作时间" if zh else "working time") + f" ({unit.name(view.lang)})",
               [unit.of(r["seconds"]) for r in top], "bar", 1)],
        axes=("步" if zh else "steps", unit.name(view.lang)), horizontal=True)
    return {"rows": named, "chart": spec}


def progress(view: View, group_by: str, remarks: str | None, all_cases: bool
             ) -> list[dict[str, Any]]:
    """The progress list grouped by a case variable (per dealer): one entry per group."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in an.progress(view.conn, view.tables, view.filters, group_by, remarks=remarks,
                         active_only=not all_cases, hide=view.hide):
        people = ", ".join(view.labels.person(u.strip())
                           for u in (p.assignee or "").split(",") if u.strip())
        groups.setdefault(p.group or "—", []).append({
            "case": p.case, "business_key": p.business_key or "", "title": p.title or "",
            "status": p.status, "started": p.started_at, "current": p.current,
            "since": p.since, "with": people, "remarks": p.remarks or ""})
    return [{"group": g, "cases": rows} for g, rows in groups.items()]


def declared_group(extensions: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The `group_by` (and `remarks`) of the first progress list the process declares in
    its `reports:` (the vehicle loan's per-dealer list), if any."""
    for entry in extensions.get("reports") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("group_by"), str) \
                and "stage" in (entry.get("columns") or []):
            remarks = entry.get("remarks")
            return entry["group_by"], remarks if isinstance(remarks, str) else None
    return None, None
