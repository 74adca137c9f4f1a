"""mamori findings as AWS Security Finding Format (ASFF 2018-10-08) for Security Hub's BatchImportFindings.

Reusable on its own (standards and reporting use it too): :func:`to_asff` turns one
:class:`~mamori.model.finding.Finding` into an ASFF dict with every required field
(SchemaVersion, Id, ProductArn, GeneratorId, AwsAccountId, CreatedAt, UpdatedAt, Title,
Description, Severity.Label, Types, Resources) within Security Hub's size limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mamori.model.finding import Finding, FindingStatus, Severity

SCHEMA_VERSION = "2018-10-08"
DEFAULT_TYPE = "Software and Configuration Checks/AWS Security Best Practices"
VULN_TYPE = "Software and Configuration Checks/Vulnerabilities/CVE"
TTP_TYPE = "TTPs"
RESOURCE_TYPES = {
    "aws.s3.bucket": "AwsS3Bucket", "aws.ec2.instance": "AwsEc2Instance", "aws.ec2.volume": "AwsEc2Volume",
    "aws.ec2.security_group": "AwsEc2SecurityGroup", "aws.ec2.vpc": "AwsEc2Vpc", "aws.iam.user": "AwsIamUser",
    "aws.iam.role": "AwsIamRole", "aws.iam.policy": "AwsIamPolicy", "aws.iam.access_key": "AwsIamAccessKey",
    "aws.kms.key": "AwsKmsKey", "aws.rds.instance": "AwsRdsDbInstance", "aws.cloudtrail.trail": "AwsCloudTrailTrail",
    "aws.lambda.function": "AwsLambdaFunction", "aws.ecr.image": "AwsEcrContainerImage", "aws.eks.cluster": "AwsEksCluster",
}  # fmt: skip


@dataclass(frozen=True)
class RuleText:
    """What a rule adds to an exported finding (all optional)."""

    description: str = ""
    remediation: str = ""
    url: str = ""
    controls: Mapping[str, list[str]] | None = None


def product_arn(region: str, account: str) -> str:
    return f"arn:aws:securityhub:{region}:{account}:product/{account}/default"


def _ts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _types(f: Finding) -> list[str]:
    if f.source == "guardduty":
        return [TTP_TYPE]
    if f.rule_id.startswith(("CVE-", "GHSA-")) or f.source == "inspector":
        return [VULN_TYPE]
    return [DEFAULT_TYPE]


def to_asff(
    f: Finding,
    *,
    region: str | None = None,
    account: str | None = None,
    rule: RuleText | None = None,
    owner: str | None = None,
    due_at: datetime | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One finding as ASFF. ``region``/``account`` pick the product ARN (default: the finding's own)."""
    now = now or datetime.now(UTC)
    acct = f.account if f.account.isdigit() and len(f.account) == 12 else (account or "000000000000")
    reg = region or (f.region if f.region and f.region != "global" else "us-east-1")
    prod_account = account or acct
    rule = rule or RuleText()
    desc = (rule.description or f.title).strip() or f.title
    resolved = f.status is FindingStatus.RESOLVED
    removed = f.status is FindingStatus.REMOVED
    resource: dict[str, Any] = {
        "Type": RESOURCE_TYPES.get(f.resource_type, "Other"),
        "Id": f.resource_arn or f.resource_id or f.id,
        "Partition": "aws",
        "Region": f.region if f.region and f.region != "global" else reg,
    }
    if resource["Type"] == "Other":
        resource["Details"] = {"Other": {"mamori_type": f.resource_type[:1024], "resource_id": f.resource_id[:1024]}}
    doc: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": f"mamori/{f.id}",
        "ProductArn": product_arn(reg, prod_account),
        "ProductName": "mamori",
        "CompanyName": "mamori",
        "GeneratorId": f"mamori/{f.rule_id}"[:512],
        "AwsAccountId": acct,
        "Types": _types(f),
        "FirstObservedAt": _ts(f.first_seen),
        "LastObservedAt": _ts(f.last_seen),
        "CreatedAt": _ts(f.first_seen),
        "UpdatedAt": _ts(max(f.last_seen, f.resolved_at or f.last_seen)),
        "Severity": {"Label": f.severity.value.upper(), "Original": f.severity.value},
        "Title": f.title[:256],
        "Description": desc[:1024],
        "Resources": [resource],
        # REMOVED (the account left the organization): archived, not passed; ASFF has no such workflow status
        "Compliance": {"Status": "PASSED" if resolved else ("NOT_AVAILABLE" if removed else "FAILED")},
        "Workflow": {"Status": "RESOLVED" if removed else f.status.value},
        "RecordState": "ARCHIVED" if resolved or removed else "ACTIVE",
        "ProductFields": {"mamori/rule_id": f.rule_id[:1024], "mamori/finding_id": f.id, "mamori/source": f.source},
    }
    if rule.remediation:
        rec: dict[str, str] = {"Text": rule.remediation.strip()[:512]}
        if rule.url:
            rec["Url"] = rule.url
        doc["Remediation"] = {"Recommendation": rec}
    if rule.controls:
        ids = [f"{k}:{v}" for k, vs in sorted(rule.controls.items()) for v in vs]
        doc["Compliance"]["RelatedRequirements"] = ids[:32]
    fields: dict[str, str] = {}
    if owner:
        fields["owner"] = owner[:1024]
    if due_at:
        fields["due_at"] = _ts(due_at)
    if fields:
        doc["UserDefinedFields"] = fields
    if f.severity is Severity.INFORMATIONAL:
        doc["Severity"]["Label"] = "INFORMATIONAL"
    return doc
