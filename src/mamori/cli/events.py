"""`mamori events`: replay CloudTrail offline, watch S3 / SQS, and query what happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mamori.cli.exits import EXIT_FAILED, EXIT_USAGE, exit_with
from mamori.cli.output import FORMATS, console, emit_csv, emit_json, sev_text
from mamori.events.config import EventsConfig, load_events_config
from mamori.events.ledger import Ledger, MemoryLedger
from mamori.events.loader import DetectionSet, load_detections
from mamori.events.matcher import Matcher
from mamori.events.processor import Outcome, Processor
from mamori.events.reader import ReadStats
from mamori.events.run import RunReport, Watcher, replay
from mamori.model.finding import Severity

if TYPE_CHECKING:  # imported where used: a replay without a store needs neither SQLAlchemy nor boto3
    from mamori.events.sources import S3Source, SqsSource
    from mamori.findings import Store
    from mamori.notify import Notifier

SEVERITIES = [s.value for s in Severity]


def _fmt_option(f: Any) -> Any:
    return click.option("-o", "--output", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="table for people; json or csv for tools.")(f)  # fmt: skip


def _common(f: Any) -> Any:
    f = click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                     help="mamori.yaml (its events: key) or an events config file (default: $MAMORI_CONFIG, ./mamori.yaml).")(f)  # fmt: skip
    return click.option("--db", default=None, metavar="URL|PATH", help="Store (default: $MAMORI_DB, then ./.mamori/mamori.db).")(f)


def _sigma_option(f: Any) -> Any:
    return click.option("--sigma", "sigma_dirs", multiple=True, type=click.Path(exists=True), metavar="DIR",
                        help="Sigma rules (files or directories; AWS CloudTrail logsource) to run beside the detections; "
                             "adds to sigma_rules: in mamori.yaml. Rules that cannot be compiled are listed with the reason.")(f)  # fmt: skip


def _load_sigma(cfg: EventsConfig, sigma_dirs: tuple[str, ...], fmt: str) -> tuple[list[Any], dict[str, Any]]:
    """The Sigma rules of the config and the command line: (detections, report); skipped rules are told on stderr."""
    paths: list[str | Path] = [*cfg.sigma_rules, *sigma_dirs]
    if not paths:
        return [], {}
    from mamori.events.sigma import load_sigma

    loaded = load_sigma(paths)
    if fmt == "table" or loaded.skipped:
        con = console(err=True)
        con.print(f"{len(loaded.rules)} Sigma rule(s) compiled from {loaded.files} file(s), {len(loaded.skipped)} skipped"
                  + (":" if loaded.skipped else ""), markup=False, highlight=False)  # fmt: skip
        for sk in loaded.skipped:
            con.print(f"  skipped {sk}", markup=False, highlight=False)
    return loaded.detections, {"sigma": loaded.to_dict()}


def _detections(cfg: EventsConfig, only: tuple[str, ...] = (), extra: list[Any] | None = None) -> DetectionSet:
    ds = load_detections(cfg.detection_paths)
    if extra:
        ds = DetectionSet([*ds, *extra])
    ids = [x.strip() for v in only for x in v.split(",") if x.strip()]
    if ids:
        for i in ids:
            ds.get(i)
        return ds.without(d.id for d in ds if d.id not in set(ids))
    return ds.without(cfg.disabled) if cfg.disabled else ds


def _open_store(db: str | None, cfg: EventsConfig) -> Store:
    from mamori.findings import Store

    return Store.open(db, cfg.db)


def _event_store(store: Store) -> Ledger:
    from mamori.events.store import EventStore

    return EventStore(store.engine)


AUTO_PARALLEL_BYTES = 2 * 1024 * 1024


def _auto_workers(paths: tuple[str, ...]) -> int:
    """One reader per CPU (at most 8) for an archive worth forking for, else one process."""
    import os

    from mamori.events.reader import iter_files

    total = 0
    for f in iter_files(paths):
        try:
            total += f.stat().st_size
        except OSError:
            continue
        if total >= AUTO_PARALLEL_BYTES:
            return max(1, min(os.cpu_count() or 1, 8))
    return 1


def _notifiers(cfg: EventsConfig) -> list[Notifier]:
    import mamori.notify.channels  # noqa: F401 - registers the built-in channels
    from mamori.notify import NOTIFIERS

    out: list[Notifier] = []
    for i, ch in enumerate(cfg.notify):
        spec = dict(ch)
        name = spec.pop("channel", None)
        if not name or name not in NOTIFIERS:
            raise click.UsageError(f"events.notify[{i}]: unknown channel {name!r} (known: {', '.join(NOTIFIERS)})")
        out.append(NOTIFIERS.get(name)(**spec))
    return out


def _stats_err(stats: ReadStats, limit: int = 20) -> None:
    if not stats.malformed_count:
        return
    con = console(err=True)
    con.print(f"[yellow]{stats.malformed_count} malformed item(s) skipped (the rest was processed):[/]")
    for m in stats.malformed[:limit]:
        con.print(f"  {m}", markup=False, highlight=False)
    if stats.malformed_count > limit:
        con.print(f"  … and {stats.malformed_count - limit} more (-o json lists {min(stats.malformed_count, stats.keep)})")


def _response_text(o: Outcome) -> str:
    parts = []
    for r in o.responses:
        s = f"{r.responder}:{r.result.value}"
        if r.result.value in ("planned", "applied") and r.intent.calls:
            s += " " + "; ".join(str(c) for c in r.intent.calls)
        parts.append(s)
    return ", ".join(parts)


def _emit_outcomes(outcomes: list[Outcome], fmt: str, extra: dict[str, Any]) -> None:
    if fmt == "json":
        emit_json({**extra, "detections": [o.to_dict() for o in outcomes]})
    elif fmt == "csv":
        emit_csv(
            ([o.match.detection.id, o.match.detection.spec.severity.value, " ".join(o.match.event_ids),
              o.match.record.get("eventTime"), o.match.principal.arn, o.match.account, o.match.region, o.match.resource,
              o.offence, _response_text(o)] for o in outcomes),
            ("detection", "severity", "event_ids", "event_time", "principal", "account", "region", "resource", "offence", "responses"),
        )  # fmt: skip
    else:
        con = console()
        if not outcomes:
            con.print("[green]No detection fired.[/]")
            return
        from rich.table import Table  # only the table output needs it (~0.05 s of start-up)

        t = Table(title="Detections", title_justify="left")
        for c in ("time", "severity", "detection", "principal", "event", "offence", "responses"):
            t.add_column(c, overflow="fold")
        for o in outcomes:
            m = o.match
            t.add_row(
                str(m.record.get("eventTime", "")), sev_text(m.detection.spec.severity), m.detection.id, m.principal.arn,
                m.event_id if len(m.event_ids) == 1 else f"{m.event_id} (+{len(m.event_ids) - 1})",
                str(o.offence or "-") + (" dup" if o.duplicate else ""), _response_text(o),
            )  # fmt: skip
        con.print(t)


@click.group()
def events() -> None:
    """Event-driven guardrails: CloudTrail -> detections -> responses, recorded.

    \b
      mamori events replay ./AWSLogs -o json        offline, through every detection
      mamori events watch --s3 s3://trail-bucket/AWSLogs/ --interval 30
      mamori events watch --sqs https://sqs.../cloudtrail-events --once
      mamori events history --principal arn:aws:iam::111122223333:role/ops
      mamori events offenders                       repeat offences per principal
      mamori events detections                      what is detected

      mamori events replay ./AWSLogs --sigma ./sigma   with Sigma rules (CloudTrail logsource)
      mamori events export --sigma ./out             the detections as Sigma rules

    Responders that change something run in dry-run unless configured to act
    (events: {modes: {<detection>: act}} in mamori.yaml).
    """


@events.command("replay")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--detections", "only", multiple=True, metavar="IDS", help="Only these detections (comma-separated).")
@click.option("--no-store", is_flag=True, help="Record nothing (no findings, no history).")
@click.option("--notify", "send", is_flag=True, help="Send notifications through the configured channels.")
@click.option("--max-file-mib", type=click.IntRange(min=1), default=None,
              help="Skip (and report) files larger than this after decompression [default: events.max_file_mib, 256].")
@click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False), default=None,
              help="Exit 1 when a detection at least this severe fired.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Reader processes (the result is the same with any number) [default: one per CPU, up to 8; "
                   "one for less than 2 MiB of input].")  # fmt: skip
@_sigma_option
@_fmt_option
@_common
def replay_cmd(
    paths: tuple[str, ...], only: tuple[str, ...], no_store: bool, send: bool, max_file_mib: int | None, fail_on: str | None,
    workers: int | None, sigma_dirs: tuple[str, ...], fmt: str, db: str | None, config_path: str | None,
) -> None:  # fmt: skip
    """Run CloudTrail files through the detections, offline (never acts; plans are recorded).

    PATHS are files or directories: the S3 archive layout (*.json.gz), JSON files with a
    Records array, EventBridge events (one, an array, or JSON lines). Malformed files and
    records are reported with their place and skipped; the exit code is then 2.
    """
    cfg = load_events_config(config_path)
    sigma, sigma_report = _load_sigma(cfg, sigma_dirs, fmt)
    ds = _detections(cfg, only, sigma)
    proc = Processor(Matcher(ds, cfg.params), cfg, MemoryLedger(), None, None, _notifiers(cfg) if send else (), allow_act=False)

    def attach_store() -> None:  # once the readers are reading: the store's imports and migrations overlap them
        if no_store:
            return
        proc.store = _open_store(db, cfg)
        proc.ledger = _event_store(proc.store)

    rep = replay(paths, proc, max_bytes=(max_file_mib or cfg.max_file_mib) * 1024 * 1024, workers=workers or _auto_workers(paths),
                 started=attach_store)  # fmt: skip
    summary = {"events": rep.stats.records, "files": rep.stats.files, "malformed": rep.stats.malformed_count,
               "seconds": round(rep.seconds, 3), "detections_loaded": len(ds), **proc.counts.to_dict()}  # fmt: skip
    _emit_outcomes(rep.outcomes, fmt, {"summary": summary, "malformed": [m.to_dict() for m in rep.stats.malformed], **sigma_report})
    if fmt == "table":
        console(err=True).print(
            f"{rep.stats.records} events from {rep.stats.files} file(s) in {rep.seconds:.2f}s: "
            f"{len(rep.outcomes)} detection(s), {proc.counts.duplicates} already recorded, {proc.counts.planned} response(s) planned"
        )
    _stats_err(rep.stats)
    if fail_on:
        worst = Severity.parse(fail_on)
        if any(o.match.detection.spec.severity.at_least(worst) for o in rep.outcomes):
            raise exit_with(EXIT_FAILED)
    if rep.stats.malformed_count:
        raise exit_with(EXIT_USAGE)


@events.command("watch")
@click.option("--s3", "s3_url", default=None, metavar="s3://BUCKET/PREFIX", help="Follow new CloudTrail files under this prefix.")
@click.option("--sqs", "sqs_url", default=None, metavar="QUEUE_URL", help="Follow an SQS queue of EventBridge events / S3 notifications.")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between polls.")
@click.option("--once", is_flag=True, help="One poll, then exit (tests, cron).")
@click.option("--max-polls", type=int, default=None, help="Stop after this many polls.")
@click.option("--wait", "wait_seconds", default=1, show_default=True, help="SQS long-poll seconds per receive.")
@click.option("--region", default=None, help="Region of the bucket / queue (default: the profile's, else us-east-1).")
@click.option("--profile", default=None, help="AWS profile.")
@click.option("--endpoint-url", default=None, envvar="MAMORI_ENDPOINT_URL", metavar="URL", help="An AWS-compatible endpoint (moto, LocalStack).")
@_sigma_option
@_fmt_option
@_common
def watch_cmd(
    s3_url: str | None, sqs_url: str | None, interval: float, once: bool, max_polls: int | None, wait_seconds: int,
    region: str | None, profile: str | None, endpoint_url: str | None, sigma_dirs: tuple[str, ...], fmt: str, db: str | None,
    config_path: str | None,
) -> None:  # fmt: skip
    """Follow new CloudTrail events continuously, respond and record (checkpointed).

    After a crash or restart nothing is processed twice and nothing is skipped: S3 objects
    are checkpointed by key; SQS messages are deleted only after they are recorded; every
    (eventID, detection) is claimed once.
    """
    if bool(s3_url) == bool(sqs_url):
        raise click.UsageError("give exactly one of --s3 or --sqs")
    cfg = load_events_config(config_path)
    from mamori.collect.aws.session import AwsTarget, ClientFactory, default_session_factory
    from mamori.events.sources import S3Source, SqsSource
    from mamori.events.store import EventStore
    from mamori.remediate.clients import Clients

    store = _open_store(db, cfg)
    ledger = EventStore(store.engine)
    target = AwsTarget(profile=profile, endpoint_url=endpoint_url, home_region=region or "us-east-1", max_attempts=5, workers=4)
    factory = ClientFactory(default_session_factory(target)(), target)
    clients = Clients.assuming(target, role_name=cfg.role_name)
    sigma, _ = _load_sigma(cfg, sigma_dirs, fmt)
    proc = Processor(Matcher(_detections(cfg, (), sigma), cfg.params), cfg, ledger, store, clients, _notifiers(cfg), persist_windows=True)
    proc.restore_windows()  # bursts counted before a restart go on counting
    if s3_url:
        try:
            src: S3Source | SqsSource = S3Source(s3_url, factory.client("s3", target.home_region), ledger)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--s3") from None
    else:
        assert sqs_url is not None
        src = SqsSource(sqs_url, factory.client("sqs", target.home_region), factory.client("s3", target.home_region), wait_seconds=wait_seconds)
    watcher = Watcher(src, proc, max_bytes=cfg.max_file_mib * 1024 * 1024)

    def on_poll(rep: RunReport) -> None:
        now = datetime.now(UTC).strftime("%H:%M:%S")
        if fmt == "json":
            emit_json({"at": now, "source": src.name, "batches": rep.batches, "acknowledged": rep.acked,
                       "events": rep.stats.records, "malformed": [m.to_dict() for m in rep.stats.malformed],
                       "errors": rep.errors, "detections": [o.to_dict() for o in rep.outcomes]})  # fmt: skip
        else:
            if rep.outcomes:
                _emit_outcomes(rep.outcomes, fmt, {})
            if fmt == "table":
                console(err=True).print(
                    f"[dim]{now}[/] {src.name}: {rep.batches} new, {rep.stats.records} events, "
                    f"{len(rep.outcomes)} detection(s) in {rep.seconds:.2f}s"
                )
            _stats_err(rep.stats)
            for e in rep.errors:
                console(err=True).print(f"[yellow]{e}[/]", markup=True)

    watcher.run(interval=interval, once=once, max_polls=max_polls, on_poll=on_poll)


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    v = value.strip()
    units = {"m": 1 / 60, "h": 1.0, "d": 24.0}
    if v[-1:] in units and v[:-1].isdigit():
        return datetime.now(UTC) - timedelta(hours=int(v[:-1]) * units[v[-1]])
    try:
        ts = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r}: give an ISO time or 30m / 12h / 7d", param_hint="--since") from None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


@events.command("history")
@click.option("--principal", default=None, metavar="ARN", help="One principal (a user ARN, or the role ARN of assumed-role sessions).")
@click.option("--detection", default=None, help="One detection id.")
@click.option("--since", default=None, help="ISO time, or 30m / 12h / 7d ago.")
@click.option("--limit", default=200, show_default=True)
@_fmt_option
@_common
def history_cmd(principal: str | None, detection: str | None, since: str | None, limit: int, fmt: str, db: str | None, config_path: str | None) -> None:
    """Recorded detections and every response to them, newest first."""
    cfg = load_events_config(config_path)
    from mamori.events.store import EventStore, HistoryFilter

    es = EventStore(_open_store(db, cfg).engine)
    rows = es.history(HistoryFilter(principal, detection, _since(since), limit))
    if fmt == "json":
        emit_json(rows)
        return
    if fmt == "csv":
        emit_csv(
            ([r["event_time"].isoformat(), r["detection_id"], r["severity"], r["principal_arn"], r["event_id"], r["offence"],
              r["failed"], "; ".join(f"{x['responder']}:{x['mode']}:{x['result']}" for x in r["responses"])] for r in rows),
            ("event_time", "detection", "severity", "principal", "event_id", "offence", "failed_call", "responses"),
        )  # fmt: skip
        return
    con = console()
    if not rows:
        con.print("[green]Nothing recorded.[/]")
        return
    from rich.table import Table

    t = Table(title="Event history", title_justify="left")
    for c in ("time", "severity", "detection", "principal", "event", "offence", "responses"):
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(
            r["event_time"].strftime("%Y-%m-%d %H:%M:%S"), sev_text(Severity(r["severity"])), r["detection_id"],
            r["principal_arn"], r["event_id"], str(r["offence"] or "attempt"),
            ", ".join(f"{x['responder']}:{x['result']}" + (f" ({x['error']})" if x["error"] else "") for x in r["responses"]),
        )  # fmt: skip
    con.print(t)


@events.command("offenders")
@click.option("--principal", default=None, metavar="ARN", help="One principal.")
@_fmt_option
@_common
def offenders_cmd(principal: str | None, fmt: str, db: str | None, config_path: str | None) -> None:
    """Offences (successful calls) and attempts (failed calls) per principal."""
    cfg = load_events_config(config_path)
    from mamori.events.store import EventStore

    rows = EventStore(_open_store(db, cfg).engine).offence_counts(principal)
    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        emit_csv(([r["principal"], r["type"], r["offences"], r["attempts"], r["first"].isoformat(), r["last"].isoformat(),
                   " ".join(f"{k}={v}" for k, v in sorted(r["by_detection"].items()))] for r in rows),
                 ("principal", "type", "offences", "attempts", "first", "last", "by_detection"))  # fmt: skip
    else:
        from rich.table import Table

        t = Table(title="Offences per principal", title_justify="left")
        for c in ("principal", "type", "offences", "attempts", "first", "last", "detections"):
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(r["principal"], r["type"], str(r["offences"]), str(r["attempts"]), r["first"].strftime("%Y-%m-%d %H:%M"),
                      r["last"].strftime("%Y-%m-%d %H:%M"), ", ".join(f"{k}×{v}" for k, v in sorted(r["by_detection"].items())))  # fmt: skip
        console().print(t)


@events.command("detections")
@_fmt_option
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help="Events config (extra detection paths).")
def detections_cmd(fmt: str, config_path: str | None) -> None:
    """The detections, their MITRE ATT&CK techniques, baseline items and responders."""
    ds = load_detections(load_events_config(config_path).detection_paths)
    rows: list[dict[str, Any]] = [
        {"id": d.id, "title": d.spec.title, "severity": d.spec.severity.value, "mitre": d.spec.mitre,
         "baseline": d.spec.baseline, "events": [f"{s}:{n}" for s, n in d.keys],
         "responders": [r.responder for r in d.spec.respond],
         "escalate": [r.responder for r in d.spec.escalate.respond] if d.spec.escalate else []}
        for d in ds
    ]  # fmt: skip
    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        emit_csv(([r["id"], r["severity"], r["title"], " ".join(r["mitre"]), " ".join(r["baseline"]), " ".join(r["responders"])] for r in rows),
                 ("id", "severity", "title", "mitre", "baseline", "responders"))  # fmt: skip
    else:
        from rich.table import Table

        t = Table(title=f"{len(rows)} detections", title_justify="left")
        for c in ("id", "severity", "title", "MITRE", "responders"):
            t.add_column(c, overflow="fold")
        for r in rows:
            resp = ", ".join(r["responders"]) + (f" → repeat: {', '.join(r['escalate'])}" if r["escalate"] else "")
            t.add_row(r["id"], sev_text(Severity(r["severity"])), r["title"], " ".join(r["mitre"]), resp)
        console().print(t)


@events.command("export")
@click.option("--sigma", "sigma_dir", is_flag=False, flag_value="-", default="-", metavar="[DIR]",
              help="Write one Sigma rule per detection into DIR (default: all of them to stdout, as YAML documents).")  # fmt: skip
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help="Events config (extra detection paths).")
def export_cmd(sigma_dir: str, config_path: str | None) -> None:
    """mamori's detections as Sigma rules (AWS CloudTrail logsource), for a SIEM.

    What Sigma cannot say is kept honest: a threshold becomes a Sigma correlation rule
    (event_count / value_count) over its base rule; a hook (Python) becomes the event
    selection plus a ``mamori:`` note naming what the hook checks, and ``falsepositives``
    says the rule is broader than mamori's.
    """
    from mamori.events.sigma_export import export_all, write_dir

    ds = load_detections(load_events_config(config_path).detection_paths)
    docs = export_all(ds)
    if sigma_dir == "-":
        import yaml

        click.echo(yaml.safe_dump_all([d for _, d in docs], sort_keys=False, allow_unicode=True), nl=False)
        return
    written = write_dir(docs, sigma_dir)
    console(err=True).print(f"{len(written)} Sigma rule file(s) written to {sigma_dir}", markup=False, highlight=False)
