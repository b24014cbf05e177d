"""YAML reading that keeps line numbers and rejects duplicate keys.

Mappings come back as `Node` (a dict) whose `line` is where it starts and whose
`key_lines` say where each key is, so every later error can name its line.
"""

from __future__ import annotations

from typing import Any

import yaml

from liucheng.errors import ModelError, Problem


class Node(dict[str, Any]):
    line: int | None = None
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    problems: list[Problem]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Node:
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in result:
            loader.problems.append(
                Problem(f"key '{key}' appears twice (first on line {result.key_lines[key]})",
                        line=line, hint="remove one of them")
            )
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = line
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text: definitions hold ISO strings and calendar rules, not Python objects.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(text: str, source: str | None = None) -> Any:
    """Parse YAML text; raise ModelError with the line for syntax errors or duplicate keys."""
    loader = _Loader(text)
    loader.problems = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = f"YAML syntax error: {exc.problem or exc.context}"
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            message += f" (in what starts on line {exc.context_mark.line + 1})"
        raise ModelError(
            [Problem(message, line=line, source=source,
                     hint="check the indentation and the quotes on this line")],
            source=source,
        ) from None
    except yaml.YAMLError as exc:
        raise ModelError([Problem(f"YAML error: {exc}", source=source)], source=source) from None
    finally:
        loader.dispose()
    if loader.problems:
        raise ModelError(
            [Problem(p.message, line=p.line, source=source, hint=p.hint) for p in loader.problems],
            source=source,
        )
    return data


def line_of(node: Any, key: str | None = None) -> int | None:
    if isinstance(node, Node):
        if key is not None and key in node.key_lines:
            return node.key_lines[key]
        return node.line
    return None
