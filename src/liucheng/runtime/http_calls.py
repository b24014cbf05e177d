"""HTTP service steps in the runtime: each call is a job, sent by a worker outside every
transaction, then fed back to the case as one command.

`schedule` (inside the command that opened the step) turns each `http_call` effect into
a `jobs` row of kind `http`, due at once. `run_call` (from the job executor, which has
leased the row) drops the job if the step was left meanwhile (a boundary timer, the case
cancelled), else sends the request with the step's timeout, then in one transaction locks
the case, takes the job and sends `CompleteService` with the mapped outputs, or
`FailService` — with the BPMN error code of `error_on` for an error boundary, or as an
incident once the retries are used up. A failure that may pass (no answer, a timeout,
5xx, 408, 429) is retried with the executor's back-off; any other is final at once.

Only http and https; `HttpSettings.allowed_hosts` limits the hosts; redirects are
followed on the same scheme, host and port only; answers are capped in size. Secret
header values come from the settings or from `LIUCHENG_SECRET_<NAME>` when sent, so
they are never in the definition, the case's events or the job row.
"""

from __future__ import annotations

import functools
import json
import os
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from liucheng.engine import CompleteService, FailService, decide
from liucheng.engine.commands import SYSTEM, Command
from liucheng.engine.http_requests import map_response
from liucheng.errors import (
    ConfigurationError,
    ConflictError,
    ExpressionError,
    NotFoundError,
    StateError,
)
from liucheng.model import ProcessDefinition, ServiceTask
from liucheng.rules import jsontext
from liucheng.runtime.outbox import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_json
from liucheng.storage.jobs import delete_jobs, extend_lease, insert_job, reschedule, take

if TYPE_CHECKING:
    from liucheng.runtime.jobs import JobExecutor
    from liucheng.storage.repository import Repository

Row = dict[str, Any]
RETRYABLE = (408, 429)  # besides 5xx and no answer at all
EXCERPT = 200


@dataclass(frozen=True)
class HttpSettings:
    """Where HTTP service steps may go. `allowed_hosts` empty: any host; an entry is a host
    name (`his.example.com`) or `*.example.com` for its sub-domains."""

    allowed_hosts: tuple[str, ...] = ()
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    max_response_bytes: int = 1 << 20
    max_redirects: int = 5

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_hosts",
                           tuple(h.strip().lower() for h in self.allowed_hosts if h.strip()))
        if self.max_response_bytes < 1 or self.max_redirects < 0:
            raise ConfigurationError("max_response_bytes must be at least 1 and "
                                     "max_redirects at least 0")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> HttpSettings:
        """`LIUCHENG_HTTP_ALLOWED_HOSTS` (comma-separated), `LIUCHENG_HTTP_MAX_RESPONSE_BYTES`."""
        hosts = tuple(environ.get("LIUCHENG_HTTP_ALLOWED_HOSTS", "").split(","))
        size = environ.get("LIUCHENG_HTTP_MAX_RESPONSE_BYTES", "")
        try:
            return cls(allowed_hosts=hosts, max_response_bytes=int(size) if size else 1 << 20)
        except ValueError:
            raise ConfigurationError(f"LIUCHENG_HTTP_MAX_RESPONSE_BYTES '{size}' is not a "
                                     "whole number") from None

    def allows(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return not self.allowed_hosts or any(
            host == h or (h.startswith("*.") and host.endswith(h[1:]))
            for h in self.allowed_hosts)

    def secret(self, name: str) -> str:
        value = self.secrets.get(name)
        if value is None:
            value = os.environ.get(f"LIUCHENG_SECRET_{name.upper()}")
        if value is None:
            raise _Refused(f"the secret '{name}' is not configured; set "
                           f"LIUCHENG_SECRET_{name.upper()} for the worker, then retry")
        return value


class _Refused(Exception):
    """The request is not sent (or its answer not taken); retrying will not help."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    excerpt: str

    def as_response(self) -> dict[str, Any]:
        return {"status": self.status, "headers": self.headers, "body": self.body}


@dataclass(frozen=True)
class Failure:
    message: str
    retry: bool


# -- scheduling (inside the command's transaction) -----------------------------------------
def schedule(repo: Repository, case_id: str, key: str, effects: Sequence[Row],
             now: datetime) -> None:
    """A due job for each `http_call` effect of one decision."""
    for effect in effects:
        if effect["type"] == "http_call":
            insert_job(repo.conn, {
                "id": effect["call"], "instance_id": case_id, "kind": "http", "due_at": now,
                "payload": {"token": effect["token"], "element": effect["element"],
                            "process": key, "request": effect["request"]},
                "attempts": 0, "created_at": now})


# -- sending (outside every transaction) ---------------------------------------------------
def _decode(data: bytes, response: httpx.Response) -> Any:
    if not data:
        return None
    def no_constants(name: str) -> Any:
        raise ValueError(name)  # NaN and Infinity are not JSON values we can store

    try:
        return json.loads(data, parse_float=Decimal, parse_constant=no_constants)
    except ValueError:
        return data.decode(response.encoding or "utf-8", errors="replace")


def _read(response: httpx.Response, limit: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _Refused(f"the answer ({declared} bytes) is larger than the {limit}-byte limit")
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) > limit:
            raise _Refused(f"the answer is larger than the {limit}-byte limit")
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the answer took longer than the timeout")
    return bytes(data)


def _headers(request: Row, settings: HttpSettings, call: str, content: bytes | None,
             now: datetime) -> dict[str, str]:
    headers = {"Accept": "application/json", **request["headers"], ID_HEADER: call}
    for name, (secret, prefix) in (request.get("secrets") or {}).items():
        headers[name] = prefix + settings.secret(secret)
    if content is not None:
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    if request.get("sign"):
        stamp = str(int(now.timestamp()))
        headers.update({TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign_json(
            settings.secret(request["sign"]), stamp, content or b"")})
    return headers


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every call: loading the CA store takes ~0.1 s."""
    return ssl.create_default_context()


def send(request: Row, settings: HttpSettings, call: str, now: datetime) -> Answer | Failure:
    """Send one request: its answer, or why there is none."""
    timeout = float(request["timeout"])
    try:
        url = httpx.URL(request["url"])
        if url.scheme not in ("http", "https") or not url.host:
            raise _Refused("only http:// and https:// URLs with a host are called")
        if not settings.allows(url.host):
            raise _Refused(f"the host '{url.host}' is not in the allowed hosts "
                           "(LIUCHENG_HTTP_ALLOWED_HOSTS)")
        content = None if "body" not in request else jsontext.dumps(request["body"]).encode()
        headers = _headers(request, settings, call, content, now)
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=timeout, follow_redirects=False,
                          verify=_tls_context()) as client:
            req: httpx.Request | None = client.build_request(request["method"], url,
                                                             headers=headers, content=content)
            for _ in range(settings.max_redirects + 1):
                assert req is not None
                response = client.send(req, stream=True)
                try:
                    nxt = response.next_request
                    if nxt is None:
                        data = _read(response, settings.max_response_bytes, deadline)
                        body = _decode(data, response)
                        text = data.decode(response.encoding or "utf-8", errors="replace")
                        return Answer(response.status_code,
                                      {k.lower(): v for k, v in response.headers.items()}, body,
                                      " ".join(text.split())[:EXCERPT])
                    if (nxt.url.scheme, nxt.url.host, nxt.url.port) != (
                            req.url.scheme, req.url.host, req.url.port):
                        raise _Refused(f"it was redirected to another host ({nxt.url.host}); "
                                       "redirects are followed on the same host only")
                    req = nxt
                finally:
                    response.close()
            raise _Refused(f"more than {settings.max_redirects} redirects")
    except _Refused as exc:
        return Failure(str(exc), retry=False)
    except httpx.InvalidURL as exc:
        return Failure(f"the URL is not valid: {exc}", retry=False)
    except UnicodeEncodeError as exc:  # header values are ASCII on the wire
        return Failure(f"a header holds '{exc.object[exc.start:exc.end]}', which is not "
                       "ASCII; send such values in the body or the query", retry=False)
    except httpx.TimeoutException:
        return Failure(f"no answer within {timeout:g} s", retry=True)
    except httpx.HTTPError as exc:
        return Failure(f"{type(exc).__name__}: {exc}", retry=True)


# -- the job --------------------------------------------------------------------------------
def run_call(executor: JobExecutor, job: Row) -> tuple[str, str | None]:
    """Run one claimed `http` job: (fired | stale | lost | retried | failed, error)."""
    engine = executor.engine
    payload = job["payload"]
    request = payload["request"]
    token = payload["token"]
    now = executor.clock()
    hold = max(executor.lease, timedelta(seconds=float(request["timeout"]) + 60))
    with engine.transaction() as repo:
        if not extend_lease(repo.conn, job["id"], executor.worker, now + hold):
            return "lost", None
        try:
            waiting = repo.instance(job["instance_id"])["state"]["tokens"].get(token)
        except NotFoundError:
            waiting = None
        if waiting is None or waiting["status"] != "service":  # the step was left
            delete_jobs(repo.conn, [job["id"]])
            return "stale", None
    result = send(request, engine.http, job["id"], now)
    where = f"HTTP {request['method']} {request['url']}"
    if isinstance(result, Answer):
        answer = result
        code = request["error_on"].get(str(answer.status))
        expect = request["expect"]
        if code is not None:
            error = f"{where} answered {answer.status}: {answer.excerpt}"
            return _finish(executor, job, lambda d, s: FailService(SYSTEM, token, error, code))
        if answer.status in expect or (not expect and 200 <= answer.status < 300):
            return _finish(executor, job, lambda d, s: _completed(engine.functions, d, s,
                                                                  payload, answer, where))
        result = Failure(f"answered {answer.status}: {answer.excerpt}",
                         retry=answer.status >= 500 or answer.status in RETRYABLE)
    attempts = int(job.get("attempts") or 0) + 1
    error = f"{where} {result.message}"
    if result.retry and attempts <= int(request["retries"]):
        with engine.db.begin() as conn:
            reschedule(conn, job["id"], executor.worker, now + executor.retry_after(attempts),
                       attempts=attempts, error=error[:2000])
        return "retried", error
    if attempts > 1:
        error += f" (after {attempts} attempts)"
    outcome, _ = _finish(executor, job, lambda d, s: FailService(SYSTEM, token, error[:1000]))
    return outcome, error


def _completed(functions: Mapping[str, Callable[..., Any]], definition: ProcessDefinition,
               state: Row, payload: Row, answer: Answer, where: str) -> Command:
    element = definition.element(payload["element"])
    assert isinstance(element, ServiceTask) and element.http is not None
    try:
        outputs = map_response(element.http, answer.as_response(), state["variables"],
                               functions)
    except ExpressionError as exc:
        return FailService(SYSTEM, payload["token"], f"{where} answered {answer.status}, but "
                           f"the answer could not be mapped: {exc.message}")
    return CompleteService(SYSTEM, payload["token"], outputs)


def _finish(executor: JobExecutor, job: Row,
            make: Callable[[ProcessDefinition, Row], Command]) -> tuple[str, str | None]:
    """Lock the case, take the job, send the command made from the case's state."""
    engine = executor.engine
    with engine.transaction() as repo:
        try:
            row = repo.lock_instance(job["instance_id"])
        except NotFoundError:
            delete_jobs(repo.conn, [job["id"]])
            return "stale", None
        if not take(repo.conn, job["id"], executor.worker):
            return "lost", None
        definition = engine.definition(repo, row["definition_id"])
        command = make(definition, row["state"])
        try:
            decision = decide(definition, row["state"], command, engine._context(repo))
        except (ConflictError, StateError):  # the step was left meanwhile: drop the answer
            return "stale", None
        engine._persist(repo, job["instance_id"], row["definition_key"], row["version"],
                        decision, definition)
        incident = isinstance(command, FailService) and command.code is None
        return ("failed" if incident else "fired"), None
