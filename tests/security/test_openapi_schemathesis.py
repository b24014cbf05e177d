"""The REST API exercised from its own OpenAPI document with schemathesis (its Python API,
in process against the ASGI app), signed in with API tokens.

For every operation of /openapi.json: schema-conforming requests and schema-violating ones
as an administrator, and conforming ones as a member of staff, with path parameters that
are real (the seeded case, task, incident, user …) or generated. No answer may be a 5xx,
API answers are JSON, and the audit trail is only ever appended to: after the run every
event recorded before it is still there, unchanged. Size: LC_SCHEMATHESIS_EXAMPLES per
operation and kind of request (default 4).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from security_kit import FUZZED
from webworld import World

from liucheng.org import api_tokens
from liucheng.storage.tables import events

EXAMPLES = int(os.environ.get("LC_SCHEMATHESIS_EXAMPLES", "4"))
HANG_SECONDS = 120
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def _events(world: World) -> list[tuple[Any, ...]]:
    with world.svc.db() as db:
        return [tuple(r) for r in db.conn.execute(sa.select(events).order_by(events.c.seq))]


def _known(world: World) -> dict[str, str]:
    with world.svc.db() as db:
        spare, _ = api_tokens.create(db, "dave", "spare", ["tasks.read"], now=world.svc.now())
    return {"case_id": world.case, "task_id": world.task, "incident_id": world.incident,
            "key": "leave_request", "user_id": "dave", "role_id": "manager", "org_id": "other",
            "token_id": str(spare["id"]), "version": "1", "code": "en"}


def _run(strategy: Any, headers: dict[str, str], failures: list[str],
         statuses: Counter[str]) -> None:
    @SETTINGS
    @given(strategy)
    def call(case: Any) -> None:
        FUZZED["schemathesis cases"] += 1
        label = f"{case.method} {case.formatted_path}"
        try:  # the in-process transport re-raises what the app did not handle: a 500
            # a hang detector, not a timing check: on a loaded machine an answer may take
            # longer than the client's default 10 s
            response = case.call(headers=headers, timeout=HANG_SECONDS)
        except Exception as exc:  # noqa: BLE001 - report it with the request, go on
            statuses["5xx"] += 1
            failures.append(f"{label} → unhandled {type(exc).__name__}: {str(exc)[:300]}")
            return
        statuses[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            failures.append(f"{label} → {response.status_code}: {response.text[:300]}")
            return
        kind = response.headers.get("content-type") or ""
        kind = kind[0] if isinstance(kind, list) else kind
        if (response.status_code != 204 and "json" not in kind
                and not case.path.endswith(("/source", "/bpmn"))
                and "/files/" not in case.path):
            failures.append(f"{label} answered {response.status_code} as {kind}")

    call()


def test_no_operation_answers_5xx_and_history_is_append_only(world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    admin = {"Authorization": f"Bearer {world.token('admin')}"}
    staff = {"Authorization": f"Bearer {world.token('bob')}"}
    known = _known(world)
    before = _events(world)
    failures: list[str] = []
    statuses: Counter[str] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = {p.name for p in operation.path_parameters}
        real = {k: v for k, v in known.items() if k in names}
        runs: list[tuple[GenerationMode, dict[str, str], dict[str, str] | None]] = [
            (GenerationMode.POSITIVE, admin, real or None),
            (GenerationMode.NEGATIVE, admin, real or None),
            (GenerationMode.POSITIVE, staff, real or None),
        ]
        if real:
            runs.append((GenerationMode.POSITIVE, admin, None))  # generated ids too
        for mode, headers, path in runs:
            _run(operation.as_strategy(generation_mode=mode, path_parameters=path), headers,
                 failures, statuses)
    after = _events(world)

    assert after[:len(before)] == before, "recorded events were changed or deleted"
    assert [row[0] for row in after] == sorted({row[0] for row in after})
    print(f"\nschemathesis: {operations} operations, {sum(statuses.values())} cases, "
          f"answers {dict(statuses)}")
    assert operations >= 30
    assert failures == []
