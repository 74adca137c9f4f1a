"""Check a condition's ``path`` against the typed model of the rule's resource type.

A dotted path (``public_access_block.block_public_acls``) must name a field of the model,
then a field of each nested model, as far as the annotations say: below a ``dict[str, Any]``
or ``Any`` any key is accepted, a scalar has nothing below it, and a dotted path cannot step
into a list (the dotted reader would always find nothing: use a JMESPath filter). A JMESPath
expression is walked the same way (fields, filters, projections, indexes, pipes,
comparisons and function arguments); constructs it does not know are accepted. The
special roots (``$tags``, ``$name``, ...) read the resource itself and are not checked.
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

import jmespath
from pydantic import BaseModel

from mamori.rules.conditions import DOTTED, SPECIAL_ROOTS


class PathProblem(ValueError):
    """A path that the model does not have."""


_ANY: Any = Any


def _members(ann: Any) -> list[Any]:
    """The non-None alternatives of an annotation (``X | None`` -> [X])."""
    if get_origin(ann) in (Union, types.UnionType):
        return [a for a in get_args(ann) if a is not type(None)]
    return [ann]


def _describe(ann: Any) -> str:
    return getattr(ann, "__name__", None) or str(ann).replace("typing.", "")


def _model(ann: Any) -> type[BaseModel] | None:
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _field(ann: Any, name: str, where: str) -> Any:
    """The annotation of ``<ann>.<name>``; raises PathProblem when ``ann`` cannot have it."""
    problems: list[str] = []
    for m in _members(ann):
        if m is _ANY:
            return _ANY
        model = _model(m)
        if model is not None:
            fields = model.model_fields
            if name in fields:
                return fields[name].annotation
            known = ", ".join(fields)
            problems.append(f"{where or model.__name__} has no field {name!r} (fields: {known})")
            continue
        origin = get_origin(m)
        if origin is dict or m is dict:
            args = get_args(m)
            return args[1] if len(args) == 2 else _ANY
        if origin is list or m is list:
            problems.append(f"{where} is a list: a dotted path cannot read {name!r} inside it (use a JMESPath filter)")
            continue
        problems.append(f"{where} is a {_describe(m)}: it has no {name!r}")
    raise PathProblem(problems[0] if problems else f"{where} has no {name!r}")


def _element(ann: Any) -> Any:
    for m in _members(ann):
        if m is _ANY:
            return _ANY
        if get_origin(m) is list:
            args = get_args(m)
            return args[0] if args else _ANY
        if m is list:
            return _ANY
    return _ANY


def check_path(model: type[BaseModel], path: str) -> Any:
    """The annotation of what ``path`` reads (``Any`` when it is not a dotted path); raise
    :class:`PathProblem` when ``path`` reads something ``model`` does not have."""
    if path.split(".", 1)[0] in SPECIAL_ROOTS:
        return _ANY
    if DOTTED.match(path):
        ann: Any = model
        where = ""
        for part in path.split("."):
            ann = _field(ann, part, where or model.__name__)
            where = f"{where}.{part}" if where else part
        return ann
    try:
        parsed = jmespath.compile(path).parsed
    except jmespath.exceptions.JMESPathError:
        return _ANY  # the condition compiler reports the syntax error
    _walk(parsed, model, model.__name__)
    return _ANY


_SCALARS: dict[Any, tuple[type, ...]] = {bool: (bool,), int: (int, float), float: (int, float), str: (str,)}
_SAME_TYPE_OPS = ("eq", "ne", "gt", "gte", "lt", "lte")
_MEMBER_OPS = ("in", "not_in")


def operand_problem(ann: Any, op: str, value: Any) -> str | None:
    """Why ``value`` can never compare with a property of type ``ann`` under ``op`` (a bool
    property against the string ``"true"``, a str against a number), or None."""
    members = _members(ann)
    if len(members) != 1 or members[0] not in _SCALARS:
        return None
    kind = members[0]
    allowed = _SCALARS[kind]

    def wrong(v: Any) -> bool:
        return not isinstance(v, allowed) or (kind is not bool and isinstance(v, bool))

    if op in _SAME_TYPE_OPS and wrong(value):
        return f"the property is a {kind.__name__}, compared with {value!r} ({type(value).__name__})"
    if op in _MEMBER_OPS and isinstance(value, list) and any(wrong(v) for v in value):
        bad = next(v for v in value if wrong(v))
        return f"the property is a {kind.__name__}, the list holds {bad!r} ({type(bad).__name__})"
    return None


def _walk(node: dict[str, Any], ann: Any, where: str) -> tuple[Any, str]:
    """(the annotation of what ``node`` yields, a label for it) -- raises PathProblem."""
    kind = node.get("type")
    kids: list[dict[str, Any]] = node.get("children") or []
    if kind == "field":
        name = str(node["value"])
        return _field(ann, name, where), name
    if kind == "subexpression" or kind == "pipe":
        cur, label = ann, where
        for k in kids:
            cur, label = _walk(k, cur, label)
        return cur, label
    if kind == "index_expression":
        left, label = _walk(kids[0], ann, where)
        return (_element(left), f"an element of {label}") if kids[1].get("type") == "index" else (left, label)
    if kind in ("projection", "filter_projection"):
        left, label = _walk(kids[0], ann, where)
        elem, elem_label = _element(left), f"an element of {label}"
        if kind == "filter_projection":
            _walk(kids[2], elem, elem_label)
        _walk(kids[1], elem, elem_label)
        return _ANY, where
    if kind == "flatten":
        return _walk(kids[0], ann, where)
    if kind in ("identity", "current"):
        return ann, where
    for k in kids:  # comparisons, and/or/not, function arguments, multi-selects, ...
        _walk(k, ann, where)
    return _ANY, where
