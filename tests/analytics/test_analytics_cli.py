"""`liucheng report …`, `export-log` and `import-log` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from analytics_history import History
from openpyxl import load_workbook
from typer.testing import CliRunner

from liucheng.cli.main import app
from liucheng.errors import ValidationError

runner = CliRunner()
AT = ["--at", "2026-03-03T15:00"]


def db(history: History) -> list[str]:
    return ["--db", history.engine.db.url.render_as_string(hide_password=False)]


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_report_commands(history: History, tmp_path: Path) -> None:
    steps = json.loads(invoke("report", "steps", *db(history), "-p", "review", *AT, "--json"))
    assert [(r["step"], r["visits"], r["open"]) for r in steps["rows"]] == [
        ("prepare", 3, 1), ("approve", 2, 0)]
    assert steps["rows"][0]["wait_median"] == 4.0
    text = invoke("report", "bottlenecks", *db(history), "-p", "review", *AT, "--working-time")
    assert "queue of 1" in text and "2.5×" in text
    cycle = invoke("report", "cycle", *db(history), "--period", "day", *AT, "--csv")
    assert cycle.splitlines()[0].startswith("period,started,completed,cancelled,cycle_mean_h")
    assert cycle.splitlines()[2].startswith("2026-03-03,1,1,0,27.0")
    book = tmp_path / "workload.xlsx"
    invoke("report", "workload", *db(history), "--by", "role", *AT, "--xlsx", str(book))
    assert load_workbook(book)["workload"]["A4"].value == "clerk"
    measures = json.loads(invoke("report", "measures", *db(history), "-f", "amount", "-g",
                                 "dealer", "--json"))
    assert {r["group"]: r["sum"] for r in measures["rows"]} == {"D1": 100.0, "D2": 50.0}
    progress = invoke("report", "progress", *db(history), "-g", "dealer", "--all", "--csv")
    assert "amount missing" in progress and "D2," in progress
    assert "Rework (steps visited more than once" in invoke("report", "rework", *db(history))
    rework = json.loads(invoke("report", "rework", *db(history), "-p", "review", "--json"))
    assert [(r["step"], r["extra"]) for r in rework["rows"]] == [("approve", 1), ("prepare", 1)]
    assert "Prepare" in invoke("report", "flows", *db(history), *AT)


def test_export_then_import_and_report(history: History, tmp_path: Path) -> None:
    log = tmp_path / "review.xes"
    invoke("export-log", "review", *db(history), *AT, "--format", "xes", "-o", str(log))
    assert log.read_text(encoding="utf-8").startswith("<?xml")
    csv_text = invoke("export-log", "review", *db(history), *AT, "--format", "csv",
                      "--case-attr", "dealer")
    assert csv_text.splitlines()[0].endswith("task_id,case:dealer")
    space = tmp_path / "space.sqlite"
    assert "2 cases, 5 steps" in invoke("import-log", str(log), "--space", str(space))
    again = json.loads(invoke("import-log", str(log), "--space", str(space), "--replace",
                              "--json"))
    assert (again["cases"], again["steps"], again["key"]) == (2, 5, "review")
    ranked = json.loads(invoke("report", "bottlenecks", "--space", str(space), "-p", "review",
                               *AT, "--json"))
    assert ranked["rows"][0]["step"] == "prepare"
    assert ranked["rows"][0]["why"].startswith("queue of 1; median wait 4.0 h, 4×")


def test_bad_input_is_a_clear_error(history: History) -> None:
    result = runner.invoke(app, ["report", "cycle", *db(history), "--period", "year"])
    assert isinstance(result.exception, ValidationError)
    assert "not a period" in str(result.exception)
    command = [sys.executable, "-c", "from liucheng.cli.main import main; main()",
               "report", "steps", *db(history), "--from", "yesterday"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "'yesterday' is not a date or date-time" in done.stderr
    missing = subprocess.run([*command[:3], "report", "steps", "--space", "/nonexistent.sqlite"],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 3 and "no analysis space" in missing.stderr
