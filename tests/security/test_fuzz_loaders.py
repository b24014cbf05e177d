"""Property-based fuzzing of the process loaders (Hypothesis): the YAML DSL and BPMN 2.0
XML. Random text, damaged copies of valid files and structurally mutated models must load
or be refused with ModelError — never another exception, never slowly. A model that loads
must also start (the pure core, `decide`) or be refused with a LiuchengError, and its
first state must be plain JSON.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from security_kit import FUZZ, in_child, isolated, only_documented, tried

from liucheng.engine import Context, StartInstance, decide
from liucheng.engine.commands import Actor
from liucheng.errors import LiuchengError, ModelError
from liucheng.loaders.bpmn_export import export_bpmn
from liucheng.loaders.bpmn_xml import load_bpmn
from liucheng.loaders.yaml_dsl import load_yaml
from liucheng.model import ProcessDefinition
from liucheng.rules import jsontext

API_TESTS = Path(__file__).resolve().parents[1] / "api"
LEAVE = (API_TESTS / "leave.yaml").read_text(encoding="utf-8")
RICH = """
process: loan_check
name: {zh: 贷款审查, en: Loan check}
roles: {clerk: 文员, boss: 主管}
variables:
  amount: {type: money, default: 0}
steps:
  - id: apply
    role: clerk
    form:
      - {id: amount, type: money, required: true, min: 1}
      - {id: mobile, type: mobile}
      - {id: kind, type: select, choices: [car, house]}
      - {id: phones, type: group, min_items: 1, fields: [{id: m, type: mobile}]}
  - id: route
    type: exclusive
    routes:
      - {when: amount > 100000, to: boss_ok}
      - {to: clerk_ok, default: true}
  - {id: clerk_ok, role: clerk, next: both}
  - {id: boss_ok, role: boss, outcomes: [approve, reject], next: both}
  - id: both
    type: parallel
    branches:
      - - {id: legal, role: clerk}
      - - {id: money, role: boss, due: {working_days: 2}}
  - {id: score, type: service, handler: credit, set: {score: amount * 2}}
"""
SEEDS = [LEAVE, RICH]
ACTOR = Actor("wang", frozenset({"clerk", "staff"}))


def _start(definition: ProcessDefinition) -> None:
    ids = count()
    context = Context(now=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
                      new_id=lambda: f"id{next(ids)}")
    try:
        decision = decide(definition, None, StartInstance(ACTOR, {"amount": 5}), context)
    except LiuchengError:
        return
    jsontext.dumps(decision.state)


def _load_yaml(text: str, label: str = "YAML loader: hostile documents") -> None:
    tried(label, text)
    result = only_documented(lambda: load_yaml(text, "fuzz.yaml"), ModelError)
    if isinstance(result, ProcessDefinition):
        only_documented(lambda: _start(result))


def _load_bpmn(data: str | bytes, label: str) -> None:
    tried(label, data)
    result = only_documented(lambda: load_bpmn(data, "fuzz.bpmn"), ModelError)
    if isinstance(result, ProcessDefinition):
        only_documented(lambda: _start(result))


# -- YAML ------------------------------------------------------------------------------
yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.sampled_from(["", "~", "null", "yes", "1e999", "!!python/name:os.system", "*alias",
                     "&anchor x", "${x}", "<script>", "__class__", "starter", "a.b",
                     "amount >", "[unclosed", "{unclosed", "'", '"', "\t", "2026-03-02",
                     "PT1H", "P-1D", "99999999999999999999"]))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10) | st.sampled_from(
                               ["id", "type", "role", "roles", "next", "routes", "steps",
                                "branches", "form", "when", "to", "default", "choices"]),
                               inner, max_size=4), max_leaves=12)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _mutate(doc: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    if not path:
        return value if how == "replace" else doc
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif how == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    elif how == "rename" and isinstance(parent, dict):
        parent[str(value)[:20]] = parent.pop(last)
    return doc


@isolated
@FUZZ
@given(st.text(max_size=400))
def test_yaml_loader_random_text(text: str) -> None:
    _load_yaml(text, "YAML loader: random text")


@isolated
@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_yaml_loader_damaged_text(seed: str, data: st.DataObject) -> None:
    text = seed
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 12))
        text = text[:at] + data.draw(st.text(max_size=8)) + text[at + cut:]
    _load_yaml(text, "YAML loader: damaged files")


@isolated
@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_yaml_loader_mutated_models(seed: str, data: st.DataObject) -> None:
    doc = yaml.safe_load(seed)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = data.draw(st.sampled_from(paths))
        how = data.draw(st.sampled_from(["replace", "replace", "delete", "duplicate",
                                         "rename"]))
        doc = _mutate(doc, path, how, data.draw(yaml_values))
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except (yaml.YAMLError, ValueError, TypeError):
        return
    _load_yaml(text, "YAML loader: mutated models")


def _laughs(levels: int) -> str:
    """Variables whose defaults repeat an alias ten times per level: 10**levels values."""
    lines = ["  v0: {default: &x0 [a, a, a, a, a, a, a, a, a, a]}"] + [
        f"  v{i}: {{default: &x{i} [" + ", ".join([f"*x{i - 1}"] * 10) + "]}"
        for i in range(1, levels)]
    return ("process: p\nroles: {r: R}\nvariables:\n" + "\n".join(lines)
            + "\nsteps:\n  - {id: s, role: r}\n")


HOSTILE_YAML = [
    _laughs(9),  # a billion values from 1 KB: every case's state would be gigabytes
    "process: p\nroles: {r: R}\nsteps:\n  - {id: s, role: r, name: &n [*n]}\n",
    "? [a, b]\n: c\n", "? {a: 1}\n: c\n", "process: p\nsteps:\n  ? [x]\n  : y\n",
    "process: p\nroles: {r: R}\nsteps:\n  - {id: s, role: r, name: *n}\n",
    "!!python/object/apply:os.system [echo hi]\n",
    "!!python/object/new:subprocess.Popen [[touch, /tmp/liucheng-yaml-sentinel]]\n",
    "process: !!binary aGVsbG8=\nsteps: []\n", "process: p\n" * 2,
    "process: p\x1f\nsteps: []\n", "process: p\x00\n", "\ud800",
    "process: p\nsteps:\n" + "  - [" * 5000 + "]" * 5000 + "\n",
    "process: p\nsteps: " + "[" * 100000 + "\n",
    "process: " + "x" * 2_000_000 + "\nsteps: []\n",
]


@pytest.mark.parametrize("text", HOSTILE_YAML, ids=[f"y{i:02d}" for i in range(len(HOSTILE_YAML))])
def test_yaml_loader_refuses_hostile_documents_with_model_error(text: str) -> None:
    tried("YAML loader: hostile documents")

    def load() -> str:
        try:
            load_yaml(text, "hostile.yaml")
        except ModelError:
            return "refused"
        return "loaded"

    kind, what = in_child(load)
    assert (kind, what) == ("ok", "'refused'")
    assert not Path("/tmp/liucheng-yaml-sentinel").exists()


# -- BPMN ------------------------------------------------------------------------------
BPMN_SEEDS = [export_bpmn(load_yaml(text)) for text in SEEDS]
xml_junk = st.sampled_from(["<", ">", "&", "&amp;", "&#0;", "&#x110000;", "]]>", "<![CDATA[",
                            "\x00", "\ufffe", '"', "'", "</bpmn:process>", "<bpmn:task/>",
                            "xmlns:x='y'", "<!--", "-->", "<?pi x?>", "\ud800"])


@isolated
@FUZZ
@given(st.binary(max_size=400) | st.text(max_size=400))
def test_bpmn_loader_random_input(data: bytes | str) -> None:
    _load_bpmn(data, "BPMN loader: random input")


@isolated
@FUZZ
@given(st.sampled_from(BPMN_SEEDS), st.data())
def test_bpmn_loader_damaged_files(seed: str, data: st.DataObject) -> None:
    text = seed
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 40))
        text = text[:at] + data.draw(xml_junk | st.text(max_size=6)) + text[at + cut:]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    _load_bpmn(text, "BPMN loader: damaged files")


@isolated
@FUZZ
@given(st.sampled_from(BPMN_SEEDS), st.data())
def test_bpmn_loader_mutated_attributes_and_elements(seed: str, data: st.DataObject) -> None:
    """Change attribute values and drop or repeat elements of a valid model."""
    from lxml import etree

    root = etree.fromstring(seed.encode("utf-8"))
    elements = list(root.iter())
    for _ in range(data.draw(st.integers(1, 4))):
        element = data.draw(st.sampled_from(elements))
        move = data.draw(st.sampled_from(["attribute", "attribute", "text", "drop", "repeat"]))
        if move == "attribute" and element.attrib:
            name = data.draw(st.sampled_from(sorted(element.attrib)))
            value = data.draw(st.text(max_size=30) | st.sampled_from(
                ["", "${x}", "#{a > 1}", "true", "PT-1H", "R/PT1M", "1e999", "x" * 300,
                 "__class__", "flow_missing", "StartEvent_1"]))
            element.set(name, "".join(ch for ch in value if ch.isprintable()))
        elif move == "text":
            element.text = "".join(ch for ch in data.draw(st.text(max_size=40))
                                   if ch.isprintable())
        elif move == "drop" and element.getparent() is not None:
            element.getparent().remove(element)
            elements = list(root.iter())
        elif move == "repeat" and element.getparent() is not None:
            element.getparent().append(copy.deepcopy(element))
            elements = list(root.iter())
    _load_bpmn(etree.tostring(root), "BPMN loader: mutated models")
