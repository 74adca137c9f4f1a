"""`mamori worker`, `mamori beat` and `mamori scan --broker`: scans split into shards on Celery workers.

Celery, kombu and redis are imported inside the commands only (docs/distributed.md).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from mamori.cli.common import config_option, db_option, get_config
from mamori.cli.output import console

DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def broker_option(f: Any) -> Any:
    return click.option(
        "--broker", envvar="MAMORI_BROKER", required=True, metavar="URL",
        help=f"Celery broker: RabbitMQ ({DEFAULT_BROKER}) or Redis (redis://127.0.0.1:6379/0). Env: MAMORI_BROKER.",
    )(f)  # fmt: skip


def queue_option(f: Any) -> Any:
    return click.option(
        "--queue", envvar="MAMORI_QUEUE", default="mamori", show_default=True, metavar="NAME",
        help="Queue of the shards (workers and scans of one deployment use the same). Env: MAMORI_QUEUE.",
    )(f)  # fmt: skip


def redis_option(f: Any) -> Any:
    return click.option(
        "--redis", "redis_url", envvar="MAMORI_REDIS", default=None, metavar="URL",
        help="Redis for the shared rate limits (redis://127.0.0.1:6379/0). Without it each worker only has "
        "botocore's adaptive retry. Env: MAMORI_REDIS.",
    )(f)  # fmt: skip


def _settings(db: str | None, cfg: Any, redis_url: str | None, queue: str, rate: float, burst: float, cap: int) -> Any:
    from mamori.fleet.app import WorkerSettings
    from mamori.fleet.limits import Limits

    try:
        limits = Limits(rate=rate, burst=burst, account_cap=cap)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return WorkerSettings(db=db, config=cfg, redis_url=redis_url, limits=limits, queue=queue)


def _jobs(app: Any, settings: Any, cfg: Any, db: str | None) -> dict[str, Any]:
    """The schedules of mamori.yaml as worker jobs: the scan distributed, the others as `mamori serve` runs them."""
    from mamori.findings import Store
    from mamori.fleet.app import distributed_scan_job
    from mamori.server.schedules import JOBS, JobContext

    opened: list[Store] = []

    def store() -> Store:
        if not opened:
            opened.append(Store.open(db, cfg.db))
        return opened[0]

    def other(name: str) -> Any:
        return lambda: JOBS[name](JobContext(store(), cfg, datetime.now(UTC)))

    jobs: dict[str, Any] = {name: other(name) for name in JOBS if name != "scan"}
    jobs["scan"] = distributed_scan_job(app, store, cfg, settings.queue)
    return jobs


@click.command("worker")
@broker_option
@click.option("--concurrency", "-c", default=2, show_default=True, type=click.IntRange(1, 256), help="Worker processes (shards at once).")
@redis_option
@queue_option
@click.option("--beat", is_flag=True, help="Also run the schedules of mamori.yaml (Celery beat) in this worker; run it in one worker only.")
@click.option("--rate", default=10.0, show_default=True, type=float, help="Tokens/s per (account, region, service) bucket.")
@click.option("--burst", default=20.0, show_default=True, type=float, help="Bucket size (calls at once after a pause).")
@click.option("--account-cap", default=4, show_default=True, type=click.IntRange(1, 1000), help="Shards of one account collecting at once (all workers).")
@click.option("--loglevel", default="warning", show_default=True, type=click.Choice(["debug", "info", "warning", "error"]))
@db_option
@config_option
def worker(broker: str, concurrency: int, redis_url: str | None, queue: str, beat: bool, rate: float, burst: float,
           account_cap: int, loglevel: str, db: str | None, config_path: str | None) -> None:  # fmt: skip
    """A Celery worker that runs shards of distributed scans (`mamori scan --broker`).

    \b
      mamori worker --broker amqp://guest:guest@127.0.0.1:5672// --redis redis://127.0.0.1:6379/0 \\
                    --db postgresql+psycopg://mamori@db/mamori --concurrency 4

    Every worker and the scan must share the store (--db / $MAMORI_DB: PostgreSQL across
    machines), the queue and mamori.yaml (custom rules, parameters). See docs/distributed.md.
    """
    from celery.utils.nodenames import host_format

    from mamori.fleet.app import make_app

    cfg = get_config(config_path)
    settings = _settings(db, cfg, redis_url, queue, rate, burst, account_cap)
    app = make_app(broker, settings, warm=True)
    settings.jobs = _jobs(app, settings, cfg, db)
    if beat:
        from mamori.fleet.app import beat_schedule

        app.conf.beat_schedule = beat_schedule(cfg, queue)
    if redis_url is None:
        console(err=True).print("[yellow]no --redis: no shared rate limits (botocore adaptive retry only)[/]")
    w = app.Worker(
        concurrency=concurrency, pool="prefork", queues=[queue], loglevel=loglevel.upper(), beat=beat,
        hostname=host_format(f"mamori-{os.getpid()}@%h"), schedule_filename=str(_schedule_file()), quiet=True,
    )  # fmt: skip
    w.start()
    raise SystemExit(w.exitcode or 0)


def _schedule_file() -> Path:
    d = Path(os.environ.get("MAMORI_BEAT_DIR") or ".mamori")
    d.mkdir(parents=True, exist_ok=True)
    return d / "celerybeat-schedule"


@click.command("beat")
@broker_option
@queue_option
@click.option("--loglevel", default="info", show_default=True, type=click.Choice(["debug", "info", "warning", "error"]))
@db_option
@config_option
def beat(broker: str, queue: str, loglevel: str, db: str | None, config_path: str | None) -> None:
    """Celery beat: enqueue the schedules of mamori.yaml (scan, notify, keys, suppressions) for the workers.

    Run one beat per deployment (or `mamori worker --beat` in one worker). The scan job plans
    a distributed scan; the workers run its shards and record it.
    """
    from mamori.fleet.app import beat_schedule, make_app

    cfg = get_config(config_path)
    app = make_app(broker, _settings(db, cfg, None, queue, 10.0, 20.0, 4))
    app.conf.beat_schedule = beat_schedule(cfg, queue)
    if not app.conf.beat_schedule:
        raise click.UsageError("no schedules in mamori.yaml (schedules: scan: {every: 6h} ...)")
    app.Beat(loglevel=loglevel.upper(), schedule=str(_schedule_file()), quiet=True).run()


POLL_S = 0.1
"""How often the waiting scan looks for its end (one indexed row read): it sees the finaliser's
record within 0.1 s."""
POLLS_PER_COUNT = 20
"""Count the reported shards every 20 polls (2 s) when there is no progress line to update."""


def scan_on_workers(
    *, broker: str, queue: str, redis_url: str | None, targets: list[Any], services: tuple[str, ...], rules: Any,
    store: Any, params: Any, quiet: bool, wait_timeout: float, org: dict[str, Any] | None = None,
    rule_paths: tuple[Any, ...] = (),
) -> tuple[Any, list[Any], int, dict[str, Any]]:  # fmt: skip
    """Plan the shards, enqueue them, wait for the finaliser: (ScanOutcome, findings, api calls, fleet facts).

    First, an earlier distributed scan whose shards all reported but that nobody finalises (its
    finaliser died and the lease lapsed) is recorded, so the lifecycle runs in scan order."""
    from mamori.errors import CollectionError
    from mamori.fleet import service
    from mamori.fleet.app import enqueue, make_app
    from mamori.fleetstore import ops
    from mamori.scan.service import ScanOutcome, scan_findings

    if redis_url:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            raise CollectionError(f"Redis at {redis_url} does not answer: {exc}") from exc
    recovered = service.recover(store, lambda ids: _rules_for(rule_paths, ids))
    if recovered and not quiet:
        console(err=True).print(f"recorded {len(recovered)} earlier distributed scan(s) left unfinalised: {', '.join(recovered)}")
    plan = service.start(store, targets, rules, params=params, services=services, org=org)
    app = make_app(broker, _settings(None, _empty(), None, queue, 10.0, 20.0, 4))
    try:
        enqueue(app, plan, queue)
    except Exception as exc:
        raise CollectionError(f"cannot enqueue the shards on {_redact(broker)}: {exc}") from exc
    finally:
        app.close()  # the broker connection is not needed while waiting (hours, for a large organization)
    con = console(err=True)
    total = len(plan.shards)
    deadline = time.monotonic() + wait_timeout if wait_timeout > 0 else None
    shown = -1
    complete_since: float | None = None
    show = not quiet and con.is_terminal
    polls = 0
    while True:
        if ops.scan_state(store.engine, plan.fleet_id) == ops.DONE:
            break
        polls += 1
        timed_out = deadline is not None and time.monotonic() > deadline
        if not show and polls % POLLS_PER_COUNT and not timed_out:
            time.sleep(POLL_S)  # nothing to show: count the shards every 2 s only (the lost-finaliser check waits 10 s)
            continue
        prog = ops.progress(store.engine, plan.fleet_id)
        if show and prog.reported != shown:
            con.print(f"shards {prog.reported}/{total} ({prog.failed} failed)", end="\r")
            shown = prog.reported
        if prog.complete:
            complete_since = complete_since or time.monotonic()
            if time.monotonic() - complete_since > 10:  # the finaliser message was lost: finalise here
                service.finalise(store, plan.fleet_id, rules)
                complete_since = time.monotonic()
        if timed_out:
            raise CollectionError(
                f"distributed scan {plan.fleet_id}: {prog.reported}/{total} shards after {wait_timeout:g}s; "
                "the workers go on and record it when done"
            )
        time.sleep(POLL_S)
    out = service.outcome(store, plan.fleet_id, rules)
    m = out.merged
    outcome = ScanOutcome(m.inventory, m.evaluation, out.scores, out.summary, out.scan.started_at,
                          out.scan.finished_at or datetime.now(UTC), out.coverage, None)  # fmt: skip
    findings = scan_findings(outcome, rules, store)
    facts = {
        "id": plan.fleet_id, "shards": total, "failed_shards": m.failed, "redelivered": out.result.get("redelivered", {}),
        "throttles": m.throttles, "calls_by_api": m.calls, "finaliser_took_over": bool(out.result.get("took_over")),
        "recovered": recovered,
    }  # fmt: skip
    return outcome, findings, sum(m.calls.values()), facts


def _rules_for(rule_paths: tuple[Any, ...], ids: list[str]) -> Any:
    from mamori.rules import load_rules

    return load_rules(list(rule_paths)).select(ids)


def _empty() -> Any:
    from mamori.config import Config

    return Config()


def _redact(url: str) -> str:
    """The URL without its password (guest:*** @host)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
