"""The YAML format: compiling steps to the model, and one clear error per bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from liucheng.errors import ModelError
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import EndEvent, ExclusiveGateway, ParallelGateway, SubProcess, UserTask

INVALID = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sales_order.yaml"


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_file_gives_the_expected_one_line_error(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = text.splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(ModelError) as err:
        load_yaml(text, path.name)
    first = str(err.value.problems[0])
    assert expected in first, first
    assert "\n" not in first


def test_sales_order_example_compiles_to_the_model() -> None:
    d = load_yaml(EXAMPLE.read_text(encoding="utf-8"), "sales_order.yaml")
    kinds = {e.id: type(e) for e, _ in d.walk()}
    assert kinds["credit_check"] is UserTask
    assert kinds["credit_needed"] is ExclusiveGateway
    assert kinds["execute"] is ParallelGateway and kinds["execute_join"] is ParallelGateway
    assert kinds["lost"] is EndEvent
    check = d.element("credit_check")
    assert isinstance(check, UserTask) and check.roles == ("finance",)
    assert check.name.zh == "客户信用评估" and check.name.en == "Customer credit evaluation"
    gateway = d.element("credit_needed")
    assert gateway.default == "credit_needed_to_negotiate"
    assert d.element("contact").line == 22


def test_subprocess_and_next_lists() -> None:
    d = load_yaml("""
process: p
roles: {r: R}
steps:
  - {id: a, role: r, next: [b, c]}
  - {id: b, role: r, next: j}
  - {id: c, role: r, next: j}
  - {id: j, type: parallel, routes: [{to: s}]}
  - id: s
    steps:
      - {id: inner, role: r}
""")
    assert [f.target for f in d.outgoing("a")] == ["b", "c"]
    sub = d.element("s")
    assert isinstance(sub, SubProcess)
    assert [e.id for e in sub.elements] == ["s_start", "inner", "s_end"]
    assert d.parent("inner") == "s"


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ModelError) as err:
        load_yaml("""
process: p
roles: {r: R}
steps:
  - {id: a, role: x}
  - {id: b, role: y}
""", "two.yaml")
    assert [p.element for p in err.value.problems] == ["a", "b"]
    assert "(and 1 more)" in str(err.value)


def test_a_step_named_like_code_is_just_a_name() -> None:
    d = load_yaml("""
process: p
roles: {r: R}
steps:
  - {id: a, role: r, name: "${Runtime.exec('rm -rf /')}"}
""")
    assert d.element("a").name.zh == "${Runtime.exec('rm -rf /')}"
