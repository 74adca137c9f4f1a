"""`mamori engage`: the security engagement questionnaire and its tasks."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from mamori.cli.columns import Col, echo_table
from mamori.cli.common import actor, config_option, db_option, get_config, open_store
from mamori.cli.output import FORMATS, emit_csv, emit_json

STATUSES = ("open", "verified", "attested", "not_applicable")
STATUS_COLOUR = {"open": "yellow", "verified": "green", "attested": "cyan", "not_applicable": None}


def content_option(f: Any) -> Any:
    return click.option(
        "--content", "content_paths", multiple=True, type=click.Path(exists=True, path_type=Path), metavar="PATH",
        help="More questions / tasks / contradictions (a YAML file or a directory of them; docs/engage.md). Repeatable.",
    )(f)  # fmt: skip


def _content(paths: tuple[Path, ...], config_path: str | None) -> Any:
    from mamori.engage.content import builtin_content, load_content
    from mamori.rules import load_rules

    if not paths:
        return builtin_content()
    cfg = get_config(config_path)
    return load_content(paths, rule_ids=[r.id for r in load_rules(cfg.rule_paths)])


@click.group()
def engage() -> None:
    """Security engagement: a questionnaire that turns a design into tracked security tasks.

    \b
      mamori engage questions                       the question bank (-o json for tools)
      mamori engage start --app shop --team payments
                                                    answer interactively; saves engage-shop.yaml
      mamori engage answer --app shop --team payments --answers engage-shop.yaml
      mamori engage tasks --team payments --status open
      mamori engage show T-1a2b3c4d5e6f
      mamori engage attest T-1a2b3c4d5e6f --by alice --evidence https://wiki/runbook --expires 1y
      mamori engage sync --jira https://jira.example.com --project SEC

    Tasks with rules are verified by each `mamori scan` on the resources tagged app=<app>
    and reopen when the rules fail again; the others close by attestation until it expires.
    """


@engage.command("questions")
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@content_option
@config_option
def questions(fmt: str, content_paths: tuple[Path, ...], config_path: str | None) -> None:
    """The question bank, in asking order (choices from the least to the most exposed)."""
    content = _content(content_paths, config_path)
    if fmt == "json":
        emit_json(content.to_json())
        return
    rows = [
        [q.id, q.type.value, q.topic, ", ".join(q.choices) if q.choices else "-", q.ask_if or ""]
        for q in content.questions
    ]
    echo_table(
        [Col("id"), Col("type"), Col("topic", priority=2), Col("choices", flex=True, min_width=12, want=40),
         Col("asked if", priority=1, flex=True, min_width=10)],
        rows, title=f"{len(rows)} questions, {len(content.tasks)} task templates",
    )  # fmt: skip


def _record(
    content: Any,
    app: str,
    team: str,
    answers: dict[str, Any],
    source: str,
    db: str | None,
    config_path: str | None,
) -> Any:
    from mamori.engage.service import AnswerRequest, answer

    store = open_store(db, get_config(config_path))
    return answer(store.engine, content, AnswerRequest(app, team, answers, source), actor=actor())


def _show_engagement(eng: Any, fmt: str) -> None:
    now = datetime.now(UTC)
    if fmt == "json":
        emit_json(eng.to_dict(now))
        return
    if eng.ignored:
        click.secho(
            f"ignored answers to questions skip logic did not ask: {', '.join(eng.ignored)}",
            fg="yellow",
            err=True,
        )
    ch = eng.changes
    click.echo(f"engagement {eng.id} ({eng.app}, team {eng.team}): {ch.get('new', 0)} new, {ch.get('reopened', 0)} "
               f"applying again, {ch.get('not_applicable', 0)} no longer applicable, {ch.get('unchanged', 0)} unchanged")  # fmt: skip
    _tasks_table([t for t in eng.tasks], now)


def _tasks_table(items: list[Any], now: datetime, title: str | None = None) -> None:
    if not items:
        click.echo("No tasks.")
        return
    rows = [[t.id, t.status_at(now).value, t.priority, t.due.date().isoformat() + ("!" if t.overdue(now) else ""),
             t.app, t.owner, "rules" if t.verify else "attest", t.title] for t in items]  # fmt: skip
    echo_table(
        [Col("id"), Col("status", style=lambda s: STATUS_COLOUR.get(s)), Col("prio", priority=3), Col("due", priority=2),
         Col("app", priority=4, flex=True, min_width=6), Col("owner", priority=5, flex=True, min_width=6),
         Col("closes by", priority=6), Col("title", flex=True, min_width=16)],
        rows, title=title,
    )  # fmt: skip


@engage.command("answer")
@click.option("--app", required=True, help="The application's name (the value of its resources' `app` tag).")
@click.option("--team", required=True, help="The team that owns the application.")
@click.option(
    "--answers",
    "answers_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.yaml",
)
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@content_option
@db_option
@config_option
def answer_cmd(
    app: str,
    team: str,
    answers_path: Path,
    fmt: str,
    content_paths: tuple[Path, ...],
    db: str | None,
    config_path: str | None,
) -> None:
    """Record an application's answers (a YAML file) and list its tasks."""
    from mamori.engage.evaluate import read_answers
    from mamori.errors import InputError

    content = _content(content_paths, config_path)
    answers, header = read_answers(answers_path)
    for k, v in (("app", app), ("team", team)):
        if k in header and header[k] != v and k == "app":
            raise InputError(
                f"the file answers for app {header[k]!r}, not {v!r}", source=str(answers_path), where=k
            )
    eng = _record(content, app, team, answers, str(answers_path), db, config_path)
    _show_engagement(eng, fmt)


@engage.command("start")
@click.option("--app", required=True, help="The application's name (the value of its resources' `app` tag).")
@click.option("--team", required=True, help="The team that owns the application.")
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE.yaml",
    help="Where to save the answers [default: engage-<app>.yaml]; earlier answers in it are the defaults.",
)
@click.option(
    "--no-record", is_flag=True, help="Only save the answers file; do not create the tasks in the store."
)
@content_option
@db_option
@config_option
def start(
    app: str,
    team: str,
    answers_path: Path | None,
    no_record: bool,
    content_paths: tuple[Path, ...],
    db: str | None,
    config_path: str | None,
) -> None:
    """Answer the questionnaire interactively (arrow keys, help per question, only relevant follow-ups)."""
    from mamori.cli.engage_prompt import ask_all, save_answers
    from mamori.engage.evaluate import check_name, read_answers
    from mamori.errors import InputError

    app = check_name(app, "--app")
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError("`engage start` asks in a terminal; to record answers from a file use "
                         "`mamori engage answer --app NAME --team TEAM --answers FILE.yaml`")  # fmt: skip
    content = _content(content_paths, config_path)
    path = answers_path or Path(f"engage-{''.join(c if c.isalnum() or c in '-_' else '_' for c in app)}.yaml")
    previous: dict[str, Any] = {}
    if path.exists():
        previous, _ = read_answers(path)
    answers = ask_all(content, previous)
    save_answers(path, app, team, answers)
    click.echo(f"saved the answers to {path}")
    if no_record:
        return
    eng = _record(content, app, team, answers, str(path), db, config_path)
    _show_engagement(eng, "table")


@engage.command("tasks")
@click.option("--app", "apps", multiple=True, help="Only this application (repeatable).")
@click.option("--team", "teams", multiple=True, help="Only this team (repeatable).")
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Only this status (repeatable)."
)
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@db_option
@config_option
def tasks_cmd(
    apps: tuple[str, ...],
    teams: tuple[str, ...],
    statuses: tuple[str, ...],
    fmt: str,
    db: str | None,
    config_path: str | None,
) -> None:
    """Tasks by application and team: status, due date, how each closes."""
    from mamori.engage.service import TaskFilter, TaskStatus, list_tasks, summary

    now = datetime.now(UTC)
    store = open_store(db, get_config(config_path))
    items = list_tasks(store.engine, TaskFilter(apps, teams, tuple(TaskStatus(s) for s in statuses)), now=now)
    if fmt == "json":
        emit_json({"tasks": [t.to_dict(now) for t in items], "summary": summary(items, now)})
        return
    if fmt == "csv":
        emit_csv(([t.id, t.app, t.team, t.template, t.status_at(now).value, t.priority, t.due.date().isoformat(), t.owner,
                   t.title] for t in items), ("id", "app", "team", "template", "status", "priority", "due", "owner", "title"))  # fmt: skip
        return
    s = summary(items, now)
    _tasks_table(items, now, title=f"{len(items)} task(s): {s['open']} open ({s['overdue']} overdue), {s['verified']} verified, "
                                   f"{s['attested']} attested, {s['not_applicable']} not applicable")  # fmt: skip


@engage.command("show")
@click.argument("task_id")
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@config_option
def show(task_id: str, fmt: str, db: str | None, config_path: str | None) -> None:
    """One task: why, how, controls, how it closes, its history."""
    from mamori.engage.service import get_task

    now = datetime.now(UTC)
    task, hist = get_task(open_store(db, get_config(config_path)).engine, task_id)
    if fmt == "json":
        emit_json({**task.to_dict(now), "history": [{**h, "at": h["at"].isoformat()} for h in hist]})
        return
    d = task.to_dict(now)
    click.secho(f"{task.id}  {task.title}", bold=True)
    for label, value in (("app", f"{task.app} (team {task.team}, owner {task.owner})"), ("status", d["status"] + (f" — {d['note']}" if d["note"] else "")),
                         ("priority", task.priority), ("due", d["due"] + (" (overdue)" if d["overdue"] else "")),
                         ("why", task.why), ("how", task.how),
                         ("controls", "; ".join(f"{k} {', '.join(v)}" for k, v in d["controls"].items() if v)),
                         ("closes by", f"rules {', '.join(task.verify['rules'])} on resources tagged {task.verify['scope']['tag']}={task.app}"
                                       if task.verify else f"attestation: mamori engage attest {task.id} --by ... --evidence ... --expires ..."),
                         ("jira", task.jira_key or "-")):  # fmt: skip
        click.echo(f"{label + ':':<10} {value}")
    if d["attestation"]:
        a = d["attestation"]
        click.echo(f"{'attested:':<10} by {a['by']} until {a['expires_at']}: {a['evidence']}")
    click.echo("history:")
    for h in hist:
        click.echo(
            f"  {h['at'].isoformat(timespec='seconds')}  {h['from_status'] or '-'} -> {h['to_status']}  {h['actor']}: {h['note']}"
        )


@engage.command("attest")
@click.argument("task_id")
@click.option("--by", "by", required=True, help="Who attests (a person, by name or e-mail).")
@click.option("--evidence", required=True, help="A URL or a short text a reviewer can check.")
@click.option(
    "--expires", required=True, metavar="DATE", help="2027-03-31, an ISO time, or 90d / 12w / 6m / 1y."
)
@db_option
@config_option
def attest_cmd(
    task_id: str, by: str, evidence: str, expires: str, db: str | None, config_path: str | None
) -> None:
    """Close a task no rule can check: who vouches, with what evidence, until when (audited)."""
    from mamori.engage.service import attest_task
    from mamori.standards.attestation import parse_expiry

    now = datetime.now(UTC)
    store = open_store(db, get_config(config_path))
    t = attest_task(
        store.engine,
        task_id,
        by=by,
        evidence=evidence,
        expires_at=parse_expiry(expires, now),
        actor=actor(),
        now=now,
    )
    click.echo(
        f"task {t.id} ({t.app}: {t.title}) attested by {t.attested_by} until {t.attest_expires_at.isoformat() if t.attest_expires_at else '-'}"
    )


@engage.command("sync")
@click.option(
    "--jira",
    "jira_url",
    required=True,
    metavar="URL",
    help="The Jira site, e.g. https://example.atlassian.net",
)
@click.option("--project", required=True, metavar="KEY", help="The Jira project key the issues go to.")
@click.option(
    "--token-env",
    default="MAMORI_JIRA_TOKEN",
    show_default=True,
    metavar="NAME",
    help="The environment variable holding the API token.",
)
@click.option(
    "--user",
    default=None,
    help="Jira Cloud: the account e-mail (Basic auth with the token); without it the token is a Bearer token.",
)
@click.option("--app", "apps", multiple=True, help="Only this application (repeatable).")
@click.option("--team", "teams", multiple=True, help="Only this team (repeatable).")
@click.option(
    "-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@config_option
def sync_cmd(jira_url: str, project: str, token_env: str, user: str | None, apps: tuple[str, ...], teams: tuple[str, ...], fmt: str,
             db: str | None, config_path: str | None) -> None:  # fmt: skip
    """Create or update one Jira issue per task; idempotent (a stable label per task)."""
    from mamori.engage.jira import JiraClient, sync
    from mamori.engage.service import TaskFilter, list_tasks, set_jira_keys
    from mamori.errors import InputError

    store = open_store(db, get_config(config_path))
    items = list_tasks(store.engine, TaskFilter(apps, teams))
    token = os.environ.get(token_env, "")
    if not token:
        raise InputError(
            f"no Jira token: set the environment variable {token_env} (or name another with --token-env)"
        )
    client = JiraClient(jira_url, token, user=user, transport=_transport())
    try:
        rep = sync(client, items, project)
    finally:
        client.close()
    new_keys = {t: k for t, k in rep.keys.items() if any(x.id == t and x.jira_key != k for x in items)}
    set_jira_keys(store.engine, new_keys, actor=actor())
    if fmt == "json":
        emit_json(rep.to_dict())
        return
    click.echo(f"Jira {project}: {len(rep.created)} created, {len(rep.updated)} updated, {len(rep.unchanged)} unchanged, "
               f"{len(rep.skipped)} not applicable (no issue)")  # fmt: skip


def _transport() -> Any:
    """The HTTP transport for Jira: httpx's default; tests replace this function."""
    return None
