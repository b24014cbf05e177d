"""YAML reading that keeps line numbers and rejects duplicate keys.

Mappings come back as `Node` (a dict) whose `line` is where it starts and whose
`key_lines` say where each key is, so every later error can name its line.
"""

from __future__ import annotations

from typing import Any

import yaml

from liucheng.errors import ModelError, Problem

MAX_NODES = 200_000  # values in a document, aliases expanded
MAX_DEPTH = 64  # lists and mappings inside one another


class Node(dict[str, Any]):
    line: int | None = None
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    problems: list[Problem]

    def fetch_more_tokens(self) -> None:
        # PyYAML's scanner slows down with each nested [ or {: 100,000 of them take hours
        if self.flow_level > MAX_DEPTH:
            raise yaml.scanner.ScannerError(None, None, f"lists or mappings nested more than "
                                            f"{MAX_DEPTH} deep", self.get_mark())
        super().fetch_more_tokens()


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Node:
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if isinstance(key, (list, dict)):  # `? [a, b]` — a mapping key must be a plain value
            loader.problems.append(Problem("a key must be a word or number, not a list or "
                                           "mapping", line=line, hint="write the key as text"))
            continue
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
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # e.g. a control character, refused before parsing
        raise ModelError([Problem(f"YAML error: {exc}", source=source)], source=source) from None
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
    except RecursionError:
        raise ModelError([Problem(f"the file nests more than {MAX_DEPTH} levels deep",
                                  source=source)], source=source) from None
    finally:
        loader.dispose()
    if loader.problems:
        raise ModelError(
            [Problem(p.message, line=p.line, source=source, hint=p.hint) for p in loader.problems],
            source=source,
        )
    if _expanded_size(data) > MAX_NODES:
        raise ModelError([Problem(
            f"the file expands to more than {MAX_NODES:,} values through its aliases (*name)",
            source=source, hint="a process file needs no aliases repeated this often; "
                                "repeating aliases is the 'billion laughs' attack")],
            source=source)
    return data


def _expanded_size(data: Any) -> int:
    """Values in the document with every alias expanded, counted up to MAX_NODES + 1:
    PyYAML shares an aliased list, but storing or printing it writes every copy."""
    total, stack = 0, [data]
    while stack and total <= MAX_NODES:
        item = stack.pop()
        total += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return total


def line_of(node: Any, key: str | None = None) -> int | None:
    if isinstance(node, Node):
        if key is not None and key in node.key_lines:
            return node.key_lines[key]
        return node.line
    return None
