"""Profiles of the liucheng sides, sampled from outside by py-spy (in bench/.venv-peers).

py-spy runs the same `python -m bench.run_side` command as the measurement, at 500 Hz,
with samples aggregated by function. Only stacks inside the measured loop count (below
`decide` called from `complete_all` for B1 — so not the untimed starts —, below
`work_case` for B2); for B2 idle samples (waiting on the disk) are kept. Inclusive
share = how often a function was on the stack; self = at the top.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.peers import PY_SPY


def sample(python: str, side: str, params: dict[str, Any], root: str, idle: bool,
           env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.txt"
        command = [str(PY_SPY), "record", "--function", "--format", "raw", "--rate", "500",
                   "--output", str(raw), *(["--idle"] if idle else []), "--",
                   python, "-m", "bench.run_side", side, json.dumps(params)]
        subprocess.run(command, check=True, capture_output=True, text=True, env=env,
                       cwd=Path(__file__).resolve().parent.parent)
        lines = raw.read_text().splitlines()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rpartition(" ")
        frames = _below(stack.split(";"), root.split("/"))
        if not frames:
            continue
        n = int(count)
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    ours = [(f, n) for f, n in inclusive.most_common() if "liucheng/" in f]
    return {"side": side, "root": root, "samples": total,
            "inclusive": [(f, n / total) for f, n in inclusive.most_common(30)],
            "liucheng": [(f, n / total) for f, n in ours[:20]],
            "self": [(f, n / total) for f, n in own.most_common(15)]}


def _below(frames: list[str], path: list[str]) -> list[str]:
    """The frames from the last name of `path` down, if the stack passes through all of it."""
    at = 0
    for name in path:
        hits = [i for i in range(at, len(frames)) if frames[i].startswith(name + " ")]
        if not hits:
            return []
        at = hits[0]
    return frames[at:]


def render(profiles: list[dict[str, Any]], title: str) -> str:
    out = [f"# {title}", "", __doc__.split("\n\n", 1)[1].strip(), ""]
    for p in profiles:
        out += [f"## {p['label']}", "",
                f"{p['samples']} samples below `{p['root'].split('/')[-1]}`.", "",
                "| inclusive | function (file:first line) |", "| ---: | --- |"]
        out += [f"| {share:.1%} | `{frame}` |" for frame, share in p["inclusive"]]
        out += ["", "liucheng's own functions only:", "",
                "| inclusive | function |", "| ---: | --- |"]
        out += [f"| {share:.1%} | `{frame}` |" for frame, share in p["liucheng"]]
        out += ["", "| self | function |", "| ---: | --- |"]
        out += [f"| {share:.1%} | `{frame}` |" for frame, share in p["self"]]
        out.append("")
    return "\n".join(out)
