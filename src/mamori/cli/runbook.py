"""`mamori runbook`: reviewed runbooks, the only way to act in production under a grant (docs/access.md)."""

from __future__ import annotations

from pathlib import Path

import click

from mamori.cli.access import actor_option, endpoint_option, fmt_option, now, setup
from mamori.cli.columns import Col, echo_table
from mamori.cli.common import actor, config_option, db_option
from mamori.cli.exits import EXIT_FAILED, exit_with
from mamori.cli.output import emit_json


@click.group()
def runbook() -> None:
    """Reviewed runbooks: add, approve (pins the SHA-256), run under an active grant.

    \b
      mamori runbook add runbooks/close-bucket.yaml --actor alice
      mamori runbook approve close-bucket --actor bob        (not the author)
      mamori runbook run close-bucket --request AR-1a2b3c4d5e --actor carol
      mamori runbook list

    Steps are registered remediation actions (mamori guardrails actions): planned first
    (reads only), then applied in order, each verified and recorded in the audit log.
    """


@runbook.command("add")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
@actor_option
@fmt_option
@db_option
@config_option
def add_cmd(path: Path, actor: str | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """Add (or update) a runbook; a changed file needs a new approval."""
    from mamori.access.runbooks import add

    _, store = setup(db, config_path)
    rec = add(store.engine, path, actor=_who(actor), now=now())
    if fmt == "json":
        emit_json(rec.to_dict())
        return
    state = "approved" if rec.approved else "needs approval"
    click.echo(f"runbook {rec.name} ({rec.sha256[:12]}) by {rec.author}: {state}")


def _who(by: str | None) -> str:
    return actor(by)


@runbook.command("approve")
@click.argument("name")
@actor_option
@fmt_option
@db_option
@config_option
def approve_cmd(name: str, actor: str | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """Approve the runbook as added (pins its SHA-256; the author cannot approve: exit 2)."""
    from mamori.access.runbooks import approve

    _, store = setup(db, config_path)
    rec = approve(store.engine, name, actor=_who(actor), now=now())
    if fmt == "json":
        emit_json(rec.to_dict())
        return
    click.echo(f"runbook {rec.name} approved by {rec.approved_by}: sha256 {rec.approved_sha256}")


@runbook.command("show")
@click.argument("name")
@db_option
@config_option
def show_cmd(name: str, db: str | None, config_path: str | None) -> None:
    """The runbook's text as added (what a reviewer approves)."""
    from mamori.access.runbooks import get, text_of

    _, store = setup(db, config_path)
    rec = get(store.engine, name)
    click.echo(f"# {rec.name} by {rec.author}, sha256 {rec.sha256}, {'approved by ' + str(rec.approved_by) if rec.approved else 'not approved'}")
    click.echo(text_of(store.engine, name))


@runbook.command("list")
@fmt_option
@db_option
@config_option
def list_cmd(fmt: str, db: str | None, config_path: str | None) -> None:
    """Runbooks and their approval."""
    from mamori.access.runbooks import list_runbooks

    _, store = setup(db, config_path)
    items = list_runbooks(store.engine)
    if fmt == "json":
        emit_json({"items": [r.to_dict() for r in items]})
        return
    if not items:
        click.echo("No runbooks.")
        return
    echo_table([Col("name"), Col("approved"), Col("author"), Col("approved by"), Col("sha256"), Col("description", flex=True, min_width=10)],
               [[r.name, "yes" if r.approved else "no", r.author, r.approved_by or "", r.sha256[:12], r.description] for r in items])  # fmt: skip


@runbook.command("run")
@click.argument("name")
@click.option("--request", "request_id", required=True, metavar="REQ", help="The active grant this runs under.")
@click.option("--plan-only", is_flag=True, help="Plan every step (reads only) and stop.")
@actor_option
@endpoint_option
@fmt_option
@db_option
@config_option
def run_cmd(name: str, request_id: str, plan_only: bool, actor: str | None, endpoint_url: str | None, profile: str | None,
            fmt: str, db: str | None, config_path: str | None) -> None:  # fmt: skip
    """Run an approved runbook under an active grant: plan, then apply, each step verified."""
    from mamori.access.runbooks import run
    from mamori.collect.aws.session import AwsTarget
    from mamori.remediate.clients import Clients

    _, store = setup(db, config_path)
    holder: dict[str, Clients] = {}

    def context_for(account: str) -> object:
        if "c" not in holder:
            holder["c"] = Clients.from_targets([AwsTarget(profile=profile, endpoint_url=endpoint_url, workers=2)])
        return holder["c"].context(account)

    res = run(store.engine, name, request_id, actor=_who(actor), now=now(), context_for=context_for, plan_only=plan_only)
    if fmt == "json":
        emit_json(res)
    else:
        click.echo(f"run {res['run']} of {name} ({res['sha256'][:12]}) under {request_id}: {res['status']}")
        for s in res["steps"]:
            plan = s.get("plan") or {}
            calls = ", ".join(plan.get("calls") or []) or plan.get("summary") or ""
            click.echo(f"  #{s['n']} {s['action']} {s['target']}: {s['result']}  {calls}")
    if res["status"] == "failed":
        raise exit_with(EXIT_FAILED)
