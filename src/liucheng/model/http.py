"""The HTTP call of a service step: what to send, what counts as success, what to keep.

`url` and header values are *templates*: `{expression}` placeholders are filled from the
case's variables when the step opens (`https://his/api/patients/{patient_id}`; values are
URL-encoded in the URL). `url_expression` instead computes the whole URL. A header may
take its value from a named secret of the runtime's configuration (`secret`), never from
the definition. `body` is an expression (the whole JSON body) or a mapping whose string
leaves are expressions. `output` maps variables to expressions over `response`
(`status`, `headers`, `body`); `$` is short for `response.body` (`$.patient.name`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from liucheng.errors import ExpressionError
from liucheng.rules.expressions import compile_expression

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
MAX_TIMEOUT = 300.0  # seconds; a longer wait belongs in a callback (a message event)
MAX_RETRIES = 10
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
URL_START = re.compile(r"^https?://(?:[^/?#@\s{}]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^/?#:@\s\[\]{}]+)"
                       r"(?::(\d{1,5}))?(?=[/?#]|$)", re.IGNORECASE)
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


@dataclass(frozen=True)
class HttpHeader:
    """One request header: a template `value`, or `prefix` + the secret named `secret`."""

    name: str
    value: str = ""
    secret: str | None = None
    prefix: str = ""


@dataclass(frozen=True)
class HttpCall:
    method: str = "GET"
    url: str = ""
    url_expression: bool = False
    headers: tuple[HttpHeader, ...] = ()
    query: tuple[tuple[str, str], ...] = ()  # parameter → expression
    body: Any = None
    timeout: float = 30.0
    retries: int = 3
    expect: tuple[int, ...] = ()  # empty: any 2xx
    error_on: tuple[tuple[int, str], ...] = ()  # status → BPMN error code
    output: tuple[tuple[str, str], ...] = ()  # variable → expression over `response`
    sign: str | None = None  # secret to sign the body with (X-Liucheng-Signature)
    line: int | None = None


def output_expression(source: str) -> str:
    """`$.a.b` / `$[0]` / `$` (JSON path into the body) as an expression over `response`."""
    text = source.strip()
    return "response.body" + text[1:] if text.startswith("$") else text


def placeholders(template: str) -> list[str]:
    return PLACEHOLDER.findall(template)


def body_expressions(body: Any) -> Iterator[str]:
    """Every expression of a body: the body itself, or the string leaves of a mapping."""
    if isinstance(body, str):
        yield body
    elif isinstance(body, Mapping):
        for value in body.values():
            yield from body_expressions(value)
    elif isinstance(body, (list, tuple)):
        for value in body:
            yield from body_expressions(value)


def check_http(call: HttpCall) -> list[str]:
    """What is wrong with `call` (empty when nothing): method, URL, timeout, codes, syntax."""
    problems: list[str] = []

    def parses(source: str, what: str) -> None:
        try:
            compile_expression(source)
        except ExpressionError as exc:
            problems.append(f"http {what} does not parse: {exc.message}")

    if call.method not in METHODS:
        problems.append(f"http method '{call.method}' is not one of {', '.join(METHODS)}")
    if call.url_expression:
        parses(call.url, "url expression")
    else:
        problems += _url_problems(call.url)
        for source in placeholders(call.url):
            parses(source, f"url placeholder '{{{source}}}'")
    if isinstance(call.timeout, bool) or not 0 < call.timeout <= MAX_TIMEOUT:
        problems.append(f"http timeout must be above 0 and at most {MAX_TIMEOUT:.0f} seconds, "
                        f"not {call.timeout}")
    if isinstance(call.retries, bool) or not 0 <= call.retries <= MAX_RETRIES:
        problems.append(f"http retries must be a whole number from 0 to {MAX_RETRIES}")
    for code in call.expect:
        if not 100 <= code <= 599:
            problems.append(f"http expect: {code} is not an HTTP status code")
    for code, error in call.error_on:
        if not 400 <= code <= 599:
            problems.append(f"http error_on: {code} is not a 4xx or 5xx status code")
        if not error:
            problems.append(f"http error_on: status {code} needs an error code")
    for header in call.headers:
        if not HEADER_NAME.match(header.name):
            problems.append(f"http header name '{header.name}' is not a valid header name")
        for source in placeholders(header.value):
            parses(source, f"header '{header.name}' placeholder '{{{source}}}'")
    for name, source in call.query:
        parses(source, f"query parameter '{name}'")
    if not _plain_json(call.body):
        problems.append("http body must be an expression, or a mapping of texts (expressions), "
                        "numbers, true/false/null, lists and mappings")
    for source in body_expressions(call.body):
        parses(source, "body expression")
    for var, source in call.output:
        parses(output_expression(source), f"output '{var}'")
    return problems


def _plain_json(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)  # JSON has no NaN or infinity
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    return isinstance(value, (list, tuple)) and all(_plain_json(v) for v in value)


def _url_problems(url: str) -> list[str]:
    if not url.lower().startswith(("http://", "https://")):
        return [f"http url '{url}' must start with http:// or https://"]
    match = URL_START.match(url)
    if match is None:
        return [f"http url '{url}' must name its host (and port) before any path, query or "
                "{placeholder}: http(s)://host[:port]/…"]
    if match.group(1) and int(match.group(1)) > 65535:
        return [f"http url '{url}': port {match.group(1)} is out of range"]
    if re.search(r"\s", PLACEHOLDER.sub("", url)):
        return [f"http url '{url}' contains spaces; put values in placeholders or query"]
    return []
