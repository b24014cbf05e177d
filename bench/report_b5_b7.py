"""The README sections of B5 (analytics vs PM4Py), B6 (memory) and B7 (web), and their targets."""

from __future__ import annotations

from typing import Any

from bench.stats import Summary, per_second, ratio

Lines = list[str]
Row = tuple[str, str, str, bool]
FLAT_MIB = 5.0  # B6: growth after warm-up that still counts as flat
P95_MS = 100.0  # B7


def _s(values: list[float], unit: str = " s", digits: int = 2) -> str:
    s = Summary.of(values)
    return f"{s.median:,.{digits}f}{unit} ({s.low:,.{digits}f}–{s.high:,.{digits}f})"


def _times(q: Summary) -> str:
    return f"{q.median:.2f}× ({q.low:.2f}–{q.high:.2f})"


def _speed(r: dict[str, Any]) -> Summary:
    return ratio(per_second(r["b5.liucheng"]), per_second(r["b5.pm4py"]))


def _growth(r: dict[str, Any]) -> list[float]:
    return [float(x["growth_mib"]) for x in r["b6.liucheng"]]


def _page(r: dict[str, Any], page: str, key: str) -> list[float]:
    return [float(x["pages"][page][key]) for x in r["b7.liucheng"]]


def targets(r: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    if "B5" in r:
        q = _speed(r["B5"])
        rows.append(("B5 analytics, DFG + service times", "≥ 3× PM4Py", _times(q),
                     q.median >= 3))
    if "B6" in r:
        growth = _growth(r["B6"])
        rows.append((f"B6 memory growth over {r['sizes']['memory_completions']:,} completions",
                     f"flat (≤ {FLAT_MIB:.0f} MiB)", _s(growth, " MiB", 1),
                     Summary.of(growth).median <= FLAT_MIB))
    for page in ("inbox", "task"):
        if "B7" in r:
            p95 = Summary.of(_page(r["B7"], page, "p95_ms"))
            rows.append((f"B7 {page} page p95, {r['sizes']['web_clients']} clients",
                         f"≤ {P95_MS:.0f} ms", _s(_page(r["B7"], page, "p95_ms"), " ms", 1),
                         p95.median <= P95_MS))
    return rows


def _agreement(lc: dict[str, Any], pm: dict[str, Any], what: str) -> str:
    a, b = lc[what], pm[what]
    if a.keys() != b.keys():
        return f"**no**: {sorted(set(a) ^ set(b))} on one side only"
    counts = [k for k in a if a[k]["count"] != b[k]["count"]]
    worst = max(abs(a[k]["mean"] - b[k]["mean"]) for k in a)
    ok = not counts and worst <= 0.001
    return (f"{'yes' if ok else '**no**'}: {len(a)} of {len(a)} with the same keys, "
            f"{len(a) - len(counts)} with the same count, largest difference of the means "
            f"{worst:.3g} s")


def b5(r: dict[str, Any]) -> Lines:
    built = r["build"]
    rows = built["rows"]
    lc, pm = r["b5.liucheng"], r["b5.pm4py"]
    out = ["## B5 — analytics vs PM4Py", "",
           f"A history of {rows['events']:,} rows in `events` ({rows['tasks']:,} step visits "
           f"of {rows['instances']:,} cases of the gateway model, "
           f"{rows['task_candidates']:,} candidate rows of open steps) on SQLite: "
           f"{built['seed_cases']} cases worked through the `Engine` with an injected clock "
           "(waits of 5 minutes to 8 hours, claims by five users, 15% completed straight from "
           "the pool, 10% of the cases still running), then copied with new ids and shifted "
           "times to this size (`bench/history_data.py`; set-up, "
           f"{built['build_seconds']:.0f} s). Its XES export — {built['xes_events']:,} "
           f"lifecycle events, {built['xes_bytes'] / 1e6:,.0f} MB — is the log PM4Py reads. "
           "liucheng reads its own database. The sides compute the same figures: the "
           "directly-follows graph with mean, median, … flow times and the per-step service "
           "(sojourn) times of finished steps (`performance`, i.e. `directly_follows` and "
           "`service_times` from one pass over the visits; PM4Py: "
           "`read_xes`, `to_interval`, `convert_to_dataframe`, `get_service_time` mean and "
           "median, `discover_performance_dfg`, `discover_dfg`, the calls that agree with "
           "liucheng on the corpus logs, see docs/analytics.md).", "",
           "| liucheng | seconds | PM4Py | seconds |", "| --- | ---: | --- | ---: |",
           f"| DFG + service times | {_s([x['seconds']['dfg'] for x in lc])} | read the XES "
           f"log | {_s([x['seconds']['read'] for x in pm])} |",
           f"| bottleneck report | {_s([x['seconds']['bottlenecks'] for x in lc])} | "
           f"interval log + data frame | {_s([x['seconds']['interval'] for x in pm])} |",
           f"| XES export (to a file) | {_s([x['seconds']['export'] for x in lc])} | DFG + "
           f"service times | {_s([x['seconds']['figures'] for x in pm])} |",
           f"| | | **all** | {_s([sum(x['seconds'].values()) for x in pm])} |", "",
           f"DFG + service times, liucheng from its database vs PM4Py from the log: "
           f"**{_times(_speed(r))}** as fast. Against PM4Py's figures alone, once the log is "
           "in a data frame: "
           + _times(ratio([x["seconds"]["figures"] for x in pm],
                          [x["seconds"]["dfg"] for x in lc])) + " as fast.", "",
           "Do the figures agree (liucheng's on its database vs PM4Py's on the export, first "
           "round; counts exactly, means within 1 ms)?", "",
           f"- directly-follows pairs: {_agreement(lc[0], pm[0], 'dfg')}",
           f"- per-step service times: {_agreement(lc[0], pm[0], 'service')}",
           f"- the top bottleneck: “{lc[0]['top_bottleneck']}”", ""]
    return out


def b6(r: dict[str, Any]) -> Lines:
    runs = r["b6.liucheng"]
    first = runs[0]
    out = ["## B6 — a worker's memory", "",
           f"One `Engine` on SQLite (synchronous=NORMAL) with {first['open']:,} open cases of "
           f"linear10 (started before the process, {r['load']['load_seconds']:.0f} s of "
           f"set-up), completing {first['completions']:,} tasks, one case after another "
           "(`tasks(case=…)`, `complete(…)`); resident memory (VmRSS) read at the points "
           "below. Growth is from the first tenth (imports, caches and the connection pool "
           "warmed up) to the end. liucheng only: the state lives in the database, so there "
           "is no peer figure to set beside it (SpiffWorkflow would hold every open workflow "
           "in memory).", "",
           f"| round | at start | after {first['curve'][1][0]:,} | at the end | growth | "
           "completions /s |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for i, x in enumerate(runs, 1):
        out.append(f"| {i} | {x['start_mib']:.1f} MiB | {x['curve'][1][1]:.1f} MiB | "
                   f"{x['end_mib']:.1f} MiB | {x['growth_mib']:+.1f} MiB | "
                   f"{x['per_second']:,.0f} |")
    out += ["", "The curve of the first round (completions: MiB): "
            + ", ".join(f"{n:,}: {m:.1f}" for n, m in first["curve"]), ""]
    return out


def b7(r: dict[str, Any]) -> Lines:
    built = r["build"]
    rows = built["rows"]
    users = built["users"]
    runs = r["b7.liucheng"]
    out = ["## B7 — web pages under load", "",
           f"`liucheng serve` (uvicorn, one worker, as shipped) on a demo database "
           f"(`liucheng demo`, {r['months']} month(s): {rows['instances']:,} "
           f"cases, {rows['tasks']:,} tasks of which {rows['open tasks']:,} open, "
           f"{rows['users']} users), {r['clients']} clients signed in through "
           f"the sign-in form with its CSRF token as the {len(users)} users with the fullest "
           f"inboxes ({users[-1]['inbox']}–{users[0]['inbox']} open tasks each), each client "
           "one request after another for "
           f"{r['seconds']} s per page and round, from httpx AsyncClients in one "
           "process on the same machine (`bench/web_side.py`). No peer: there is no "
           "comparable web application among the peers. The clients sign in five at a "
           "time: 50 sign-ins at once outwait the server's database connection pool "
           "(5 + 10 connections, 30 s) and some answer 500 — see PROFILES.md.", "",
           "| page | requests/s | p50 | p95 | p99 |", "| --- | ---: | ---: | ---: | ---: |"]
    for page, label in (("inbox", "`GET /inbox`"), ("task", "`GET /tasks/{id}`")):
        out.append(f"| {label} | {_s(_page(r, page, 'per_second'), '', 0)} | "
                   f"{_s(_page(r, page, 'p50_ms'), ' ms', 0)} | "
                   f"{_s(_page(r, page, 'p95_ms'), ' ms', 0)} | "
                   f"{_s(_page(r, page, 'p99_ms'), ' ms', 0)} |")
    requests = sum(x["pages"][p]["requests"] for x in runs for p in ("inbox", "task"))
    resent = sum(x["pages"][p].get("resent", 0) for x in runs for p in ("inbox", "task"))
    return [*out, "", f"{requests:,} requests in all, every one answered 200; {resent} of "
            "them met a keep-alive connection the server had just closed and were sent "
            "again (their latency includes both tries).", ""]
