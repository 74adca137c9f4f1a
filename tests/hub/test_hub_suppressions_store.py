"""Suppressions in the store: exact selectors, expiry, removal, scans and imports, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mamori.findings import FindingFilter, Store
from mamori.model import Finding, FindingStatus, Inventory, Resource, Severity
from mamori.model.finding import FindingMeta
from mamori.model.suppression import Selector, Suppression, SuppressionId, SuppressionIndex, Target
from mamori.rules import RuleSet, load_rules
from mamori.scan.service import run_scan

ACCT = "111122223333"
DAY1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
RULE = """
id: test_bucket_public
title: Buckets are not public
severity: high
resource_type: aws.s3.bucket
rationale: Public buckets leak data.
remediation: Block public access.
controls: {baseline: ["4.1"]}
fail_when: {path: policy_public, eq: true}
"""


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "test_bucket_public.yaml").write_text(RULE)
    return load_rules([d], builtin=False)


def inv(buckets: dict[str, bool], day: int, tags: dict[str, dict[str, str]] | None = None) -> Inventory:
    tags = tags or {}
    res = [
        Resource("aws", ACCT, "us-east-1", "aws.s3.bucket", b, arn=f"arn:aws:s3:::{b}", tags=tags.get(b, {}), properties={"policy_public": p})
        for b, p in buckets.items()
    ]
    i = Inventory(res, collected_at=DAY1 + timedelta(days=day))
    i.cover(ACCT, "us-east-1", ["aws.s3.bucket"])
    return i


def scan(store: Store, rules: RuleSet, i: Inventory):  # type: ignore[no-untyped-def]
    return run_scan(i, rules, store=store, now=i.collected_at).summary


def status(store: Store) -> dict[str, FindingStatus]:
    return {f.resource_id: f.status for f in store.findings(FindingFilter(statuses=()))}


def sup(sid: str, *, days: int = 10, start: datetime = DAY1, **sel: object) -> Suppression:
    return Suppression(
        SuppressionId(sid), Selector(**sel), "accepted: public build logs", "alice@example.com",  # type: ignore[arg-type]
        expires_at=start + timedelta(days=days), created_at=start, created_by="bob",
    )


def test_selectors_match_exactly_never_by_substring() -> None:
    t = Target("f1", "r", ACCT, "us-east-1", "ci-logs-replica", "arn:aws:s3:::ci-logs-replica", {"env": "prod-eu"})
    assert not Selector(resource_id="ci-logs").matches(t)
    assert not Selector(resource_id="arn:aws:s3:::ci-logs").matches(t)
    assert not Selector(tags={"env": "prod"}).matches(t)
    assert not Selector(rule_id="r", account="11112222333").matches(t)
    assert Selector(resource_id="ci-logs-replica").matches(t)
    assert Selector(resource_id="arn:aws:s3:::ci-logs-replica", rule_id="r", tags={"env": "prod-eu"}).matches(t)
    with pytest.raises(ValueError, match="at least one selector"):
        Selector()
    idx = SuppressionIndex([sup("a", resource_id="ci-logs"), sup("b", days=-1, resource_id="ci-logs-replica")], DAY1)
    assert idx.match(t) is None


def test_scan_suppresses_exactly_and_keeps_suppressed_while_failing(store: Store, rules: RuleSet) -> None:
    store.add_suppressions([sup("s-logs", rule_id="test_bucket_public", resource_id="ci-logs")], actor="alice", now=DAY1)
    s1 = scan(store, rules, inv({"ci-logs": True, "ci-logs-replica": True}, day=0))
    assert status(store) == {"ci-logs": FindingStatus.SUPPRESSED, "ci-logs-replica": FindingStatus.NEW}
    assert len(s1.suppressed) == 1 and len(s1.new) == 1
    scan(store, rules, inv({"ci-logs": True, "ci-logs-replica": True}, day=1))
    assert status(store)["ci-logs"] is FindingStatus.SUPPRESSED
    fid = next(f.id for f in store.findings(FindingFilter(statuses=())) if f.resource_id == "ci-logs")
    assert store.meta([fid])[fid]["suppression_id"] == "s-logs"
    [h] = store.history(fid)
    assert h["to_status"] == "SUPPRESSED" and "s-logs" in h["note"] and "public build logs" in h["note"]


def test_expiry_reopens_on_the_next_scan_and_passing_resolves(store: Store, rules: RuleSet) -> None:
    store.add_suppressions([sup("s1", days=3, resource_id="a"), sup("s2", days=30, resource_id="b")], actor="alice", now=DAY1)
    scan(store, rules, inv({"a": True, "b": True}, day=0))
    assert status(store) == {"a": FindingStatus.SUPPRESSED, "b": FindingStatus.SUPPRESSED}
    s = scan(store, rules, inv({"a": True, "b": False}, day=5))  # s1 expired on day 3; b passes
    assert status(store) == {"a": FindingStatus.NEW, "b": FindingStatus.RESOLVED}
    assert len(s.reopened) == 1 and len(s.resolved) == 1
    fid = next(f.id for f in store.findings() if f.resource_id == "a")
    assert [(h["from_status"], h["to_status"]) for h in store.history(fid)] == [(None, "SUPPRESSED"), ("SUPPRESSED", "NEW")]


def test_refresh_reopens_expired_and_removal_reopens(store: Store, rules: RuleSet) -> None:
    store.add_suppressions([sup("s1", days=2, resource_id="a")], actor="alice", now=DAY1)
    scan(store, rules, inv({"a": True, "b": True}, day=0))
    s2 = sup("s2", days=30, resource_id="b", start=DAY1 + timedelta(hours=1))
    assert len(store.add_suppressions([s2], actor="alice", now=DAY1 + timedelta(hours=1))) == 1  # suppresses at once
    assert store.refresh(now=DAY1 + timedelta(days=1)) == []
    reopened = store.refresh(actor="cron", now=DAY1 + timedelta(days=2, seconds=1))
    assert len(reopened) == 1 and status(store)["a"] is FindingStatus.NEW
    hist = store.history(reopened[0])[-1]
    assert hist["actor"] == "cron" and "expired" in hist["note"]
    back = store.remove_suppression("s2", actor="carol", now=DAY1 + timedelta(days=3))
    assert len(back) == 1 and status(store)["b"] is FindingStatus.NEW
    assert "removed by carol" in store.history(back[0])[-1]["note"]
    assert {s.id for s in store.suppressions(include_inactive=True)} == {"s1", "s2"}
    assert store.suppressions(now=DAY1 + timedelta(days=3)) == []


def test_tag_selector_uses_collected_tags(store: Store, rules: RuleSet) -> None:
    store.add_suppressions([sup("s-sbx", tags={"env": "sandbox"})], actor="alice", now=DAY1)
    scan(store, rules, inv({"x": True, "y": True}, day=0, tags={"x": {"env": "sandbox"}, "y": {"env": "sandbox-2"}}))
    assert status(store) == {"x": FindingStatus.SUPPRESSED, "y": FindingStatus.NEW}


def _ext(fid: str, rid: str, st: FindingStatus = FindingStatus.NEW, day: int = 0) -> Finding:
    t = DAY1 + timedelta(days=day)
    return Finding(fid, "CVE-1", "openssl", Severity.HIGH, st, "aws.ec2.instance", rid, "", ACCT, "us-east-1", {}, t, t, source="inspector")


def test_imports_respect_suppressions_and_tags(store: Store) -> None:
    store.add_suppressions([sup("s-web", tags={"team": "web"})], actor="alice", now=DAY1)
    meta = {"f1": FindingMeta({"team": "web"}, "ami-1"), "f2": FindingMeta({"team": "webshop"}, "ami-1")}
    out = store.upsert_findings([_ext("f1", "i-1"), _ext("f2", "i-2")], actor="import", now=DAY1, meta=meta)
    assert out == {"inserted": 2, "updated": 0, "reopened": 0, "suppressed": 1}
    assert {f.id: f.status for f in store.findings(FindingFilter(statuses=()))} == {"f1": FindingStatus.SUPPRESSED, "f2": FindingStatus.NEW}
    assert store.meta(["f2"])["f2"]["root_cause"] == "ami-1"
    # passing in the source resolves a suppressed finding; failing again while suppressed stays suppressed
    store.upsert_findings([_ext("f1", "i-1", FindingStatus.RESOLVED, day=1)], actor="import", now=DAY1 + timedelta(days=1))
    assert store.finding("f1").status is FindingStatus.RESOLVED  # type: ignore[union-attr]
    store.upsert_findings([_ext("f1", "i-1", day=2)], actor="import", now=DAY1 + timedelta(days=2))
    assert store.finding("f1").status is FindingStatus.SUPPRESSED  # type: ignore[union-attr]
    # expired: the next import reopens it
    store.upsert_findings([_ext("f1", "i-1", day=20)], actor="import", now=DAY1 + timedelta(days=20))
    assert store.finding("f1").status is FindingStatus.NEW  # type: ignore[union-attr]


def test_sync_from_file_adds_changes_and_removes(store: Store, rules: RuleSet) -> None:
    scan(store, rules, inv({"a": True, "b": True}, day=0))
    now = DAY1 + timedelta(days=1)
    out = store.sync_suppressions("file:s.yaml", [sup("f-a", resource_id="a", start=now)], actor="ci", now=now)
    assert out["added"] == ["f-a"] and len(out["suppressed"]) == 1
    later = replace(sup("f-a", resource_id="a", start=now), created_at=now + timedelta(hours=1))
    again = store.sync_suppressions("file:s.yaml", [later], actor="ci", now=now)
    assert again["added"] == [] and again["suppressed"] == []  # unchanged entry: nothing happens
    gone = store.sync_suppressions("file:s.yaml", [], actor="ci", now=now)
    assert gone["removed"] == ["f-a"] and len(gone["reopened"]) == 1
    assert status(store) == {"a": FindingStatus.NEW, "b": FindingStatus.NEW}


def test_notified_mark_once_per_state(store: Store) -> None:
    store.upsert_findings([_ext("f1", "i-1")], actor="import", now=DAY1)
    assert store.mark_notified(["f1"], actor="notify", note="queued for slack", now=DAY1) == ["f1"]
    assert store.mark_notified(["f1"], actor="notify", note="queued for slack", now=DAY1) == []
    assert [h["to_status"] for h in store.history("f1")] == ["NEW", "NOTIFIED"]
