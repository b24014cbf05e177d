"""YAML for the HTTP call of a service step (`http:`); see docs/yaml.md.

    - id: lookup_patient
      type: service
      http:
        method: GET
        url: "https://his.example.com/api/patients/{patient_id}"
        headers: {Authorization: {secret: his_token, prefix: "Bearer "}}
        timeout: 10
        error_on: {404: patient_not_found}
        output: {patient_name: $.name, ward: $.ward.name}

Shapes are checked here (with the line of each key); what the values mean — the method,
the URL, the timeout, the expressions — is checked by `model.http.check_http`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.loaders.yaml_source import Node
from liucheng.loaders.yaml_steps import suggest
from liucheng.model.http import HttpCall, HttpHeader

if TYPE_CHECKING:
    from liucheng.loaders.yaml_dsl import _Compiler

HTTP_KEYS = {"method", "url", "headers", "query", "body", "timeout", "retries", "expect",
             "error_on", "output", "sign"}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _pairs(c: _Compiler, node: Node, key: str, sid: str, example: str
           ) -> tuple[tuple[str, str], ...]:
    value = node.get(key)
    if value is None:
        return ()
    if not isinstance(value, dict) or any(isinstance(v, (dict, list)) or v is None
                                          for v in value.values()):
        c.problem(f"http {key} must map names to expressions", node, key, sid, example)
        return ()
    return tuple((str(k), str(v)) for k, v in value.items())


def _status(c: _Compiler, node: Node, key: str, sid: str, raw: Any) -> int | None:
    try:
        if isinstance(raw, bool):
            raise ValueError
        return int(raw)
    except (TypeError, ValueError):
        c.problem(f"http {key}: '{raw}' is not an HTTP status code", node, key, sid)
        return None


def _headers(c: _Compiler, node: Node, sid: str) -> tuple[HttpHeader, ...]:
    value = node.get("headers")
    if value is None:
        return ()
    if not isinstance(value, dict):
        c.problem("http headers must map header names to values", node, "headers", sid)
        return ()
    out: list[HttpHeader] = []
    for name, spec in value.items():
        if isinstance(spec, dict):
            extra = set(spec) - {"secret", "prefix"}
            if extra or not isinstance(spec.get("secret"), str):
                c.problem(f"http header '{name}': a secret value is {{secret: <name>, prefix: "
                          "<text>}}", node, "headers", sid,
                          "the secret itself is configured for the worker, never in the file")
                continue
            out.append(HttpHeader(str(name), secret=spec["secret"],
                                  prefix=str(spec.get("prefix") or "")))
        elif spec is None or isinstance(spec, list):
            c.problem(f"http header '{name}' needs a value", node, "headers", sid)
        else:
            out.append(HttpHeader(str(name), value=str(spec)))
    return tuple(out)


def http_call(c: _Compiler, step: Node, sid: str) -> HttpCall | None:
    """The step's `http:` mapping as an HttpCall (None, after problems, if unusable)."""
    node = step.get("http")
    if node is None:
        return None
    if not isinstance(node, Node):
        c.problem("'http' must be a mapping with method, url, …", step, "http", sid)
        return None
    for key in node:
        if key not in HTTP_KEYS:
            c.problem(f"unknown key '{key}' in http", node, key, sid, suggest(key, HTTP_KEYS))
    fields: dict[str, Any] = {}
    url = node.get("url")
    if isinstance(url, dict) and set(url) == {"expression"} and isinstance(url["expression"],
                                                                           str):
        fields.update(url=url["expression"], url_expression=True)
    elif isinstance(url, str):
        fields["url"] = url
    else:
        c.problem("http needs a url: text with {variable} placeholders, or "
                  "{expression: <expression>}", node if "url" in node else step,
                  "url" if "url" in node else "http", sid)
    method = node.get("method", "GET")
    fields["method"] = str(method).upper()
    for key, kind in (("timeout", (int, float)), ("retries", (int,))):
        if key in node:
            if isinstance(node[key], bool) or not isinstance(node[key], kind):
                c.problem(f"http {key} must be a number", node, key, sid)
            else:
                fields[key] = node[key]
    expect = node.get("expect", [])
    codes = [_status(c, node, "expect", sid, v)
             for v in (expect if isinstance(expect, list) else [expect])]
    fields["expect"] = tuple(v for v in codes if v is not None)
    errors = node.get("error_on") or {}
    if not isinstance(errors, dict):
        c.problem("http error_on maps status codes to error codes, e.g. {404: not_found}",
                  node, "error_on", sid)
        errors = {}
    pairs = [(_status(c, node, "error_on", sid, k), str(v or "")) for k, v in errors.items()]
    fields["error_on"] = tuple((k, v) for k, v in pairs if k is not None)
    fields["query"] = _pairs(c, node, "query", sid, "e.g. query: {date: visit_date}")
    fields["output"] = _pairs(c, node, "output", sid, "e.g. output: {patient_name: $.name}")
    if node.get("sign") is not None:
        fields["sign"] = str(node["sign"])
    return HttpCall(headers=_headers(c, node, sid), body=_plain(node.get("body")),
                    line=node.line, **fields)
