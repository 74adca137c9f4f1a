"""AWS Config (`config`): the typed properties of each resource type (see docs/resources/config.md)."""

from __future__ import annotations

from mamori.model.resources.base import Props, resource_type

REGION = "aws.config.region"


@resource_type(REGION)
class ConfigRegion(Props):
    """`aws.config.region`"""

    recorder_exists: bool | None = None
    recorder_name: str | None = None
    recording: bool | None = None
    last_status: str | None = None
    last_error_code: str | None = None
    last_start_time: str | None = None
    last_stop_time: str | None = None
    all_supported: bool | None = None
    include_global_resource_types: bool | None = None
    recording_strategy: str | None = None
    resource_types: list[str] | None = None
    excluded_resource_types: list[str] | None = None
    role_arn: str | None = None
    uses_service_linked_role: bool | None = None
    service_linked_recorders: list[str] | None = None
    delivery_channel_exists: bool | None = None
    delivery_channel_name: str | None = None
    delivery_s3_bucket: str | None = None
    delivery_sns_topic_arn: str | None = None
    delivery_kms_key_arn: str | None = None
