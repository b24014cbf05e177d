"""HTTP connectors of other engines, read as the `http` call of a service step.

- Camunda 8 (Zeebe): `<zeebe:taskDefinition type="io.camunda:http-json:1"/>` with
  `zeebe:ioMapping` inputs `method`, `url`, `headers`, `queryParameters`, `body`,
  `readTimeoutInSeconds` / `connectionTimeoutInSeconds`, `authentication.type` `bearer` +
  `authentication.token`, and task headers `resultVariable` / `resultExpression`.
  FEEL (`=…`) is translated; `{{secrets.NAME}}` becomes a secret header.
- Camunda 7: `<camunda:connector>` with `connectorId` `http-connector` and input
  parameters `url`, `method`, `headers` (a `camunda:map`), `payload`; output parameters
  `${response}` (the body) and `${statusCode}`.

Anything else of these connectors (basic authentication, scripts, …) is reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from liucheng.errors import ExpressionError
from liucheng.loaders.bpmn_expressions import translate_feel, translate_juel
from liucheng.loaders.bpmn_ns import VENDORS, ZEEBE, extension_elements, local, text_of
from liucheng.model.http import HttpCall, HttpHeader

Report = Callable[[str, Any, str | None], None]
ZEEBE_HTTP = "io.camunda:http-json:1"
CAMUNDA_HTTP = "connector:http-connector"
SECRET = re.compile(r"\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}")
JUEL = re.compile(r"\$\{([^}]*)\}")


def _split(inner: str) -> list[str]:
    """Top-level comma-separated parts of a FEEL context or list body."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(inner):
        if quote:
            quote = "" if ch == quote and inner[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [p.strip() for p in parts if p.strip()]


def feel_context(text: str) -> dict[str, str] | None:
    """`={a: x, "b-c": "y"}` as {key: FEEL source}; None when it is not a context."""
    body = text.strip().removeprefix("=").strip()
    if not (body.startswith("{") and body.endswith("}")):
        return None
    out: dict[str, str] = {}
    for part in _split(body[1:-1]):
        match = re.match(r'^\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][\w.-]*)\s*:(.*)$', part, re.S)
        if match is None:
            return None
        key = match.group(1)
        out[json.loads(key) if key.startswith('"') else key] = match.group(2).strip()
    return out


def _feel(source: str, rename: Mapping[str, str]) -> Any:
    """A FEEL value as liucheng expression source; a context becomes a mapping of them."""
    context = feel_context(source)
    if context is not None:
        return {k: _feel(v, rename) for k, v in context.items()}
    return translate_feel(source, rename)


def _template(value: str, rename: Mapping[str, str], juel: bool = False) -> str:
    """A literal with `${juel}` placeholders (Camunda 7) as a liucheng template."""
    if not juel:
        return value
    return JUEL.sub(lambda m: "{" + translate_juel("${" + m.group(1) + "}", rename) + "}",
                    value)


def _header(name: str, value: str, rename: Mapping[str, str], juel: bool = False) -> HttpHeader:
    secret = SECRET.search(value)
    if secret is not None:
        return HttpHeader(name, secret=secret.group(1), prefix=value[:secret.start()])
    return HttpHeader(name, value=_template(value, rename, juel))


def _zeebe_headers(source: str, rename: Mapping[str, str]) -> list[HttpHeader]:
    context = feel_context(source)
    if context is None:
        raise ExpressionError("headers must be a FEEL context such as ={\"Accept\": \"…\"}")
    out = []
    for name, value in context.items():
        if value.startswith('"') and value.endswith('"'):
            out.append(_header(name, json.loads(value), rename))
        else:
            out.append(HttpHeader(name, value="{" + translate_feel(value, rename) + "}"))
    return out


def zeebe_http(inputs: list[dict[str, str]], headers: Mapping[str, Any], retries: Any,
               rename: Mapping[str, str]) -> HttpCall:
    """The call of a Zeebe HTTP JSON connector; raises ExpressionError for what cannot be."""
    given = {i["target"]: i["source"] for i in inputs}
    fields: dict[str, Any] = {"method": given.get("method", "GET").upper()}
    url = given.get("url", "")
    if url.startswith("="):
        fields.update(url=translate_feel(url, rename), url_expression=True)
    else:
        fields["url"] = url
    out: list[HttpHeader] = _zeebe_headers(given["headers"], rename) if given.get(
        "headers") else []
    auth = given.get("authentication.type", "noAuth")
    if auth == "bearer":
        out.append(_header("Authorization", "Bearer " + given.get("authentication.token", ""),
                           rename))
    elif auth != "noAuth":
        raise ExpressionError(f"authentication '{auth}' is not supported; use a secret header")
    if given.get("queryParameters"):
        query = _feel(given["queryParameters"], rename)
        if not isinstance(query, dict):
            raise ExpressionError("queryParameters must be a FEEL context")
        fields["query"] = tuple((str(k), str(v)) for k, v in query.items())
    if given.get("body"):
        body = given["body"]
        fields["body"] = _feel(body, rename) if body.startswith("=") else json.dumps(
            json.loads(body), ensure_ascii=False)
    timeouts = [float(given[k]) for k in ("readTimeoutInSeconds", "connectionTimeoutInSeconds")
                if given.get(k)]
    if timeouts:
        fields["timeout"] = max(timeouts)
    if retries and str(retries).isdigit():
        fields["retries"] = max(0, int(retries) - 1)  # Zeebe counts the first try
    output: list[tuple[str, str]] = []
    if headers.get("resultVariable"):
        output.append((str(headers["resultVariable"]), "response"))
    if headers.get("resultExpression"):
        mapped = _feel(str(headers["resultExpression"]), rename)
        if not isinstance(mapped, dict) or not all(isinstance(v, str) for v in mapped.values()):
            raise ExpressionError("resultExpression must be a FEEL context of values")
        output += [(str(k), str(v)) for k, v in mapped.items()]
    return HttpCall(headers=tuple(out), output=tuple(output), **fields)


def camunda_http(el: Any, rename: Mapping[str, str]) -> HttpCall:
    """The call of a Camunda 7 `http-connector`; raises ExpressionError for what cannot be."""
    connector = next(c for c in extension_elements(el, VENDORS) if local(c) == "connector")
    params: dict[str, Any] = {}
    output: list[tuple[str, str]] = []
    for io in (c for c in connector if local(c) == "inputOutput"):
        for item in io:
            name = str(item.get("name") or "")
            if local(item) == "inputParameter":
                entries = [e for m in item if local(m) == "map" for e in m if local(e) == "entry"]
                params[name] = ({str(e.get("key")): text_of(e) for e in entries} if entries
                                else text_of(item))
            elif local(item) == "outputParameter":
                source = {"${response}": "response.body", "${statusCode}": "response.status"}
                value = source.get(text_of(item).replace(" ", ""))
                if value is None:
                    raise ExpressionError(f"output parameter '{name}' must be ${{response}} or "
                                          "${statusCode}")
                output.append((name, value))
    headers = params.get("headers") or {}
    if not isinstance(headers, dict):
        raise ExpressionError("headers must be a camunda:map")
    fields: dict[str, Any] = {}
    payload = str(params.get("payload") or "")
    if payload:
        whole = JUEL.fullmatch(payload.strip())
        fields["body"] = (translate_juel(payload.strip(), rename) if whole else
                          json.dumps(json.loads(payload), ensure_ascii=False))
    return HttpCall(method=str(params.get("method") or "GET").upper(),
                    url=_template(str(params.get("url") or ""), rename, juel=True),
                    headers=tuple(_header(k, v, rename, juel=True) for k, v in headers.items()),
                    output=tuple(output), **fields)


def http_of(el: Any, handler: str | None, ext: dict[str, Any], report: Report,
            rename: Mapping[str, str]) -> HttpCall | None:
    """The step's HTTP call when its handler is a known connector (the connector's own
    settings are then dropped from `ext`); None otherwise or after a reported problem."""
    try:
        if handler == ZEEBE_HTTP:
            zeebe = [z for z in extension_elements(el, ZEEBE) if local(z) == "ioMapping"]
            inputs = [{"source": m.get("source") or "", "target": m.get("target") or ""}
                      for z in zeebe for m in z if local(m) == "input"]
            call = zeebe_http(inputs, ext.pop("headers", {}) or {}, ext.pop("retries", None),
                              rename)
            ext.pop("inputs", None)
            return call
        if handler == CAMUNDA_HTTP:
            return camunda_http(el, rename)
    except (ExpressionError, ValueError) as exc:
        message = exc.message if isinstance(exc, ExpressionError) else str(exc)
        report(f"HTTP connector: {message}", el, "write the call as lc:setting http, or "
               "simplify the connector's settings")
    return None
