"""ASFF and OCSF exporters; sending to Security Hub (moto) in batches of 100 with retries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from mamori.hub.export.asff import RuleText, product_arn, to_asff
from mamori.hub.export.ocsf import to_ocsf
from mamori.hub.importers import read_file
from mamori.hub.securityhub import BATCH, HubError, send_findings
from mamori.model import Finding, FindingStatus, Severity

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
REQUIRED = {"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt", "UpdatedAt", "Title", "Description", "Severity", "Types", "Resources"}


def finding(n: int = 0, *, status: FindingStatus = FindingStatus.NEW, sev: Severity = Severity.HIGH, **kw: Any) -> Finding:
    base = dict(
        id=f"{n:024x}", rule_id="s3_bucket_public_via_acl", title="S3 buckets are not public via ACLs", severity=sev, status=status,
        resource_type="aws.s3.bucket", resource_id=f"bucket-{n}", resource_arn=f"arn:aws:s3:::bucket-{n}", account="123456789012",
        region="ap-northeast-1", evidence={"acl": "public-read"}, first_seen=T0, last_seen=T0 + timedelta(days=1),
        resolved_at=T0 + timedelta(days=2) if status is FindingStatus.RESOLVED else None,
    )  # fmt: skip
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def test_asff_has_every_required_field() -> None:
    doc = to_asff(finding(), rule=RuleText("Public ACLs expose data.", "Remove the grants.", "", {"fsbp": ["S3.2"]}), owner="sre", due_at=T0)
    assert set(doc) >= REQUIRED
    assert doc["ProductArn"] == "arn:aws:securityhub:ap-northeast-1:123456789012:product/123456789012/default"
    assert doc["Severity"]["Label"] == "HIGH" and doc["Resources"][0]["Type"] == "AwsS3Bucket"
    assert doc["Resources"][0]["Id"] == "arn:aws:s3:::bucket-0" and doc["Workflow"] == {"Status": "NEW"}
    assert doc["CreatedAt"] == "2026-11-01T09:00:00.000Z" and doc["RecordState"] == "ACTIVE"
    assert doc["Remediation"]["Recommendation"]["Text"] == "Remove the grants." and doc["UserDefinedFields"]["owner"] == "sre"
    gone = to_asff(finding(status=FindingStatus.RESOLVED, region="global", resource_type="aws.iam.root", resource_arn=""), region="us-east-1")
    assert gone["RecordState"] == "ARCHIVED" and gone["Compliance"]["Status"] == "PASSED"
    assert gone["Resources"][0]["Type"] == "Other" and gone["Resources"][0]["Region"] == "us-east-1"
    assert len(to_asff(finding(title="x" * 400))["Title"]) == 256
    assert product_arn("eu-west-1", "1") == "arn:aws:securityhub:eu-west-1:1:product/1/default"


def test_asff_round_trips_through_the_importer(tmp_path: Path) -> None:
    p = tmp_path / "out.json"
    p.write_text(json.dumps({"Findings": [to_asff(finding(i)) for i in range(3)]}))
    batch = read_file(p)
    assert batch.format == "asff" and [i.finding.severity for i in batch.items] == [Severity.HIGH] * 3


def test_ocsf_detection_finding_round_trips(tmp_path: Path) -> None:
    doc = to_ocsf(finding(sev=Severity.CRITICAL), owner="sre")
    assert (doc["class_uid"], doc["category_uid"], doc["type_uid"], doc["severity_id"], doc["status_id"]) == (2004, 2, 200401, 5, 1)
    assert doc["finding_info"]["uid"] == finding().id and doc["cloud"]["account"]["uid"] == "123456789012"
    assert doc["metadata"]["product"]["name"] == "mamori" and doc["metadata"]["version"].startswith("1.")
    resolved = to_ocsf(finding(1, status=FindingStatus.RESOLVED))
    assert resolved["status_id"] == 4 and resolved["status_code"] == "PASS" and resolved["type_uid"] == 200403
    p = tmp_path / "out.ocsf.json"
    p.write_text(json.dumps([doc, resolved]))
    a, b = (i.finding for i in read_file(p).items)
    assert (a.severity, a.status, a.source, b.status) == (Severity.CRITICAL, FindingStatus.NEW, "ocsf:mamori", FindingStatus.RESOLVED)


@mock_aws
def test_send_to_moto_security_hub_in_batches_of_100() -> None:
    client = boto3.client("securityhub", region_name="ap-northeast-1")
    client.enable_security_hub()
    docs = [to_asff(finding(i)) for i in range(250)]
    docs.append({**to_asff(finding(999)), "Resources": []})  # Security Hub rejects this one
    sleeps: list[float] = []
    report = send_findings(client, docs, attempts=2, backoff_s=0.5, sleep=sleeps.append)
    assert report.sent == 250 and report.batches == 3 and list(report.failed) == ["mamori/" + f"{999:024x}"]
    assert "at least one resource" in report.failed["mamori/" + f"{999:024x}"]
    assert report.calls == 4 and sleeps == [0.5]  # only the failed finding was retried
    stored = client.get_findings(MaxResults=100)
    assert len(stored["Findings"]) == 100 and stored.get("NextToken")
    again = send_findings(client, docs[:10])  # BatchImportFindings updates by Id: no duplicates
    assert again.sent == 10
    total, token = 0, None
    while True:
        page = client.get_findings(MaxResults=100, **({"NextToken": token} if token else {}))
        total += len(page["Findings"])
        token = page.get("NextToken")
        if not token:
            break
    assert total == 250


class Flaky:
    """A client that throttles the first call, then accepts: batches must stay <= 100."""

    def __init__(self, code: str = "ThrottlingException") -> None:
        self.calls: list[int] = []
        self.code = code

    def batch_import_findings(self, Findings: list[dict[str, Any]]) -> dict[str, Any]:
        assert len(Findings) <= BATCH
        self.calls.append(len(Findings))
        if len(self.calls) == 1:
            raise ClientError({"Error": {"Code": self.code, "Message": "slow down"}}, "BatchImportFindings")
        return {"FailedCount": 0, "SuccessCount": len(Findings), "FailedFindings": []}


def test_throttling_is_retried_and_access_denied_is_an_error() -> None:
    client = Flaky()
    report = send_findings(client, [to_asff(finding(i)) for i in range(150)], sleep=lambda s: None)
    assert report.sent == 150 and client.calls == [100, 100, 50] and not report.failed
    with pytest.raises(HubError, match="AccessDenied"):
        send_findings(Flaky("AccessDeniedException"), [to_asff(finding())], sleep=lambda s: None)
    always = Flaky()
    always.batch_import_findings = lambda Findings: (_ for _ in ()).throw(  # type: ignore[method-assign]
        ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "BatchImportFindings")
    )
    report = send_findings(always, [to_asff(finding())], attempts=3, sleep=lambda s: None)
    assert report.sent == 0 and len(report.failed) == 1 and report.calls == 3
