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
        info = ctx.need(f, "finding_info", where, Mapping)
        iw = f"{where}.finding_info"
        uid = ctx.need(info, "uid", iw)
        meta = ctx.obj(f, "metadata", where)
        rule = ctx.opt(meta, "event_code", f"{where}.metadata") or ctx.opt(info, "title", iw)
        if not rule:
            raise ctx.error(f"{where}.metadata.event_code", "missing required field 'event_code'")
        severity_id = ctx.opt(f, "severity_id", where, int)
        if severity_id in SEVERITY_IDS:
            severity = SEVERITY_IDS[severity_id]
        else:
            severity = severity_label(ctx, ctx.need(f, "severity", where), f"{where}.severity")
        cloud = ctx.obj(f, "cloud", where)
        resources = ctx.seq(f, "resources", where) or [{}]
        res = resources[0] if isinstance(resources[0], Mapping) else {}
        rw = f"{where}.resources[0]"
        rid = str(ctx.opt(res, "uid", rw) or ctx.opt(res, "name", rw) or "")
        account = str(ctx.opt(ctx.obj(cloud, "account", f"{where}.cloud"), "uid", f"{where}.cloud.account") or "")
        region = str(ctx.opt(res, "region", rw) or ctx.opt(cloud, "region", f"{where}.cloud") or arn_region(rid))
        last_seen = ctx.time(f.get("time_dt") or f.get("time"), f"{where}.time", ctx.now)
        first_seen = ctx.time(
            info.get("created_time_dt") or info.get("created_time"),
            f"{where}.finding_info.created_time",
            last_seen,
        )
        product = ctx.opt(ctx.obj(meta, "product", f"{where}.metadata"), "name", f"{where}.metadata.product") or "ocsf"
        tags = tags_from(res.get("labels")) | tags_from(res.get("tags"))
        evidence = {
            "native_id": uid, "product": product, "status_detail": f.get("status_detail"), "status": f.get("status"),
            "risk": f.get("risk_details"), "remediation": ctx.obj(f, "remediation", where).get("desc"),
            "description": str(info.get("desc") or "")[:2000], "family": f"{product.lower()}:{rule}",
        }  # fmt: skip
        finding = Finding(
            id=stable_id("ocsf", uid), rule_id=str(rule), title=str(ctx.opt(info, "title", iw) or rule)[:500], severity=severity,
            status=FindingStatus.RESOLVED if resolved else FindingStatus.NEW, resource_type=str(ctx.opt(res, "type", rw) or "resource"),
            resource_id=rid, resource_arn=rid if rid.startswith("arn:") else "", account=account, region=region,
            evidence=evidence, first_seen=first_seen, last_seen=last_seen, resolved_at=last_seen if resolved else None,
            source=_source(str(product)),
        )  # fmt: skip
        return Imported(finding, FindingMeta(tags, None))


IMPORTERS.add("ocsf", OcsfImporter())
