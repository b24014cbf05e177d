"""HTTP service steps in the core: the request is worked out from the case's variables when
the step opens, and the answer is mapped back to variables. Nothing here sends anything:
the request travels in an `http_call` effect to the runtime, which runs it as a job
(`runtime/http_calls.py`) and comes back with `CompleteService` or `FailService`.

Secret headers stay names (`request["secrets"]`: header → [secret, prefix]) until the
runtime sends; their values are never in the core, the events or the job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from liucheng.errors import ExpressionError
from liucheng.model.http import PLACEHOLDER, HttpCall, output_expression
from liucheng.rules.expressions import compile_expression, to_json

Functions = Mapping[str, Callable[..., Any]]
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def quote(text: str) -> str:
    """Percent-encode everything but the unreserved characters of RFC 3986 (`/` too)."""
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in text.encode())


def _value(source: str, variables: Mapping[str, Any], functions: Functions) -> Any:
    return compile_expression(source).evaluate(variables, functions)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(to_json(value)) if isinstance(value, Decimal) else str(value)


def fill(template: str, variables: Mapping[str, Any], functions: Functions, *,
         encode: bool) -> str:
    """The template with each `{expression}` replaced by its value (URL-encoded if `encode`)."""
    def one(match: Any) -> str:
        text = _text(_value(match.group(1), variables, functions))
        return quote(text) if encode else text

    return PLACEHOLDER.sub(one, template)


def _body(spec: Any, variables: Mapping[str, Any], functions: Functions) -> Any:
    if isinstance(spec, str):
        return to_json(_value(spec, variables, functions))
    if isinstance(spec, Mapping):
        return {str(k): _body(v, variables, functions) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_body(v, variables, functions) for v in spec]
    return spec


def build_request(call: HttpCall, variables: Mapping[str, Any],
                  functions: Functions) -> dict[str, Any]:
    """The request to send, as JSON data; raises ExpressionError when a value is missing."""
    if call.url_expression:
        url = _value(call.url, variables, functions)
        if not isinstance(url, str):
            raise ExpressionError(f"the url expression gave {type(url).__name__}, not text")
    else:
        url = fill(call.url, variables, functions, encode=True)
    query = {}
    for name, source in call.query:
        value = _value(source, variables, functions)
        if value is not None:
            query[name] = _text(value)
    if query:
        url += ("&" if "?" in url else "?") + "&".join(
            f"{quote(k)}={quote(v)}" for k, v in query.items())
    headers: dict[str, str] = {}
    secrets: dict[str, list[str]] = {}
    for header in call.headers:
        if header.secret:
            secrets[header.name] = [header.secret, header.prefix]
        else:
            headers[header.name] = fill(header.value, variables, functions, encode=False)
    request: dict[str, Any] = {"method": call.method, "url": url, "headers": headers,
                               "timeout": call.timeout, "retries": call.retries,
                               "expect": list(call.expect),
                               "error_on": {str(code): error for code, error in call.error_on}}
    if secrets:
        request["secrets"] = secrets
    if call.sign:
        request["sign"] = call.sign
    if call.body is not None:
        request["body"] = _body(call.body, variables, functions)
    return request


def map_response(call: HttpCall, response: Mapping[str, Any], variables: Mapping[str, Any],
                 functions: Functions) -> dict[str, Any]:
    """The variables `output` sets from `response` ({status, headers, body})."""
    scope = {**variables, "response": dict(response)}
    return {var: to_json(_value(output_expression(source), scope, functions))
            for var, source in call.output}
