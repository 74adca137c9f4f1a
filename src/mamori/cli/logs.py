"""`mamori logs`: ingest CloudTrail into the embedded log store and answer incident questions."""

from __future__ import annotations

import csv
import io
import sys
from datetime import UTC, datetime
from typing import Any

import click
from rich.table import Table

from mamori.cli.exits import EXIT_USAGE, exit_with
from mamori.cli.output import FORMATS, console, emit_json
from mamori.logs import LogStore
from mamori.logs.geoip import geo
from mamori.logs.queries import QueryResult, key_activity, root_activity, timeline, top_denied


def _db_option(f: Any) -> Any:
    return click.option("--logs-db", "logs_db", default=None, metavar="PATH",
                        help="Log store file (default: $MAMORI_LOGS_DB, then ./.mamori/logs.duckdb).")(f)  # fmt: skip


def _fmt_option(f: Any) -> Any:
    return click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="table for people; json or csv for tools.")(f)  # fmt: skip


def _time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO time (2026-03-02T10:00:00Z)", param_hint=name) from None
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(UTC)


def _cell(v: Any) -> str:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return "" if v is None else str(v)


def _emit(res: QueryResult, fmt: str) -> None:
    if fmt == "json":
        emit_json({"query": res.title, **res.to_dict()})
        return
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for i, s in enumerate(res.sections):
            if len(res.sections) > 1:
                buf.write(("\n" if i else "") + f"# {s.name}\n")
            w.writerow(s.columns)
            for r in s.rows:
                w.writerow([v.isoformat() if isinstance(v, datetime) else v for v in r])
        sys.stdout.write(buf.getvalue())
        return
    con = console()
    con.print(f"[bold]{res.title}[/]")
    for s in res.sections:
        if not s.rows:
            con.print(f"[dim]{s.name}: none[/]")
            continue
        t = Table(title=s.name, title_justify="left")
        for c in s.columns:
            t.add_column(c, overflow="fold")
        for r in s.rows:
            t.add_row(*(_cell(v) for v in r))
        con.print(t)


@click.group()
def logs() -> None:
    """CloudTrail log analytics: ingest archives, then ask incident questions.

    \b
      mamori logs ingest ./AWSLogs                       (files, dirs, *.json.gz, EventBridge JSON)
      mamori logs query key AKIA...                      what did this access key do, from where
      mamori logs query denied --top 10                  who gets AccessDenied most
      mamori logs query timeline --principal ARN         one principal's activity in order
      mamori logs query root                             root user activity
      mamori logs hunt --sigma ./sigma --since 30d       Sigma rules over the stored events
    """


@logs.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--batch-size", default=100_000, show_default=True, help="Records per insert.")
@_fmt_option
@_db_option
def ingest_cmd(paths: tuple[str, ...], batch_size: int, fmt: str, logs_db: str | None) -> None:
    """Store CloudTrail records (deduplicated on eventID). Malformed input is reported (exit 2)."""
    with LogStore(logs_db) as store:
        rep = store.ingest(paths, batch_size=batch_size)
        total = store.count()
    if fmt == "json":
        emit_json({**rep.to_dict(), "stored": total})
    else:
        console(err=True).print(
            f"{rep.inserted} event(s) stored, {rep.duplicates} already there, from {rep.stats.files} file(s) "
            f"in {rep.seconds:.2f}s; {total} in {store.path}"
        )
    if rep.stats.malformed_count:
        con = console(err=True)
        con.print(f"[yellow]{rep.stats.malformed_count} malformed item(s) skipped:[/]")
        for m in rep.stats.malformed[:20]:
            con.print(f"  {m}", markup=False, highlight=False)
        raise exit_with(EXIT_USAGE)


@logs.group("query")
def query() -> None:
    """Incident questions over the stored CloudTrail events."""


@query.command("key")
@click.argument("access_key_id")
@click.option("--geoip-db", default=None, type=click.Path(exists=True, dir_okay=False), help="A MaxMind .mmdb file (default: geoip2fast's bundled data).")
@_fmt_option
@_db_option
def key_cmd(access_key_id: str, geoip_db: str | None, fmt: str, logs_db: str | None) -> None:
    """What an access key did: principal, APIs (succeeded/failed), first/last seen, IPs and countries."""
    with LogStore(logs_db) as store:
        res = key_activity(store.con, access_key_id, geo(geoip_db))
    _emit(res, fmt)


@query.command("denied")
@click.option("--top", "limit", default=20, show_default=True)
@click.option("--since", default=None, help="ISO time.")
@click.option("--until", default=None, help="ISO time.")
@_fmt_option
@_db_option
def denied_cmd(limit: int, since: str | None, until: str | None, fmt: str, logs_db: str | None) -> None:
    """Principals with the most AccessDenied / UnauthorizedOperation errors."""
    with LogStore(logs_db) as store:
        res = top_denied(store.con, limit, _time(since, "--since"), _time(until, "--until"))
    _emit(res, fmt)


@query.command("timeline")
@click.option("--principal", required=True, metavar="ARN|KEY", help="A principal ARN (role ARN for assumed roles) or an access key id.")
@click.option("--since", default=None, help="ISO time.")
@click.option("--until", default=None, help="ISO time.")
@click.option("--limit", default=1000, show_default=True)
@_fmt_option
@_db_option
def timeline_cmd(principal: str, since: str | None, until: str | None, limit: int, fmt: str, logs_db: str | None) -> None:
    """Everything one principal did, in time order."""
    with LogStore(logs_db) as store:
        res = timeline(store.con, principal, _time(since, "--since"), _time(until, "--until"), limit)
    _emit(res, fmt)


@query.command("root")
@click.option("--since", default=None, help="ISO time.")
@click.option("--until", default=None, help="ISO time.")
@click.option("--limit", default=1000, show_default=True)
@_fmt_option
@_db_option
def root_cmd(since: str | None, until: str | None, limit: int, fmt: str, logs_db: str | None) -> None:
    """Root user activity (AWS services acting as root are left out)."""
    with LogStore(logs_db) as store:
        res = root_activity(store.con, _time(since, "--since"), _time(until, "--until"), limit)
    _emit(res, fmt)


def _since(value: str | None) -> datetime | None:
    """An ISO time, or a span back from now: 30m, 12h, 30d."""
    if not value:
        return None
    v = value.strip()
    units = {"m": 60, "h": 3600, "d": 86400}
    if v[-1:] in units and v[:-1].isdigit():
        from datetime import timedelta

        return datetime.now(UTC) - timedelta(seconds=int(v[:-1]) * units[v[-1]])
    return _time(v, "--since")


@logs.command("hunt")
@click.option("--sigma", "sigma_dirs", multiple=True, required=True, type=click.Path(exists=True), metavar="DIR",
              help="Sigma rules (files or directories) with the AWS CloudTrail logsource.")  # fmt: skip
@click.option("--since", default=None, help="ISO time, or 30m / 12h / 30d back from now.")
@click.option("--until", default=None, help="ISO time.")
@click.option("--limit", default=1000, show_default=True, help="Events listed per rule (all are counted).")
@_fmt_option
@_db_option
def hunt_cmd(sigma_dirs: tuple[str, ...], since: str | None, until: str | None, limit: int, fmt: str, logs_db: str | None) -> None:
    """Retro-hunt: run Sigma rules over the stored events (the rules `events replay --sigma` runs live).

    Reports, like `logs query`, each rule's matches (time, API, principal, address, error,
    eventID) and a summary; rules that cannot be compiled (another logsource, a correlation,
    a modifier the store cannot answer) are listed with the reason.
    """
    from mamori.events.sigma import load_sigma
    from mamori.logs.hunt import hunt

    loaded = load_sigma(sigma_dirs)
    with LogStore(logs_db) as store:
        rep = hunt(store.con, loaded.rules, since=_since(since), until=_time(until, "--until"), limit=limit,
                   skipped=loaded.skipped, has_identity="user_identity" in store.columns())  # fmt: skip
    _emit(rep.result, fmt)
    if fmt == "table":
        console(err=True).print(f"{len(loaded.rules)} Sigma rule(s), {rep.matches} matching event(s), {len(rep.skipped)} rule(s) skipped",
                                markup=False, highlight=False)  # fmt: skip
