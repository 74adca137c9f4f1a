"""AWS Security Finding Format (ASFF): Security Hub exports, ``GetFindings`` / ``BatchGetFindings`` output.

Accepted shapes: ``{"Findings": [...]}``, a list of findings, or one finding. Status: an
ARCHIVED record, a RESOLVED workflow or a PASSED compliance status is RESOLVED, anything
else is open (NEW). Security Hub's own SUPPRESSED workflow is kept in the evidence but
does not suppress in mamori: exceptions here need a reason, an approver and an expiry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mamori.hub.importers.base import (
    IMPORTERS,
    Ctx,
    Imported,
    arn_region,
    first,
    items_of,
    severity_label,
    stable_id,
    tags_from,
)
from mamori.model.finding import Finding, FindingMeta, FindingStatus, Severity


def _normalized(n: float) -> Severity:
    if n >= 90:
        return Severity.CRITICAL
    if n >= 70:
        return Severity.HIGH
    if n >= 40:
        return Severity.MEDIUM
    if n >= 1:
        return Severity.LOW
    return Severity.INFORMATIONAL


def root_cause(resources: list[Any]) -> str | None:
    """The image behind a vulnerable instance or container: the AMI id or repository@digest."""
    for r in resources:
        d = r.get("Details") if isinstance(r, Mapping) else None
        d = d if isinstance(d, Mapping) else {}
        ec2 = d.get("AwsEc2Instance")
        if isinstance(ec2, Mapping) and isinstance(ec2.get("ImageId"), str) and ec2["ImageId"]:
            return str(ec2["ImageId"])
        ecr = d.get("AwsEcrContainerImage")
        if isinstance(ecr, Mapping) and isinstance(ecr.get("RepositoryName"), str) and ecr["RepositoryName"]:
            return f"{ecr['RepositoryName']}@{ecr.get('ImageDigest', '')}"
    return None


class AsffImporter:
    name = "asff"
    title = "AWS Security Finding Format (Security Hub)"

    def detect(self, doc: Any) -> bool:
        if isinstance(doc, Mapping) and "ProductArn" in doc and "SchemaVersion" in doc:
            return True
        f = first(items_of(doc, "Findings"))
        return "ProductArn" in f and "Resources" in f

    def parse(self, doc: Any, ctx: Ctx) -> Iterator[Imported]:
        if isinstance(doc, Mapping) and "ProductArn" in doc:
            doc = [doc]
        items = items_of(doc, "Findings")
        base = "Findings" if isinstance(doc, Mapping) else ""
        if items is None:
            raise ctx.error("Findings", 'expected {"Findings": [...]} or a list of ASFF findings')
        for i, f in enumerate(items):
            yield self.one(f, ctx, f"{base}[{i}]")

    def one(self, f: Any, ctx: Ctx, where: str) -> Imported:
        native = ctx.need(f, "Id", where)
        product = ctx.need(f, "ProductArn", where)
        account = ctx.need(f, "AwsAccountId", where)
        title = ctx.need(f, "Title", where)
        res0 = ctx.first(f, "Resources", where)
        resources = f["Resources"]
        rid = ctx.need(res0, "Id", f"{where}.Resources[0]")
        sev = ctx.need(f, "Severity", where, Mapping)
        if sev.get("Label"):
            severity = severity_label(ctx, sev["Label"], f"{where}.Severity.Label")
        elif ctx.opt(sev, "Normalized", f"{where}.Severity", (int, float)) is not None:
            severity = _normalized(float(sev["Normalized"]))
        else:
            raise ctx.error(f"{where}.Severity", "needs Label or Normalized")
        updated = ctx.time(f.get("UpdatedAt"), f"{where}.UpdatedAt", ctx.now)
        created = ctx.time(f.get("CreatedAt"), f"{where}.CreatedAt", updated)
        first_seen = ctx.time(f.get("FirstObservedAt"), f"{where}.FirstObservedAt", created)
        last_seen = ctx.time(f.get("LastObservedAt"), f"{where}.LastObservedAt", updated)
        workflow = ctx.opt(ctx.obj(f, "Workflow", where), "Status", f"{where}.Workflow") or ctx.opt(f, "WorkflowState", where) or ""
        compliance = ctx.obj(f, "Compliance", where)
        resolved = (
            f.get("RecordState") == "ARCHIVED"
            or workflow == "RESOLVED"
            or compliance.get("Status") == "PASSED"
        )
        vulns = [
            v.get("Id") for v in ctx.seq(f, "Vulnerabilities", where) if isinstance(v, Mapping) and isinstance(v.get("Id"), str) and v["Id"]
        ]  # fmt: skip
        generator = ctx.need(f, "GeneratorId", where)
        types = [t for t in ctx.seq(f, "Types", where) if isinstance(t, str)]
        by_type = types[-1].rsplit("/", 1)[-1] if generator.startswith("arn:") and types else None
        control = ctx.opt(compliance, "SecurityControlId", f"{where}.Compliance")
        rule = control or (vulns[0] if vulns else None) or by_type or generator
        region = (
            ctx.opt(res0, "Region", f"{where}.Resources[0]") or ctx.opt(f, "Region", where) or arn_region(rid) or arn_region(native)
        )  # fmt: skip
        fid = stable_id("arn", native) if native.startswith("arn:") else stable_id("asff", product, native)
        product_name = ctx.opt(f, "ProductName", where) or product.rsplit("/", 1)[-1]
        evidence = {
            "product": product_name, "native_id": native, "generator": f.get("GeneratorId"), "types": types,
            "description": str(f.get("Description") or "")[:2000], "workflow": workflow,
            "family": f"asff:{product_name}:" + ("vulnerability" if vulns else str(f.get("GeneratorId") or rule)),
        }  # fmt: skip
        if vulns:
            evidence["vulnerabilities"] = vulns
        finding = Finding(
            id=fid, rule_id=str(rule), title=str(title)[:500], severity=severity,
            status=FindingStatus.RESOLVED if resolved else FindingStatus.NEW,
            resource_type=str(ctx.opt(res0, "Type", f"{where}.Resources[0]") or "Other"), resource_id=rid,
            resource_arn=rid if rid.startswith("arn:") else "", account=str(account), region=str(region or ""),
            evidence=evidence, first_seen=first_seen, last_seen=last_seen,
            resolved_at=updated if resolved else None, source="securityhub",
        )  # fmt: skip
        return Imported(finding, FindingMeta(tags_from(res0.get("Tags")), root_cause(resources)))


IMPORTERS.add("asff", AsffImporter())
