"""What liucheng code is measured: a snapshot of a commit, not the moving working tree.

Other work goes on in the same tree while a 15-minute run lasts, so by default the runner
extracts `src/liucheng` of HEAD (`git archive`) into bench/runs/ and puts it first on the
PYTHONPATH of every liucheng process; the figures then belong to one commit. With
`--working-tree` the editable install (the tree as it is) is measured instead.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def extract(runs: Path, revision: str = "HEAD") -> tuple[Path, str]:
    """Extract src/liucheng of `revision`; returns (the directory to import from, commit)."""
    target = runs / "liucheng-snapshot"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision, "src/liucheng"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "src", _git("rev-parse", "--short", revision)


def describe(commit: str | None) -> str:
    """The measured liucheng, for the README."""
    if commit is not None:
        return f"commit {commit} (a snapshot of HEAD; uncommitted work is not measured)"
    head = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--", "src")
    return f"the working tree at {head}" + (" with uncommitted changes" if dirty else "")


def environment(src: Path | None) -> dict[str, str]:
    """The environment of a liucheng process: the snapshot first, then the project root."""
    env = dict(os.environ)
    paths = [str(src)] if src else []
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(ROOT)])
    return env
