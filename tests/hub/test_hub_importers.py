"""Importers: every format from real-shaped samples, detection, stable ids, re-import idempotence, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mamori.errors import InputError
from mamori.findings import FindingFilter, Store
from mamori.hub.importers import IMPORTERS, detect_format, read_file
from mamori.hub.importers.base import load_document
from mamori.model import FindingStatus, Severity

SAMPLES = Path(__file__).parent / "samples"
EXPECTED = {
    "securityhub_asff.json": ("asff", 4, 0),
    "inspector2_findings.json": ("inspector", 4, 0),
    "guardduty_findings.json": ("guardduty", 3, 0),
    "trivy.sarif": ("sarif", 2, 0),
    "semgrep.sarif": ("sarif", 2, 0),
    "prowler_ocsf.json": ("ocsf", 2, 1),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detects_and_reads_every_sample(name: str) -> None:
    fmt, n, skipped = EXPECTED[name]
    batch = read_file(SAMPLES / name)
    assert (batch.format, len(batch.items), batch.skipped) == (fmt, n, skipped)
    assert detect_format(load_document(SAMPLES / name)) == fmt
    ids = [i.finding.id for i in batch.items]
    assert len(set(ids)) == len(ids)
    assert ids == [i.finding.id for i in read_file(SAMPLES / name, fmt).items]  # stable across reads


def test_registry_has_every_format() -> None:
    assert set(IMPORTERS) == {"asff", "inspector", "guardduty", "sarif", "ocsf"}


def test_asff_fields() -> None:
    s3, vuln, gd, passed = (i.finding for i in read_file(SAMPLES / "securityhub_asff.json").items)
    assert (s3.rule_id, s3.severity, s3.status, s3.account, s3.region) == ("S3.8", Severity.HIGH, FindingStatus.NEW, "123456789012", "ap-northeast-1")
    assert s3.resource_arn == "arn:aws:s3:::ci-logs" and s3.source == "securityhub"
    assert vuln.rule_id == "CVE-2017-5638" and vuln.severity is Severity.CRITICAL
    assert gd.rule_id == "Recon:EC2-PortProbeUnprotectedPort" and gd.region == "us-east-1"
    assert passed.status is FindingStatus.RESOLVED and passed.resolved_at is not None
    metas = [i.meta for i in read_file(SAMPLES / "securityhub_asff.json").items]
    assert metas[0].tags == {"team": "payments", "env": "prod"} and metas[1].root_cause == "ami-0c1a2017deadbeef0"


def test_inspector_root_cause_is_the_image() -> None:
    items = read_file(SAMPLES / "inspector2_findings.json").items
    assert [i.meta.root_cause for i in items[:3]] == [
        "ami-0c1a2017deadbeef0",
        "ami-0c1a2017deadbeef0",
        "payments-api@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ]
    f = items[0].finding
    assert (f.rule_id, f.resource_type, f.resource_id, f.severity) == ("CVE-2017-5638", "aws.ec2.instance", "i-0aaa1111bbbb2222c", Severity.CRITICAL)
    assert f.evidence["packages"] == ["struts2-core@2.3.31"] and f.evidence["family"] == "inspector:PACKAGE_VULNERABILITY"
    assert items[3].finding.status is FindingStatus.RESOLVED


def test_guardduty_fields() -> None:
    probe, disc, s3 = (i.finding for i in read_file(SAMPLES / "guardduty_findings.json").items)
    assert (probe.severity, probe.resource_id, probe.source) == (Severity.LOW, "i-0bbb2222cccc3333d", "guardduty")
    assert disc.severity is Severity.HIGH and disc.resource_type == "aws.iam.access_key"
    assert s3.status is FindingStatus.RESOLVED and s3.resource_id == "ci-logs"


def test_same_aws_finding_natively_and_through_security_hub_is_one_finding() -> None:
    gd_native = read_file(SAMPLES / "guardduty_findings.json").items[0].finding.id
    gd_asff = read_file(SAMPLES / "securityhub_asff.json").items[2].finding.id
    insp_native = read_file(SAMPLES / "inspector2_findings.json").items[0].finding.id
    insp_asff = read_file(SAMPLES / "securityhub_asff.json").items[1].finding.id
    assert gd_native == gd_asff and insp_native == insp_asff


def test_sarif_severity_and_stable_ids() -> None:
    high, medium = (i.finding for i in read_file(SAMPLES / "trivy.sarif").items)
    assert (high.severity, medium.severity) == (Severity.HIGH, Severity.MEDIUM)  # security-severity 7.5 / 6.1
    assert high.resource_id == "requirements.txt" and high.source == "sarif:Trivy"
    fail, passed = (i.finding for i in read_file(SAMPLES / "semgrep.sarif").items)
    assert fail.severity is Severity.HIGH and passed.status is FindingStatus.RESOLVED
    # the line moves: the id does not
    doc = json.loads((SAMPLES / "trivy.sarif").read_text())
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 30
    moved = SAMPLES.parent / "moved.sarif"
    try:
        moved.write_text(json.dumps(doc))
        assert read_file(moved).items[0].finding.id == high.id
    finally:
        moved.unlink()


def test_prowler_ocsf() -> None:
    fail, passed = (i.finding for i in read_file(SAMPLES / "prowler_ocsf.json").items)
    assert (fail.rule_id, fail.severity, fail.status, fail.account, fail.source) == (
        "s3_bucket_level_public_access_block", Severity.HIGH, FindingStatus.NEW, "123456789012", "prowler",
    )
    assert fail.resource_id == "arn:aws:s3:::ci-logs" and passed.status is FindingStatus.RESOLVED
    assert read_file(SAMPLES / "prowler_ocsf.json").items[0].meta.tags == {"team": "payments", "env": "prod"}


def test_reimport_changes_nothing(store: Store) -> None:
    for name in sorted(EXPECTED):
        batch = read_file(SAMPLES / name)
        store.upsert_findings((i.finding for i in batch.items), actor="import", meta={i.finding.id: i.meta for i in batch.items})
    before = {f.id: f for f in store.findings(FindingFilter(statuses=()))}
    hist = {fid: store.history(fid) for fid in before}
    for name in sorted(EXPECTED):
        batch = read_file(SAMPLES / name)
        out = store.upsert_findings((i.finding for i in batch.items), actor="import", meta={i.finding.id: i.meta for i in batch.items})
        assert out["inserted"] == 0 and out["reopened"] == 0
    after = {f.id: f for f in store.findings(FindingFilter(statuses=()))}
    assert after == before and {fid: store.history(fid) for fid in after} == hist
    # GuardDuty's and Inspector's findings came twice (native and via ASFF): stored once
    assert len(before) == sum(n for _, n, _ in EXPECTED.values()) - 2


@pytest.mark.parametrize(
    ("content", "fmt", "where"),
    [
        ('{"Findings": [\n  {"Id": 1,\n}]}', None, ":2:11: invalid JSON: trailing comma"),  # at the comma
        ('{"findings": [{"findingArn": "arn:x", "awsAccountId": "1", "type": "PACKAGE_VULNERABILITY", "title": "t", "severity": "HIGH"}]}', None, "findings[0].resources"),
        ('{"Findings": [{"SchemaVersion": "2018-10-08", "ProductArn": "p", "Resources": [{"Id": "r"}], "Id": "x"}]}', None, "Findings[0].AwsAccountId"),
        ('{"Findings": [{"Arn": "a", "Service": {}, "Resource": {}, "AccountId": "1", "Region": "r", "Type": "T", "Severity": "high"}]}', None, "Findings[0].Severity"),
        ('{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}}]}]}', None, "runs[0].results[0].ruleId"),
        ('[{"class_uid": 2004, "status_code": "FAIL", "finding_info": {"uid": "u"}, "metadata": {"event_code": "c"}, "severity": "Severe"}]', None, "[0].severity"),
        ('[{"class_uid": 2004, "status_code": "FAIL"}, {"class_uid": 3001}]', "ocsf", "[0].finding_info"),
        ('{"what": 1}', None, "cannot tell the format"),
        ('{"Findings": []}', "sarif", "runs"),
    ],
)
def test_malformed_files_name_file_and_place(tmp_path: Path, content: str, fmt: str | None, where: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(content)
    with pytest.raises(InputError) as exc:
        read_file(p, fmt)
    assert str(exc.value).startswith(str(p)) and where in str(exc.value), str(exc.value)


def test_json_lines_ocsf(tmp_path: Path) -> None:
    items = json.loads((SAMPLES / "prowler_ocsf.json").read_text())
    p = tmp_path / "prowler.ocsf.jsonl"
    p.write_text("\n".join(json.dumps(i) for i in items))
    assert len(read_file(p).items) == 2
