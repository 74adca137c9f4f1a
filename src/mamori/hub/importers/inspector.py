"""Amazon Inspector v2 findings: ``ListFindings`` output (``{"findings": [...]}``) or a list of them.

The root cause of a package vulnerability is the image it came from: the AMI of an EC2
instance, ``repository@digest`` of an ECR image, the function of a Lambda; so one old AMI
with 1,200 CVEs on 50 instances is one digest entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mamori.hub.importers.base import (
    IMPORTERS,
    Ctx,
    Imported,
    first,
    items_of,
    severity_label,
    stable_id,
    tags_from,
)
from mamori.model.finding import Finding, FindingMeta, FindingStatus

TYPES = {
    "AWS_EC2_INSTANCE": "aws.ec2.instance",
    "AWS_ECR_CONTAINER_IMAGE": "aws.ecr.image",
    "AWS_ECR_REPOSITORY": "aws.ecr.repository",
    "AWS_LAMBDA_FUNCTION": "aws.lambda.function",
}


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def root_cause(res: Mapping[str, Any]) -> str:
    details = _obj(res.get("details"))
    ec2 = _obj(details.get("awsEc2Instance"))
    if isinstance(ec2.get("imageId"), str) and ec2["imageId"]:
        return str(ec2["imageId"])
    ecr = _obj(details.get("awsEcrContainerImage"))
    if isinstance(ecr.get("repositoryName"), str) and ecr["repositoryName"]:
        return f"{ecr['repositoryName']}@{ecr.get('imageHash', '')}"
    return str(res.get("id", ""))


class InspectorImporter:
    name = "inspector"
    title = "Amazon Inspector v2 (ListFindings)"

    def detect(self, doc: Any) -> bool:
        return "findingArn" in first(items_of(doc, "findings"))

    def parse(self, doc: Any, ctx: Ctx) -> Iterator[Imported]:
        items = items_of(doc, "findings")
        if items is None:
            raise ctx.error("findings", 'expected {"findings": [...]} (Inspector2 ListFindings)')
        base = "findings" if isinstance(doc, Mapping) else ""
        for i, f in enumerate(items):
            yield self.one(f, ctx, f"{base}[{i}]")

    def one(self, f: Any, ctx: Ctx, where: str) -> Imported:
        arn = ctx.need(f, "findingArn", where)
        account = ctx.need(f, "awsAccountId", where)
        ftype = ctx.need(f, "type", where)
        title = ctx.need(f, "title", where)
        severity = severity_label(ctx, ctx.need(f, "severity", where), f"{where}.severity")
        res = ctx.first(f, "resources", where)
        rid = ctx.need(res, "id", f"{where}.resources[0]")
        rtype = ctx.need(res, "type", f"{where}.resources[0]")
        status = ctx.opt(f, "status", where) or "ACTIVE"
        first_seen = ctx.time(f.get("firstObservedAt"), f"{where}.firstObservedAt", ctx.now)
        last_seen = ctx.time(f.get("lastObservedAt"), f"{where}.lastObservedAt", first_seen)
        updated = ctx.time(f.get("updatedAt"), f"{where}.updatedAt", last_seen)
        pv = ctx.obj(f, "packageVulnerabilityDetails", where)
        pvw = f"{where}.packageVulnerabilityDetails"
        code = ctx.obj(f, "codeVulnerabilityDetails", where)
        rule = (
            ctx.opt(pv, "vulnerabilityId", pvw) or ctx.opt(code, "detectorId", f"{where}.codeVulnerabilityDetails") or title
        )  # fmt: skip
        packages = [
            f"{p.get('name')}@{p.get('version', '')}"
            for p in ctx.seq(pv, "vulnerablePackages", pvw)
            if isinstance(p, Mapping)
        ]
        root = root_cause(res)
        evidence = {
            "native_id": arn, "type": ftype, "status": status, "vulnerability": pv.get("vulnerabilityId"),
            "packages": packages, "fix_available": f.get("fixAvailable"), "exploit_available": f.get("exploitAvailable"),
            "inspector_score": f.get("inspectorScore"), "source_url": pv.get("sourceUrl"),
            "remediation": _obj(_obj(f.get("remediation")).get("recommendation")).get("text"),
            "description": str(f.get("description") or "")[:2000], "image": root, "family": f"inspector:{ftype}",
        }  # fmt: skip
        resolved = status == "CLOSED"
        finding = Finding(
            id=stable_id("arn", arn), rule_id=str(rule), title=str(title)[:500], severity=severity,
            status=FindingStatus.RESOLVED if resolved else FindingStatus.NEW,
            resource_type=TYPES.get(rtype, rtype), resource_id=rid, resource_arn=rid if rid.startswith("arn:") else "",
            account=str(account), region=str(ctx.opt(res, "region", f"{where}.resources[0]") or ctx.opt(f, "region", where) or ""), evidence=evidence,
            first_seen=first_seen, last_seen=last_seen, resolved_at=updated if resolved else None, source="inspector",
        )  # fmt: skip
        return Imported(finding, FindingMeta(tags_from(res.get("tags")), root))


IMPORTERS.add("inspector", InspectorImporter())
