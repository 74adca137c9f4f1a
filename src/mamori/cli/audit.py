"""`mamori audit list|verify|export`: the hash-chained audit log."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import orjson
from rich.table import Table

from mamori import audit
from mamori.cli.common import config_option, db_option, get_config, open_store
from mamori.cli.exits import EXIT_FAILED, exit_with
from mamori.cli.output import FORMATS, console, emit_csv, emit_json


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    m = re.fullmatch(r"(\d+)([dhm])", value.strip())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return datetime.now(UTC) - timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: n})
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("give an ISO time (2026-11-01T00:00Z) or an age (7d, 12h, 30m)", param_hint="--since") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@click.group("audit")
def audit_cmd() -> None:
    """The audit log: every plan, apply, rollback, exemption and notification, hash-chained.

    \b
      mamori audit list --since 7d                  what happened this week
      mamori audit list --action remediate. -o json   every remediation entry
      mamori audit verify                           recompute the chain (exit 1 if tampered)
      mamori audit verify --expect-head 42:9f2c...   also detect deleted newest entries
      mamori audit export -o audit.jsonl            JSON lines with hashes; verify --file later
    """


@audit_cmd.command("list")
@click.option("--action", default=None, help="Exactly this action, or a prefix ending in '.' or '*' (remediate.).")
@click.option("--subject", default=None, help="Entries about this subject (a plan, change, key, resource).")
@click.option("--actor", default=None, help="Entries by this actor.")
@click.option("--since", default=None, help="ISO time or age (7d, 12h).")
@click.option("--limit", type=int, default=None, help="At most this many (newest).")
@click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@db_option
@config_option
def list_cmd(action: str | None, subject: str | None, actor: str | None, since: str | None, limit: int | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """Entries, oldest first (with --limit: the newest N)."""
    cfg = get_config(config_path)
    store = open_store(db, cfg)
    items = audit.entries(store.engine, action=action, subject=subject, actor=actor, since=_since(since), limit=limit, newest_first=bool(limit))
    if limit:
        items.reverse()
    if fmt == "json":
        emit_json([e.to_dict() for e in items])
    elif fmt == "csv":
        emit_csv(([e.seq, e.at.isoformat(), e.actor, e.action, e.subject, orjson.dumps(dict(e.details)).decode(), e.hash] for e in items),
                 ("seq", "at", "actor", "action", "subject", "details", "hash"))  # fmt: skip
    else:
        t = Table(title="Audit log", title_justify="left")
        for col in ("seq", "at (UTC)", "actor", "action", "subject", "details"):
            t.add_column(col, overflow="fold")
        for e in items:
            det = orjson.dumps(dict(e.details)).decode()
            t.add_row(str(e.seq), e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, e.subject, det if len(det) < 160 else det[:159] + "…")
        console().print(t if items else "No audit entries match.")


@audit_cmd.command("verify")
@click.option("--expect-head", default=None, metavar="SEQ:HASH", help="The head printed by an earlier verify: detects deleted newest entries too.")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False), default=None, help="Verify an export (JSON lines) instead of the store.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@config_option
def verify_cmd(expect_head: str | None, file: str | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """Recompute the hash chain. Exit 1 when an entry was edited, deleted or reordered."""
    if file:
        with Path(file).open("rb") as fh:
            rep = audit.verify_entries(audit.read_lines(fh, source=file), expect_head=expect_head)
    else:
        rep = audit.verify(open_store(db, get_config(config_path)).engine, expect_head=expect_head)
    if fmt == "json":
        emit_json({"ok": rep.ok, "entries": rep.entries, "head": rep.head, "guarantee": rep.guarantee,
                   "problems": [p.__dict__ for p in rep.problems]})  # fmt: skip
    else:
        con = console()
        if rep.ok:
            con.print(f"[green]audit log intact:[/] {rep.entries} entries, head {rep.head} ({rep.guarantee})")
            if rep.guarantee == "hash chain only" and not expect_head:
                con.print("[dim]pin the head elsewhere; `--expect-head` it next time to detect deleted newest entries[/]")
        else:
            con.print(f"[red]audit log TAMPERED:[/] {len(rep.problems)} problem(s) in {rep.entries} entries ({rep.guarantee})")
            for p in rep.problems:
                con.print(f"  [red]{p.kind}[/] at {p.seq}: {p.message}")
    if not rep.ok:
        raise exit_with(EXIT_FAILED)


@audit_cmd.command("export")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, writable=True), default="-", show_default=True, help="File to write (JSON lines), - for stdout.")
@db_option
@config_option
def export_cmd(out: str, db: str | None, config_path: str | None) -> None:
    """Every entry as JSON lines, with its hashes (verify offline: `mamori audit verify --file`)."""
    store = open_store(db, get_config(config_path))
    n = 0
    if out == "-":
        for line in audit.export_lines(store.engine):
            sys.stdout.buffer.write(line)
            n += 1
        sys.stdout.flush()
        return
    path = Path(out)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        for line in audit.export_lines(store.engine):
            fh.write(line)
            n += 1
    tmp.replace(path)
    console(err=True).print(f"wrote {n} entries to {out}")
