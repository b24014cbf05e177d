"""Compiling process sources, with a cache keyed by checksum (definitions are immutable)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from liucheng.errors import ModelError, Problem
from liucheng.model import ProcessDefinition

FORMATS = ("yaml", "bpmn")


def detect_format(text: str, filename: str | None = None) -> str:
    if filename:
        suffix = Path(filename).suffix.lower()
        if suffix in (".yaml", ".yml"):
            return "yaml"
        if suffix in (".bpmn", ".xml", ".bpmn20.xml", ".bpmn2"):
            return "bpmn"
    return "bpmn" if text.lstrip().startswith("<") else "yaml"


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compile_draft(text: str, source_name: str | None = None) -> ProcessDefinition:
    """Import a BPMN drawing as a draft (`load_bpmn(draft=True)`): what only stops
    execution comes back as findings; a broken file still raises ModelError."""
    if detect_format(text, source_name) != "bpmn":
        raise ModelError([Problem("a draft import reads BPMN drawings; this is not BPMN",
                                  source=source_name, hint="check a YAML process without "
                                  "--draft: every problem is reported with its line")])
    try:
        from liucheng.loaders.bpmn_xml import load_bpmn
    except ImportError:
        raise ModelError([Problem("BPMN import is not available in this installation",
                                  source=source_name)]) from None
    return load_bpmn(text, source_name, draft=True)


@lru_cache(maxsize=256)
def compile_source(text: str, format: str, source_name: str | None = None) -> ProcessDefinition:
    """Parse and validate a process source; raises ModelError naming element and line."""
    if format == "yaml":
        from liucheng.loaders.yaml_dsl import load_yaml

        return load_yaml(text, source_name)
    if format == "bpmn":
        try:
            from liucheng.loaders.bpmn_xml import load_bpmn
        except ImportError:
            raise ModelError([Problem("BPMN import is not available in this installation",
                                      source=source_name)]) from None
        return load_bpmn(text, source_name)
    raise ModelError([Problem(f"unknown format '{format}'", source=source_name,
                              hint=f"use one of {', '.join(FORMATS)}")])
