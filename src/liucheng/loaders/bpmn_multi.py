"""Multi-instance activities in BPMN: `multiInstanceLoopCharacteristics`, read and written.

Read: `isSequential`, `loopCardinality` and `completionCondition` (formal expressions in
any language the importer translates), and the collection, item and outputs from, in
this order of precedence, liucheng's own `lc:collection` / `lc:elementVariable` /
`lc:outputElement` / `lc:outputCollection`, Zeebe's `zeebe:loopCharacteristics`
(`inputCollection`, `inputElement`, `outputCollection`, `outputElement`), the
Camunda / Activiti / Flowable `collection` and `elementVariable` attributes, and the
standard `loopDataInputRef`, `inputDataItem`, `loopDataOutputRef`, `outputDataItem`
(SpiffWorkflow, jBPM; a reference to a data input of the activity follows its data
input association to the variable). Written: the standard element with liucheng's
expressions (`language` = liucheng) and the `lc:` attributes, plus Camunda's
`collection` / `elementVariable` where they mean the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree

from liucheng.errors import ExpressionError
from liucheng.loaders.bpmn_expressions import translate_condition, translate_python
from liucheng.loaders.bpmn_ns import (
    BPMN,
    CAMUNDA,
    LC,
    LC_EXPRESSION,
    XSI,
    ZEEBE,
    child,
    children,
    extension_elements,
    lc_attr,
    local,
    q,
    text_of,
    vendor_attr,
)
from liucheng.model import MultiInstance

TAG = "multiInstanceLoopCharacteristics"


class LoopError(ValueError):
    """A multi-instance setting that cannot be read (the message says which)."""


def read_multi_instance(activity: Any, rename: Mapping[str, str],
                        language: str | None) -> MultiInstance | None:
    """The activity's multi-instance settings, None if it has none; LoopError if unreadable."""
    loop = child(activity, TAG)
    if loop is None:
        return None

    def expression(text: str | None, lang: str | None = None) -> str | None:
        if text is None or not text.strip():
            return None
        body = text.strip()
        try:
            if body.isidentifier():
                return translate_python(body, rename)
            return translate_condition(body, lang, language, rename)
        except ExpressionError as exc:
            raise LoopError(f"'{body}': {exc.message}") from None

    def formal(tag: str) -> str | None:
        el = child(loop, tag)
        return None if el is None else expression(text_of(el), el.get("language"))

    zeebe = next((z for z in extension_elements(loop, ZEEBE)
                  if local(z) == "loopCharacteristics"), None)
    zb = {} if zeebe is None else {k: zeebe.get(k) for k in (
        "inputCollection", "inputElement", "outputCollection", "outputElement")}
    item, out_item = child(loop, "inputDataItem"), child(loop, "outputDataItem")
    input_ref = text_of(child(loop, "loopDataInputRef")) or None
    collection = (lc_attr(loop, "collection") or zb.get("inputCollection")
                  or vendor_attr(loop, "collection") or _data_source(activity, input_ref))
    cardinality = formal("loopCardinality")
    if not (collection or cardinality):
        raise LoopError("without a collection or a loop cardinality is not supported")
    lc_collection = lc_attr(loop, "collection")
    return MultiInstance(
        collection=lc_collection or expression(collection),
        cardinality=None if collection else cardinality,
        element_variable=(lc_attr(loop, "elementVariable") or zb.get("inputElement")
                          or vendor_attr(loop, "elementVariable") or _item_name(item)
                          or "item"),
        sequential=loop.get("isSequential") == "true",
        completion_condition=formal("completionCondition"),
        output_element=lc_attr(loop, "outputElement") or expression(
            zb.get("outputElement") or _item_name(out_item)),
        output_collection=(lc_attr(loop, "outputCollection") or zb.get("outputCollection")
                           or text_of(child(loop, "loopDataOutputRef")) or None),
    )


def _item_name(item: Any | None) -> str | None:
    """`<inputDataItem name="assignee"/>` (Camunda) or `id="input_item"` (SpiffWorkflow)."""
    if item is None:
        return None
    name = str(item.get("name") or "")
    return name if name.isidentifier() else item.get("id")


def _data_source(activity: Any, ref: str | None) -> str | None:
    """A `loopDataInputRef` naming a data input of the activity: the variable mapped to it."""
    if ref is None:
        return None
    for assoc in children(activity, "dataInputAssociation"):
        if text_of(child(assoc, "targetRef")) == ref and child(assoc, "sourceRef") is not None:
            return text_of(child(assoc, "sourceRef"))
    return ref


def write_multi_instance(el: Any, mi: MultiInstance) -> None:
    """Append `multiInstanceLoopCharacteristics` for `mi` to the activity element `el`."""
    loop = etree.SubElement(el, q(BPMN, TAG))
    if mi.sequential:
        loop.set("isSequential", "true")
    if mi.collection is not None:
        loop.set(q(LC, "collection"), mi.collection)
        if mi.collection.isidentifier():
            loop.set(q(CAMUNDA, "collection"), mi.collection)
    if mi.element_variable != "item" or mi.collection is not None:
        loop.set(q(LC, "elementVariable"), mi.element_variable)
        loop.set(q(CAMUNDA, "elementVariable"), mi.element_variable)
    for attr, value in (("outputElement", mi.output_element),
                        ("outputCollection", mi.output_collection)):
        if value is not None:
            loop.set(q(LC, attr), value)
    for tag, value in (("loopCardinality", mi.cardinality),
                       ("completionCondition", mi.completion_condition)):
        if value is not None:
            formal = etree.SubElement(loop, q(BPMN, tag), language=LC_EXPRESSION)
            formal.set(q(XSI, "type"), "bpmn:tFormalExpression")
            formal.text = value
