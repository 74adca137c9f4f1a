"""From answers to tasks, purely: check an answers file against the bank, apply skip logic,
pick the templates whose conditions hold, and the deterministic ids."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mamori.engage.content import Content, QuestionType, TaskTemplate
from mamori.engage.expr import freeze, frozen_value
from mamori.errors import InputError

MAX_ANSWERS_BYTES = 256 * 1024
MAX_TEXT = 2000
NAME_MAX = 100


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def engagement_id(app: str) -> str:
    """One engagement per application: the same app gives the same id."""
    return "E-" + _digest("engagement", app)[:10]


def task_id(app: str, template: str) -> str:
    """The same app and template give the same id, across re-answers and machines."""
    return "T-" + _digest("task", app, template)[:12]


def check_name(value: str, what: str) -> str:
    v = value.strip()
    if not v or len(v) > NAME_MAX or any(c in v for c in "\x00\n\r\t"):
        raise InputError(f"{what} must be 1-{NAME_MAX} characters on one line, got {value!r}")
    return v


@dataclass(frozen=True)
class CheckedAnswers:
    values: dict[str, Any]  # every question id -> its answer, None when skipped
    ignored: tuple[str, ...]  # answers given to questions that skip logic did not ask


def asked(content: Content, answers: Mapping[str, Any], qid: str) -> bool:
    q = content.question(qid)
    return q.ask_if is None or content.cond(q.ask_if).holds(answers)


def check_answers(content: Content, raw: Mapping[str, Any], source: str = "answers") -> CheckedAnswers:
    """Validate answers in question order, with skip logic: an answer to a question that is not asked is dropped."""
    known = {q.id for q in content.questions}
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise InputError(
            f"no such question {unknown[0]!r} (`mamori engage questions` lists them)",
            source=source,
            where=f"answers.{unknown[0]}",
        )
    values: dict[str, Any] = {q.id: None for q in content.questions}
    frozen: dict[str, Any] = {}
    ignored: list[str] = []
    for q in content.questions:
        if q.ask_if is not None and not content.cond(q.ask_if).holds(values, frozen):
            if raw.get(q.id) is not None:
                ignored.append(q.id)
            continue
        if q.id not in raw or raw[q.id] is None:
            raise InputError(
                f"question {q.id!r} is not answered ({q.text})", source=source, where=f"answers.{q.id}"
            )
        values[q.id] = value = _value(q.type, q.choices, raw[q.id], source, f"answers.{q.id}")
        frozen[q.id] = frozen_value(value)
    return CheckedAnswers(values, tuple(ignored))


def _value(kind: QuestionType, choices: tuple[str, ...], v: Any, source: str, where: str) -> Any:
    if kind is QuestionType.BOOL:
        if not isinstance(v, bool):
            raise InputError(f"expected true or false, got {v!r}", source=source, where=where)
        return v
    if kind is QuestionType.TEXT:
        if not isinstance(v, str) or len(v) > MAX_TEXT:
            raise InputError(f"expected a text of at most {MAX_TEXT} characters", source=source, where=where)
        return v.strip()
    if kind is QuestionType.CHOICE:
        if not isinstance(v, str) or v not in choices:
            raise InputError(f"expected one of {', '.join(choices)}, got {v!r}", source=source, where=where)
        return v
    items = [v] if isinstance(v, str) else v
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise InputError(f"expected a list of {', '.join(choices)}", source=source, where=where)
    bad = [i for i in items if i not in choices]
    if bad:
        raise InputError(f"{bad[0]!r} is not one of {', '.join(choices)}", source=source, where=where)
    return [c for c in choices if c in items]  # the bank's order, no duplicates


def read_answers(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """An answers file: ``{app?, team?, answers: {question: answer}}`` (or the answers mapping alone).

    Returns (answers, header) where header holds ``app`` / ``team`` when the file names them.
    """
    from mamori.safeload import load_yaml

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None
    data = load_yaml(raw, source=str(path), max_bytes=MAX_ANSWERS_BYTES)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError("an answers file holds a mapping (answers: {question: answer})", source=str(path))
    header: dict[str, str] = {}
    if isinstance(data.get("answers"), dict):
        for k in ("app", "team"):
            if k in data:
                if not isinstance(data[k], str):
                    raise InputError(f"{k} must be a string", source=str(path), where=k)
                header[k] = data[k]
        extra = sorted(set(data) - {"answers", "app", "team", "version"})
        if extra:
            raise InputError(
                f"unknown key {extra[0]!r} (app, team, answers)", source=str(path), where=extra[0]
            )
        return dict(data["answers"]), header
    return dict(data), header


def applicable(content: Content, answers: Mapping[str, Any]) -> list[TaskTemplate]:
    """The templates whose ``when`` holds over the (checked) answers, in content order."""
    frozen = freeze(answers)
    return [t for t in content.tasks if t.when is None or content.cond(t.when).holds(answers, frozen)]
