"""Event-log exchange: XES and CSV export, import into an analysis space, corpus logs."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
from analytics_history import NOW, PRODUCT, History
from lxml import etree

from liucheng.analytics import (
    AnalysisSpace,
    Filters,
    Measure,
    export_csv,
    export_xes,
    step_stats,
    workload,
)
from liucheng.errors import ConflictError, ValidationError

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "logs"
IMPORTED = datetime(2026, 3, 4, tzinfo=UTC)
CAL = Measure.elapsed()


def figures(conn: object, tables: object, key: str) -> list[tuple[object, ...]]:
    return [(s.element, s.visits, s.open, s.waiting.total, s.working.total, s.total.total)
            for s in step_stats(conn, tables, Filters(key), NOW, CAL)]  # type: ignore[arg-type]


def test_xes_export_is_valid_streamed_and_round_trips(history: History, tmp_path: Path) -> None:
    path = tmp_path / "review.xes.gz"
    with history.engine.db.connect() as conn:
        chunks = list(export_xes(conn, PRODUCT, Filters("review"), NOW))
        ours = figures(conn, PRODUCT, "review")
        people = {w.who: w.working for w in workload(conn, PRODUCT, Filters("review"), NOW, CAL)}
    assert len(chunks) == 2 + 2 + 1  # head, log name, one chunk per case, end
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(chunks)
    root = etree.fromstring("".join(chunks).encode())
    ns = {"x": "http://www.xes-standard.org/"}
    transitions = [e.get("value") for e in root.iterfind(
        ".//x:event/x:string[@key='lifecycle:transition']", ns)]
    assert transitions.count("complete") == 4 and transitions.count("suspend") == 1
    assert transitions.count("schedule") == 5 and transitions.count("resume") == 1
    space = AnalysisSpace()
    summary = space.import_log(path, now=IMPORTED, key="review")
    assert (summary.cases, summary.steps, summary.ignored) == (2, 5, 0)
    with space.db.connect() as conn:
        assert figures(conn, space.tables, "review") == ours
        again = {w.who: w.working for w in workload(conn, space.tables, Filters("review"), NOW,
                                                     CAL)}
    assert again == people


def test_csv_export_round_trips(history: History, tmp_path: Path) -> None:
    with history.engine.db.connect() as conn:
        text = "".join(export_csv(conn, PRODUCT, Filters("review"), NOW, ["dealer"]))
        ours = figures(conn, PRODUCT, "review")
    lines = text.splitlines()
    assert lines[0] == "case_id,activity,step,lifecycle,timestamp,resource,role,task_id," \
                       "case:dealer"
    assert len(lines) == 1 + 15  # 5 + 3 + 3 + 3 lifecycle events, and one schedule for B
    path = tmp_path / "review.csv"
    path.write_text(text, encoding="utf-8")
    space = AnalysisSpace(tmp_path / "space.sqlite")
    space.import_log(path, now=IMPORTED)
    with space.db.connect() as conn:
        # the CSV carries no case end, so the cases count as finished at their last event;
        # step figures do not depend on that
        assert figures(conn, space.tables, "review") == ours
    with pytest.raises(ConflictError, match="already imported"):
        space.import_log(path, now=IMPORTED)
    assert space.import_log(path, now=IMPORTED, replace=True).steps == 5


@pytest.mark.parametrize(("name", "cases", "steps", "events"), [
    ("running-example.xes", 6, 42, 42),
    ("reviewing.xes", 100, 2278, 3730),
    ("repairExample.xes.gz", 1104, 7734, 11855),
    ("receipt.xes.gz", 1434, 8577, 8577),
])
def test_corpus_logs_import(name: str, cases: int, steps: int, events: int) -> None:
    if not (CORPUS / name).exists():
        pytest.skip(f"corpus log {name} not found at {CORPUS}")
    space = AnalysisSpace()
    summary = space.import_log(CORPUS / name, now=IMPORTED)
    assert (summary.cases, summary.steps, summary.events) == (cases, steps, events)
    with space.db.connect() as conn:
        stats = step_stats(conn, space.tables, Filters(summary.key), summary.last_at or NOW, CAL)
    assert sum(s.visits for s in stats) == steps
    assert all(s.waiting.min is None or s.waiting.min >= 0 for s in stats)


def test_bad_logs_are_refused(tmp_path: Path) -> None:
    space = AnalysisSpace()
    broken = tmp_path / "broken.xes"
    broken.write_text("<log><trace><event>", encoding="utf-8")
    with pytest.raises(ValidationError, match="not a well-formed XES"):
        space.import_log(broken, now=IMPORTED)
    no_time = tmp_path / "no_time.csv"
    no_time.write_text("case_id,activity\n1,a\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no at column|no timestamp|timestamp"):
        space.import_log(no_time, now=IMPORTED)
    with pytest.raises(ValidationError, match="not an event log"):
        space.import_log(Path(__file__), now=IMPORTED)
    assert space.logs() == []
