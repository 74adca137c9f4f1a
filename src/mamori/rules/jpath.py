"""JMESPath compiled to plain functions, for the shapes rules and detections use.

``jmespath.search`` walks the expression's tree with a visitor on every call; on a hot path
(a detection evaluated for every security-group change of an archive) that walk costs more
than the data. :func:`compile_path` turns the tree into nested closures once, for fields,
sub-expressions, ``[]`` (flatten), projections, ``||`` and ``@``, following jmespath's
own visitor step for step (:class:`jmespath.visitor.TreeInterpreter`): the same value for
every input, which a property test checks against ``jmespath.search``. Any other
expression (filters, functions, indexes, slices, literals...) is searched by jmespath itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jmespath

Reader = Callable[[Any], Any]


class _Unsupported(Exception):
    """A node this module does not compile: jmespath searches the whole expression."""


def compile_path(path: str) -> Reader:
    """A function of a value returning what ``jmespath.search(path, value)`` returns.

    Raises :class:`jmespath.exceptions.JMESPathError` for an invalid expression, as
    ``jmespath.compile`` does.
    """
    expr = jmespath.compile(path)
    try:
        return _build(expr.parsed)
    except _Unsupported:
        return expr.search


def _is_false(v: Any) -> bool:
    # jmespath's truth: '' [] {} null false are false; 0 is true (TreeInterpreter._is_false)
    return v == "" or v == [] or v == {} or v is None or v is False


def _build(node: dict[str, Any]) -> Reader:
    kind = node["type"]
    kids = node["children"]
    if kind == "field":
        name = node["value"]

        def field(v: Any) -> Any:
            try:
                return v.get(name)
            except AttributeError:  # not an object: null
                return None

        return field
    if kind in ("identity", "current"):
        return lambda v: v
    if kind == "subexpression":
        steps = tuple(_build(k) for k in kids)

        def sub(v: Any) -> Any:
            for step in steps:
                v = step(v)
                if v is None:  # every step compiled here maps null to null
                    return None
            return v

        return sub
    if kind == "flatten":
        inner = _build(kids[0])

        def flatten(v: Any) -> Any:
            base = inner(v)
            if not isinstance(base, list):
                return None
            merged: list[Any] = []
            for element in base:
                if isinstance(element, list):
                    merged.extend(element)
                else:
                    merged.append(element)
            return merged

        return flatten
    if kind == "projection":
        left, right = _build(kids[0]), _build(kids[1])

        def projection(v: Any) -> Any:
            base = left(v)
            if not isinstance(base, list):
                return None
            out = []
            for element in base:
                cur = right(element)
                if cur is not None:
                    out.append(cur)
            return out

        return projection
    if kind == "or_expression":
        first, second = _build(kids[0]), _build(kids[1])

        def either(v: Any) -> Any:
            got = first(v)
            return second(v) if _is_false(got) else got

        return either
    raise _Unsupported(kind)
