"""GuardDuty: one ``aws.guardduty.region`` per region (is a detector enabled?)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso
from mamori.model.resource import Resource
from mamori.model.resources.guardduty import REGION, GuardDutyRegion


@COLLECTORS.register("guardduty")
class GuardDutyCollector(AwsCollector):
    service = "guardduty"
    scope = "regional"
    resource_types = (REGION,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("guardduty", region)
        ids = ctx.paginate(client, "list_detectors", "DetectorIds")
        details: list[tuple[str, Any]] = [
            (
                d,
                ctx.call(client, "get_detector", region=region, resource_type=REGION, resource_id=region, DetectorId=d),
            )
            for d in ids
        ]
        known = [(d, det) for d, det in details if det is not MISSING]
        enabled: Any = any(det.get("Status") == "ENABLED" for _, det in known)
        if not enabled and len(known) < len(details):
            enabled = None  # a detector we could not read may be the enabled one
        # A region has at most one detector; report the enabled one if there is one.
        d_id, det = next(((d, x) for d, x in known if x.get("Status") == "ENABLED"), known[0] if known else ("", {}))
        props: dict[str, Any] = {
            "enabled": enabled,
            "detector_ids": list(ids),
            "detector_id": d_id or (ids[0] if ids else ""),
            "status": str(det.get("Status") or "") if known or not ids else None,
            "finding_publishing_frequency": str(det.get("FindingPublishingFrequency") or ""),
            "created_at": iso(det.get("CreatedAt")) or "",
            "features": sorted(
                str(f.get("Name")) for f in det.get("Features") or [] if f.get("Status") == "ENABLED"
            ),
        }
        yield ctx.resource(GuardDutyRegion.of(props), region, region, name=f"GuardDuty {region}")
