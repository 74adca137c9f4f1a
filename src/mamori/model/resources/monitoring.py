"""Monitoring (`monitoring`): CIS 4.x metric filters and alarms: the typed properties of each resource type (see docs/resources/monitoring.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

REGION = "aws.monitoring.region"


@resource_type(REGION)
class MonitoringRegion(Props):
    """`aws.monitoring.region`"""

    trail_log_groups: list[dict[str, Any]] | None = None
    covering_log_groups: list[dict[str, Any]] | None = None
    monitored_patterns: list[dict[str, Any]] | None = None
