"""The runner: every case side by side, repeated in alternating order, then the README.

Each side of each round is a fresh process (`bench.run_side`): liucheng and the ceilings
in this interpreter's venv, SpiffWorkflow in bench/.venv-peers. Rounds rotate which side
goes first. Scratch databases live in bench/runs/ (git-ignored) and are deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import machine, peers, pgdb, profiling, report, snapshot
from bench.sizes import FULL, QUICK, Sizes
from bench.stats import rotate

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RUNS = BENCH_DIR / "runs"
PRODUCT_PYTHON = sys.executable


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Runner:
    sizes: Sizes
    env: dict[str, str]  # of every measured process: which liucheng it imports
    loads: list[float] = field(default_factory=list)  # 1-minute load average, sampled

    def start(self, name: str, params: dict[str, Any]) -> subprocess.Popen[str]:
        peer = name.endswith((".spiff", ".pm4py"))
        python = str(peers.PEERS_PYTHON) if peer else PRODUCT_PYTHON
        return subprocess.Popen([python, "-m", "bench.run_side", name, json.dumps(params)],
                                cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    @staticmethod
    def finish(name: str, process: subprocess.Popen[str]) -> dict[str, Any]:
        stdout, stderr = process.communicate()
        lines = [x for x in stdout.splitlines() if x.startswith("BENCH-RESULT ")]
        if process.returncode or not lines:
            raise RuntimeError(f"{name} failed ({process.returncode}):\n{stderr[-3000:]}")
        return dict(json.loads(lines[-1].split(" ", 1)[1]))

    def side(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        self.loads.append(os.getloadavg()[0])
        return self.finish(name, self.start(name, params))

    def rounds(self, sides: dict[str, dict[str, Any]], label: str) -> dict[str, list[Any]]:
        """Run every side once a round, rotating which goes first; results per side."""
        count = self.sizes.rounds
        out: dict[str, list[Any]] = {name: [] for name in sides}
        for r in range(count):
            for name in rotate(list(sides), r):
                res = self.side(name, sides[name])
                out[name].append(res)
                log(f"{label} round {r + 1}/{count} {name}: {res['per_second']:,.0f}/s")
        return out

    def b1(self) -> dict[str, Any]:
        results = {}
        for model, cases in self.sizes.b1_cases.items():
            params = {"model": model, "cases": cases, "warmup": self.sizes.warmup * 5}
            results[model] = self.rounds({"b1.liucheng": params, "b1.spiff": params},
                                         f"B1 {model}")
        return results

    def b2(self) -> dict[str, Any]:
        figures: dict[str, Any] = {}
        for sync in ("NORMAL", "FULL"):
            for model, cases in self.sizes.b2_cases.items():
                base = {"model": model, "cases": cases, "warmup": self.sizes.warmup,
                        "synchronous": sync}
                sides = {f"b2.{s}": {**base, "path": str(RUNS / f"b2-{s}.db")}
                         for s in ("liucheng", "ceiling", "spiff")}
                figures[f"{sync}/{model}"] = self.rounds(sides, f"B2 {sync} {model}")
        model = next(iter(self.sizes.b2_cases))
        return {"figures": figures, "statements": self.side("b2.statements", {
            "model": model, "cases": 5, "path": str(RUNS / "b2-statements.db")})}

    def b3(self) -> dict[str, Any]:
        why = pgdb.available()
        if why:
            return {"skipped": f"PostgreSQL not reachable: {why}"}
        figures: dict[str, Any] = {}
        with pgdb.database("b3") as url:
            for clients in self.sizes.b3_clients:
                for model, cases in self.sizes.b3_cases.items():
                    params = {"url": url, "model": model, "clients": clients,
                              "cases_per_client": max(1, cases // clients),
                              "warmup": self.sizes.warmup}
                    figures[f"{clients}/{model}"] = self.rounds(
                        {"b3.liucheng": params, "b3.ceiling": params},
                        f"B3 {clients} client(s) {model}")
        return {"server": pgdb.server_version(), "figures": figures}

    def b4(self) -> dict[str, Any]:
        """Load SQLite and PostgreSQL at once (set-up), then measure one after the other."""
        s = self.sizes
        params = {"tasks": s.inbox_tasks, "open": s.inbox_open, "roles": s.inbox_roles,
                  "users": s.inbox_users, "queries": s.inbox_queries, "rounds": s.rounds}
        why = pgdb.available()
        results: dict[str, Any] = {}
        with ExitStack() as stack:
            urls = {"sqlite": f"sqlite:///{RUNS / 'b4-inbox.db'}"}
            if why:
                results["postgresql"] = {"skipped": f"PostgreSQL not reachable: {why}"}
            else:
                urls["postgresql"] = stack.enter_context(pgdb.database("b4"))
            log(f"B4: loading {s.inbox_tasks:,} tasks into {' and '.join(urls)} at once")
            loads = {b: self.start("b4.load", {**params, "url": u}) for b, u in urls.items()}
            loaded = {b: self.finish(f"b4.load {b}", p) for b, p in loads.items()}
            for backend, url in urls.items():
                log(f"B4: measuring {backend}")
                results[backend] = {**loaded[backend],
                                    **self.side("b4.inbox", {**params, "url": url})}
        return results

    def b5(self) -> dict[str, Any]:
        """One history per run (set-up), then the reports and PM4Py side by side."""
        s = self.sizes
        params = {"path": str(RUNS / "b5-history.db"), "xes": str(RUNS / "b5-history.xes"),
                  "seed_cases": s.history_seed_cases, "events": s.history_events}
        log(f"B5: building a history of {s.history_events:,} events")
        built = self.side("b5.build", params)
        events = built["rows"]["events"]
        sides = {"b5.liucheng": {"path": params["path"], "now": built["now"], "events": events,
                                 "xes": str(RUNS / "b5-export.xes")},
                 "b5.pm4py": {"xes": params["xes"], "events": events}}
        results = self.rounds(sides, "B5 analytics (history events)")
        for suffix in ("", "-wal", "-shm"):
            Path(params["path"] + suffix).unlink(missing_ok=True)
        Path(params["xes"]).unlink(missing_ok=True)
        return {"build": built, **results}

    def b6(self) -> dict[str, Any]:
        s = self.sizes
        params = {"template": str(RUNS / "b6-template.db"), "path": str(RUNS / "b6.db"),
                  "open": s.memory_open, "completions": s.memory_completions}
        log(f"B6: starting {s.memory_open:,} cases")
        loaded = self.side("b6.load", params)
        results = self.rounds({"b6.liucheng": params}, "B6 memory (completions)")
        Path(params["template"]).unlink(missing_ok=True)
        return {"load": loaded, **results}

    def b7(self) -> dict[str, Any]:
        s = self.sizes
        params: dict[str, Any] = {"path": str(RUNS / "b7-demo.db"), "months": s.web_months,
                                  "data_dir": str(RUNS / "b7-data")}
        log(f"B7: building the demo database ({s.web_months} month(s))")
        built = self.side("b7.build", params)
        params |= {"users": built["users"], "password": built["password"],
                   "clients": s.web_clients, "seconds": s.web_seconds}
        results = self.rounds({"b7.liucheng": params}, "B7 web (inbox requests)")
        for suffix in ("", "-wal", "-shm"):
            Path(params["path"] + suffix).unlink(missing_ok=True)
        return {"build": built, "months": s.web_months, "clients": s.web_clients,
                "seconds": s.web_seconds, **results}

    def profiles(self) -> list[dict[str, Any]]:
        log("profiling the liucheng sides with py-spy")
        b1 = {"cases": self.sizes.profile_b1_cases, "warmup": 20}
        b2 = {"cases": self.sizes.profile_b2_cases, "warmup": 5, "synchronous": "NORMAL",
              "path": str(RUNS / "profile.db")}
        jobs = [("B1 pure core, linear10", "b1.liucheng", {**b1, "model": "linear10"},
                 "complete_all/decide", False),
                ("B1 pure core, gateway", "b1.liucheng", {**b1, "model": "gateway"},
                 "complete_all/decide", False),
                ("B2 Engine on SQLite (synchronous=NORMAL), linear10", "b2.liucheng",
                 {**b2, "model": "linear10"}, "work_case", True)]
        return [{**profiling.sample(PRODUCT_PYTHON, name, params, root, idle, self.env),
                 "label": label} for label, name, params, root, idle in jobs]


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="a small run (a minute or two)")
    p.add_argument("--only", default="B1,B2,B3,B4,B5,B6,B7", help="cases to run, e.g. B1,B2")
    p.add_argument("--rounds", type=int, help="rounds per figure (default 5, quick 3)")
    p.add_argument("--inbox-tasks", type=int, help="B4: tasks in the inbox (default 1,000,000)")
    p.add_argument("--inbox-open", type=int, help="B4: of which open (default 100,000)")
    p.add_argument("--history-events", type=int, help="B5: events in the history (1,000,000)")
    p.add_argument("--memory-open", type=int, help="B6: open cases (default 100,000)")
    p.add_argument("--memory-completions", type=int,
                   help="B6: completions measured (default 1,000,000)")
    p.add_argument("--no-profile", action="store_true", help="skip the py-spy profiles")
    p.add_argument("--working-tree", action="store_true",
                   help="measure the working tree as it is, not a snapshot of HEAD")
    p.add_argument("--output", default=str(BENCH_DIR / "README.md"),
                   help="where to write the report (default bench/README.md)")
    p.add_argument("--render", action="store_true",
                   help="measure nothing: write the report (and PROFILES.md) again from the "
                   "results.json beside it (after a change to the report's text)")
    return p.parse_args(argv)


def write_profiles(output: Path, profiles: Any) -> None:
    """PROFILES.md beside the report: the run's py-spy profiles, then the notes read by hand."""
    notes = (BENCH_DIR / "profiles_b5_b7.md").read_text(encoding="utf-8")
    output.with_name("PROFILES.md").write_text(
        profiling.render(profiles, "Profiles of the liucheng sides") + "\n" + notes,
        encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    output = Path(args.output)
    if args.render:
        saved = json.loads(output.with_name("results.json").read_text(encoding="utf-8"))
        output.write_text(report.render(saved), encoding="utf-8")
        if "profiles" in saved:
            write_profiles(output, saved["profiles"])
        log(f"wrote {output} from the run of {saved['date']}")
        return 0
    sizes = QUICK if args.quick else FULL
    overrides = {k: v for k, v in {"rounds": args.rounds, "inbox_tasks": args.inbox_tasks,
                                   "inbox_open": args.inbox_open,
                                   "history_events": args.history_events,
                                   "memory_open": args.memory_open,
                                   "memory_completions": args.memory_completions}.items() if v}
    sizes = replace(sizes, **overrides)
    only = {c.strip().upper() for c in args.only.split(",")}
    RUNS.mkdir(exist_ok=True)
    began = time.monotonic()
    src, commit = (None, None) if args.working_tree else snapshot.extract(RUNS)
    runner = Runner(sizes, snapshot.environment(src))
    peer_versions = peers.ensure(log)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": os.getloadavg(),
        "machine": machine.describe(snapshot.describe(commit)), "peers": peer_versions,
        "quick": args.quick, "sizes": asdict(sizes),
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "loader": runner.side("loader", {})["loader"]}
    cases = {"B1": runner.b1, "B2": runner.b2, "B3": runner.b3, "B4": runner.b4,
             "B5": runner.b5, "B6": runner.b6, "B7": runner.b7}
    for case, run in cases.items():
        if case in only:
            log(f"{case} …")
            results[case] = run()
    if not args.no_profile:
        results["profiles"] = runner.profiles()
        write_profiles(output, results["profiles"])
    results["seconds"] = time.monotonic() - began
    results["load_after"] = os.getloadavg()
    results["loads"] = runner.loads
    output.with_name("results.json").write_text(json.dumps(results, indent=1) + "\n",
                                                encoding="utf-8")  # first: kept if the
    output.write_text(report.render(results), encoding="utf-8")  # report cannot be written
    log(f"wrote {output} after {results['seconds'] / 60:.1f} minutes")
    return 0
