"""Amazon GuardDuty findings: ``GetFindings`` output (``{"Findings": [...]}``) or a list of them.

Severity 1.0-3.9 is low, 4.0-6.9 medium, 7.0-8.9 high, 9.0+ critical. An archived finding
is RESOLVED. The resource is the instance, access key, bucket or cluster it is about.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mamori.hub.importers.base import IMPORTERS, Ctx, Imported, first, items_of, stable_id, tags_from
from mamori.model.finding import Finding, FindingMeta, FindingStatus, Severity


def _severity(score: float) -> Severity:
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _resource(res: Mapping[str, Any]) -> tuple[str, str, dict[str, str]]:
    """(type, id, tags) of the affected resource; parts of the wrong shape are ignored."""
    kind = res.get("ResourceType")
    kind = kind if isinstance(kind, str) else ""
    inst = _obj(res.get("InstanceDetails"))
    if kind == "Instance" and inst.get("InstanceId"):
        return "aws.ec2.instance", str(inst["InstanceId"]), tags_from(inst.get("Tags"))
    key = _obj(res.get("AccessKeyDetails"))
    if kind == "AccessKey" and (key.get("AccessKeyId") or key.get("UserName")):
        return "aws.iam.access_key", str(key.get("AccessKeyId") or key.get("UserName")), {}
    buckets = res.get("S3BucketDetails")
    if kind == "S3Bucket" and isinstance(buckets, list) and buckets and isinstance(buckets[0], Mapping):
        return (
            "aws.s3.bucket",
            str(buckets[0].get("Name") or buckets[0].get("Arn")),
            tags_from(buckets[0].get("Tags")),
        )
    eks = _obj(res.get("EksClusterDetails"))
    if eks.get("Name"):
        return "aws.eks.cluster", str(eks["Name"]), tags_from(eks.get("Tags"))
    return f"guardduty.{kind or 'resource'}", kind or "unknown", {}


class GuardDutyImporter:
    name = "guardduty"
    title = "Amazon GuardDuty (GetFindings)"

    def detect(self, doc: Any) -> bool:
        f = first(items_of(doc, "Findings"))
        return "Arn" in f and "Service" in f and "Resource" in f

    def parse(self, doc: Any, ctx: Ctx) -> Iterator[Imported]:
        items = items_of(doc, "Findings")
        if items is None:
            raise ctx.error("Findings", 'expected {"Findings": [...]} (GuardDuty GetFindings)')
        base = "Findings" if isinstance(doc, Mapping) else ""
        for i, f in enumerate(items):
            yield self.one(f, ctx, f"{base}[{i}]")

    def one(self, f: Any, ctx: Ctx, where: str) -> Imported:
        arn = ctx.need(f, "Arn", where)
        account = ctx.need(f, "AccountId", where)
        region = ctx.need(f, "Region", where)
        ftype = ctx.need(f, "Type", where)
        title = ctx.opt(f, "Title", where) or ftype
        score = ctx.need(f, "Severity", where, (int, float))
        res = ctx.need(f, "Resource", where, Mapping)
        rtype, rid, tags = _resource(res)
        service = ctx.obj(f, "Service", where)
        archived = bool(service.get("Archived"))
        created = ctx.time(f.get("CreatedAt"), f"{where}.CreatedAt", ctx.now)
        updated = ctx.time(f.get("UpdatedAt"), f"{where}.UpdatedAt", created)
        first_seen = ctx.time(service.get("EventFirstSeen"), f"{where}.Service.EventFirstSeen", created)
        last_seen = ctx.time(service.get("EventLastSeen"), f"{where}.Service.EventLastSeen", updated)
        action = _obj(service.get("Action"))
        evidence = {
            "native_id": arn, "type": ftype, "count": service.get("Count"), "action": action.get("ActionType"),
            "description": str(f.get("Description") or "")[:2000], "severity_score": score, "family": f"guardduty:{ftype}",
        }  # fmt: skip
        finding = Finding(
            id=stable_id("arn", arn), rule_id=ftype, title=str(title)[:500], severity=_severity(float(score)),
            status=FindingStatus.RESOLVED if archived else FindingStatus.NEW, resource_type=rtype, resource_id=rid,
            resource_arn="", account=str(account), region=str(region), evidence=evidence, first_seen=first_seen,
            last_seen=last_seen, resolved_at=updated if archived else None, source="guardduty",
        )  # fmt: skip
        return Imported(finding, FindingMeta(tags, None))


IMPORTERS.add("guardduty", GuardDutyImporter())
