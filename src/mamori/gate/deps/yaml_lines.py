"""Load YAML keeping the line of every key and item, so validation errors can name the line.

The text goes through ``mamori.safeload.compose_yaml`` first (size, depth, aliases, expansion,
dates, NUL; issue 12): a 575-byte alias bomb in a scanned repository's ``mamori-policy.yaml``
is refused before anything is expanded. A policy is small, so the expansion cap is low.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mamori.errors import InputError
from mamori.safeload import compose_yaml

Lines = dict[tuple[Any, ...], int]
#: a policy or config is a few dozen nodes; anything near this is an attack
MAX_NODES = 100_000


def load(text: str | bytes, source: str, error: type[InputError] = InputError) -> tuple[Any, Lines]:
    """(document, {path: line}); ``error`` names the file and line when the YAML is bad."""
    node, construct = compose_yaml(text, source=source, max_nodes=MAX_NODES, unique_keys=False, error=error)
    lines: Lines = {}
    if node is None:
        return None, lines
    return _convert(construct, node, (), lines, source, error), lines


def _convert(construct: Callable[[Node], Any], node: Node, path: tuple[Any, ...], lines: Lines, source: str,
             error: type[InputError]) -> Any:  # fmt: skip
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = construct(key_node)
            if not isinstance(key, (str, int, float, bool, type(None))):
                raise error(
                    "a mapping key must be a scalar", source=source, where=str(key_node.start_mark.line + 1)
                )
            if key in out:
                raise error(f"duplicate key {key!r}", source=source, where=str(key_node.start_mark.line + 1))
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _convert(construct, value_node, (*path, key), lines, source, error)
        return out
    if isinstance(node, SequenceNode):
        return [
            _convert(construct, item, (*path, i), lines, source, error) for i, item in enumerate(node.value)
        ]
    assert isinstance(node, ScalarNode)
    return construct(node)


def line_of(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    """The line of the longest prefix of ``loc`` that the document has."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None
