"""What the figures were measured on: the machine and the versions of everything involved."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from importlib.metadata import version
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def describe(liucheng: str) -> dict[str, str]:
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu_model(),
        "memory": memory(),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "liucheng": f"{version('liucheng')}, {liucheng}",
        "sqlalchemy": version("SQLAlchemy"),
        "psycopg": version("psycopg"),
        "sqlite": sqlite3.sqlite_version,
    }
