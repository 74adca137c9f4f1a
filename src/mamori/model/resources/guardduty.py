"""GuardDuty (`guardduty`): the typed properties of each resource type (see docs/resources/guardduty.md)."""

from __future__ import annotations

from mamori.model.resources.base import Props, resource_type

REGION = "aws.guardduty.region"


@resource_type(REGION)
class GuardDutyRegion(Props):
    """`aws.guardduty.region`"""

    enabled: bool | None = None
    detector_ids: list[str] | None = None
    detector_id: str | None = None
    status: str | None = None
    finding_publishing_frequency: str | None = None
    created_at: str | None = None
    features: list[str] | None = None
