"""AWS Config: one ``aws.config.region`` per region (recorder, its status, delivery channel).

Only the customer-managed recorder counts: service-linked recorders (those with a
``servicePrincipal``, created by other AWS services for their own narrow purposes) are
listed but do not make Config "enabled".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, AwsCollector, CollectContext, iso
from mamori.model.resource import Resource
from mamori.model.resources.config import REGION, ConfigRegion

SERVICE_LINKED_ROLE = "aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def _all_supported(group: dict[str, Any]) -> bool:
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    if strategy:
        return bool(strategy == "ALL_SUPPORTED_RESOURCE_TYPES")
    return bool(group.get("allSupported", False))


@COLLECTORS.register("config")
class ConfigCollector(AwsCollector):
    service = "config"
    scope = "regional"
    resource_types = (REGION,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("config", region)
        recorders = client.describe_configuration_recorders().get("ConfigurationRecorders", [])
        statuses = {
            s.get("name"): s
            for s in client.describe_configuration_recorder_status().get("ConfigurationRecordersStatus", [])
        }
        channels = client.describe_delivery_channels().get("DeliveryChannels", [])
        own = [r for r in recorders if not r.get("servicePrincipal")]
        rec = own[0] if own else {}
        group = rec.get("recordingGroup") or {}
        status = statuses.get(rec.get("name"), {}) if rec else {}
        channel = channels[0] if channels else {}
        role = str(rec.get("roleARN") or "")
        props: dict[str, Any] = {
            "recorder_exists": bool(rec),
            "recorder_name": str(rec.get("name") or ""),
            "recording": bool(status.get("recording", False)),
            "last_status": str(status.get("lastStatus") or ""),
            "last_error_code": str(status.get("lastErrorCode") or ""),
            "last_start_time": iso(status.get("lastStartTime")) or "",
            "last_stop_time": iso(status.get("lastStopTime")) or "",
            "all_supported": _all_supported(group) if rec else False,
            "include_global_resource_types": bool(group.get("includeGlobalResourceTypes", False)),
            "recording_strategy": str((group.get("recordingStrategy") or {}).get("useOnly") or ""),
            "resource_types": list(group.get("resourceTypes") or []),
            "excluded_resource_types": list((group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or []),
            "role_arn": role,
            "uses_service_linked_role": role.endswith(SERVICE_LINKED_ROLE),
            "service_linked_recorders": [str(r.get("name", "")) for r in recorders if r.get("servicePrincipal")],
            "delivery_channel_exists": bool(channel),
            "delivery_channel_name": str(channel.get("name") or ""),
            "delivery_s3_bucket": str(channel.get("s3BucketName") or ""),
            "delivery_sns_topic_arn": str(channel.get("snsTopicARN") or ""),
            "delivery_kms_key_arn": str(channel.get("s3KmsKeyArn") or ""),
        }
        yield ctx.resource(ConfigRegion.of(props), region, region, name=f"AWS Config {region}")
