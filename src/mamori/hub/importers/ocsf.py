"""OCSF 1.x Detection Findings (class_uid 2004), as Prowler writes them (``--output-formats json-ocsf``).

Accepted shapes: a JSON array of findings (Prowler's file), JSON Lines, or one finding.
``status_code`` FAIL is open, PASS is RESOLVED, MANUAL (and anything else) is skipped.
The rule is the check id (``metadata.event_code``); the id is a hash of ``finding_info.uid``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mamori.hub.importers.base import (
    IMPORTERS,
    Ctx,
    Imported,
    arn_region,
    severity_label,
    stable_id,
    tags_from,
)
from mamori.model.finding import Finding, FindingMeta, FindingStatus, Severity

SEVERITY_IDS = {
    0: Severity.INFORMATIONAL, 1: Severity.INFORMATIONAL, 2: Severity.LOW, 3: Severity.MEDIUM,
    4: Severity.HIGH, 5: Severity.CRITICAL, 6: Severity.CRITICAL,
}  # fmt: skip


def _source(product: str) -> str:
    """The producer as the finding's source; never plain ``mamori`` (that is the scan lifecycle's)."""
    name = product.lower()
    return ("ocsf:" + name if name == "mamori" else name)[:40]


class OcsfImporter:
    name = "ocsf"
    title = "OCSF Detection Finding 2004 (Prowler json-ocsf)"

    def detect(self, doc: Any) -> bool:
        if isinstance(doc, Mapping):
            return doc.get("class_uid") == 2004
        return (
            isinstance(doc, list)
            and bool(doc)
            and isinstance(doc[0], Mapping)
            and doc[0].get("class_uid") == 2004
        )

    def parse(self, doc: Any, ctx: Ctx) -> Iterator[Imported]:
        items = [doc] if isinstance(doc, Mapping) else doc
        if not isinstance(items, list):
            raise ctx.error("", "expected a JSON array of OCSF Detection Findings")
        for i, f in enumerate(items):
            w = f"[{i}]"
            if not isinstance(f, Mapping):
                raise ctx.error(w, "expected an object")
            if f.get("class_uid") != 2004:
                raise ctx.error(
                    f"{w}.class_uid", f"not a Detection Finding (class_uid 2004): {f.get('class_uid')!r}"
                )
            status_code = str(f.get("status_code") or "").upper()
            if status_code not in ("FAIL", "PASS"):
                ctx.skipped += 1
                continue
            yield self.one(f, ctx, w, resolved=status_code == "PASS")

    def one(self, f: Mapping[str, Any], ctx: Ctx, where: str, *, resolved: bool) -> Imported:
        info = ctx.need(f, "finding_info", where, dict)
        uid = ctx.need(info, "uid", f"{where}.finding_info")
        meta = f.get("metadata") or {}
        rule = meta.get("event_code") or info.get("title")
        if not rule:
            raise ctx.error(f"{where}.metadata.event_code", "missing required field 'event_code'")
        if f.get("severity_id") in SEVERITY_IDS:
            severity = SEVERITY_IDS[f["severity_id"]]
        else:
            severity = severity_label(ctx, ctx.need(f, "severity", where), f"{where}.severity")
        cloud = f.get("cloud") or {}
        resources = f.get("resources") or [{}]
        res = resources[0] if isinstance(resources[0], Mapping) else {}
        rid = str(res.get("uid") or res.get("name") or "")
        account = str((cloud.get("account") or {}).get("uid") or "")
        region = str(res.get("region") or cloud.get("region") or arn_region(rid))
        last_seen = ctx.time(f.get("time_dt") or f.get("time"), f"{where}.time", ctx.now)
        first_seen = ctx.time(
            info.get("created_time_dt") or info.get("created_time"),
            f"{where}.finding_info.created_time",
            last_seen,
        )
        product = (meta.get("product") or {}).get("name") or "ocsf"
        tags = tags_from(res.get("labels")) | tags_from(res.get("tags"))
        evidence = {
            "native_id": uid, "product": product, "status_detail": f.get("status_detail"), "status": f.get("status"),
            "risk": f.get("risk_details"), "remediation": (f.get("remediation") or {}).get("desc"),
            "description": str(info.get("desc") or "")[:2000], "family": f"{product.lower()}:{rule}",
        }  # fmt: skip
        finding = Finding(
            id=stable_id("ocsf", uid), rule_id=str(rule), title=str(info.get("title") or rule)[:500], severity=severity,
            status=FindingStatus.RESOLVED if resolved else FindingStatus.NEW, resource_type=str(res.get("type") or "resource"),
            resource_id=rid, resource_arn=rid if rid.startswith("arn:") else "", account=account, region=region,
            evidence=evidence, first_seen=first_seen, last_seen=last_seen, resolved_at=last_seen if resolved else None,
            source=_source(str(product)),
        )  # fmt: skip
        return Imported(finding, FindingMeta(tags, None))


IMPORTERS.add("ocsf", OcsfImporter())
