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
from dataclasses import dataclass
from typing import Any

import jmespath
from jmespath import exceptions as jexc
from jmespath.parser import ParsedResult

MAX_EXPR = 2000


@dataclass(frozen=True)
class Condition:
    text: str
    parsed: ParsedResult

    def holds(self, answers: Mapping[str, Any]) -> bool:
        try:
            value = self.parsed.search(answers)
        except (
            jexc.JMESPathError
        ):  # a type error at run time (e.g. length(null)): the condition does not hold
            return False
        return truthy(value)


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
        return Condition(text, jmespath.compile(text))
    except jexc.JMESPathError as exc:
        raise ValueError(f"invalid condition {text!r}: {str(exc).splitlines()[0]}") from None


def fields_of(cond: Condition) -> set[str]:
    """The top-level answer names a condition reads (for the load-time check of unknown names)."""
    out: set[str] = set()

    def walk(node: Any, top: bool) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            if kind == "field" and top:
                out.add(str(node.get("value")))
            children = node.get("children") or []
            if kind == "subexpression" and children:
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

    walk(cond.parsed.parsed, True)
    return out
