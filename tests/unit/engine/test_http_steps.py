"""HTTP service steps in the pure core and the YAML loader: the request worked out from the
variables, the answer mapped back, BPMN errors caught by the step's error boundary, and
one clear error (element and line) for each bad `http:` setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine import CompleteService, FailService
from liucheng.engine.http_requests import build_request, map_response
from liucheng.errors import ModelError
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import ServiceTask
from liucheng.model.http import HttpCall, HttpHeader, check_http
from liucheng.rules.expressions import BUILTINS

LOOKUP = """
process: lookup
roles: {nurse: 护士}
steps:
  - id: patient
    http:
      url: "https://his.example.com/api/patients/{patient_id}/visits"
      headers: {X-Dept: "{dept}", Authorization: {secret: his_token, prefix: "Bearer "}}
      query: {from: since, limit: 10}
      output:
        name: $.name
        first_visit: $.visits[0].date
        code: response.status
      error_on: {404: not_found, 409: busy}
    set: {label: 'name + " (" + str(code) + ")"'}
    errors: [{id: missing, error: not_found, next: register}]
  - {id: admit, role: nurse}
  - {id: done, type: end}
  - {id: register, role: nurse}
"""


def test_the_step_waits_with_an_effect_carrying_the_request() -> None:
    case = Case(LOOKUP).start(patient_id="P 7/8", dept="ICU", since="2026-01-01")
    [token] = case.state["tokens"].values()  # type: ignore[index]
    assert token["status"] == "service"
    [effect] = case.effects
    assert effect["type"] == "http_call" and effect["element"] == "patient"
    request = effect["request"]
    assert request["url"] == ("https://his.example.com/api/patients/P%207%2F8/visits"
                              "?from=2026-01-01&limit=10")
    assert request["headers"] == {"X-Dept": "ICU"}
    assert request["secrets"] == {"Authorization": ["his_token", "Bearer "]}
    assert request["error_on"] == {"404": "not_found", "409": "busy"}
    requested = next(e for e in case.events if e["type"] == "service_requested")
    assert requested["call"] == effect["call"] and requested["method"] == "GET"


def test_the_mapped_answer_completes_the_step_and_set_runs_after() -> None:
    case = Case(LOOKUP).start(patient_id="P7", dept="ICU", since="2026-01-01")
    step = case.definition.element("patient")
    assert isinstance(step, ServiceTask) and step.http is not None
    outputs = map_response(step.http, {"status": 200, "headers": {}, "body": {
        "name": "王五", "visits": [{"date": "2026-02-01"}]}}, case.state["variables"], {})
    case.run(CompleteService(ADMIN, case.effects[0]["token"], outputs))
    assert case.open_steps() == ["admit"]
    variables = case.state["variables"]  # type: ignore[index]
    assert (variables["name"], variables["first_visit"], variables["label"]) == (
        "王五", "2026-02-01", "王五 (200)")


def test_an_error_code_is_caught_by_the_steps_boundary_or_is_an_incident() -> None:
    case = Case(LOOKUP).start(patient_id="P7", dept="ICU", since="2026-01-01")
    case.run(FailService(ADMIN, case.effects[0]["token"], "answered 404: {}", "not_found"))
    assert case.open_steps() == ["register"] and case.incidents() == []

    other = Case(LOOKUP).start(patient_id="P7", dept="ICU", since="2026-01-01")
    other.run(FailService(ADMIN, other.effects[0]["token"], "answered 409: locked", "busy"))
    [incident] = other.incidents()
    assert "error 'busy'" in incident["reason"] and "answered 409: locked" in incident["reason"]
    other.retry()
    assert other.effects[0]["type"] == "http_call"  # retrying calls again


def test_a_missing_variable_is_an_incident_before_anything_is_sent() -> None:
    case = Case(LOOKUP).start(dept="ICU", since="2026-01-01")
    [incident] = case.incidents()
    assert "HTTP request could not be worked out" in incident["reason"]
    assert "patient_id" in incident["reason"] and case.effects == []
    case.set(patient_id="P7").retry()
    assert case.effects[0]["request"]["url"].startswith(
        "https://his.example.com/api/patients/P7/visits")


def test_bodies_url_expressions_and_json_paths() -> None:
    call = HttpCall(method="POST", url='base + "/claims/" + str(claim.no)', url_expression=True,
                    body={"claim": "claim.no", "items": ["claim.amount", 3], "fixed": True},
                    headers=(HttpHeader("X-Src", "liucheng"),))
    request = build_request(call, {"base": "https://bank.example.com",
                                   "claim": {"no": 12, "amount": 9.5}}, BUILTINS)
    assert request["url"] == "https://bank.example.com/claims/12"
    assert request["body"] == {"claim": 12, "items": [9.5, 3], "fixed": True}
    whole = build_request(HttpCall(url="https://x.cn/a", body='{"n": n * 2}'), {"n": 4}, {})
    assert whole["body"] == {"n": 8}
    mapped = map_response(HttpCall(output=(("all", "$"), ("ct", 'response.headers["x-a"]'))),
                          {"status": 200, "headers": {"x-a": "1"}, "body": [1, 2]}, {}, {})
    assert mapped == {"all": [1, 2], "ct": "1"}


def _error(step: str) -> str:
    text = ("process: p\nroles: {nurse: 护士}\nsteps:\n" + step
            + "\n  - {id: next_one, role: nurse}\n")
    with pytest.raises(ModelError) as err:
        load_yaml(text, "bad.yaml")
    return str(err.value.problems[0])


@pytest.mark.parametrize("http, expected", [
    ("{method: FETCH, url: 'https://his.cn/a'}", "bad.yaml:6, element 'call': http method "
     "'FETCH' is not one of GET, POST, PUT, PATCH, DELETE, HEAD"),
    ("{url: 'ftp://his.cn/a'}", "must start with http:// or https://"),
    ("{url: 'https://{host}/a'}", "must name its host"),
    ("{url: 'https://his.cn/a', timeout: 0}", "http timeout must be above 0"),
    ("{url: 'https://his.cn/a', timeout: -2}", "http timeout must be above 0"),
    ("{url: 'https://his.cn/a', timeout: soon}", "http timeout must be a number"),
    ("{url: 'https://his.cn/a', retries: 99}", "http retries must be a whole number"),
    ("{url: 'https://his.cn/{id +}'}", "url placeholder '{id +}' does not parse"),
    ("{url: 'https://his.cn/a', error_on: {200: ok}}", "200 is not a 4xx or 5xx status"),
    ("{url: 'https://his.cn/a', error_on: {abc: x}}", "'abc' is not an HTTP status code"),
    ("{url: 'https://his.cn/a', output: {x: '$.a +'}}", "http output 'x' does not parse"),
    ("{url: 'https://his.cn/a', headers: {Auth: {secret: 1}}}", "a secret value is"),
    ("{url: 'https://his.cn/a', headres: {}}", "unknown key 'headres' in http — did you mean "
     "'headers'?"),
    ("{method: GET}", "http needs a url"),
    ("{url: 'https://his.cn/a', body: {file: !!binary aGk=}}", "http body must be"),
])
def test_bad_http_settings_name_the_element_and_line(http: str, expected: str) -> None:
    message = _error(f"  - id: call\n    type: service\n    http: {http}")
    assert expected in message and "element 'call'" in message and "bad.yaml:" in message


def test_a_step_cannot_have_both_a_handler_and_a_call() -> None:
    message = _error("  - id: call\n    handler: score\n    http: {url: 'https://his.cn/a'}")
    assert "a handler or an http call, not both" in message


def test_check_http_accepts_the_documented_forms() -> None:
    assert check_http(HttpCall(url="http://[::1]:8080/a?b={c}")) == []
    assert check_http(HttpCall(url="https://his.example.com")) == []
    assert "spaces" in check_http(HttpCall(url="https://his.cn/a b"))[0]
    assert "out of range" in check_http(HttpCall(url="https://his.cn:70000/"))[0]


def test_the_his_example_of_the_docs_compiles() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "yaml.md").read_text(encoding="utf-8")
    block = doc.split("### HTTP service step")[1].split("```yaml")[1].split("```")[0]
    definition = load_yaml("process: admission\nroles: {nurse: 护士}\nsteps:\n" + block
                           + "  - {id: admit, role: nurse}\n  - {id: done, type: end}\n"
                           "  - {id: register_patient, role: nurse}\n", "yaml.md")
    step = definition.element("lookup_patient")
    assert isinstance(step, ServiceTask) and step.http is not None
    assert step.http.error_on == ((404, "patient_not_found"),)
    assert definition.element("unknown_patient") is not None
