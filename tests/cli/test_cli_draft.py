"""`liucheng validate --draft` reads a drawing; deploy refuses the draft it exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.test_cli_sales_order import Cli

DRAWING = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="drawing" name="采购" isExecutable="false">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="order"/>
    <serviceTask id="order" name="下单"/>
    <sequenceFlow id="f2" sourceRef="order" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def test_a_drawing_validates_as_a_draft_and_its_export_cannot_be_deployed(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    cli = Cli(capsys, monkeypatch, tmp_path)
    cli("init")
    drawing, exported = tmp_path / "drawing.bpmn", tmp_path / "draft.bpmn"
    drawing.write_text(DRAWING, encoding="utf-8")
    assert "has no handler" in cli("validate", str(drawing), expect=2)
    out = json.loads(cli("validate", str(drawing), "--draft", "--export", str(exported),
                         "--json"))
    assert out["draft"] is True
    assert {(f["element"], f["tag"], f["line"]) for f in out["findings"]} == {
        ("order", "serviceTask", 6)}
    assert "serviceTask has no handler" in [f["message"] for f in out["findings"]]
    refused = cli("deploy", str(exported), expect=2)
    assert "is a draft imported from a drawing" in refused and "has no handler" in refused
    assert json.loads(cli("definitions", "--json")) == []
    yaml = tmp_path / "process.yaml"
    yaml.write_text("key: p\n", encoding="utf-8")
    assert "a draft import reads BPMN drawings" in cli("validate", str(yaml), "--draft",
                                                       expect=2)
