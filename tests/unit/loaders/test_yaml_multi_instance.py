"""`for_each:` in the YAML format: what it compiles to, and one clear error per mistake."""

from __future__ import annotations

import pytest

from liucheng.errors import ModelError
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import MultiInstance, ServiceTask, SubProcess, UserTask
from liucheng.model.calls import CallActivity

HEAD = """process: p
roles: {reviewer: 审核人}
steps:
"""


def test_for_each_compiles_to_a_multi_instance_on_each_kind_of_step() -> None:
    d = load_yaml(HEAD + """  - id: review
    role: reviewer
    assignee: reviewer
    for_each: {items: reviewers, as: reviewer, parallel: false,
               until: nr_of_completed_instances >= 2, collect: {from: decision, into: decisions}}
  - {id: stamp, set: {n: loop_counter}, for_each: {times: 3}}
  - {id: each, type: subprocess, for_each: files, steps: [{id: read, role: reviewer}]}
""", "p.yaml")
    review = d.element("review")
    assert isinstance(review, UserTask)
    assert review.multi_instance == MultiInstance(
        collection="reviewers", element_variable="reviewer", sequential=True,
        completion_condition="nr_of_completed_instances >= 2", output_element="decision",
        output_collection="decisions")
    assert "for_each" not in review.extensions
    stamp = d.element("stamp")
    assert isinstance(stamp, ServiceTask) and "for_each" not in stamp.extensions
    assert stamp.multi_instance == MultiInstance(cardinality="3")
    each = d.element("each")
    assert isinstance(each, SubProcess)
    assert each.multi_instance == MultiInstance(collection="files")
    call = load_yaml(HEAD + "  - {id: audit, type: call, process: branch_audit,"
                     " for_each: {items: branches, as: branch}}\n", "p.yaml").element("audit")
    assert isinstance(call, CallActivity)
    assert call.multi_instance == MultiInstance(collection="branches", element_variable="branch")


@pytest.mark.parametrize(("for_each", "expected"), [
    ("{as: x}", "multi-instance: give either a collection"),
    ("{items: a, times: 2}", "not both"),
    ("{items: 'a +'}", "collection does not parse"),
    ("{items: a, until: 'x ==='}", "completion condition does not parse"),
    ("{items: a, collect: {from: 'b +', into: c}}", "output element does not parse"),
    ("{items: a, as: loop_counter}", "element variable 'loop_counter' is a reserved name"),
    ("{items: a, as: 'two words'}", "element variable 'two words' is not a variable name"),
    ("{items: a, collect: {into: c}}", "collect must be {from: <expression>, into: <variable>}"),
    ("{items: a, parallel: sometimes}", "parallel must be true or false"),
    ("{items: a, until_: x}", "unknown key 'until_' in for_each"),
    ("[a, b]", "'for_each' must be a list expression or a mapping"),
    ("{items: a, collect: {from: x, into: review}}", "output collection 'review' is a reserved"),
])
def test_a_mistake_in_for_each_names_the_step_and_line(for_each: str, expected: str) -> None:
    text = HEAD + f"  - id: review\n    role: reviewer\n    for_each: {for_each}\n"
    with pytest.raises(ModelError) as err:
        load_yaml(text, "p.yaml")
    problem = err.value.problems[0]
    assert expected in str(problem), str(problem)
    assert problem.element == "review" and problem.line in (4, 6)


def test_for_each_is_refused_on_steps_that_cannot_repeat() -> None:
    with pytest.raises(ModelError, match="unknown key 'for_each' for a exclusive step"):
        load_yaml(HEAD + """  - {id: a, role: reviewer}
  - id: g
    type: exclusive
    for_each: xs
    routes: [{to: a, default: true}]
""", "p.yaml")
