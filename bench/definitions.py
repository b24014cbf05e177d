"""The liucheng side of each model: the BPMN file once the importer exists, else its YAML twin.

`liucheng.loaders.bpmn_xml.load_bpmn` is being written; until it lands, each model's
`.yaml` twin (same element and flow ids) stands in, and `check_twin` proves that the
twin has exactly the elements and sequence flows of the BPMN file both sides share.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from bench.workload import MODELS, Model

BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@dataclass(frozen=True)
class Loaded:
    definition: Any  # liucheng.model.ProcessDefinition
    source: str  # what the Engine deploys
    source_name: str
    loader: str  # "bpmn" or "yaml twin"


def bpmn_loader() -> Any | None:
    try:
        from liucheng.loaders.bpmn_xml import load_bpmn
    except ImportError:
        return None
    return load_bpmn


def which(params: dict[str, Any]) -> dict[str, str]:
    """Which loader the liucheng side uses (asked of a liucheng process by the runner)."""
    return {"loader": "bpmn" if bpmn_loader() is not None else "yaml twin"}


def load(model: Model | str) -> Loaded:
    model = MODELS[model] if isinstance(model, str) else model
    load_bpmn = bpmn_loader()
    if load_bpmn is not None:
        text = model.bpmn_path.read_text(encoding="utf-8")
        return Loaded(load_bpmn(text, model.bpmn_path.name), text, model.bpmn_path.name, "bpmn")
    from liucheng.loaders.yaml_dsl import load_yaml

    text = model.yaml_path.read_text(encoding="utf-8")
    definition = load_yaml(text, model.yaml_path.name)
    check_twin(model, definition)
    return Loaded(definition, text, model.yaml_path.name, "yaml twin")


def bpmn_ids(model: Model) -> tuple[set[str], set[tuple[str, str, str]]]:
    """Element ids and (flow id, source, target) of the model's BPMN process."""
    root = ET.parse(model.bpmn_path).getroot()
    process = root.find(f"{BPMN_NS}process")
    assert process is not None, f"{model.bpmn_path} has no process"
    elements: set[str] = set()
    flows: set[tuple[str, str, str]] = set()
    for node in process:
        if node.tag == f"{BPMN_NS}sequenceFlow":
            flows.add((node.attrib["id"], node.attrib["sourceRef"], node.attrib["targetRef"]))
        elif "id" in node.attrib:
            elements.add(node.attrib["id"])
    return elements, flows


def check_twin(model: Model, definition: Any) -> None:
    elements, flows = bpmn_ids(model)
    mine = {e.id for e, _ in definition.walk()}
    my_flows = {(f.id, f.source, f.target) for f in definition.all_flows()}
    if mine != elements or my_flows != flows:
        raise SystemExit(f"{model.yaml_path.name} is not the twin of {model.bpmn_path.name}: "
                         f"elements {sorted(mine ^ elements)}, flows {sorted(my_flows ^ flows)}")
