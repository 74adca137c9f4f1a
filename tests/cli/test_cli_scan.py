"""`mamori scan|collect|findings|scans|rules` through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from mamori.collect.snapshot import FORMAT

RULE = """
id: test_volume_unencrypted
title: Volumes are encrypted
severity: high
resource_type: aws.ec2.volume
rationale: Unencrypted volumes expose data to anyone with a snapshot.
remediation: Copy to an encrypted snapshot and restore.
controls: {baseline: ["4.1"]}
fail_when: {path: encrypted, eq: false}
"""


def snapshot(path: Path, volumes: dict[str, bool], day: str = "2026-11-01") -> Path:
    doc = {
        "format": FORMAT,
        "collected_at": f"{day}T09:00:00+00:00",
        "source": "test",
        "coverage": [["111122223333", "us-east-1", "aws.ec2.volume"]],
        "errors": [],
        "resources": [
            {"provider": "aws", "account": "111122223333", "region": "us-east-1", "type": "aws.ec2.volume", "id": v, "properties": {"encrypted": e}}
            for v, e in volumes.items()
        ],
    }
    path.write_text(json.dumps(doc, indent=1))
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "my-rules").mkdir()
    (tmp_path / "my-rules" / "test_volume_unencrypted.yaml").write_text(RULE)
    (tmp_path / "mamori.yaml").write_text("rule_paths: [my-rules]\n")
    return tmp_path


ONLY = ("--rules", "test_volume_unencrypted")


def test_scan_snapshot_json_then_drift(mamori: Callable[..., Any], project: Path) -> None:
    s1 = snapshot(project / "day1.json", {"vol-a": False, "vol-b": True})
    r = mamori("scan", "--snapshot", str(s1), *ONLY, "-o", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    [f] = doc["findings"]
    assert set(f) >= {"id", "rule_id", "title", "severity", "status", "resource", "evidence", "first_seen", "last_seen"}
    assert f["resource"] == {"type": "aws.ec2.volume", "id": "vol-a", "arn": "", "account": "111122223333", "region": "us-east-1"}
    assert f["status"] == "NEW" and f["evidence"] == {"encrypted": False}
    assert len(doc["changes"]["new"]) == 1
    s2 = snapshot(project / "day2.json", {"vol-a": True, "vol-b": False}, day="2026-11-02")
    doc2 = json.loads(mamori("scan", "--snapshot", str(s2), *ONLY, "-o", "json").out)
    assert len(doc2["changes"]["new"]) == 1 and len(doc2["changes"]["resolved"]) == 1
    table = mamori("scan", "--snapshot", str(s2), *ONLY)
    assert "1 still open" in table.out and "Cloud Security Baseline" in table.out
    listed = json.loads(mamori("findings", "list", "--status", "all", "-o", "json").out)
    assert {(x["resource"]["id"], x["status"]) for x in listed} == {("vol-a", "RESOLVED"), ("vol-b", "NEW")}
    csv_out = mamori("findings", "list", "-o", "csv").out.splitlines()
    assert csv_out[0].startswith("id,rule_id,title,severity,status") and len(csv_out) == 2
    shown = mamori("findings", "show", listed[0]["id"][:10])
    assert shown.code == 0 and "how to fix" in shown.out and "history" in shown.out
    scans = mamori("scans", "list", "-o", "json")
    assert len(json.loads(scans.out)) == 3
    assert mamori("scans", "show", json.loads(scans.out)[0]["id"][:8]).code == 0


def test_fail_on_sets_the_exit_code(mamori: Callable[..., Any], project: Path) -> None:
    s1 = snapshot(project / "s.json", {"vol-a": False})
    assert mamori("scan", "--snapshot", str(s1), *ONLY, "--fail-on", "high", "--no-store").code == 1
    assert mamori("scan", "--snapshot", str(s1), *ONLY, "--fail-on", "critical", "--no-store").code == 0


def test_malformed_snapshot_names_file_and_place_and_keeps_the_store(mamori: Callable[..., Any], project: Path) -> None:
    good = snapshot(project / "s.json", {"vol-a": False})
    assert mamori("scan", "--snapshot", str(good), *ONLY).code == 0
    bad = project / "bad.json"
    bad.write_text('{"format": "mamori.snapshot/1",\n "resources": [1,]\n}')
    r = mamori("scan", "--snapshot", str(bad), *ONLY)
    assert r.code == 2 and "bad.json:2:" in r.err
    bad.write_text(json.dumps({"format": FORMAT, "collected_at": "2026-11-01T00:00:00+00:00", "resources": [{"id": "x"}]}))
    r = mamori("scan", "--snapshot", str(bad), *ONLY)
    assert r.code == 2 and "resources[0]" in r.err
    assert len(json.loads(mamori("findings", "list", "-o", "json").out)) == 1


def test_bad_config_and_rules_are_exit_2(mamori: Callable[..., Any], project: Path) -> None:
    (project / "mamori.yaml").write_text("rule_paths: [my-rules]\nbogus: 1\n")
    r = mamori("rules", "list")
    assert r.code == 2 and "mamori.yaml:bogus" in r.err
    (project / "mamori.yaml").write_text("rule_paths: [my-rules\n")
    assert "mamori.yaml:" in mamori("rules", "list").err
    (project / "mamori.yaml").write_text("rule_paths: [my-rules]\n")
    (project / "my-rules" / "x.yaml").write_text("id: y\n")
    r = mamori("rules", "list")
    assert r.code == 2 and "x.yaml" in r.err


def test_unknown_region_and_profile_are_exit_2(mamori: Callable[..., Any], project: Path) -> None:
    r = mamori("scan", "--regions", "mars-north-1", "--no-store")
    assert r.code == 2 and "unknown region" in r.err
    r = mamori("scan", "--profile", "no-such-profile", "--no-store")
    assert r.code == 2 and "no-such-profile" in r.err


def test_rules_list_and_show(mamori: Callable[..., Any], project: Path) -> None:
    data = json.loads(mamori("rules", "list", "-o", "json").out)
    assert "test_volume_unencrypted" in {d["id"] for d in data}
    r = mamori("rules", "show", "test_volume_unencrypted")
    assert r.code == 0 and "fail_when" in r.out
    assert mamori("rules", "show", "nope").code == 2


def test_collect_writes_a_snapshot_that_scans_offline(mamori: Callable[..., Any], project: Path) -> None:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=False)
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=True)
        r = mamori("collect", "-o", "estate.json", "--regions", "us-east-1", "--services", "ec2", "-q")
    assert r.code == 0, r.err
    doc = json.loads((project / "estate.json").read_text())
    assert doc["format"] == FORMAT
    r = mamori("scan", "--snapshot", "estate.json", *ONLY, "-o", "json", "--no-store")
    assert r.code == 0, r.err
    assert len(json.loads(r.out)["findings"]) == 1
