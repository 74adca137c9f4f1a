"""The load-time check of a rule against the typed model of its resource type.

Every ``path`` (in ``fail_when``, ``applies_when`` and ``evidence``, at any depth of
``all``/``any``/``not``), every ``hook`` and every ``"$param"`` value must exist: the path on
the model registered for the rule's ``resource_type`` (``mamori.model.resources``), the
hook in the rule's own Python module or among the named shared hooks (for this resource
type, with the parameters it needs), the parameter in the rule's ``params``. A resource
type without a model is an error too. Problems come back with their place in the file
(a key path), so the loader can name the line.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from mamori.model.resources import RESOURCE_TYPES
from mamori.rules.hooks import SHARED_HOOKS
from mamori.rules.paths import PathProblem, check_path, operand_problem
from mamori.rules.schema import RuleSpec

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]
_NOT_OPERATORS = ("path", "when_missing")


def check_rule(spec: RuleSpec, local_hooks: Collection[str]) -> tuple[list[Problem], dict[str, Callable[..., Any]]]:
    """(problems, the shared hooks the rule names by name -> function)."""
    problems: list[Problem] = []
    shared: dict[str, Callable[..., Any]] = {}
    if spec.resource_type not in RESOURCE_TYPES:
        return [(("resource_type",), f"resource type {spec.resource_type!r} has no model in mamori.model.resources")], shared
    model = RESOURCE_TYPES.get(spec.resource_type)

    def path(p: str, loc: Loc) -> Any:
        try:
            return check_path(model, p)
        except PathProblem as exc:
            problems.append((loc, f"path {p!r} is not in {spec.resource_type}: {exc}"))
            return Any

    def hook(name: str, loc: Loc) -> None:
        if "." not in name:
            if name not in local_hooks:
                problems.append((loc, f"hook {name!r} is not defined in the rule's Python module"))
            return
        if name not in SHARED_HOOKS:
            problems.append((loc, f"no shared hook {name!r} (known: {', '.join(SHARED_HOOKS)})"))
            return
        entry = SHARED_HOOKS.get(name)
        if spec.resource_type not in entry.resource_types:
            problems.append((loc, f"shared hook {name!r} reads {', '.join(entry.resource_types)}, not {spec.resource_type}"))
            return
        missing = [p for p in entry.params if p not in spec.params]
        if missing:
            problems.append((loc, f"shared hook {name!r} needs the rule parameter(s) {', '.join(missing)} under params"))
            return
        shared[name] = entry.fn

    def condition(cond: Any, loc: Loc) -> None:
        if not isinstance(cond, Mapping):
            return  # the condition compiler reports the shape
        for key in ("all", "any"):
            subs = cond.get(key)
            if isinstance(subs, list):
                for i, sub in enumerate(subs):
                    condition(sub, (*loc, key, i))
        if "not" in cond:
            condition(cond["not"], (*loc, "not"))
        if isinstance(cond.get("hook"), str):
            hook(cond["hook"], (*loc, "hook"))
        if isinstance(cond.get("path"), str) and cond["path"]:
            ann = path(cond["path"], (*loc, "path"))
            for op, value in cond.items():
                if op in _NOT_OPERATORS:
                    continue
                if isinstance(value, str) and value.startswith("$"):
                    if value[1:] not in spec.params:
                        problems.append(((*loc, op), f"parameter {value[1:]!r} is not declared under params"))
                    continue
                wrong = operand_problem(ann, op, value)
                if wrong:
                    problems.append(((*loc, op), f"{op} can never hold for {cond['path']!r}: {wrong}"))

    condition(spec.fail_when, ("fail_when",))
    if spec.applies_when is not None:
        condition(spec.applies_when, ("applies_when",))
    for i, p in enumerate(spec.evidence):
        path(p, ("evidence", i))
    return problems, shared
