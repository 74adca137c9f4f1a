"""The notify run: route NEW findings, build digests, queue them in the delivery log, deliver.

1. Expired suppressions are evaluated (findings may reopen to NEW).
2. NEW findings are routed to channels and grouped by root cause into digests.
3. In one transaction: the digests are queued (``hub_deliveries``, PENDING) and the routed
   findings go NEW -> NOTIFIED with a history row naming the channels. So a finding is
   never notified twice for the same state; reopening makes it NEW again.
4. Every PENDING or FAILED delivery (from this run or earlier ones) is sent, with
   ``retry.attempts`` tries and exponential backoff, within each channel's rate limits
   (``rate_per_minute`` spaces messages, ``max_per_hour`` defers the rest to a later run).
   Outcomes are recorded; failures stay FAILED and are retried on the next run until
   ``retry.max_total_attempts``, then DEAD — reported, never lost silently.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mamori.config.hub import ChannelConfig, HubSettings, NotificationsConfig
from mamori.errors import ConfigError
from mamori.findings import FindingFilter, Store
from mamori.findings import suppressions as hubops
from mamori.hub import deliveries as log
from mamori.hub.digest import build_groups, digests
from mamori.hub.routing import route_all
from mamori.hub.view import HubFinding, enrich
from mamori.model.finding import FindingStatus
from mamori.notify.base import NOTIFIERS, DeliveryError, Notification, Notifier
from mamori.store.db import write_transaction


@dataclass
class ChannelReport:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class NotifyReport:
    dry_run: bool
    pending: int
    notified: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    plan: dict[str, list[Notification]] = field(default_factory=dict)
    channels: dict[str, ChannelReport] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.failed == 0 and c.dead == 0 for c in self.channels.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run, "pending_findings": self.pending, "notified": len(self.notified),
            "reopened": len(self.reopened),
            "plan": {c: [{"subject": n.subject, "findings": len(n.about)} for n in ns] for c, ns in self.plan.items()},
            "channels": {c: r.to_dict() for c, r in self.channels.items()},
        }  # fmt: skip


def build_notifier(name: str, ch: ChannelConfig, env: Mapping[str, str] | None = None) -> Notifier:
    """A channel from its config; secrets come from environment variables named in the config."""
    env = os.environ if env is None else env

    def secret(var: str | None, what: str) -> str | None:
        if var is None:
            return None
        if not env.get(var):
            raise ConfigError(f"channel {name!r}: environment variable {var} ({what}) is not set", where=f"notifications.channels.{name}")
        return env[var]

    kwargs: dict[str, Any] = {"timeout": ch.timeout}
    if ch.type in ("slack", "webhook"):
        kwargs["url"] = ch.url or secret(ch.url_env, "the URL")
        if ch.type == "webhook":
            kwargs["secret"] = secret(ch.secret_env, "the signing secret")
    elif ch.type == "email":
        kwargs.update(host=ch.host, port=ch.port, sender=ch.sender, to=ch.to, starttls=ch.starttls, username=ch.username)
        kwargs["password"] = secret(ch.password_env, "the SMTP password")
    notifier: Notifier = NOTIFIERS.get(ch.type)(**kwargs)
    return notifier


def notifiers_named(names: Sequence[str], channels: Mapping[str, Any], *, where: str) -> list[Notifier]:
    """``log``/``memory`` or channels named under ``notifications.channels`` (keys, access: ``where``
    is their config key); an unknown name is a ConfigError that lists the known ones."""
    out: list[Notifier] = []
    for name in names:
        if name in channels:
            out.append(build_notifier(name, channels[name]))
        elif name in ("log", "memory"):
            out.append(NOTIFIERS.get(name)())
        else:
            known = ", ".join(sorted(channels)) or "none"
            raise ConfigError(f"unknown notification channel {name!r} (log, or one of notifications.channels: {known})",
                              source="mamori.yaml", where=where)  # fmt: skip
    return out


class Dispatcher:
    def __init__(
        self,
        store: Store,
        cfg: HubSettings,
        *,
        notifiers: Mapping[str, Notifier] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        per_message: int = 20,
    ) -> None:
        self.store, self.cfg, self.sleep, self.clock, self.per_message = store, cfg, sleep, clock, per_message
        self.ncfg: NotificationsConfig = cfg.notifications
        self._notifiers: dict[str, Notifier] = dict(notifiers or {})

    def notifier(self, name: str) -> Notifier:
        if name not in self._notifiers:
            self._notifiers[name] = build_notifier(name, self.ncfg.channels[name])
        return self._notifiers[name]

    def pending(self, now: datetime) -> list[HubFinding]:
        found = self.store.findings(FindingFilter(statuses=(FindingStatus.NEW,)))
        return enrich(found, self.store.meta([f.id for f in found]), self.cfg.owners, self.cfg.sla, now)

    def plan(self, now: datetime) -> dict[str, list[Notification]]:
        routed = route_all(self.ncfg, self.pending(now))
        return {c: digests(build_groups(hs), per_message=self.per_message) for c, hs in routed.items() if hs}

    def run(self, *, dry_run: bool = False) -> NotifyReport:
        now = self.clock()
        reopened = [] if dry_run else self.store.refresh(actor="notify", now=now)
        plan = self.plan(now)
        ids = sorted({fid for ns in plan.values() for n in ns for fid in n.about})
        report = NotifyReport(dry_run=dry_run, pending=len(ids), reopened=reopened, plan=plan)
        report.channels = {c: ChannelReport(queued=len(ns)) for c, ns in plan.items()}
        if dry_run:
            return report
        if plan:
            with write_transaction(self.store.engine) as conn:
                for channel, ns in plan.items():
                    log.queue(conn, channel, ns, now)
                chans = ", ".join(sorted(plan))
                report.notified = hubops.mark_notified(conn, ids, now, "notify", f"queued for {chans}")
        for channel in self.ncfg.channels:
            due = log.due(self.store.engine, channel)
            if due:
                self.deliver(channel, due, report.channels.setdefault(channel, ChannelReport()))
        return report

    def deliver(self, channel: str, due: list[log.Delivery], rep: ChannelReport) -> None:
        ch = self.ncfg.channels[channel]
        retry = self.ncfg.retry
        budget = len(due)
        if ch.max_per_hour is not None:
            budget = max(0, ch.max_per_hour - log.sent_since(self.store.engine, channel, log.hour_ago(self.clock())))
        interval = 60.0 / ch.rate_per_minute if ch.rate_per_minute else 0.0
        try:
            notifier = self.notifier(channel)
        except ConfigError as exc:
            rep.failed += len(due)
            rep.errors.append(str(exc))
            for d in due:
                log.record(self.store.engine, d, ok=False, tries=1, error=str(exc), now=self.clock(), max_total=retry.max_total_attempts)
            return
        for n, d in enumerate(due):
            if n >= budget:
                rep.deferred += len(due) - n
                break
            if n and interval:
                self.sleep(interval)
            error: str | None = None
            tries = 0
            for attempt in range(retry.attempts):
                tries += 1
                try:
                    notifier.send(d.notification)
                    error = None
                    break
                except DeliveryError as exc:
                    error = str(exc)
                    if not exc.retryable or attempt == retry.attempts - 1:
                        break
                    self.sleep(retry.backoff_s * 2**attempt)
            status = log.record(
                self.store.engine, d, ok=error is None, tries=tries, error=error, now=self.clock(), max_total=retry.max_total_attempts
            )
            if status is log.DeliveryStatus.SENT:
                rep.sent += 1
            elif status is log.DeliveryStatus.DEAD:
                rep.dead += 1
                rep.errors.append(f"{d.id}: gave up after {d.attempts + tries} attempts: {error}")
            else:
                rep.failed += 1
                rep.errors.append(f"{d.id}: {error} (retried on the next run)")
