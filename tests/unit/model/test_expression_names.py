"""Names in conditions and other expressions that nothing in the process provides: errors
for a YAML process that declares its variables, warnings (from `unknown_names`, printed by
`liucheng validate`) for the others."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from liucheng.cli.main import app
from liucheng.errors import ModelError
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model.names import strict, unknown_names
from liucheng.templates import list_templates, template_source

PROCESS = """
process: misspelt
roles: {staff: 员工}
variables:
  limit: {type: integer, default: 3}
steps:
  - id: apply
    role: staff
    form:
      - {id: days, type: integer, required: true}
      - {id: note, type: text, required_if: dayss > 5}
  - id: gate
    type: exclusive
    routes:
      - {to: long, when: dayz > limit and apply.outcome != "x" and starter != ""}
      - {to: short, default: true}
  - {id: long, role: staff}
  - {id: short, role: staff, assignee: apply.by}
"""


def test_a_misspelt_name_is_an_error_naming_the_flow_line_and_the_likely_name() -> None:
    with pytest.raises(ModelError) as caught:
        load_yaml(PROCESS, "misspelt.yaml")
    found = {(p.element, p.message.split(" uses ")[1].split(",")[0], p.hint)
             for p in caught.value.problems}
    assert found == {("gate_to_long", "'dayz'", "did you mean 'days'?"),
                     ("apply", "'dayss'", "did you mean 'days'?")}
    assert all(p.line for p in caught.value.problems)


def test_without_declared_variables_they_are_warnings_the_cli_prints(tmp_path: Path) -> None:
    loose = PROCESS.replace("variables:\n  limit: {type: integer, default: 3}\n", "").replace(
        "dayz > limit", "dayz > 3")
    definition = load_yaml(loose, "loose.yaml")  # loads: data may come with the start
    assert not strict(definition)
    assert sorted(p.message.split(" uses '")[1].split("'")[0]
                  for p in unknown_names(definition)) == [
        "dayss", "dayz"]
    path = tmp_path / "loose.yaml"
    path.write_text(loose, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert "condition uses 'dayz'" in result.output and "did you mean 'days'" in result.output


def test_the_shipped_templates_use_only_names_they_provide() -> None:
    for info in list_templates():
        definition = load_yaml(template_source(info.name), f"{info.name}.yaml")
        assert unknown_names(definition) == [], info.name
