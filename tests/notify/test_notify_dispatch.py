"""The notify run against a real store (SQLite and PostgreSQL) and a local HTTP server standing in for Slack."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from mamori.config import Config
from mamori.config.hub import HubSettings
from mamori.findings import FindingFilter, Store
from mamori.hub import deliveries as log
from mamori.hub.dispatch import Dispatcher
from mamori.model import Finding, FindingStatus, Severity
from mamori.model.finding import FindingMeta
from tests.notify.conftest import Http

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def cfg(url: str, **channel: Any) -> HubSettings:
    return Config.model_validate(
        {
            "notifications": {
                "channels": {"sec": {"type": "slack", "url": url, **channel}},
                "routes": [{"channels": ["sec"], "min_severity": "medium"}],
                "retry": {"attempts": 3, "backoff_s": 0.25, "max_total_attempts": 6},
            }
        }
    ).hub


def seed(store: Store, n: int = 1200, extra: int = 2, *, status: FindingStatus = FindingStatus.NEW) -> None:
    items, meta = [], {}
    for i in range(n + extra):
        ami = "ami-0c1a2017deadbeef0" if i < n else f"ami-other-{i}"
        f = Finding(f"f{i:05d}", f"CVE-2017-{i:04d}", "openssl", Severity.HIGH, status, "aws.ec2.instance", f"i-{i % 30}", "",
                    "123456789012", "ap-northeast-1", {"family": "inspector:PACKAGE_VULNERABILITY"}, T0, T0, source="inspector")  # fmt: skip
        items.append(f)
        meta[f.id] = FindingMeta({}, ami)
    items.append(Finding("low-1", "CVE-x", "x", Severity.LOW, status, "aws.ec2.instance", "i-1", "", "1", "r", {}, T0, T0, source="inspector"))
    store.upsert_findings(items, actor="import", now=T0, meta=meta)


class Sleeps(list[float]):
    def __call__(self, s: float) -> None:
        self.append(s)


def test_one_message_per_root_cause_and_never_twice(store: Store, http: Http) -> None:
    seed(store)
    sleeps = Sleeps()
    report = Dispatcher(store, cfg(http.url), sleep=sleeps).run()
    assert report.ok and report.pending == 1202 and report.channels["sec"].sent == 1 and len(report.notified) == 1202
    [(_, body)] = http.received
    doc = json.loads(body)
    assert "1,200" in json.dumps(doc) and "ami-0c1a2017deadbeef0" in json.dumps(doc)
    assert len(doc["blocks"]) == 2 + 3  # header, 3 groups (the AMI and two others), context
    statuses = {f.id: f.status for f in store.findings(FindingFilter(statuses=()))}
    assert statuses["low-1"] is FindingStatus.NEW  # not routed (below min_severity): left alone
    assert {s for k, s in statuses.items() if k != "low-1"} == {FindingStatus.NOTIFIED}
    h = store.history("f00000")[-1]
    assert (h["from_status"], h["to_status"], h["actor"], h["note"]) == ("NEW", "NOTIFIED", "notify", "queued for sec")
    again = Dispatcher(store, cfg(http.url), sleep=sleeps).run()
    assert again.pending == 0 and again.channels == {} and len(http.received) == 1 and sleeps == []
    [d] = log.listing(store.engine)
    assert d.status is log.DeliveryStatus.SENT and len(d.finding_ids) == 1202 and d.attempts == 1


def test_dry_run_changes_nothing(store: Store, http: Http) -> None:
    seed(store, 10, 0)
    report = Dispatcher(store, cfg(http.url)).run(dry_run=True)
    assert report.dry_run and report.pending == 10 and len(report.plan["sec"]) == 1 and not http.received
    assert log.listing(store.engine) == [] and store.counts_by_status() == {"NEW": 11}


def test_failures_are_retried_with_backoff_and_on_the_next_run(store: Store, http: Http) -> None:
    seed(store, 5, 0)
    http.statuses = [503, 503, 503]
    sleeps = Sleeps()
    report = Dispatcher(store, cfg(http.url), sleep=sleeps).run()
    assert not report.ok and report.channels["sec"].failed == 1 and "retried on the next run" in report.channels["sec"].errors[0]
    assert sleeps == [0.25, 0.5] and len(http.received) == 3
    [d] = log.listing(store.engine)
    assert d.status is log.DeliveryStatus.FAILED and d.attempts == 3 and d.last_error == "slack answered 503"
    # queued = notified once; the delivery, not the findings, is retried
    assert store.counts_by_status() == {"NOTIFIED": 5, "NEW": 1}
    nxt = Dispatcher(store, cfg(http.url), sleep=sleeps).run()
    assert nxt.ok and nxt.channels["sec"].sent == 1 and len(http.received) == 4
    [d] = log.listing(store.engine)
    assert d.status is log.DeliveryStatus.SENT and d.attempts == 4


def test_non_retryable_failures_give_up_after_max_total_attempts(store: Store, http: Http) -> None:
    seed(store, 3, 0)
    http.statuses = [400] * 10
    d = Dispatcher(store, cfg(http.url), sleep=Sleeps())
    for _ in range(5):
        d.run()
    assert len(http.received) == 5  # a 400 is not retried within a run
    r = d.run()
    assert r.channels["sec"].dead == 1 and "gave up after 6 attempts" in r.channels["sec"].errors[0]
    assert log.listing(store.engine, (log.DeliveryStatus.DEAD,))[0].last_error == "slack answered 400"
    assert d.run().channels == {}  # dead deliveries stay on record and are not retried


def test_rate_limits_per_channel(store: Store, http: Http) -> None:
    seed(store, 3, 40)  # 41 groups -> 3 messages of up to 20 groups
    clock = [T0 + timedelta(days=1)]
    sleeps = Sleeps()
    d = Dispatcher(store, cfg(http.url, rate_per_minute=30, max_per_hour=2), sleep=sleeps, clock=lambda: clock[0])
    r = d.run()
    assert (r.channels["sec"].sent, r.channels["sec"].deferred) == (2, 1) and r.ok
    assert sleeps == [2.0]  # 30 per minute: 2 s between messages
    assert d.run().channels["sec"].deferred == 1  # still within the hour
    clock[0] += timedelta(hours=1, seconds=1)
    assert d.run().channels["sec"].sent == 1 and len(http.received) == 3


def test_reopened_findings_are_notified_again(store: Store, http: Http) -> None:
    seed(store, 2, 0)
    Dispatcher(store, cfg(http.url)).run()
    f = store.finding("f00000")
    assert f is not None
    store.upsert_findings([replace(f, status=FindingStatus.RESOLVED)], actor="import", now=T0 + timedelta(days=1))
    store.upsert_findings([replace(f, status=FindingStatus.NEW)], actor="import", now=T0 + timedelta(days=2))
    r = Dispatcher(store, cfg(http.url)).run()
    assert r.pending == 1 and r.channels["sec"].sent == 1 and len(http.received) == 2


def test_missing_secret_is_recorded_not_lost(store: Store, monkeypatch: Any) -> None:
    monkeypatch.delenv("MAMORI_TEST_SLACK", raising=False)
    seed(store, 2, 0)
    c = Config.model_validate({"notifications": {"channels": {"sec": {"type": "slack", "url_env": "MAMORI_TEST_SLACK"}}}})
    r = Dispatcher(store, c.hub).run()
    assert not r.ok and "MAMORI_TEST_SLACK" in r.channels["sec"].errors[0]
    assert log.listing(store.engine)[0].status is log.DeliveryStatus.FAILED
