"""HTTP service steps against a real HTTP server on the loopback interface, through the
Engine and the job executor on SQLite and PostgreSQL: mapping the answer, a timeout,
retries with back-off on the test clock, an incident once retries are used up and `retry`
after the server is fixed, a 404 caught by an error boundary, refused hosts, redirects,
oversized answers and secrets. Only the timeout test waits (0.2 s)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from liucheng.cli.main import app
from liucheng.engine import replay
from liucheng.runtime import Engine
from liucheng.runtime.http_calls import HttpSettings
from liucheng.runtime.jobs import JobExecutor
from liucheng.runtime.outbox import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_json
from testclock import Clock

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class His:
    """A hospital information system stand-in: scripted replies per path, requests kept.
    The last reply of a path is repeated; `fix(path, reply)` replaces the script."""

    def __init__(self) -> None:
        self.script: dict[str, list[Reply]] = {}
        self.requests: list[dict[str, Any]] = []
        his = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size) if size else b""
                path = self.path.split("?", 1)[0]
                his.requests.append({"method": self.command, "path": self.path,
                                     "headers": dict(self.headers.items()), "body": raw})
                replies = his.script.get(path) or [Reply(404, {"error": "no such path"})]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply.delay:
                    time.sleep(reply.delay)
                data = (reply.body if isinstance(reply.body, bytes)
                        else json.dumps(reply.body, ensure_ascii=False).encode())
                try:
                    self.send_response(reply.status)
                    for key, value in {"Content-Type": "application/json; charset=utf-8",
                                       **reply.headers}.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the caller gave up (the timeout test)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def fix(self, path: str, *replies: Reply) -> None:
        self.script[path] = list(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def his() -> Iterator[His]:
    server = His()
    yield server
    server.close()


ADMISSION = """
process: admission
name: {{zh: 入院登记, en: Admission}}
roles: {{nurse: 护士}}
steps:
  - id: lookup
    name: {{zh: 查询病人, en: Look up the patient}}
    http:
      method: POST
      url: "http://{host}:{port}/api/patients/{{patient_id}}/admissions"
      headers:
        X-Patient: "{{patient_id}}"
        Authorization: {{secret: his_token, prefix: "Bearer "}}
      query: {{visit: visit_date}}
      body: {{patient: patient_id, ward: ward, urgent: urgent, source: '"liucheng"'}}
      timeout: {timeout}
      retries: {retries}
      error_on: {{404: patient_not_found}}
      output:
        patient_name: $.patient.name
        bed: $.beds[0]
        his_status: response.status
        his_trace: response.headers["x-trace"]
    set:
      greeting: '"入院：" + patient_name'
    errors:
      - {{id: unknown_patient, error: patient_not_found, next: register_patient}}
  - {{id: admit, role: nurse}}
  - {{id: done, type: end}}
  - {{id: register_patient, role: nurse}}
"""
PATH = "/api/patients/P-7/admissions"
FOUND = Reply(201, {"patient": {"name": "李四"}, "beds": ["3-12", "3-14"]},
              headers={"X-Trace": "t-1"})
START = {"patient_id": "P-7", "ward": "心内科", "urgent": True, "visit_date": "2026-03-02"}


def model(his: His, *, timeout: float = 5, retries: int = 3, host: str = "127.0.0.1") -> str:
    return ADMISSION.format(host=host, port=his.port, timeout=timeout, retries=retries)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


def make_engine(url: str, clock: Clock, **http: Any) -> Engine:
    engine = Engine(url, clock=clock, http=HttpSettings(secrets={"his_token": "tok-9"}, **http))
    engine.add_user("wang", roles=["nurse"])
    return engine


@pytest.fixture
def engine(database_url: str, clock: Clock) -> Iterator[Engine]:
    engine = make_engine(database_url, clock)
    yield engine
    engine.close()


def open_steps(engine: Engine, case: str) -> list[str]:
    return sorted(t.element for t in engine.tasks(case=case))


def same_as_replay(engine: Engine, case: str) -> bool:
    return bool(replay(h.data for h in engine.history(case)) == engine.state(case))


def test_a_call_is_a_job_whose_answer_is_mapped_to_variables(engine: Engine, his: His,
                                                             clock: Clock) -> None:
    his.fix(PATH, FOUND)
    engine.deploy(model(his))
    case = engine.start("admission", START, user="wang")
    assert case.status == "active" and not his.requests  # nothing is sent inside a command
    token = next(iter(engine.state(case.id)["tokens"].values()))
    assert token["status"] == "service"
    jobs = engine.jobs(case.id)
    assert [(j["kind"], j["payload"]["element"]) for j in jobs] == [("http", "lookup")]
    assert "tok-9" not in json.dumps(jobs, default=str)  # the secret is never stored

    done = JobExecutor(engine, worker="w1").run_due()
    assert (done.fired, done.retried, done.failed) == (1, 0, 0)
    [request] = his.requests
    assert request["method"] == "POST"
    assert request["path"] == PATH + "?visit=2026-03-02"
    assert request["headers"]["Authorization"] == "Bearer tok-9"
    assert request["headers"]["X-Patient"] == "P-7"
    assert request["headers"]["X-Liucheng-Id"] == jobs[0]["id"]
    assert json.loads(request["body"]) == {"patient": "P-7", "ward": "心内科", "urgent": True,
                                           "source": "liucheng"}
    variables = engine.state(case.id)["variables"]
    assert (variables["patient_name"], variables["bed"], variables["his_status"],
            variables["his_trace"], variables["greeting"]) == (
        "李四", "3-12", 201, "t-1", "入院：李四")
    assert open_steps(engine, case.id) == ["admit"]
    types = [h.type for h in engine.history(case.id)]
    assert types.index("service_requested") < types.index("service_completed")
    requested = next(h for h in engine.history(case.id) if h.type == "service_requested")
    assert requested.data["url"].startswith(his.base + PATH)
    assert engine.jobs(case.id) == []
    assert same_as_replay(engine, case.id)


def test_a_timeout_counts_as_a_failure(database_url: str, his: His, clock: Clock) -> None:
    engine = make_engine(database_url, clock)
    his.fix(PATH, Reply(200, {}, delay=0.5))
    engine.deploy(model(his, timeout=0.2, retries=0))
    case = engine.start("admission", START, user="wang")
    done = JobExecutor(engine, worker="w1").run_due()
    assert done.failed == 1
    [incident] = engine.incidents()
    assert "no answer within 0.2 s" in incident["reason"]
    assert f"POST {his.base}{PATH}" in incident["reason"]
    assert engine.case(case.id).status == "active"
    engine.close()


def test_a_500_is_retried_with_back_off_and_then_succeeds(engine: Engine, his: His,
                                                          clock: Clock) -> None:
    his.fix(PATH, Reply(500, {"error": "database busy"}), FOUND)
    engine.deploy(model(his))
    case = engine.start("admission", START, user="wang")
    executor = JobExecutor(engine, worker="w1")
    first = executor.run_due()
    assert (first.retried, first.fired) == (1, 0)
    assert "answered 500" in first.errors[0] and "database busy" in first.errors[0]
    [job] = engine.jobs(case.id)
    assert job["attempts"] == 1 and "answered 500" in job["error"]
    assert executor.run_due().claimed == 0  # not due before the back-off has passed
    clock.advance(seconds=10)
    assert executor.run_due().fired == 1
    assert len(his.requests) == 2
    ids = {r["headers"]["X-Liucheng-Id"] for r in his.requests}
    assert ids == {job["id"]}  # one call, tried twice: the receiver can drop repeats
    assert engine.state(case.id)["variables"]["patient_name"] == "李四"
    assert open_steps(engine, case.id) == ["admit"] and engine.incidents() == []


def test_used_up_retries_become_an_incident_that_retry_runs_again(engine: Engine, his: His,
                                                                  clock: Clock) -> None:
    his.fix(PATH, Reply(503, {"error": "HIS 维护中 " + "x" * 400}))
    engine.deploy(model(his, retries=2))
    case = engine.start("admission", START, user="wang")
    executor = JobExecutor(engine, worker="w1")
    outcomes = []
    for _ in range(3):
        result = executor.run_due()
        outcomes.append((result.retried, result.failed))
        clock.advance(minutes=5)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    [incident] = engine.incidents()
    reason = incident["reason"]
    assert f"HTTP POST {his.base}{PATH}" in reason and "answered 503" in reason
    assert "HIS 维护中" in reason and "after 3 attempts" in reason
    assert len(reason) < 600  # a short excerpt of the body, not all of it
    assert engine.jobs(case.id) == []

    his.fix(PATH, FOUND)
    engine.retry(incident["id"], user="wang")
    assert executor.run_due().fired == 1
    assert engine.incidents() == [] and open_steps(engine, case.id) == ["admit"]
    assert engine.state(case.id)["variables"]["bed"] == "3-12"
    assert same_as_replay(engine, case.id)


def test_a_404_mapped_to_an_error_goes_to_the_error_boundary(engine: Engine, his: His) -> None:
    his.fix(PATH, Reply(404, {"error": "无此病人"}))
    engine.deploy(model(his))
    case = engine.start("admission", START, user="wang")
    assert JobExecutor(engine, worker="w1").run_due().fired == 1
    assert len(his.requests) == 1  # an error answer is not retried
    assert open_steps(engine, case.id) == ["register_patient"]
    thrown = next(h for h in engine.history(case.id) if h.type == "error_thrown")
    assert thrown.data["error"] == "patient_not_found" and "404" in thrown.data["detail"]
    assert engine.incidents() == []
    assert same_as_replay(engine, case.id)


def test_other_4xx_answers_are_incidents_at_once(engine: Engine, his: His) -> None:
    his.fix(PATH, Reply(400, {"error": "bad ward"}))
    engine.deploy(model(his))
    engine.start("admission", START, user="wang")
    assert JobExecutor(engine, worker="w1").run_due().failed == 1
    assert len(his.requests) == 1
    assert "answered 400" in engine.incidents()[0]["reason"]


def test_a_host_outside_the_allow_list_is_refused(database_url: str, his: His,
                                                  clock: Clock) -> None:
    engine = make_engine(database_url, clock, allowed_hosts=("his.example.com",))
    his.fix(PATH, FOUND)
    engine.deploy(model(his))
    engine.start("admission", START, user="wang")
    assert JobExecutor(engine, worker="w1").run_due().failed == 1
    assert his.requests == []
    assert "the host '127.0.0.1' is not in the allowed hosts" in engine.incidents()[0]["reason"]
    engine.close()


def test_redirects_are_followed_on_the_same_host_only(engine: Engine, his: His) -> None:
    moved = "/api/v2/admissions"
    his.fix(PATH, Reply(307, b"", headers={"Location": moved}))
    his.fix(moved, FOUND)
    engine.deploy(model(his))
    case = engine.start("admission", START, user="wang").id
    assert JobExecutor(engine, worker="w1").run_due().fired == 1
    assert [r["path"].split("?")[0] for r in his.requests] == [PATH, moved]
    assert open_steps(engine, case) == ["admit"]

    his.fix(PATH, Reply(302, b"", headers={"Location": f"http://localhost:{his.port}{moved}"}))
    engine.start("admission", START, user="wang")
    assert JobExecutor(engine, worker="w1").run_due().failed == 1
    assert "redirected to another host (localhost)" in engine.incidents()[0]["reason"]


def test_answers_over_the_size_limit_and_missing_secrets_are_incidents(
        database_url: str, his: His, clock: Clock) -> None:
    engine = make_engine(database_url, clock, max_response_bytes=64)
    his.fix(PATH, Reply(200, {"patient": {"name": "x" * 100}}))
    engine.deploy(model(his))
    engine.start("admission", START, user="wang")
    executor = JobExecutor(engine, worker="w1")
    assert executor.run_due().failed == 1
    assert "larger than the 64-byte limit" in engine.incidents()[0]["reason"]
    engine.close()

    bare = Engine(database_url, clock=clock, http=HttpSettings())
    bare.start("admission", START, user="wang")
    assert JobExecutor(bare, worker="w1").run_due().failed == 1
    reasons = [i["reason"] for i in bare.incidents()]
    assert any("LIUCHENG_SECRET_HIS_TOKEN" in r for r in reasons)
    assert len(his.requests) == 1  # only the oversized answer was asked for
    bare.close()


def test_a_header_that_is_not_ascii_is_refused(engine: Engine, his: His) -> None:
    his.fix(PATH, FOUND)
    engine.deploy(model(his))
    engine.start("admission", {**START, "patient_id": "P-7"}, user="wang")
    engine.deploy(model(his).replace('X-Patient: "{patient_id}"', 'X-Patient: "{ward}"'))
    engine.start("admission", START, user="wang")
    done = JobExecutor(engine, worker="w1").run_due()
    assert (done.fired, done.failed) == (1, 1) and len(his.requests) == 1
    assert "a header holds '心内科', which is not ASCII" in engine.incidents()[0]["reason"]


def test_no_call_is_made_for_a_step_already_left(engine: Engine, his: His) -> None:
    his.fix(PATH, FOUND)
    engine.deploy(model(his))
    case = engine.start("admission", START, user="wang").id
    engine.cancel(case, user="wang")
    done = JobExecutor(engine, worker="w1").run_due()
    assert (done.stale, done.fired) == (1, 0) and his.requests == []
    assert engine.jobs(case) == [] and engine.case(case).status == "cancelled"


def test_a_boundary_timer_ends_a_call_that_keeps_failing(engine: Engine, his: His,
                                                         clock: Clock) -> None:
    his.fix("/slow", Reply(503, {"error": "busy"}))
    engine.deploy(f"""
process: slow
roles: {{nurse: 护士}}
steps:
  - id: call
    http: {{url: "{his.base}/slow", retries: 10}}
    timers: [{{id: too_slow, after: PT1M, next: by_phone}}]
  - {{id: done, type: end}}
  - {{id: by_phone, role: nurse}}
""")
    case = engine.start("slow", user="wang").id
    executor = JobExecutor(engine, worker="w1")
    assert executor.run_due().retried == 1
    clock.advance(seconds=61)
    executor.run_until_idle()
    clock.advance(minutes=10)
    executor.run_until_idle()
    assert open_steps(engine, case) == ["by_phone"] and engine.jobs(case) == []
    assert len(his.requests) == 2 and engine.incidents() == []


def test_an_answer_that_cannot_be_mapped_is_an_incident(engine: Engine, his: His) -> None:
    his.fix(PATH, Reply(200, {"patient": {}}))
    engine.deploy(model(his))
    engine.start("admission", START, user="wang")
    assert JobExecutor(engine, worker="w1").run_due().failed == 1
    [incident] = engine.incidents()
    assert "answered 200, but the answer could not be mapped" in incident["reason"]


def test_signed_calls_carry_the_outbox_signature(engine: Engine, his: His) -> None:
    his.fix("/bank/pay", Reply(200, {"ok": True}))
    engine.deploy(f"""
process: payout
roles: {{clerk: 出纳}}
steps:
  - id: pay
    http:
      method: PUT
      url: "{his.base}/bank/pay"
      body: '{{"amount": amount, "account": account}}'
      sign: bank_key
      output: {{paid: $.ok}}
  - {{id: check, role: clerk}}
""")
    engine.http = HttpSettings(secrets={"bank_key": "k-1"})
    case = engine.start("payout", {"amount": 12.5, "account": "6222"}, user="wang").id
    assert JobExecutor(engine, worker="w1").run_due().fired == 1
    [request] = his.requests
    stamp = request["headers"][TIMESTAMP_HEADER]
    assert request["headers"][SIGNATURE_HEADER] == sign_json("k-1", stamp, request["body"])
    assert json.loads(request["body"]) == {"amount": 12.5, "account": "6222"}
    assert engine.state(case)["variables"]["paid"] is True


def test_from_the_command_line_worker_incidents_and_retry(tmp_path: Path, his: His,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    monkeypatch.setenv("LIUCHENG_DATABASE_URL", url)
    monkeypatch.setenv("LIUCHENG_SECRET_HIS_TOKEN", "env-tok")
    monkeypatch.setenv("LIUCHENG_HTTP_ALLOWED_HOSTS", "127.0.0.1, his.example.com")
    his.fix(PATH, Reply(500, {"error": "HIS down"}))
    source = tmp_path / "admission.yaml"
    source.write_text(model(his, retries=0), encoding="utf-8")
    run = CliRunner()

    def cli(*args: str) -> Any:
        result = run.invoke(app, [*args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    engine = Engine(url)
    engine.add_user("wang", roles=["nurse"])
    cli("deploy", str(source))
    case = cli("start", "admission", "--user", "wang", *[
        arg for k, v in START.items() for arg in ("--var", f"{k}={json.dumps(v)}")])["id"]
    assert cli("worker", "--once")["failed"] == 1
    [incident] = cli("incidents")
    assert "answered 500" in incident["reason"] and "HIS down" in incident["reason"]
    his.fix(PATH, FOUND)
    cli("retry", incident["id"], "--user", "wang")
    assert cli("worker", "--once")["fired"] == 1
    assert his.requests[-1]["headers"]["Authorization"] == "Bearer env-tok"
    assert open_steps(engine, case) == ["admit"] and cli("incidents") == []
    engine.close()
