"""Conditions over a team's answers: JMESPath expressions, compiled once, never ``eval``.

A condition is a JMESPath expression evaluated over the answers (question id -> answer;
a question that was skipped or not asked is ``null``). It holds when the result is truthy
in JMESPath's sense (not ``false``, ``null``, an empty string, list or object)::

    internet_exposure != 'none'
    contains(personal_data, 'health')
    data_classification == 'confidential' || data_classification == 'restricted'
    stores_personal_data && length(personal_data) > `2`

JMESPath has no assignment, no calls into Python and no loops: a condition can only read
the answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jmespath
from jmespath import exceptions as jexc
from jmespath.parser import ParsedResult
from jmespath.visitor import TreeInterpreter

MAX_EXPR = 2000


MEMO_MAX = 4096


@dataclass(frozen=True)
class Condition:
    """A compiled condition. ``fields``: the top-level answers it reads (None when it reads the
    whole document, e.g. through ``@``); results are memoised on their values, since thousands
    of engagements share few distinct combinations of the two or three answers a condition reads."""

    text: str
    parsed: ParsedResult
    fields: tuple[str, ...] | None = None
    _interp: TreeInterpreter = field(default_factory=TreeInterpreter, repr=False, compare=False)
    _memo: dict[tuple[Any, ...], bool] = field(default_factory=dict, repr=False, compare=False)

    def holds(self, answers: Mapping[str, Any], frozen: Mapping[str, Any] | None = None) -> bool:
        """Whether it holds over ``answers``; ``frozen`` (from :func:`freeze` of the same answers)
        saves re-hashing them when many conditions are checked against one set of answers."""
        if self.fields is None:
            return self._evaluate(answers)
        if frozen is None:
            key = tuple(frozen_value(answers.get(f)) for f in self.fields)
        else:
            key = tuple(frozen.get(f, _NONE) for f in self.fields)
        hit = self._memo.get(key)
        if hit is None:
            if len(self._memo) >= MEMO_MAX:
                self._memo.clear()
            hit = self._memo[key] = self._evaluate({f: answers.get(f) for f in self.fields})
        return hit

    def _evaluate(self, doc: Mapping[str, Any]) -> bool:
        try:
            value = self._interp.visit(self.parsed.parsed, doc)
        except (
            jexc.JMESPathError
        ):  # a type error at run time (e.g. length(null)): the condition does not hold
            return False
        return truthy(value)


_NONE = ("NoneType", None)


def freeze(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Hashable versions of the answers, for :meth:`Condition.holds`."""
    return {k: frozen_value(v) for k, v in answers.items()}


def frozen_value(v: Any) -> Any:
    if isinstance(v, list):
        return ("l", *(frozen_value(x) for x in v))
    if isinstance(v, dict):
        return ("d", *sorted((str(k), frozen_value(x)) for k, x in v.items()))
    return (type(v).__name__, v)  # True and 1 differ


def truthy(value: Any) -> bool:
    """JMESPath truthiness: false, null, '' , [] and {} are false; everything else (0 too) is true."""
    if value is None or value is False:
        return False
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return True


def compile_condition(text: str) -> Condition:
    """Parse ``text`` or raise ValueError with JMESPath's own message."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a condition must be a non-empty JMESPath expression")
    if len(text) > MAX_EXPR:
        raise ValueError(f"a condition is at most {MAX_EXPR} characters")
    try:
        parsed = jmespath.compile(text)
    except jexc.JMESPathError as exc:
        raise ValueError(f"invalid condition {text!r}: {str(exc).splitlines()[0]}") from None
    names = _top_fields(parsed.parsed)
    return Condition(text, parsed, tuple(sorted(names)) if names is not None else None)


def fields_of(cond: Condition) -> set[str]:
    """The top-level answer names a condition reads (for the load-time check of unknown names)."""
    return _top_fields(cond.parsed.parsed) or set()


def _top_fields(ast: Any) -> set[str] | None:
    """Top-level field names read by ``ast``; None when it also reads the whole document (``@``)."""
    out: set[str] = set()
    whole = False

    def walk(node: Any, top: bool) -> None:
        nonlocal whole
        if isinstance(node, dict):
            kind = node.get("type")
            if kind == "current" and top:
                whole = True
            if kind == "field" and top:
                out.add(str(node.get("value")))
            children = node.get("children") or []
            if kind == "expref":  # evaluated later against other values (sort_by(list, &key))
                return
            if kind in ("subexpression", "pipe") and children:
                walk(children[0], top)
                for c in children[1:]:
                    walk(c, False)
                return
            if (
                kind in ("projection", "value_projection", "filter_projection", "flatten", "index_expression")
                and children
            ):
                walk(children[0], top)
                for c in children[1:]:
                    walk(c, False)
                return
            for c in children:
                walk(c, top)

    walk(ast, True)
    return None if whole else out
