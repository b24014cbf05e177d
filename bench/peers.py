"""The peers' virtualenv, bench/.venv-peers: SpiffWorkflow and PM4Py at exact versions, py-spy.

SpiffWorkflow (LGPL-3.0) and PM4Py (AGPL-3.0) are never dependencies of liucheng: they
live only in this git-ignored venv, made from the same Python the product runs on, and
are driven as subprocesses. py-spy (MIT) is there too, to profile the liucheng sides
from outside.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PEERS_VENV = BENCH_DIR / ".venv-peers"
PEERS_PYTHON = PEERS_VENV / "bin" / "python"
PY_SPY = PEERS_VENV / "bin" / "py-spy"
PINS = {"SpiffWorkflow": "3.2.0", "py-spy": "0.4.3", "pm4py": "2.7.23.11"}

_VERSIONS = """
import importlib.metadata as m, json
out = {}
for name in ("SpiffWorkflow", "py-spy", "lxml", "pm4py", "pandas"):
    try:
        out[name] = m.version(name)
    except m.PackageNotFoundError:
        out[name] = None
print(json.dumps(out))
"""


def installed() -> dict[str, str | None]:
    if not PEERS_PYTHON.exists():
        return {}
    out = subprocess.run([str(PEERS_PYTHON), "-c", _VERSIONS], capture_output=True,
                         text=True, check=True).stdout
    return dict(json.loads(out))


def ensure(log: object = print) -> dict[str, str | None]:
    """Create the venv and install the pinned versions unless they are already there."""
    if not PEERS_PYTHON.exists():
        log(f"creating {PEERS_VENV.relative_to(BENCH_DIR.parent)}")  # type: ignore[operator]
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    versions = installed()
    missing = [f"{name}=={pin}" for name, pin in PINS.items() if versions.get(name) != pin]
    if missing:
        log(f"installing {' '.join(missing)} into the peers venv")  # type: ignore[operator]
        subprocess.run([str(PEERS_PYTHON), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *missing], check=True)
        versions = installed()
    return versions
