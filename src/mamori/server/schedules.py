"""The schedules of mamori.yaml, run inside ``mamori serve`` (config: :mod:`mamori.config.schedules`).

One asyncio task started in the app's lifespan looks every ``poll_s`` seconds for due jobs
and runs them one at a time in a worker thread (the event loop keeps serving pages). A job
calls the same service function as its CLI command:

    scan          mamori.scan.service.scan            (mamori scan; suppressions synced first)
    notify        mamori.hub.dispatch.Dispatcher.run  (mamori findings notify)
    keys          mamori.keys.enforce.enforce         (mamori keys enforce [--apply])
    suppressions  mamori.hub.sync.sync_hub            (mamori findings refresh)
    access_expire mamori.access.service.expire        (mamori access expire; IAM via schedules.aws)

Every run is logged and written to the audit log as ``schedule.<job>`` (actor ``scheduler``)
with its outcome; the newest such entry is the job's last run, so a restart does not repeat
a job that ran recently. A job that fails is recorded and tried again at its next interval.
The org-scale issue moves these onto workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mamori import audit
from mamori.config import Config
from mamori.config.schedules import AwsAccess
from mamori.findings import Store

log = logging.getLogger("mamori.server.schedules")
ACTOR = "scheduler"


@dataclass(frozen=True)
class JobContext:
    store: Store
    config: Config
    now: datetime


JobFn = Callable[[JobContext], Mapping[str, Any]]


def _targets(aws: AwsAccess) -> list[Any]:
    from mamori.collect.aws.session import AwsTarget

    arns: list[str | None] = [*aws.role_arns] or [None]
    return [
        AwsTarget(profile=aws.profile, role_arn=arn, external_id=aws.external_id, endpoint_url=aws.endpoint_url,
                  regions=tuple(aws.regions), workers=8)  # fmt: skip
        for arn in arns
    ]


def scan_job(ctx: JobContext) -> dict[str, Any]:
    from mamori.hub.sync import sync_hub
    from mamori.rules import RuleSet, load_rules
    from mamori.scan.service import CollectRequest, ScanRequest, scan

    cfg, job = ctx.config, ctx.config.schedules.scan
    assert job is not None
    sync_hub(ctx.store, cfg.suppressions_file, actor=ACTOR, now=ctx.now)
    rules = load_rules(cfg.rule_paths)
    if cfg.disabled_rules:
        rules = RuleSet(r for r in rules if r.id not in set(cfg.disabled_rules))
    source = (CollectRequest(snapshot=job.snapshot) if job.snapshot is not None
              else CollectRequest(targets=tuple(_targets(cfg.schedules.aws))))  # fmt: skip
    result = scan(ScanRequest(source, rules, ctx.store, cfg.params))
    summary = result.outcome.summary
    return {
        "scan_id": summary.scan_id if summary else None,
        "accounts": result.outcome.inventory.accounts,
        "resources": len(result.outcome.inventory),
        "open_findings": len(result.findings),
        "new": len(summary.new) if summary else 0,
        "resolved": len(summary.resolved) if summary else 0,
    }


def notify_job(ctx: JobContext) -> dict[str, Any]:
    from mamori.hub.dispatch import Dispatcher

    if not ctx.config.notifications.channels:
        return {"skipped": "no notification channels (notifications.channels in mamori.yaml)"}
    report = Dispatcher(ctx.store, ctx.config.hub).run()
    out = report.to_dict()
    out.pop("plan", None)
    if not report.ok:
        raise JobFailed("some deliveries failed (kept and retried)", out)
    return out


def keys_job(ctx: JobContext) -> dict[str, Any]:
    from mamori.keys.enforce import build_notifiers, enforce
    from mamori.keys.inventory import key_rows
    from mamori.keys.owners import owner_resolver

    cfg, job = ctx.config, ctx.config.schedules.keys
    assert job is not None
    targets = _targets(cfg.schedules.aws)
    if job.snapshot is not None:
        from mamori.collect.snapshot import read_snapshot

        inv = read_snapshot(job.snapshot)
    else:
        from mamori.collect.aws.multi import collect_accounts

        inv = collect_accounts(targets, services=("iam",)).inventory
    rows = key_rows(inv, owner_resolver(cfg.keys), now=ctx.now)
    if job.apply and job.snapshot is None:
        from mamori.remediate.clients import Clients

        rep = enforce(ctx.store.engine, rows, cfg.keys, apply=True, actor=ACTOR, now=ctx.now,
                      notifiers=build_notifiers(cfg.keys.notify, cfg.notifications.channels),
                      clients=Clients.from_targets(targets), guardrails=cfg.guardrails)  # fmt: skip
    else:
        rep = enforce(ctx.store.engine, rows, cfg.keys, apply=False, actor=ACTOR, now=ctx.now)
    results: dict[str, int] = {}
    for o in rep.outcomes:
        key = o.result.split(":")[0] if o.result else (o.decision.act.value if o.decision.act else "none")
        results[key] = results.get(key, 0) + 1
    out = {"applied": rep.applied, "keys": len(rows), "results": results, "plan_id": rep.plan_id}
    if rep.failed:
        raise JobFailed(f"{len(rep.failed)} key action(s) failed", out)
    return out


def suppressions_job(ctx: JobContext) -> dict[str, Any]:
    from mamori.hub.sync import sync_hub

    return sync_hub(ctx.store, ctx.config.suppressions_file, actor=ACTOR, now=ctx.now).as_dict()


def access_expire_job(ctx: JobContext) -> dict[str, Any]:
    from mamori.access.granters import granter_for
    from mamori.access.model import GrantError
    from mamori.access.service import expire
    from mamori.collect.aws.session import AwsTarget, ClientFactory, default_session_factory

    cfg = ctx.config
    aws = cfg.schedules.aws
    target = AwsTarget(profile=aws.profile, endpoint_url=aws.endpoint_url, home_region=cfg.access.identity_center.region, workers=2)
    granter = granter_for(cfg.access, ClientFactory(default_session_factory(target)(), target).client)
    try:
        ended = expire(ctx.store.engine, now=ctx.now, granter=granter, actor=ACTOR)
    except GrantError as exc:
        raise JobFailed(str(exc)[:500], {}) from exc
    return {"expired": [r.id for r in ended]}


JOBS: dict[str, JobFn] = {"scan": scan_job, "notify": notify_job, "keys": keys_job, "suppressions": suppressions_job,
                          "access_expire": access_expire_job}  # fmt: skip


class JobFailed(Exception):
    """A job that ran but did not fully succeed: ``details`` go into the audit entry."""

    def __init__(self, message: str, details: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.details = dict(details)


class Scheduler:
    """Runs the configured jobs when due; ``tick()`` is one look (tests drive it with a fake clock)."""

    def __init__(self, store: Store, config: Config, *, clock: Callable[[], datetime],
                 jobs: Mapping[str, JobFn] | None = None, poll_s: float = 5.0) -> None:  # fmt: skip
        self.store, self.config, self.clock, self.poll_s = store, config, clock, poll_s
        self.fns = dict(jobs or JOBS)
        self.intervals: dict[str, timedelta] = {n: j.interval for n, j in config.schedules.jobs().items()}
        self.last: dict[str, datetime | None] = {n: self._last_run(n) for n in self.intervals}
        self._task: asyncio.Task[None] | None = None

    def _last_run(self, name: str) -> datetime | None:
        found = audit.entries(self.store.engine, action=f"schedule.{name}", limit=1, newest_first=True)
        return found[0].at if found else None

    def due(self, now: datetime) -> list[str]:
        return [n for n, every in self.intervals.items() if (last := self.last.get(n)) is None or now - last >= every]

    def run_job(self, name: str, now: datetime) -> dict[str, Any]:
        """Run one job now and record it (never raises: a failure is logged and audited)."""
        self.last[name] = now
        ctx = JobContext(self.store, self.config, now)
        try:
            details: dict[str, Any] = {"ok": True, **dict(self.fns[name](ctx))}
        except JobFailed as exc:
            details = {"ok": False, "error": str(exc), **exc.details}
        except Exception as exc:  # a job must not take the server down; its error is recorded
            details = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:500]}"}
        (log.info if details["ok"] else log.warning)("schedule %s: %s", name, details)
        try:
            audit.record(self.store.engine, actor=ACTOR, action=f"schedule.{name}", subject=name, details=details, at=now)
        except Exception as exc:  # the store is down: the log line above is all we can do
            log.error("schedule %s: could not write the audit log: %s", name, exc)
        return details

    async def tick(self) -> list[str]:
        """Run every due job (one at a time, in a worker thread); the names that ran."""
        ran = []
        for name in self.due(self.clock()):
            await asyncio.to_thread(self.run_job, name, self.clock())
            ran.append(name)
        return ran

    async def _loop(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self.poll_s)

    def start(self) -> Scheduler:
        if self.intervals:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="mamori-schedules")
            log.info("schedules: %s", ", ".join(f"{n} every {self.config.schedules.jobs()[n].every}" for n in self.intervals))
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def start_schedules(app: Any) -> Scheduler:
    """Called in the app's lifespan: the scheduler over the app's store and config, started."""
    settings = app.state.settings
    sched = Scheduler(app.state.store, app.state.config, clock=settings.clock, poll_s=settings.schedule_poll_s)
    app.state.scheduler = sched
    return sched.start()
