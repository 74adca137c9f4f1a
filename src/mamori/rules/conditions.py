"""The declarative condition language of rules, compiled once and evaluated tri-state.

A condition is a mapping:

    {all: [c, ...]}  {any: [c, ...]}  {not: c}
    {path: <expr>, <op>: <value>[, when_missing: true|false]}
    {hook: <name>}                  a Python function of the rule's module

``path`` is a dotted name into the resource's properties (``mfa.enabled``) or, when it
holds anything else, a JMESPath expression over them. The special roots ``$tags``,
``$name``, ``$id``, ``$region`` and ``$account`` read the resource itself.

Operators: eq, ne, gt, gte, lt, lte, in, not_in, contains, not_contains, intersects,
matches (regex), exists (bool), empty (bool), older_than_days, newer_than_days (ISO
timestamps, measured from the time the inventory was collected).

Evaluation is tri-state: True, False, or None when the data was not collected (a
missing or ``None`` value). ``when_missing`` turns a missing value into a decision.
A value written as ``"$param"`` takes the rule parameter of that name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import jmespath

from mamori.errors import RuleError
from mamori.model.resource import Resource
from mamori.rules.jpath import compile_path

Tri = bool | None
Evidence = dict[str, Any]


class EvalContext:
    """What a condition may read besides the resource: the time, params and the inventory."""

    __slots__ = ("hooks", "inventory", "now", "params")

    def __init__(
        self,
        now: datetime,
        params: Mapping[str, Any],
        inventory: Any = None,
        hooks: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.now = now
        self.params = params
        self.inventory = inventory
        self.hooks = hooks or {}


Compiled = Callable[[Resource, EvalContext, Evidence], Tri]

_MISSING = object()
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
SPECIAL_ROOTS = frozenset({"$tags", "$name", "$id", "$region", "$account", "$arn"})
"""Roots of a path that read the resource itself rather than its properties."""


def value_getter(path: str, where: str = "evidence") -> Callable[[Resource], Any]:
    """A function reading ``path`` from a resource; ``None`` when it is absent."""
    get = _getter(path, where)

    def read(r: Resource) -> Any:
        v = get(r)
        return None if v is _MISSING else v

    return read


def _getter(path: str, where: str) -> Callable[[Resource], Any]:
    root = path.split(".", 1)[0]
    if root in SPECIAL_ROOTS:
        rest = path.split(".", 1)[1] if "." in path else ""

        def special(r: Resource) -> Any:
            base: Any
            if root == "$tags":
                base = r.tags
            else:
                base = getattr(r, root[1:])
            if not rest:
                return base
            return base.get(rest, _MISSING) if isinstance(base, Mapping) else _MISSING

        return special
    if DOTTED.match(path):
        parts = path.split(".")
        if len(parts) == 1:
            key = parts[0]
            return lambda r: r.properties.get(key, _MISSING)

        def dotted(r: Resource) -> Any:
            cur: Any = r.properties
            for p in parts:
                if type(cur) is not dict and not isinstance(cur, Mapping):
                    return _MISSING
                cur = cur.get(p, _MISSING)
                if cur is _MISSING or cur is None:
                    return cur
            return cur

        return dotted
    try:
        search = compile_path(path)
    except jmespath.exceptions.JMESPathError as exc:
        raise RuleError(f"invalid JMESPath {path!r}: {exc}", where=where) from exc
    return lambda r: search(r.properties)


def _parse_ts(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        ts = value
    elif isinstance(value, str) and value and value not in ("N/A", "no_information", "not_supported"):
        try:
            ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _age_days(actual: Any, ctx: EvalContext) -> float | None:
    ts = _parse_ts(actual)
    return None if ts is None else (ctx.now - ts).total_seconds() / 86400.0


def _older(actual: Any, expected: Any, ctx: EvalContext) -> Tri:
    age = _age_days(actual, ctx)
    return None if age is None else age > float(expected)


def _newer(actual: Any, expected: Any, ctx: EvalContext) -> Tri:
    age = _age_days(actual, ctx)
    return None if age is None else age <= float(expected)


Operator = Callable[[Any, Any, EvalContext], Tri]
"""``(actual, expected, ctx) -> verdict``; called only with a present, non-None ``actual``.
A ``TypeError`` (comparing a str with an int, ``len`` of a bool, ...) means unknown."""

OPERATORS: dict[str, Operator] = {
    "eq": lambda a, e, _: bool(a == e),
    "ne": lambda a, e, _: bool(a != e),
    "gt": lambda a, e, _: bool(a > e),
    "gte": lambda a, e, _: bool(a >= e),
    "lt": lambda a, e, _: bool(a < e),
    "lte": lambda a, e, _: bool(a <= e),
    "in": lambda a, e, _: a in e,
    "not_in": lambda a, e, _: a not in e,
    "contains": lambda a, e, _: e in a,
    "not_contains": lambda a, e, _: e not in a,
    "intersects": lambda a, e, _: bool(set(a) & set(e)),
    "matches": lambda a, e, _: re.search(e, str(a)) is not None,
    "empty": lambda a, e, _: (len(a) == 0) == bool(e),
    "older_than_days": _older,
    "newer_than_days": _newer,
}
"""The comparison operators of a predicate. ``exists`` is not here: it asks whether the value
is present at all, so it is decided before the missing-value rule applies."""

KNOWN_OPERATORS = frozenset({*OPERATORS, "exists"})


def compile_condition(cond: Any, where: str, hook_names: set[str] | None = None) -> Compiled:
    """Compile a condition mapping into a function; raise RuleError naming the place."""
    if not isinstance(cond, Mapping) or not cond:
        raise RuleError(f"a condition must be a non-empty mapping, got {cond!r}", where=where)
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        if len(cond) != 1 or not isinstance(cond[key], list) or not cond[key]:
            raise RuleError(f"'{key}' takes a non-empty list and nothing else", where=where)
        subs = [compile_condition(c, f"{where}.{key}[{i}]", hook_names) for i, c in enumerate(cond[key])]
        if key == "all":

            def all_(r: Resource, ctx: EvalContext, ev: Evidence) -> Tri:
                unknown = False
                for s in subs:
                    v = s(r, ctx, ev)
                    if v is False:
                        return False
                    if v is None:
                        unknown = True
                return None if unknown else True

            return all_

        def any_(r: Resource, ctx: EvalContext, ev: Evidence) -> Tri:
            unknown = False
            for s in subs:
                v = s(r, ctx, ev)
                if v is True:
                    return True
                if v is None:
                    unknown = True
            return None if unknown else False

        return any_
    if "not" in cond:
        if len(cond) != 1:
            raise RuleError("'not' takes one condition and nothing else", where=where)
        sub = compile_condition(cond["not"], f"{where}.not", hook_names)

        def not_(r: Resource, ctx: EvalContext, ev: Evidence) -> Tri:
            v = sub(r, ctx, ev)
            return None if v is None else not v

        return not_
    if "hook" in cond:
        name = cond["hook"]
        if len(cond) != 1 or not isinstance(name, str):
            raise RuleError("'hook' takes the name of a function and nothing else", where=where)
        if hook_names is not None and name not in hook_names:
            raise RuleError(f"hook {name!r} is not defined in the rule's Python module", where=where)

        def hook(r: Resource, ctx: EvalContext, ev: Evidence) -> Tri:
            out = ctx.hooks[name](r, ctx)
            if isinstance(out, tuple):
                verdict, extra = out
                ev.update(extra)
                return None if verdict is None else bool(verdict)
            return None if out is None else bool(out)

        return hook
    if "path" in cond:
        return _compile_predicate(cond, where)
    raise RuleError(f"unknown condition keys {sorted(cond)}; expected all/any/not/path/hook", where=where)


def _compile_predicate(cond: Mapping[str, Any], where: str) -> Compiled:
    path = cond["path"]
    if not isinstance(path, str) or not path:
        raise RuleError("'path' must be a non-empty string", where=where)
    ops = [k for k in cond if k not in ("path", "when_missing")]
    if len(ops) != 1:
        raise RuleError(f"a predicate takes exactly one operator, got {ops or 'none'}", where=where)
    op = ops[0]
    if op not in KNOWN_OPERATORS:
        raise RuleError(f"unknown operator {op!r} (known: {', '.join(sorted(KNOWN_OPERATORS))})", where=where)
    expected = cond[op]
    if op == "matches":
        try:
            re.compile(expected)
        except (re.error, TypeError) as exc:
            raise RuleError(f"invalid regex {expected!r}: {exc}", where=where) from exc
    when_missing = cond.get("when_missing")
    if when_missing is not None and not isinstance(when_missing, bool):
        raise RuleError("'when_missing' must be true or false", where=where)
    get = _getter(path, where)
    param = expected[1:] if isinstance(expected, str) and expected.startswith("$") else None

    if op == "exists":

        def exists(r: Resource, ctx: EvalContext, ev: Evidence) -> Tri:
            actual = get(r)
            present = actual is not _MISSING and actual is not None
            ev[path] = None if actual is _MISSING else actual
            return present == bool(expected)

        return exists
    compare = OPERATORS[op]

    def pred(r: Resource, ctx: EvalContext, ev: Evidence) -> Tri:
        actual = get(r)
        if actual is _MISSING or actual is None:
            ev[path] = None
            return when_missing
        ev[path] = actual
        exp = ctx.params[param] if param is not None else expected
        try:
            return compare(actual, exp, ctx)
        except TypeError:
            return None

    return pred
