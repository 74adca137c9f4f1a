"""The engagement content as data: the question bank, the task templates, the contradictions.

Built-in content is ``mamori/engage/content/*.yaml``; a security team adds its own files
(``--content DIR``, docs/engage.md). Every file is read through :mod:`mamori.safeload`
(bounded) and validated by the models below at load, like rules: unknown keys, a choice
answer that no question offers, a condition that does not parse or names an unknown
question, a control that is not in mamori's catalogues, or a rule that does not exist
are :class:`~mamori.errors.InputError` naming the file and the place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mamori.catalog import standards
from mamori.engage.expr import Condition, compile_condition, fields_of
from mamori.errors import InputError
from mamori.model.resources import RESOURCE_TYPES

CONTENT = Path(__file__).parent / "content"
ID = r"^[a-z][a-z0-9_-]{0,63}$"
STANDARD_KEYS = ("baseline", "cis-aws-3.0", "fsbp")
MAX_CONTENT_BYTES = 2 * 1024 * 1024


class QuestionType(StrEnum):
    BOOL = "bool"
    CHOICE = "choice"
    MULTI = "multi"
    TEXT = "text"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Question(_Strict):
    """One question. ``choices`` go from the least to the most exposed or sensitive."""

    id: str = Field(pattern=ID)
    text: str = Field(min_length=3, max_length=300)
    help: str = Field(min_length=3, max_length=1000)
    type: QuestionType
    topic: str = Field(default="general", pattern=ID)
    choices: tuple[str, ...] = ()
    ask_if: str | None = None

    @model_validator(mode="after")
    def _choices(self) -> Question:
        needs = self.type in (QuestionType.CHOICE, QuestionType.MULTI)
        if needs and len(self.choices) < 2:
            raise ValueError(f"a {self.type.value} question needs at least 2 choices")
        if not needs and self.choices:
            raise ValueError(f"a {self.type.value} question has no choices")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("choices must be unique")
        for c in self.choices:
            if not re.match(ID, c):
                raise ValueError(f"choice {c!r}: lower-case letters, digits, '-' and '_'")
        if self.ask_if is not None:
            compile_condition(self.ask_if)
        return self


class Scope(_Strict):
    """Which resources a task's rules are checked on: those whose tag ``tag`` equals the app's name."""

    tag: str = Field(default="app", min_length=1, max_length=128)


class Verify(_Strict):
    rules: tuple[str, ...] = Field(min_length=1)
    scope: Scope = Scope()


class TaskTemplate(_Strict):
    id: str = Field(pattern=ID)
    title: str = Field(min_length=3, max_length=200)
    why: str = Field(min_length=3, max_length=2000)
    how: str = Field(min_length=3, max_length=4000)
    when: str | None = None  # None: every engagement gets it
    controls: dict[str, tuple[str, ...]]
    owner: str = Field(default="team", min_length=1, max_length=200)  # "team" = the engagement's team
    due_days: int = Field(default=30, ge=1, le=730)
    priority: Literal["high", "medium", "low"] = "medium"
    verify: Verify | None = None

    @field_validator("controls")
    @classmethod
    def _controls(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = set(v) - set(STANDARD_KEYS)
        if unknown:
            raise ValueError(f"unknown standard(s) {sorted(unknown)}; use {', '.join(STANDARD_KEYS)}")
        if not v.get("baseline"):
            raise ValueError(
                "every task maps to at least one Cloud Security Baseline item (controls.baseline)"
            )
        return v

    @model_validator(mode="after")
    def _when(self) -> TaskTemplate:
        if self.when is not None:
            compile_condition(self.when)
        return self


class ResourceMatch(_Strict):
    """Resources of ``type`` tagged with the app for which ``where`` (JMESPath over the properties) holds."""

    type: str = Field(min_length=3, max_length=120)
    where: str

    @field_validator("where")
    @classmethod
    def _where(cls, v: str) -> str:
        compile_condition(v)
        return v


class Contradiction(_Strict):
    """An answer the live estate contradicts: ``when`` holds over the answers and a resource
    tagged with the app fails one of ``rules`` or matches one of ``resources``."""

    id: str = Field(pattern=ID)
    title: str = Field(min_length=3, max_length=200)
    severity: Literal["critical", "high", "medium", "low"] = "high"
    when: str
    rules: tuple[str, ...] = ()
    resources: tuple[ResourceMatch, ...] = ()
    tag: str = Field(default="app", min_length=1, max_length=128)

    @model_validator(mode="after")
    def _some(self) -> Contradiction:
        compile_condition(self.when)
        if not self.rules and not self.resources:
            raise ValueError("a contradiction names rules or resources (or both)")
        return self


class ContentFile(_Strict):
    version: Literal[1] = 1
    questions: tuple[Question, ...] = ()
    tasks: tuple[TaskTemplate, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()


@dataclass(frozen=True)
class Content:
    """Questions in asking order, task templates and contradictions, their conditions compiled."""

    questions: tuple[Question, ...]
    tasks: tuple[TaskTemplate, ...]
    contradictions: tuple[Contradiction, ...]
    conditions: Mapping[str, Condition] = field(default_factory=dict)  # the text -> compiled
    sources: Mapping[str, str] = field(default_factory=dict)  # "question:<id>" / "task:<id>" -> file

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def cond(self, text: str) -> Condition:
        return self.conditions[text]

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": [
                {"id": q.id, "text": q.text, "help": q.help, "type": q.type.value, "choices": list(q.choices),
                 "topic": q.topic, "ask_if": q.ask_if}
                for q in self.questions
            ]
        }  # fmt: skip


def _read(path: Path) -> ContentFile:
    from mamori.safeload import load_yaml

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None
    data = load_yaml(raw, source=str(path), max_bytes=MAX_CONTENT_BYTES)
    if not isinstance(data, dict):
        raise InputError(
            "an engagement content file holds a mapping (questions:, tasks:, contradictions:)",
            source=str(path),
        )
    try:
        return ContentFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise InputError(msg, source=str(path), where=where) from None


def _files(dirs: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for d in dirs:
        if d.is_file():
            out.append(d)
        elif d.is_dir():
            out.extend(sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            raise InputError("no such engagement content file or directory", source=str(d))
    return out


def load_content(
    extra: Iterable[Path] = (), *, rule_ids: Iterable[str] | None = None, builtin: bool = True
) -> Content:
    """The built-in content plus ``extra`` files/directories, checked as a whole.

    ``rule_ids``: the rules that exist (built-in and the config's); a task or contradiction
    naming another is refused. ``None`` skips that check (the built-in rule library is
    checked against the content in the tests).
    """
    files = (_files([CONTENT]) if builtin else []) + _files(extra)
    questions: list[Question] = []
    tasks: list[TaskTemplate] = []
    contradictions: list[Contradiction] = []
    sources: dict[str, str] = {}
    for path in files:
        cf = _read(path)
        _add(questions, cf.questions, "question", sources, path)
        _add(tasks, cf.tasks, "task", sources, path)
        _add(contradictions, cf.contradictions, "contradiction", sources, path)
    return _check(Content(tuple(questions), tuple(tasks), tuple(contradictions), {}, sources), rule_ids)


T = TypeVar("T", Question, TaskTemplate, Contradiction)


def _add(into: list[T], items: Iterable[T], kind: str, sources: dict[str, str], path: Path) -> None:
    for i, item in enumerate(items):
        key = f"{kind}:{item.id}"
        if key in sources:
            raise InputError(
                f"{kind} {item.id!r} is defined twice (also in {sources[key]})",
                source=str(path),
                where=f"{kind}s.{i}.id",
            )
        sources[key] = str(path)
        into.append(item)


def _check(content: Content, rule_ids: Iterable[str] | None) -> Content:
    catalogue = standards()
    qids = {q.id: i for i, q in enumerate(content.questions)}
    conditions: dict[str, Condition] = {}

    def cond(text: str, src: str, where: str, before: int | None = None) -> None:
        c = conditions.get(text) or compile_condition(text)
        conditions[text] = c
        for name in fields_of(c):
            if name not in qids:
                raise InputError(
                    f"condition {text!r} reads {name!r}, which no question asks", source=src, where=where
                )
            if before is not None and qids[name] >= before:
                raise InputError(f"condition {text!r} reads {name!r}, which is asked later (ask_if may only "
                                 "read earlier questions)", source=src, where=where)  # fmt: skip

    for i, q in enumerate(content.questions):
        if q.ask_if is not None:
            cond(q.ask_if, content.sources[f"question:{q.id}"], f"question {q.id}.ask_if", before=i)
    known_rules = set(rule_ids) if rule_ids is not None else None
    for t in content.tasks:
        src = content.sources[f"task:{t.id}"]
        if t.when is not None:
            cond(t.when, src, f"task {t.id}.when")
        for std_id, ids in t.controls.items():
            have = catalogue[std_id].controls()
            for cid in ids:
                if cid not in have:
                    raise InputError(
                        f"{std_id} has no control {cid!r}", source=src, where=f"task {t.id}.controls.{std_id}"
                    )
        if t.verify is not None and known_rules is not None:
            for r in t.verify.rules:
                if r not in known_rules:
                    raise InputError(
                        f"no rule {r!r} (`mamori rules list` shows them)",
                        source=src,
                        where=f"task {t.id}.verify.rules",
                    )
    for c in content.contradictions:
        src = content.sources[f"contradiction:{c.id}"]
        cond(c.when, src, f"contradiction {c.id}.when")
        for i, m in enumerate(c.resources):
            if m.type not in RESOURCE_TYPES:
                raise InputError(f"no resource type {m.type!r} (docs/resources/ lists them)", source=src,
                                 where=f"contradiction {c.id}.resources.{i}.type")  # fmt: skip
            conditions.setdefault(m.where, compile_condition(m.where))
        if known_rules is not None:
            for r in c.rules:
                if r not in known_rules:
                    raise InputError(f"no rule {r!r}", source=src, where=f"contradiction {c.id}.rules")
    return Content(content.questions, content.tasks, content.contradictions, conditions, content.sources)


@cache
def builtin_content() -> Content:
    return load_content()
