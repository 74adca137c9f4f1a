"""Security Hub (`securityhub`): the typed properties of each resource type (see docs/resources/securityhub.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

REGION = "aws.securityhub.region"


@resource_type(REGION)
class SecurityHubRegion(Props):
    """`aws.securityhub.region`"""

    enabled: bool | None = None
    hub_arn: str | None = None
    subscribed_at: str | None = None
    auto_enable_controls: bool | None = None
    control_finding_generator: str | None = None
    enabled_standards: list[dict[str, Any]] | None = None
