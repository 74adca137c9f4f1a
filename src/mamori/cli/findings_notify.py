"""`mamori findings notify|deliveries`."""

from __future__ import annotations

import click
from rich.table import Table

from mamori.cli.common import config_option, db_option, get_config
from mamori.cli.exits import EXIT_RUNTIME, exit_with
from mamori.cli.hub_common import hub_store, suppressions_option
from mamori.cli.output import console, emit_json
from mamori.hub import deliveries as log
from mamori.hub.dispatch import Dispatcher


@click.command("notify")
@click.option("--dry-run", is_flag=True, help="Show the digests each channel would get; send nothing, queue nothing, mark nothing NOTIFIED.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
@suppressions_option
def notify(dry_run: bool, fmt: str, db: str | None, config_path: str | None, suppressions_path: str | None) -> None:
    """Send pending notifications: NEW findings, routed and grouped by root cause, plus earlier failed deliveries.

    \b
      mamori findings notify --dry-run        what each channel would get
      mamori findings notify                  send (cron: every few minutes)
    Channels and routes come from `notifications:` in mamori.yaml. Exit 3 when a delivery
    failed (it is kept and retried on the next run).
    """
    cfg = get_config(config_path)
    store, _ = hub_store(db, cfg, suppressions_path, who="notify")
    if not cfg.notifications.channels:
        raise click.UsageError("no notification channels configured (notifications.channels in mamori.yaml)")
    report = Dispatcher(store, cfg.hub).run(dry_run=dry_run)
    if fmt == "json":
        emit_json(report.to_dict())
    else:
        con = console()
        verb = "would queue" if dry_run else "queued"
        con.print(f"{report.pending} NEW finding(s) routed; {verb}:")
        for channel, ns in report.plan.items():
            con.print(f"  [bold]{channel}[/]: {len(ns)} message(s)")
            for n in ns:
                con.print(f"    {n.subject}", markup=False)
        for channel, r in report.channels.items():
            if not dry_run:
                con.print(f"{channel}: sent {r.sent}, failed {r.failed}, deferred {r.deferred}, given up {r.dead}")
            for e in r.errors:
                con.print(f"  [red]{e}[/]")
    if not report.ok:
        raise exit_with(EXIT_RUNTIME)


@click.command("deliveries")
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.value.lower() for s in log.DeliveryStatus]), help="Only these (repeatable).")
@click.option("--limit", default=100, show_default=True)
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def deliveries(statuses: tuple[str, ...], limit: int, fmt: str, db: str | None, config_path: str | None) -> None:
    """The delivery log: what was sent to which channel, what failed and why."""
    cfg = get_config(config_path)
    store, _ = hub_store(db, cfg)
    items = log.listing(store.engine, tuple(log.DeliveryStatus(s.upper()) for s in statuses), limit)
    if fmt == "json":
        emit_json([d.to_dict() for d in items])
        return
    t = Table(title="Deliveries", title_justify="left")
    for c in ("id", "channel", "status", "attempts", "findings", "subject", "last error"):
        t.add_column(c, overflow="fold")
    for d in items:
        t.add_row(d.id[:8], d.channel, d.status.value, str(d.attempts), str(len(d.finding_ids)), d.notification.subject, d.last_error or "")
    console().print(t)
