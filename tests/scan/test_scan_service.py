"""The scan service: a request (where the estate comes from, which rules, which store) in, findings out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.collect.snapshot import write_snapshot
from mamori.findings import Store
from mamori.model import FindingStatus, Inventory, Resource, Severity
from mamori.rules import RuleSet, load_rules
from mamori.scan.service import CollectRequest, ScanRequest, failing, scan

ACCT = "111122223333"
RULE = """
id: test_volume_encrypted
title: Volumes are encrypted
severity: high
resource_type: aws.ec2.volume
rationale: Unencrypted volumes leak data.
remediation: Encrypt them.
controls: {baseline: ["4.1"]}
fail_when: {path: encrypted, eq: false}
"""


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "test_volume_encrypted.yaml").write_text(RULE)
    return load_rules([d], builtin=False)


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    res = [
        Resource("aws", ACCT, "us-east-1", "aws.ec2.volume", v, properties={"encrypted": e})
        for v, e in (("vol-a", False), ("vol-b", True), ("vol-c", False))
    ]
    inv = Inventory(res, collected_at=datetime(2026, 11, 1, tzinfo=UTC))
    inv.cover(ACCT, "us-east-1", ["aws.ec2.volume"])
    path = tmp_path / "estate.json"
    write_snapshot(inv, path)
    return path


def test_a_snapshot_without_a_store_builds_the_findings(snapshot: Path, rules: RuleSet) -> None:
    result = scan(ScanRequest(CollectRequest(snapshot=snapshot), rules))
    assert result.api_calls is None and result.outcome.summary is None
    assert [f.resource_id for f in result.findings] == ["vol-a", "vol-c"]
    assert all(f.status is FindingStatus.NEW and f.title == "Volumes are encrypted" for f in result.findings)
    assert failing(result.findings, Severity.HIGH) == result.findings
    assert failing(result.findings, Severity.CRITICAL) == []


def test_with_a_store_the_findings_are_the_stored_ones(snapshot: Path, rules: RuleSet, tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "scan.db"))
    first = scan(ScanRequest(CollectRequest(snapshot=snapshot), rules, store))
    again = scan(ScanRequest(CollectRequest(snapshot=snapshot), rules, store))
    assert first.outcome.summary is not None and again.outcome.summary is not None
    assert [f.id for f in again.findings] == [f.id for f in first.findings]
    assert [f.first_seen for f in again.findings] == [f.first_seen for f in first.findings]
    assert {f.id for f in store.findings_by_ids([f.id for f in first.findings])} == {f.id for f in first.findings}
