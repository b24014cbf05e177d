"""HTTP service steps in BPMN: the Camunda 8 HTTP JSON connector and the Camunda 7
http-connector are read as the step's `http` call, and liucheng's own export keeps it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from liucheng.engine.http_requests import build_request
from liucheng.errors import ModelError
from liucheng.loaders.bpmn_export import export_bpmn
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import ServiceTask
from liucheng.model.http import HttpCall, HttpHeader
from liucheng.rules.expressions import BUILTINS

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
      'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"')


def process(task: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="d">
  <bpmn:process id="his" isExecutable="true">
    <bpmn:startEvent id="start"/>
    {task}
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


ZEEBE_TASK = """
<bpmn:serviceTask id="call" name="查询病人"
                  zeebe:modelerTemplate="io.camunda.connectors.HttpJson.v2">
  <bpmn:extensionElements>
    <zeebe:taskDefinition type="io.camunda:http-json:1" retries="4"/>
    <zeebe:ioMapping>
      <zeebe:input source="bearer" target="authentication.type"/>
      <zeebe:input source="{{secrets.HIS_TOKEN}}" target="authentication.token"/>
      <zeebe:input source="POST" target="method"/>
      <zeebe:input source="=&#34;https://his.example.cn/api/patients/&#34; + patientId"
                   target="url"/>
      <zeebe:input source="={&#34;X-Dept&#34;: &#34;ICU&#34;, &#34;X-Case&#34;: caseNo}"
                   target="headers"/>
      <zeebe:input source="={visit: visitDate}" target="queryParameters"/>
      <zeebe:input source="={patient: patientId, urgent: true}" target="body"/>
      <zeebe:input source="20" target="connectionTimeoutInSeconds"/>
      <zeebe:input source="45" target="readTimeoutInSeconds"/>
    </zeebe:ioMapping>
    <zeebe:taskHeaders>
      <zeebe:header key="resultExpression"
                    value="={patientName: response.body.name, httpStatus: response.status}"/>
    </zeebe:taskHeaders>
  </bpmn:extensionElements>
</bpmn:serviceTask>"""

CAMUNDA_TASK = """
<bpmn:serviceTask id="call" name="Bank">
  <bpmn:extensionElements>
    <camunda:connector>
      <camunda:inputOutput>
        <camunda:inputParameter name="url">https://bank.example.cn/accounts/${account}</camunda:inputParameter>
        <camunda:inputParameter name="method">put</camunda:inputParameter>
        <camunda:inputParameter name="headers">
          <camunda:map>
            <camunda:entry key="Content-Type">application/json</camunda:entry>
            <camunda:entry key="Authorization">Bearer {{secrets.BANK}}</camunda:entry>
          </camunda:map>
        </camunda:inputParameter>
        <camunda:inputParameter name="payload"
          >{"amount": 100, "currency": "CNY"}</camunda:inputParameter>
        <camunda:outputParameter name="bankAnswer">${response}</camunda:outputParameter>
        <camunda:outputParameter name="bankStatus">${statusCode}</camunda:outputParameter>
      </camunda:inputOutput>
      <camunda:connectorId>http-connector</camunda:connectorId>
    </camunda:connector>
  </bpmn:extensionElements>
</bpmn:serviceTask>"""


def call_of(text: str) -> HttpCall:
    step = load_bpmn(text, "his.bpmn").element("call")
    assert isinstance(step, ServiceTask) and step.handler is None and step.http is not None
    return step.http


def test_the_zeebe_http_json_connector_is_an_http_call() -> None:
    call = call_of(process(ZEEBE_TASK))
    assert (call.method, call.url_expression, call.timeout, call.retries) == ("POST", True,
                                                                              45.0, 3)
    assert call.headers == (HttpHeader("X-Dept", "ICU"), HttpHeader("X-Case", "{caseNo}"),
                            HttpHeader("Authorization", secret="HIS_TOKEN", prefix="Bearer "))
    assert call.output == (("patientName", "response.body.name"),
                           ("httpStatus", "response.status"))
    request = build_request(call, {"patientId": "P7", "caseNo": "C1",
                                   "visitDate": "2026-03-02"}, BUILTINS)
    assert request["url"] == "https://his.example.cn/api/patients/P7?visit=2026-03-02"
    assert request["body"] == {"patient": "P7", "urgent": True}
    assert request["headers"] == {"X-Dept": "ICU", "X-Case": "C1"}


def test_the_camunda_7_http_connector_is_an_http_call() -> None:
    call = call_of(process(CAMUNDA_TASK))
    assert call.method == "PUT" and call.url == "https://bank.example.cn/accounts/{account}"
    assert call.headers[1] == HttpHeader("Authorization", secret="BANK", prefix="Bearer ")
    assert call.output == (("bankAnswer", "response.body"), ("bankStatus", "response.status"))
    request = build_request(call, {"account": "62 22"}, BUILTINS)
    assert request["url"] == "https://bank.example.cn/accounts/62%2022"
    assert request["body"] == {"amount": 100, "currency": "CNY"}


def test_connector_settings_liucheng_cannot_follow_are_reported() -> None:
    task = ZEEBE_TASK.replace('source="bearer"', 'source="basic"')
    with pytest.raises(ModelError) as err:
        load_bpmn(process(task), "his.bpmn")
    assert "authentication 'basic' is not supported" in str(err.value)
    assert "element 'call'" in str(err.value)


def test_export_and_import_keep_the_call() -> None:
    definition = load_yaml("""
process: his
roles: {nurse: 护士}
steps:
  - id: call
    http:
      method: POST
      url: "https://his.example.cn/api/{patient_id}"
      headers: {Authorization: {secret: his_token, prefix: "Bearer "}}
      body: {patient: patient_id, items: [a, 1]}
      error_on: {404: not_found}
      output: {name: $.name}
    errors: [{id: missing, error: not_found, next: fix}]
  - {id: done, type: end}
  - {id: fix, role: nurse}
""", "his.yaml")
    again = load_bpmn(export_bpmn(definition), "his.bpmn")
    before, after = definition.element("call"), again.element("call")
    assert isinstance(before, ServiceTask) and isinstance(after, ServiceTask)
    assert before.http is not None and after.handler is None
    assert after.http == replace(before.http, line=None)
    assert again.element("missing") is not None
