"""The interactive questionnaire of `mamori engage start` (questionary, on prompt_toolkit).

Imported only by that command. Questions are asked in the bank's order; a question whose
``ask_if`` does not hold over the answers so far is skipped. Each question shows its topic,
its help text and the keys to use; earlier answers (from the saved file) are the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import questionary
import yaml

from mamori.engage.content import Content, QuestionType


def _ask(q: Any, prev: Any) -> Any:
    if q.type is QuestionType.BOOL:
        return questionary.confirm(
            q.text, default=bool(prev) if isinstance(prev, bool) else False, qmark="?"
        ).unsafe_ask()
    if q.type is QuestionType.CHOICE:
        default = prev if prev in q.choices else None
        return questionary.select(q.text, choices=list(q.choices), default=default, qmark="?",
                                  instruction="(arrow keys, enter)").unsafe_ask()  # fmt: skip
    if q.type is QuestionType.MULTI:
        chosen = set(prev) if isinstance(prev, list) else set()
        choices = [questionary.Choice(c, checked=c in chosen) for c in q.choices]
        return questionary.checkbox(q.text, choices=choices, qmark="?",
                                    instruction="(arrow keys, space to pick, enter when done)").unsafe_ask()  # fmt: skip
    return questionary.text(q.text, default=prev if isinstance(prev, str) else "", qmark="?").unsafe_ask()


def ask_all(content: Content, previous: Mapping[str, Any]) -> dict[str, Any]:
    """Ask every relevant question; Ctrl-C aborts (click.Abort, nothing saved)."""
    values: dict[str, Any] = {q.id: None for q in content.questions}
    n = 0
    try:
        for q in content.questions:
            if q.ask_if is not None and not content.cond(q.ask_if).holds(values):
                continue
            n += 1
            click.echo("")
            click.secho(f"[{n}] {q.topic}", fg="cyan", bold=True)
            click.secho(f"    {q.help}", dim=True)
            values[q.id] = _ask(q, previous.get(q.id))
    except KeyboardInterrupt:
        raise click.Abort() from None
    return {k: v for k, v in values.items() if v is not None}


def save_answers(path: Path, app: str, team: str, answers: Mapping[str, Any]) -> None:
    doc = {"app": app, "team": team, "answers": dict(answers)}
    path.write_text(
        "# Answers to the mamori security engagement questionnaire.\n"
        f"# Re-run `mamori engage start --app {app} --team {team}` or edit and run `mamori engage answer`.\n"
        + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
