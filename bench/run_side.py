"""One measured side in its own process: `python -m bench.run_side NAME PARAMS_JSON`.

The runner starts a fresh interpreter for every side and round (the product venv for
liucheng and the ceilings, bench/.venv-peers for SpiffWorkflow), so set-up, imports and
garbage of one never reach another. The result is one JSON line on stdout.
Standard library only: the side module is imported by name, so a peer process never
imports liucheng.
"""

from __future__ import annotations

import importlib
import json
import sys

SIDES = {
    "b1.liucheng": "bench.core_side:run",
    "b1.spiff": "bench.peer.spiff_core:run",
    "b2.liucheng": "bench.sqlite_sides:run_engine",
    "b2.ceiling": "bench.sqlite_sides:run_ceiling",
    "b2.spiff": "bench.peer.spiff_sqlite:run",
    "b2.statements": "bench.statements:run",
    "b3.liucheng": "bench.pg_sides:run_engine",
    "b3.ceiling": "bench.pg_sides:run_ceiling",
    "b4.load": "bench.inbox:load_inbox",
    "b4.inbox": "bench.inbox:run",
    "b5.build": "bench.history_data:build",
    "b5.liucheng": "bench.analytics_side:run",
    "b5.pm4py": "bench.peer.pm4py_side:run",
    "b6.load": "bench.memory_side:load_cases",
    "b6.liucheng": "bench.memory_side:run",
    "b7.build": "bench.web_side:build",
    "b7.liucheng": "bench.web_side:run",
    "loader": "bench.definitions:which",
}


def main(argv: list[str]) -> int:
    name, params = argv[0], json.loads(argv[1])
    module_name, function = SIDES[name].split(":")
    outcome = getattr(importlib.import_module(module_name), function)(params)
    sys.stdout.write("BENCH-RESULT " + json.dumps(outcome) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
