"""Load YAML keeping the line of every key and item, so validation errors can name the line."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mamori.errors import InputError

Lines = dict[tuple[Any, ...], int]


def load(text: str, source: str, error: type[InputError] = InputError) -> tuple[Any, Lines]:
    """(document, {path: line}); ``error`` names the file and line when the YAML is bad."""
    loader = yaml.SafeLoader(text)
    lines: Lines = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines
        return _convert(loader, node, (), lines, source, error), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"invalid YAML: {problem}", source=source, where=where) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", source=source) from None
    finally:
        loader.dispose()


def _convert(loader: yaml.SafeLoader, node: Node, path: tuple[Any, ...], lines: Lines, source: str,
             error: type[InputError]) -> Any:  # fmt: skip
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in out:
                raise error(f"duplicate key {key!r}", source=source, where=str(key_node.start_mark.line + 1))
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _convert(loader, value_node, (*path, key), lines, source, error)
        return out
    if isinstance(node, SequenceNode):
        return [_convert(loader, item, (*path, i), lines, source, error) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    return loader.construct_object(node, deep=True)


def line_of(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    """The line of the longest prefix of ``loc`` that the document has."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None
