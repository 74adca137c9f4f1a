"""Find, validate and compile rule files.

A rule is ``<id>.yaml`` (metadata and condition) with an optional ``<id>.py`` beside it
whose functions are the hooks the condition names. Built-in rules live in
``mamori/rules/library/<service>/``; users add directories of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mamori.catalog import standards
from mamori.errors import RuleError
from mamori.rules.check import check_rule
from mamori.rules.conditions import Compiled, compile_condition, value_getter
from mamori.rules.schema import RuleSpec
from mamori.specfile import line_of, load_hooks, loc_text, read_spec

LIBRARY = Path(__file__).parent / "library"


@dataclass(frozen=True)
class Rule:
    spec: RuleSpec
    path: Path
    fail_when: Compiled
    applies_when: Compiled | None = None
    hooks: dict[str, Callable[..., Any]] = field(default_factory=dict)
    evidence: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id


class RuleSet:
    """Rules by id and by resource type."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._by_id: dict[str, Rule] = {}
        for r in rules:
            if r.id in self._by_id:
                raise RuleError(f"rule {r.id!r} is defined twice (also in {self._by_id[r.id].path})", source=str(r.path))
            self._by_id[r.id] = r

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._by_id.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    def get(self, rule_id: str) -> Rule:
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise KeyError(f"no rule {rule_id!r}; `mamori rules list` shows them") from None

    def by_type(self) -> dict[str, list[Rule]]:
        out: dict[str, list[Rule]] = {}
        for r in self:
            out.setdefault(r.spec.resource_type, []).append(r)
        return out

    def select(self, ids: Iterable[str] | None = None) -> RuleSet:
        if not ids:
            return self
        return RuleSet(self.get(i) for i in ids)


def load_rule(path: Path) -> Rule:
    spec = read_spec(path, RuleSpec, RuleError, "rule")
    catalogue = standards()
    for std_id, ctrl_ids in spec.controls.items():
        if std_id not in catalogue:
            raise RuleError(f"unknown standard {std_id!r} (known: {', '.join(catalogue)})", source=str(path), where=f"controls.{std_id}")
        known = catalogue[std_id].control_ids()
        for cid in ctrl_ids:
            if cid not in known:
                raise RuleError(f"{std_id} has no control {cid!r}", source=str(path), where=f"controls.{std_id}")
    hooks = load_hooks(path, RuleError, "rule")
    problems, shared = check_rule(spec, set(hooks))
    if problems:
        loc, message = problems[0]
        line = line_of(path, loc)
        raise RuleError(f"{loc_text(loc)}: {message}", source=str(path), where=None if line is None else str(line))
    hooks = {**hooks, **shared}
    try:
        fail = compile_condition(spec.fail_when, "fail_when", set(hooks))
        applies = compile_condition(spec.applies_when, "applies_when", set(hooks)) if spec.applies_when else None
    except RuleError as exc:
        raise RuleError(exc.message, source=str(path), where=exc.where) from exc
    try:
        evidence = {p: value_getter(p, f"evidence[{i}]") for i, p in enumerate(spec.evidence)}
    except RuleError as exc:
        raise RuleError(exc.message, source=str(path), where=exc.where) from exc
    return Rule(spec=spec, path=path, fail_when=fail, applies_when=applies, hooks=hooks, evidence=evidence)


def iter_rule_files(dirs: Iterable[Path]) -> Iterator[Path]:
    for d in dirs:
        if not d.is_dir():
            raise RuleError("rule directory does not exist", source=str(d))
        for p in sorted(d.rglob("*.yaml")):
            if not p.name.startswith("_"):
                yield p


def load_rules(extra_dirs: Iterable[Path] = (), *, builtin: bool = True) -> RuleSet:
    dirs = ([LIBRARY] if builtin else []) + [Path(d) for d in extra_dirs]
    return RuleSet(load_rule(p) for p in iter_rule_files(dirs))
