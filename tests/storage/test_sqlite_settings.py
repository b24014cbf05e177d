"""Every SQLite connection of the product has its settings, and the benchmark's plain-sqlite3
sides use the same ones (bench/workload.py cannot import the product from the peers' venv)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from liucheng.runtime import Engine
from liucheng.storage.database import sqlite_pragmas

BENCH_WORKLOAD = Path(__file__).resolve().parents[2] / "bench" / "workload.py"


def test_connections_have_the_settings(tmp_path: Path) -> None:
    engine = Engine(f"sqlite:///{tmp_path / 'one.db'}")
    with engine.reading() as repo:
        cursor = repo.conn.connection.cursor()
        found = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
                 for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys",
                              "wal_autocheckpoint")}
    engine.close()
    assert found == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 60000,
                     "foreign_keys": 1, "wal_autocheckpoint": 10000}


def test_the_benchmark_uses_the_products_settings() -> None:
    spec = importlib.util.spec_from_file_location("bench_workload", BENCH_WORKLOAD)
    assert spec is not None and spec.loader is not None
    workload = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = workload  # its dataclasses look their module up
    try:
        spec.loader.exec_module(workload)
    finally:
        del sys.modules[spec.name]
    for synchronous in ("NORMAL", "FULL"):
        assert workload.sqlite_pragmas(synchronous) == sqlite_pragmas(synchronous)
