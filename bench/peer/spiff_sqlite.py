"""B2, SpiffWorkflow side: its JSON serializer saving to SQLite and reloading per completion.

Same pragmas as the product (WAL, the given `synchronous`, the checkpoint interval). Each
completion is one transaction: read the workflow's JSON, `deserialize_json`, complete one
ready user task, `do_engine_steps()`, `serialize_json`, write it back, commit. Cases are
created before the clock starts; timed: working them to the end.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bench.peer.spiff_models import complete, ready_user_tasks, spec, version
from bench.timing import Stopwatch, result, settle
from bench.workload import sqlite_pragmas, step_data

SCHEMA = "CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT NOT NULL)"


def _fresh(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def _connect(path: str, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    for pragma in sqlite_pragmas(synchronous):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def _work_case(conn: sqlite3.Connection, serializer: Any, case_id: int, index: int) -> int:
    data = step_data(index)
    done = 0
    while True:
        conn.execute("BEGIN IMMEDIATE")
        (text,) = conn.execute("SELECT state FROM workflows WHERE id = ?", (case_id,)).fetchone()
        workflow = serializer.deserialize_json(text)
        tasks = ready_user_tasks(workflow)
        if not tasks:
            raise RuntimeError(f"workflow {case_id} has no ready user task")
        complete(tasks[0], data)
        workflow.do_engine_steps()
        conn.execute("UPDATE workflows SET state = ? WHERE id = ?",
                     (serializer.serialize_json(workflow), case_id))
        conn.execute("COMMIT")
        done += 1
        if workflow.is_completed():
            return done


def run(params: dict[str, Any]) -> dict[str, object]:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    path = params["path"]
    _fresh(path)
    workflow_spec = spec(params["model"])
    serializer = BpmnWorkflowSerializer()
    conn = _connect(path, params["synchronous"])
    conn.execute(SCHEMA)
    total = params["warmup"] + params["cases"]
    conn.execute("BEGIN IMMEDIATE")
    sizes = []
    for case_id in range(total):
        workflow = BpmnWorkflow(workflow_spec)
        workflow.do_engine_steps()
        text = serializer.serialize_json(workflow)
        sizes.append(len(text))
        conn.execute("INSERT INTO workflows (id, state) VALUES (?, ?)", (case_id, text))
    conn.execute("COMMIT")
    for case_id in range(params["warmup"]):
        _work_case(conn, serializer, case_id, case_id)
    settle()
    watch = Stopwatch()
    completions = 0
    for index, case_id in enumerate(range(params["warmup"], total)):
        with watch.measure():
            completions += _work_case(conn, serializer, case_id, index)
    conn.close()
    _fresh(path)
    return result(completions, watch.seconds, version=version(),
                  state_bytes=sum(sizes) // len(sizes))
