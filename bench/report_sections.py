"""The sections of bench/README.md, one function each (see report.py)."""

from __future__ import annotations

from typing import Any

from bench import report_b5_b7
from bench.stats import Summary, per_second, ratio
from bench.workload import MODELS

Lines = list[str]


def rate(s: Summary) -> str:
    return f"{s.median:,.0f} ({s.low:,.0f}–{s.high:,.0f})"


def times(s: Summary) -> str:
    return f"{s.median:.2f}× ({s.low:.2f}–{s.high:.2f})"


def share(s: Summary) -> str:
    return f"{s.median:.0%} ({s.low:.0%}–{s.high:.0%})"


def ms(s: Summary) -> str:
    return f"{s.median:.1f} ms ({s.low:.1f}–{s.high:.1f})"


def _rates(results: dict[str, list[Any]], name: str) -> list[float]:
    return per_second(results[name])


def run_facts(r: dict[str, Any]) -> Lines:
    m = r["machine"]
    peers = r["peers"]
    rows = [("date", r["date"]), ("command", f"`{r['command']}`"),
            ("duration", f"{r['seconds'] / 60:.1f} minutes"),
            ("load average", _load(r)),
            ("machine", f"{m['nproc']} cores ({m['cpu']}), {m['memory']} memory, {m['os']}"),
            ("Python", m["python"]), ("liucheng", m["liucheng"]),
            ("liucheng side loads", "the BPMN files" if r["loader"] == "bpmn" else
             "the YAML twins of the BPMN files (the BPMN importer has not landed yet)"),
            ("SpiffWorkflow", f"{peers.get('SpiffWorkflow')} (lxml {peers.get('lxml')}), "
                              "in bench/.venv-peers"),
            ("PM4Py", f"{peers.get('pm4py')} (pandas {peers.get('pandas')}), in "
                      "bench/.venv-peers"),
            ("SQLAlchemy / psycopg", f"{m['sqlalchemy']} / {m['psycopg']}"),
            ("SQLite", m["sqlite"])]
    server = r.get("B3", {}).get("server")
    if server:
        rows.append(("PostgreSQL", f"{server} on 127.0.0.1 (same machine)"))
    if r.get("quick"):
        rows.append(("size", "**--quick run: small sizes, figures are indicative only**"))
    return ["## The run", "", "| | |", "| --- | --- |",
            *[f"| {k} | {v} |" for k, v in rows], ""]


def _load(r: dict[str, Any]) -> str:
    """The machine is shared with other work: say how busy it was while measuring."""
    loads = r.get("loads") or [r["load_before"][0]]
    s = Summary.of(loads)
    return (f"1-minute load average {s.median:.1f} (median; {s.low:.1f}–{s.high:.1f}) over "
            f"{s.n} samples taken as each side started, on {r['machine']['nproc']} cores: "
            "other work shared the machine, so absolute figures are low and noisy; the "
            "side-by-side ratios are the figures to read")


def targets(r: dict[str, Any]) -> Lines:
    rows: list[tuple[str, str, str, bool]] = []
    for model, res in r.get("B1", {}).items():
        q = ratio(_rates(res, "b1.liucheng"), _rates(res, "b1.spiff"))
        rows.append((f"B1 pure core, {model}", "≥ 10× SpiffWorkflow", times(q), q.median >= 10))
    for key, res in r.get("B2", {}).get("figures", {}).items():
        lc = _rates(res, "b2.liucheng")
        c = ratio(lc, _rates(res, "b2.ceiling"))
        s = ratio(lc, _rates(res, "b2.spiff"))
        rows.append((f"B2 SQLite {key}", "≥ 50% of the ceiling", share(c), c.median >= 0.5))
        rows.append((f"B2 SQLite {key}", "≥ 5× SpiffWorkflow", times(s), s.median >= 5))
    for key, res in r.get("B3", {}).get("figures", {}).items():
        c = ratio(_rates(res, "b3.liucheng"), _rates(res, "b3.ceiling"))
        clients, model = key.split("/")
        rows.append((f"B3 PostgreSQL, {clients} client(s), {model}", "≥ 50% of the ceiling",
                     share(c), c.median >= 0.5))
    for backend, res in r.get("B4", {}).items():
        if "rounds" in res:
            p99 = Summary.of([x["p99_ms"] for x in res["rounds"]])
            rows.append((f"B4 inbox p99, {backend}", "≤ 10 ms", ms(p99), p99.median <= 10))
    rows += report_b5_b7.targets(r)
    out = ["## Targets", "", "| case | target | measured | met |", "| --- | --- | --- | --- |"]
    out += [f"| {c} | {t} | {m} | {'yes' if ok else '**no**'} |" for c, t, m, ok in rows]
    return [*out, ""]


def obstacles(r: dict[str, Any]) -> Lines:
    spans = [ratio(_rates(res, "b2.ceiling"), _rates(res, "b2.spiff")).median
             for res in r.get("B2", {}).get("figures", {}).values()]
    span = f"{min(spans):.1f}–{max(spans):.1f}×" if spans else "a few times"
    return [
        "## What stands in the way of the targets", "",
        "- **B1, ≥ 10× SpiffWorkflow.** The pure core is event-sourced: every change is an "
        "event applied to a copy of the state (`Run.emit` → `apply`), and one completion "
        "emits six (`task_claimed`, `variables_set` for the form data and the step record "
        "together, `task_completed`, `element_left`, `element_entered`, `task_created`). "
        "Indexes the definition keeps once (`ProcessDefinition.boundaries`, `unconditional`, "
        "`windowed`, `has_inclusive`) let a step skip what it does not have (form, checks, "
        "checklist, window, deadlines, boundary events, inclusive joins); callgrind counts "
        "2.09M instructions per linear10 case, 35% fewer than before them. No single "
        "function dominates what is left: the six events, "
        "built and applied, about a fifth; the copy of the state, the next step's task and "
        "the token loop about a fifteenth each. What would remove it: fewer events per "
        "completion (the implicit claim carried by `task_completed`: five), which changes "
        "the stored audit trail and every reader of it, and a state copied only where a "
        "command changes it.",
        "- **B2, ≥ 50% of the ceiling.** The Engine runs the ceiling's statements (the "
        "acting person read with the case row) plus a few (the listing in a read "
        "transaction of its own, the task row written apart from its candidates) in one "
        "transaction per completion; "
        "reads and writes both go to the driver's cursor (`storage/direct.py`), and all "
        "three sides run with the product's SQLite settings (`sqlite_pragmas`: WAL, a "
        "checkpoint every 10,000 pages). Under callgrind, about six sevenths of the "
        "Engine's instructions per completion are outside SQLite: `decide` (B1), encoding "
        "the state, events and task rows, converting parameters and rows, and SQLAlchemy's "
        "connection and transaction handling (two transactions a completion, about 25 µs "
        "each with nothing in them). What would remove it: a connection kept per thread "
        "instead of a pool checkout per command (it needs its own design: the pool's "
        "limit is what answers 503 when the server is busy, and `close()` must reach "
        "every thread's connection), and B1's changes.",
        "- **B2, ≥ 5× SpiffWorkflow.** Spiff saves one JSON document per completion; "
        "liucheng writes the case state, one row per event (6–9 a completion), the task "
        "row and its candidate rows, so that the audit trail and the inbox are tables one "
        "can query. The ceiling — exactly those rows through plain `sqlite3`, nothing "
        f"computed — is itself only {span} Spiff in this run (the table below), and an "
        "engine cannot pass its own ceiling: 5× needs fewer rows per completion (e.g. a "
        "command's events in one row), not a faster engine.",
        "- **B3, ≥ 50% of the ceiling.** Every statement is a round trip to the server (a "
        "command's lock with the acting person, its writes, BEGIN and COMMIT; the listing's "
        "read transaction); with 8 clients, 8 client processes and the server share 2 "
        "cores, so the Engine's Python time per completion is what limits it, and single "
        "rounds swing widely with the machine's other work. What would bring it closer: "
        "psycopg's pipeline mode, sending a command's writes in one round trip (the case "
        "row's update count is the conflict check, so it would be checked at the "
        "pipeline's sync point), and the CPU savings named for B2.",
        "- **B4, p99 ≤ 10 ms.** The page is index ranges (own tasks, one per status; each "
        "role's pooled candidates) cut to the page and merged, so it grows with neither "
        "the pool nor the person's own tasks. A call is two statements in a read "
        "transaction, both straight on the driver's cursor (the reader with their roles "
        "and the organisations of those roles' members; the page, of the tasks' columns "
        "only), and 100 rows made into TaskViews. In-process, at best, a call takes about "
        "1.4 ms on SQLite and 1.1 ms on PostgreSQL: the page statement about half, the "
        "rows' conversion (four times a row, parsed from text on SQLite) and the views "
        "most of the rest. On a machine shared with other work the p99 (about the slowest "
        "of 40 calls) is the scheduler's. What would remove more: the reader folded into "
        "the page statement (on PostgreSQL a LATERAL join over the roles: one round trip), "
        "and the page's columns in an index (100 row lookups a page).",
        "- **B7, p95 ≤ 100 ms.** The load generator keeps 50 clients waiting all the time, "
        "so the p95 is about 50 ÷ requests per second: 100 ms needs about 500 pages a "
        "second from one server process (Python's lock) sharing 2 cores with the load "
        "generator. Measured in-process, back to back (`python -m bench.page_profile`), an "
        "inbox page costs about 3.5 ms of CPU in 12 statements and a task page about "
        "5 ms in 21 (the session's transaction and the page's one snapshot): 500 pages a "
        "second would take 2–2.5 cores before the load generator's share. Of a task page, "
        "rendering is about a sixth (spread over some 550 escapes, 95 translations and the "
        "people lists of the pickers; no piece stands out), the engine's dry runs of the "
        "return and add-signer actions (each creates the next task) about a seventh, the "
        "statements about an eighth; of an inbox page, FastAPI's routing and dependencies "
        "about a sixth, the rest spread out. What would remove it: a pure 'where can this "
        "go back to' question in the engine for the page's buttons, the session read in "
        "the page's snapshot, and several server processes (`liucheng serve --workers N`) "
        "on a machine with the cores for them.",
        ""]


def b1(res: dict[str, Any]) -> Lines:
    out = ["## B1 — pure core, in memory", "",
           "User-task completions per second: liucheng's `decide(CompleteTask)` on the "
           "instance state vs SpiffWorkflow's `BpmnWorkflow` on the same BPMN file "
           "(complete the ready user tasks, then `do_engine_steps()`).", "",
           "| model | liucheng /s | SpiffWorkflow /s | liucheng ÷ Spiff |",
           "| --- | ---: | ---: | ---: |"]
    for model, r in res.items():
        lc, sp = _rates(r, "b1.liucheng"), _rates(r, "b1.spiff")
        out.append(f"| {model} ({MODELS[model].description}) | {rate(Summary.of(lc))} | "
                   f"{rate(Summary.of(sp))} | {times(ratio(lc, sp))} |")
    return [*out, ""]


def b2(res: dict[str, Any]) -> Lines:
    out = ["## B2 — durable, SQLite (WAL)", "",
           "Completions per second through `Engine` (each command its own transaction), vs "
           "the ceiling (plain `sqlite3`, one transaction per completion doing the same "
           "reads and writes) and vs SpiffWorkflow saving its serializer's JSON to SQLite and "
           "reloading it for every completion.", "",
           "| synchronous / model | liucheng /s | ceiling /s | SpiffWorkflow /s | "
           "% of ceiling | × Spiff |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    rows_per: list[str] = []
    for key, r in res["figures"].items():
        lc, ce, sp = (_rates(r, f"b2.{s}") for s in ("liucheng", "ceiling", "spiff"))
        out.append(f"| {key} | {rate(Summary.of(lc))} | {rate(Summary.of(ce))} | "
                   f"{rate(Summary.of(sp))} | {share(ratio(lc, ce))} | {times(ratio(lc, sp))} |")
        e_rows = r["b2.liucheng"][0]["event_rows"] / r["b2.liucheng"][0]["completions"]
        c_rows = r["b2.ceiling"][0]["event_rows"] / r["b2.ceiling"][0]["completions"]
        rows_per.append(f"| {key} | {e_rows:.2f} | {c_rows:.2f} | "
                        f"{r['b2.spiff'][0]['state_bytes']:,} |")
    out += ["", "Rows written, counted from the `events` table of the Engine's run and from "
            "what the ceiling inserted, and the size of SpiffWorkflow's saved state:", "",
            "| synchronous / model | event rows per completion, Engine | … ceiling | "
            "Spiff JSON bytes per save |", "| --- | ---: | ---: | ---: |", *rows_per, ""]
    st = res.get("statements")
    if st:
        c, lk = st["complete"], st["lookup"]
        out += ["What the Engine sends to SQLite (counted with SQLite's trace callback, untimed): "
                f"`complete()` = {c['transactions']:.1f} transactions, "
                f"{c['statements']:.1f} statements; `tasks(case=…)` = "
                f"{lk['transactions']:.1f} transaction, {lk['statements']:.1f} statement. "
                "The ceiling: 1 transaction of 7 statements per completion (read the "
                "instance, write it back, insert the events, update the ended task row, "
                "delete its candidates, insert the new task and candidate rows) and one "
                "lookup per round. One `complete()` of the Engine:", "", "```",
                *st["sample"], "```", ""]
    return out


def b3(res: dict[str, Any]) -> Lines:
    out = ["## B3 — PostgreSQL", ""]
    if "skipped" in res:
        return [*out, f"Not measured: {res['skipped']}.", ""]
    out += ["Completions per second through `Engine` with N concurrent clients (processes, "
            "each its own connection and its own cases) vs the same statements through plain "
            "psycopg (the ceiling), on a database created for the run and dropped after it.",
            "", "| clients / model | liucheng /s | ceiling /s | % of ceiling |",
            "| --- | ---: | ---: | ---: |"]
    for key, r in res["figures"].items():
        lc, ce = _rates(r, "b3.liucheng"), _rates(r, "b3.ceiling")
        out.append(f"| {key} | {rate(Summary.of(lc))} | {rate(Summary.of(ce))} | "
                   f"{share(ratio(lc, ce))} |")
    return [*out, ""]


def b4(res: dict[str, Any]) -> Lines:
    out = ["## B4 — inbox latency", "",
           "`Engine.tasks(user=…)`, first page (100 rows), for users holding 3 roles, on a "
           "bulk-loaded inbox (see `bench/inbox_data.py` for its shape). Each round is a "
           "series of calls cycling over ten such users; p50 and p99 are per round. SQLite and "
           "PostgreSQL are loaded at the same time (the load column is that parallel "
           "set-up, not timed otherwise), then measured one after the other.", "",
           "| backend | tasks (open) | load | open tasks the user may see | p50 | p99 |",
           "| --- | --- | ---: | ---: | ---: | ---: |"]
    plans: Lines = []
    for backend, r in res.items():
        if "skipped" in r:
            out.append(f"| {backend} | not measured: {r['skipped']} | | | | |")
            continue
        p50 = Summary.of([x["p50_ms"] for x in r["rounds"]])
        p99 = Summary.of([x["p99_ms"] for x in r["rounds"]])
        out.append(f"| {backend} | {r['tasks']:,} ({r['open']:,}) | {r['load_seconds']:.0f} s | "
                   f"{r['visible_open_tasks']:,} | {ms(p50)} | {ms(p99)} |")
        plans += [f"Query plan on {backend}:", "", "```", *r["plan"], "```", ""]
    return [*out, "", *plans]


def method(r: dict[str, Any]) -> Lines:
    return ["## What is timed", "",
            "- Every side of every round is a fresh process (`python -m bench.run_side`); "
            "set-up (deploying, starting the cases, loading data) and a few warm-up cases "
            "are not timed.",
            "- **B1**: only the completion calls — `decide(CompleteTask)` for liucheng; "
            "finding the ready user tasks, `task.run()` and `do_engine_steps()` for Spiff.",
            "- **B2, B3**: working the started cases to the end, the way a client does: "
            "list the case's open tasks (`engine.tasks(case=…)`; the ceiling runs the same "
            "SELECT), complete each (`engine.complete(…)`; the ceiling runs its one "
            "transaction), repeat. Spiff: one transaction per completion (load, deserialize, "
            "complete one ready task, `do_engine_steps()`, serialize, save). B3 counts all "
            "clients' completions over the time from a common barrier to the last "
            "client's end.",
            "- The ceiling's script (state to write, event, task and candidate rows) is "
            "computed in advance by the pure core, so it writes the same rows as the "
            "Engine (the row counts above show it); it still encodes the JSON and decodes the "
            "instance state it reads inside the timed loop. Like the ceiling, the Engine "
            "writes each task row once per completion (the implicit claim and the "
            "completion are one UPDATE).",
            "- The models are `bench/models/*.bpmn` (plain BPMN 2.0, parsed by Spiff's "
            "`BpmnParser`). " + _loader_note(r["loader"]),
            "- **B5**: each report on its own, on a database file the process opened "
            "(one count of the events first, to read it into the page cache, not timed); "
            "PM4Py from reading the log to the figures. **B6**: the whole run of "
            "completions, with resident memory read in between. **B7**: each request, from "
            "sending it to the whole answer read; the sign-ins and one warm-up request per "
            "client and page are not timed.",
            "- Profiles of the liucheng sides: [PROFILES.md](PROFILES.md).",
            "- There are no timing assertions in any test; these figures are for reading.",
            ""]


def _loader_note(loader: str) -> str:
    twin = ("the YAML twin next to each file (same element and flow ids, checked against the "
            "BPMN file whenever it is used)")
    if loader == "bpmn":
        return ("The liucheng side imports the same files with "
                f"`liucheng.loaders.bpmn_xml.load_bpmn`; {twin} is only a fallback for a "
                "tree without the importer.")
    return ("The measured code has no `liucheng.loaders.bpmn_xml.load_bpmn` yet, so the "
            f"liucheng side loads {twin}; once the importer lands the runner loads the BPMN "
            "files themselves.")


def reproduce() -> Lines:
    return ["## How to reproduce", "", "From the project root, with the product's venv:", "",
            "```sh", ".venv/bin/python -m bench            # full run (B6 at full size: hours)",
            ".venv/bin/python -m bench --quick    # a small run, a few minutes",
            ".venv/bin/python -m bench --only B1,B2 --rounds 3 --no-profile",
            ".venv/bin/python -m bench --inbox-tasks 200000 --inbox-open 20000",
            "# B6 at its full size (1,000,000 completions a round) takes hours; a shorter run:",
            ".venv/bin/python -m bench --only B5,B6,B7 --rounds 3 --memory-completions 20000",
            ".venv/bin/python -m bench --render   # this file again from results.json, "
            "measuring nothing",
            "```", "",
            "The first run creates `bench/.venv-peers` (git-ignored) and installs the pinned "
            "SpiffWorkflow, PM4Py and py-spy from PyPI into it; SpiffWorkflow (LGPL) and "
            "PM4Py (AGPL) are never dependencies of liucheng. B3 and B4 need PostgreSQL at "
            "127.0.0.1:5432 with trust "
            "authentication and a `test` database to connect to (set `BENCH_PG_ADMIN_URL` "
            "to use another); the runner creates its own databases and drops them. Scratch "
            "SQLite files go to `bench/runs/` (git-ignored). Without `--output` the run "
            "rewrites this file and `bench/PROFILES.md`.", ""]
