"""CloudTrail (`cloudtrail`): the typed properties of each resource type (see docs/resources/cloudtrail.md)."""

from __future__ import annotations

from typing import Any

from mamori.model.resources.base import Props, resource_type

TRAIL = "aws.cloudtrail.trail"
REGION = "aws.cloudtrail.region"


@resource_type(TRAIL)
class CloudTrailTrail(Props):
    """`aws.cloudtrail.trail`"""

    home_region: str | None = None
    owner_account: str | None = None
    is_multi_region: bool | None = None
    is_organization_trail: bool | None = None
    include_global_service_events: bool | None = None
    log_file_validation_enabled: bool | None = None
    kms_key_id: str | None = None
    encrypted_with_kms: bool | None = None
    s3_bucket_name: str | None = None
    s3_key_prefix: str | None = None
    sns_topic_arn: str | None = None
    cloudwatch_logs_log_group_arn: str | None = None
    cloudwatch_logs_role_arn: str | None = None
    cloudwatch_logs_enabled: bool | None = None
    has_insight_selectors: bool | None = None
    is_logging: bool | None = None
    latest_delivery_time: str | None = None
    latest_delivery_error: str | None = None
    latest_cloudwatch_logs_delivery_time: str | None = None
    start_logging_time: str | None = None
    stop_logging_time: str | None = None
    event_selectors: list[Any] | None = None
    advanced_event_selectors: list[dict[str, Any]] | None = None
    management_events_read: bool | None = None
    management_events_write: bool | None = None
    s3_data_events: list[dict[str, Any]] | None = None


@resource_type(REGION)
class CloudTrailRegion(Props):
    """`aws.cloudtrail.region`"""

    trails_homed: list[str] | None = None
    covering_trails: list[dict[str, Any]] | None = None
    multi_region_trails: list[str] | None = None
