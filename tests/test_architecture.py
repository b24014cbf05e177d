"""The layer contract of DESIGN.md, checked: imports point inward and the core stays pure."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "liucheng"
PURE = ["engine", "model", "rules", "calendar"]
FORBIDDEN_MODULES = {"sqlalchemy", "alembic", "psycopg", "fastapi", "starlette", "httpx",
                     "requests", "urllib", "http", "socket", "random", "secrets", "uuid",
                     "subprocess", "os", "time"}
FORBIDDEN_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
                   ("date", "today"), ("time", "time")}
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__"}


def test_import_contracts_hold() -> None:
    exe = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(exe)], capture_output=True, text=True, cwd=SRC.parents[1],
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _pure_files() -> list[Path]:
    return [p for pkg in PURE for p in sorted((SRC / pkg).rglob("*.py"))]


@pytest.mark.parametrize("path", _pure_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_core_never_reads_the_clock_or_runs_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] not in FORBIDDEN_MODULES, (
                    f"{path.name}:{node.lineno} imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            assert node.module.split(".")[0] not in FORBIDDEN_MODULES, (
                f"{path.name}:{node.lineno} imports from {node.module}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) not in FORBIDDEN_CALLS, (
                f"{path.name}:{node.lineno} reads the clock ({node.value.id}.{node.attr})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_NAMES, (
                f"{path.name}:{node.lineno} calls {node.func.id}()")


def test_every_module_says_its_role() -> None:
    missing = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
               if p.name != "__init__.py" and "migrations/versions" not in str(p)
               and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert missing == []
