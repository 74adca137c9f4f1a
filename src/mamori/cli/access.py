"""`mamori access`: just-in-time production access (docs/access.md).

Heavy imports (boto3, the store, the access service) happen inside the commands.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from mamori.cli.columns import Col, echo_table
from mamori.cli.common import actor, config_option, db_option, get_config, open_store, split_csv
from mamori.cli.output import emit_json
from mamori.errors import InputError

STATUS_COLOUR = {"pending": "yellow", "approved": "yellow", "active": "green", "denied": "red", "revoked": "blue", "expired": None}


def now() -> datetime:
    """``$MAMORI_NOW`` (an ISO time, for drills and tests), else the clock."""
    raw = os.environ.get("MAMORI_NOW", "").strip()
    if not raw:
        return datetime.now(UTC)
    try:
        t = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"MAMORI_NOW={raw[:40]!r} is not an ISO time such as 2026-12-07T10:00:00Z") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _actor(by: str | None) -> str:
    return actor(by)


def endpoint_option(f: Any) -> Any:
    f = click.option("--profile", default=None, help="AWS profile mamori grants with (default: the credential chain).")(f)
    return click.option("--endpoint-url", default=None, envvar="MAMORI_ENDPOINT_URL", metavar="URL",
                        help="An AWS-compatible endpoint (a moto server, LocalStack).")(f)  # fmt: skip


def actor_option(f: Any) -> Any:
    return click.option("--actor", default=None, help="Who is acting (default: $MAMORI_ACTOR, then the OS user).")(f)


def fmt_option(f: Any) -> Any:
    return click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)(f)


def acting_options(f: Any) -> Any:
    """Who acts, where it grants, the output, the store and the config: every command that changes a request."""
    for deco in (config_option, db_option, fmt_option, endpoint_option, actor_option):
        f = deco(f)
    return f


def request_options(f: Any) -> Any:
    """The options of a request, shared by `access request` and `access break-glass`."""
    f = acting_options(f)
    for deco in reversed((
        click.option("--account", "accounts", required=True, multiple=True, metavar="ID[,ID...]", help="Account(s) to access."),
        click.option("--permission-set", required=True, help="The IAM Identity Center permission set (by name)."),
        click.option("--duration", required=True, help="How long: 15m, 1h, 1d (at most access.max_duration)."),
        click.option("--reason", required=True, help="What problem the access is for."),
        click.option("--ticket", default=None, help="The ticket the work is tracked in."),
        click.option("--finding", default=None, help="Or the mamori finding id the work fixes."),
    )):  # fmt: skip
        f = deco(f)
    return f


def client_maker(endpoint_url: str | None, profile: str | None, region: str = "us-east-1") -> Any:
    from mamori.collect.aws.session import AwsTarget, ClientFactory, default_session_factory

    target = AwsTarget(profile=profile, endpoint_url=endpoint_url, home_region=region, workers=2)
    factory = ClientFactory(default_session_factory(target)(), target)
    return factory.client


def granter(cfg: Any, endpoint_url: str | None, profile: str | None) -> Any:
    from mamori.access.granters import granter_for

    return granter_for(cfg.access, client_maker(endpoint_url, profile, cfg.access.identity_center.region))


def setup(db: str | None, config_path: str | None) -> tuple[Any, Any]:
    cfg = get_config(config_path)
    return cfg, open_store(db, cfg)


def show(req: Any, fmt: str, headline: str = "") -> None:
    if fmt == "json":
        emit_json(req.to_dict())
        return
    if headline:
        click.echo(headline)
    d = req.to_dict()
    click.echo(f"{d['id']}  {d['status']}  {d['requester']} -> {d['permission_set']} in {', '.join(d['accounts'])}")
    if d["ends_at"]:
        click.echo(f"  granted {d['starts_at']} until {d['ends_at']}")
    click.echo(f"  approvals {len(d['approvals'])}/{d['approvals_required']} (approvers: {', '.join(d['approvers']) or 'none'})")
    if d["review"]:
        click.echo(f"  break-glass review: {d['review']}")


def notifiers(cfg: Any) -> list[Any]:
    """The channels of ``access.notify`` (checked before anything is recorded: an unknown name is exit 2)."""
    from mamori.access.notify import build as build_notifiers

    return build_notifiers(cfg.access.notify, cfg.notifications.channels)


def notify(cfg: Any, req: Any, db: str | None, channels: list[Any]) -> str:
    """Tell the approvers (with one-click links when access.base_url is set)."""
    from mamori.access.links import approve_url
    from mamori.access.notify import message, send

    links = None
    if cfg.access.base_url:
        from mamori.server.security import secret_key

        key, source = secret_key(None, cfg.server.secret_key_env, db, cfg.db)
        if not source.startswith("random"):
            base = cfg.access.base_url
            links = lambda rid, who: approve_url(base, key, rid, who)  # noqa: E731
    _, result = send(message(req, links), channels)
    return result


@click.group()
def access() -> None:
    """Just-in-time production access: request, approve, grant, revoke, expire; break-glass.

    \b
      mamori access request --account 111111111111 --permission-set Operator --duration 1h \\
          --reason "rotate the leaked key" --ticket SEC-42
      mamori access approve AR-1a2b3c4d5e --actor bob
      mamori runbook run rotate-key --request AR-1a2b3c4d5e
      mamori access expire                 (the server's scheduler runs it)
      mamori access report AR-1a2b3c4d5e   CloudTrail calls under the grant, next to the runbook steps

    Approvers and limits come from `access:` in mamori.yaml; MAMORI_NOW=<ISO time> sets the clock.
    """


@access.command("request")
@request_options
def request_cmd(accounts: tuple[str, ...], permission_set: str, duration: str, reason: str, ticket: str | None,
                finding: str | None, actor: str | None, endpoint_url: str | None, profile: str | None, fmt: str,
                db: str | None, config_path: str | None) -> None:  # fmt: skip
    """Ask for access to production accounts (pending until approved)."""
    from mamori.access.service import NewRequest, request_access

    cfg, store = setup(db, config_path)
    channels = notifiers(cfg)
    who = _actor(actor)
    req = request_access(store.engine, cfg.access, NewRequest(who, split_csv(accounts), permission_set, duration, reason,
                         ticket, finding), now=now(), groups=cfg.account_groups)  # fmt: skip
    sent = notify(cfg, req, db, channels)
    if fmt == "json":
        emit_json({"id": req.id, "status": req.status.value, "approvals_required": req.approvals_required,
                   "approvers": list(req.approvers), "notified": sent})  # fmt: skip
        return
    show(req, fmt, f"requested {req.id} (notified: {sent})")


@access.command("approve")
@click.argument("request_id", metavar="REQ")
@acting_options
def approve_cmd(request_id: str, actor: str | None, endpoint_url: str | None, profile: str | None, fmt: str,
                db: str | None, config_path: str | None) -> None:  # fmt: skip
    """Approve a request; the last approval needed grants it (never your own: exit 2)."""
    from mamori.access.service import approve

    cfg, store = setup(db, config_path)
    req = approve(store.engine, request_id, actor=_actor(actor), now=now(), granter=granter(cfg, endpoint_url, profile))
    show(req, fmt, f"{'granted' if req.status.value == 'active' else 'approval recorded'}: {req.id}")


@access.command("deny")
@click.argument("request_id", metavar="REQ")
@click.option("--note", default="", help="Why.")
@acting_options
def deny_cmd(request_id: str, note: str, actor: str | None, endpoint_url: str | None, profile: str | None, fmt: str,
             db: str | None, config_path: str | None) -> None:  # fmt: skip
    """Deny a pending request."""
    from mamori.access.service import deny

    _, store = setup(db, config_path)
    show(deny(store.engine, request_id, actor=_actor(actor), now=now(), note=note), fmt, f"denied: {request_id}")


@access.command("revoke")
@click.argument("request_id", metavar="REQ")
@acting_options
def revoke_cmd(request_id: str, actor: str | None, endpoint_url: str | None, profile: str | None, fmt: str,
               db: str | None, config_path: str | None) -> None:  # fmt: skip
    """End a grant now: delete the assignment (unless another grant needs it), deny older sessions."""
    from mamori.access.service import end

    cfg, store = setup(db, config_path)
    req = end(store.engine, request_id, actor=_actor(actor), now=now(), granter=granter(cfg, endpoint_url, profile),
              reason="revoked")  # fmt: skip
    show(req, fmt, f"revoked: {request_id}")


@access.command("expire")
@acting_options
def expire_cmd(actor: str | None, endpoint_url: str | None, profile: str | None, fmt: str, db: str | None,
               config_path: str | None) -> None:  # fmt: skip
    """Revoke every grant past its end (run by `mamori serve`'s scheduler: schedules.access_expire)."""
    from mamori.access.service import expire

    cfg, store = setup(db, config_path)
    ended = expire(store.engine, now=now(), granter=granter(cfg, endpoint_url, profile), actor=actor or "mamori")
    if fmt == "json":
        emit_json({"expired": [r.id for r in ended]})
        return
    click.echo(f"expired {len(ended)} grant(s)" + (": " + ", ".join(r.id for r in ended) if ended else ""))


@access.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["pending", "approved", "active", "denied", "revoked", "expired"]))
@fmt_option
@db_option
@config_option
def list_cmd(statuses: tuple[str, ...], fmt: str, db: str | None, config_path: str | None) -> None:
    """Requests, newest first."""
    from mamori.access.service import list_requests

    _, store = setup(db, config_path)
    items = list_requests(store.engine, status=statuses)
    if fmt == "json":
        emit_json({"items": [r.to_dict() for r in items]})
        return
    if not items:
        click.echo("No access requests.")
        return
    rows = [[r.id, r.status.value, r.kind.value, r.requester, r.permission_set, ",".join(r.accounts),
             f"{len(r.approvals)}/{r.approvals_required}", r.ends_at.strftime("%Y-%m-%d %H:%M") if r.ends_at else "",
             r.ticket or r.finding_id or ""] for r in items]  # fmt: skip
    echo_table([Col("id"), Col("status", style=lambda s: STATUS_COLOUR.get(s)), Col("kind", priority=3), Col("requester"),
                Col("permission set"), Col("accounts", flex=True, min_width=12), Col("approvals", priority=2),
                Col("ends", priority=1), Col("ticket/finding", flex=True, min_width=8, priority=4)], rows)  # fmt: skip


@access.command("break-glass")
@request_options
def break_glass_cmd(accounts: tuple[str, ...], permission_set: str, duration: str, reason: str, ticket: str | None,
                    finding: str | None, actor: str | None, endpoint_url: str | None, profile: str | None, fmt: str,
                    db: str | None, config_path: str | None) -> None:  # fmt: skip
    """Grant at once without approval; pages the approvers and opens an after-the-fact review."""
    from mamori.access.service import NewRequest, break_glass

    cfg, store = setup(db, config_path)
    channels = notifiers(cfg)
    req = break_glass(store.engine, cfg.access, NewRequest(_actor(actor), split_csv(accounts), permission_set, duration, reason,
                      ticket, finding), now=now(), granter=granter(cfg, endpoint_url, profile), groups=cfg.account_groups)  # fmt: skip
    sent = notify(cfg, req, db, channels)
    from mamori.audit.log import record

    record(store.engine, actor=req.requester, action="access.notify", subject=req.id, at=now(),
           details={**req.context, "result": sent, "kind": "break_glass"})  # fmt: skip
    if fmt == "json":
        emit_json({"id": req.id, "status": req.status.value, "review": req.review, "notified": sent})
        return
    show(req, fmt, f"BREAK-GLASS granted: {req.id} (approvers paged: {sent})")


@access.command("review-close")
@click.argument("request_id", metavar="REQ")
@click.option("--note", required=True, help="What was done and whether it was justified.")
@actor_option
@fmt_option
@db_option
@config_option
def review_close_cmd(request_id: str, note: str, actor: str | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """Close the after-the-fact review of a break-glass grant (an approver, not its user)."""
    from mamori.access.service import review_close

    _, store = setup(db, config_path)
    show(review_close(store.engine, request_id, actor=_actor(actor), now=now(), note=note), fmt, f"review closed: {request_id}")


@access.command("credentials")
@click.argument("request_id", metavar="REQ")
@click.option("--account", required=True, help="One account of the grant.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the credentials here (0600, the AWS credential_process JSON format).")  # fmt: skip
@actor_option
@endpoint_option
@db_option
@config_option
def credentials_cmd(request_id: str, account: str, out: Path, actor: str | None, endpoint_url: str | None,
                    profile: str | None, db: str | None, config_path: str | None) -> None:  # fmt: skip
    """(access.mode: sts) Short credentials of the per-grant role, SourceIdentity = you."""
    from mamori.access.credentials import issue

    cfg, store = setup(db, config_path)
    res = issue(store.engine, request_id, account, actor=_actor(actor), now=now(), granter=granter(cfg, endpoint_url, profile), out=out)
    click.echo(f"wrote {out} ({res['AssumedRoleArn']}, key {res['AccessKeyId'][:4]}..., expires {res['Expiration']})")


@access.command("report")
@click.argument("request_id", metavar="REQ")
@click.option("--logs-db", default=None, metavar="PATH", help="The CloudTrail log store (default: $MAMORI_LOGS_DB, then .mamori/logs.duckdb).")
@fmt_option
@db_option
@config_option
def report_cmd(request_id: str, logs_db: str | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """What a grant did: the CloudTrail calls made under it next to the runbook steps run."""
    from mamori.access.report import build

    _, store = setup(db, config_path)
    rep = build(store.engine, request_id, logs_db=logs_db)
    if fmt == "json":
        emit_json(rep)
        return
    r = rep["request"]
    click.echo(f"{r['id']}: {r['requester']} -> {r['permission_set']} in {', '.join(r['accounts'])}, "
               f"{r['starts_at']} .. {r['ends_at']} ({r['status']})")  # fmt: skip
    click.echo(f"\nRunbook steps ({sum(len(x['steps']) for x in rep['runs'])}):")
    for run in rep["runs"]:
        for s in run["steps"]:
            click.echo(f"  {run['runbook']} #{s['n']} {s['action']} {s['target']}: {s.get('result')}")
    click.echo(f"\nCloudTrail calls under the grant ({len(rep['calls'])}{'' if rep['logs'] else ', no log store'}):")
    for c in rep["calls"]:
        click.echo(f"  {c['time']}  {c['account']}  {c['event_source']}:{c['event_name']}  {c['error_code'] or ''}  {c['principal']}")
