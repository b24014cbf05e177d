"""Agreement with PM4Py on the corpus logs: per-activity service time and directly-follows
performance (count, mean, median).

PM4Py is AGPL software and never a dependency of liucheng. It is run in its own virtual
environment, through `pm4py_reference.py`, by the interpreter named in
LIUCHENG_PM4PY_PYTHON (default: the benchmarks' peer environment, bench/.venv-peers, which
`python -m bench` installs with PM4Py pinned); without one the test is skipped. To run it:

    python -c 'import bench.peers; bench.peers.ensure()'   # or set LIUCHENG_PM4PY_PYTHON
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from liucheng.analytics import AnalysisSpace, Filters, Measure, directly_follows, service_times

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1].parent / "shared" / "corpus" / "logs"
PYTHON = os.environ.get("LIUCHENG_PM4PY_PYTHON",
                        str(HERE.parents[1] / "bench" / ".venv-peers" / "bin" / "python"))
LOGS = ["running-example.xes", "reviewing.xes", "repairExample.xes.gz", "teleclaims.xes.gz",
        "receipt.xes.gz"]
TOLERANCE = 1e-6  # seconds


def _pm4py_available() -> str | None:
    if not Path(PYTHON).exists():
        return f"no PM4Py interpreter at {PYTHON} (set LIUCHENG_PM4PY_PYTHON)"
    probe = subprocess.run([PYTHON, "-c", "import pm4py"], capture_output=True, timeout=120)
    return None if probe.returncode == 0 else f"{PYTHON} cannot import pm4py"


@pytest.fixture(scope="module")
def pm4py_python() -> str:
    problem = _pm4py_available()
    if problem:
        pytest.skip(problem)
    return PYTHON


def close(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= TOLERANCE


@pytest.mark.parametrize("name", LOGS)
def test_agrees_with_pm4py(name: str, pm4py_python: str, tmp_path: Path) -> None:
    log = CORPUS / name
    if not log.exists():
        pytest.skip(f"corpus log {name} not found at {CORPUS}")
    out = tmp_path / "reference.json"
    subprocess.run([pm4py_python, str(HERE / "pm4py_reference.py"), str(log), str(out)],
                   check=True, capture_output=True, timeout=600)
    reference = json.loads(out.read_text(encoding="utf-8"))
    space = AnalysisSpace()
    summary = space.import_log(log, now=datetime(2026, 1, 1, tzinfo=UTC), key="log")
    now = summary.last_at or datetime(2026, 1, 1, tzinfo=UTC)
    finished = Filters("log", include_open=False)  # PM4Py leaves unfinished steps out
    with space.db.connect() as conn:
        service = {n: s for (_, n), s in service_times(conn, space.tables, finished, now,
                                                       Measure.elapsed()).items()}
        flows = {(f.source, f.target): f.time for f in directly_follows(
            conn, space.tables, finished, now, Measure.elapsed())}
    assert service.keys() == reference["service"].keys()
    for activity, ref in reference["service"].items():
        ours = service[activity]
        assert ours.count == ref["count"], activity
        assert close(ours.mean, ref["mean"]) and close(ours.median, ref["median"]), activity
    assert {f"{a}→{b}" for a, b in flows} == reference["dfg"].keys()
    for pair, ref in reference["dfg"].items():
        ours = flows[tuple(pair.split("→"))]  # type: ignore[index]
        assert ours.count == ref["count"], pair
        assert close(ours.mean, ref["mean"]) and close(ours.median, ref["median"]), pair
