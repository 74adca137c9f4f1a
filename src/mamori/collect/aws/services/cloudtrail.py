"""CloudTrail: trails (in their home region only) and, per region, the trails that log it.

One ``DescribeTrails(includeShadowTrails=True)`` per region answers two questions at
once: which trails are *homed* here (each becomes one ``aws.cloudtrail.trail``, so a
multi-region trail is never collected twice) and which trails *cover* this region
(multi-region and organisation trails homed elsewhere appear as shadow trails). The
latter goes onto ``aws.cloudtrail.region``, so the account-wide "is there a logging
multi-region trail?" check knows every multi-region trail of the account from any one
scanned region, even when the trail's home region was not scanned or failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso, tags_of
from mamori.collect.aws.services.cloudtrail_data import s3_data_events
from mamori.model.resource import Resource
from mamori.model.resources.cloudtrail import REGION, TRAIL, CloudTrailRegion, CloudTrailTrail

_TAG_BATCH = 20  # ListTags takes at most 20 trail ARNs


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _advanced_management(selector: dict[str, Any]) -> tuple[bool, bool]:
    """(read, write) management events that one advanced event selector records.

    Management events are recorded by a selector whose ``eventCategory`` equals
    ``Management``; ``readOnly`` narrows it to reads or writes. Any other field that
    *selects* (``Equals``/``StartsWith`` on e.g. eventName or eventSource) makes the
    selector partial, so it counts for neither; exclusions (``NotEquals``,
    ``NotStartsWith`` on eventSource, e.g. dropping noisy KMS events) are accepted.
    """
    fields = {str(f.get("Field", "")): f for f in selector.get("FieldSelectors") or []}
    category = fields.pop("eventCategory", None)
    if category is None or "Management" not in (category.get("Equals") or []):
        return False, False
    read = write = True
    ro = fields.pop("readOnly", None)
    if ro is not None:
        values = {str(v).lower() for v in ro.get("Equals") or []}
        read, write = "true" in values, "false" in values
    for f in fields.values():
        if f.get("Equals") or f.get("StartsWith") or f.get("EndsWith"):
            return False, False
        if f.get("Field") != "eventSource":
            return False, False
    return read, write


def management_events(basic: list[dict[str, Any]], advanced: list[dict[str, Any]]) -> tuple[bool, bool]:
    """Whether a trail's event selectors record read and write management events.

    A trail that never had selectors set logs all management events (AWS's default; the
    API then answers with one basic ``All`` selector, moto with none at all).
    """
    if not basic and not advanced:
        return True, True
    read = write = False
    for s in basic:
        if s.get("IncludeManagementEvents", True):
            rw = s.get("ReadWriteType", "All")
            read = read or rw in ("All", "ReadOnly")
            write = write or rw in ("All", "WriteOnly")
    for s in advanced:
        r, w = _advanced_management(s)
        read, write = read or r, write or w
    return read, write


@COLLECTORS.register("cloudtrail")
class CloudTrailCollector(AwsCollector):
    service = "cloudtrail"
    scope = "regional"
    resource_types = (TRAIL, REGION)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("cloudtrail", region)
        trails = client.describe_trails(includeShadowTrails=True).get("trailList", [])
        homed = [t for t in trails if t.get("HomeRegion", region) == region]
        tags = self._tags(ctx, client, region, homed)
        for t in homed:
            yield self._trail(ctx, client, region, t, tags.get(t["TrailARN"], {}))
        covering = [
            {
                "arn": t["TrailARN"],
                "name": t.get("Name", ""),
                "home_region": t.get("HomeRegion", region),
                "is_multi_region": bool(t.get("IsMultiRegionTrail", False)),
                "is_organization_trail": bool(t.get("IsOrganizationTrail", False)),
            }
            for t in trails
        ]
        yield ctx.resource(
            CloudTrailRegion.of({
                "trails_homed": [t["TrailARN"] for t in homed],
                "covering_trails": covering,
                "multi_region_trails": [c["arn"] for c in covering if c["is_multi_region"]],
            }),
            region,
            region,
            name=f"CloudTrail {region}",
        )

    @staticmethod
    def _tags(ctx: CollectContext, client: Any, region: str, homed: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
        """Tags of the account's own trails, 20 ARNs per ListTags call."""
        own = [t["TrailARN"] for t in homed if _account_of(t["TrailARN"]) in ("", ctx.account)]
        out: dict[str, dict[str, str]] = {}
        for i in range(0, len(own), _TAG_BATCH):
            batch = own[i : i + _TAG_BATCH]
            resp = ctx.call(client, "list_tags", region=region, resource_type=TRAIL, resource_id=batch[0], ResourceIdList=batch)
            if resp is MISSING:
                continue
            for item in resp.get("ResourceTagList", []):
                out[str(item.get("ResourceId"))] = tags_of(item.get("TagsList"))
        return out

    @staticmethod
    def _trail(ctx: CollectContext, client: Any, region: str, t: dict[str, Any], tags: dict[str, str]) -> Resource:
        arn = str(t["TrailARN"])
        status = ctx.call(client, "get_trail_status", region=region, resource_type=TRAIL, resource_id=arn, Name=arn)
        sel = ctx.call(client, "get_event_selectors", region=region, resource_type=TRAIL, resource_id=arn, TrailName=arn)
        basic: Any = MISSING
        advanced: Any = MISSING
        read: Any = MISSING
        write: Any = MISSING
        data: Any = MISSING
        if sel is not MISSING:
            basic = sel.get("EventSelectors") or []
            advanced = sel.get("AdvancedEventSelectors") or []
            read, write = management_events(basic, advanced)
            data = s3_data_events(basic, advanced)
        st: dict[str, Any] = {} if status is MISSING else status
        kms = t.get("KmsKeyId") or ""
        log_group = t.get("CloudWatchLogsLogGroupArn") or ""

        def stat(key: str) -> Any:
            return MISSING if status is MISSING else iso(st.get(key)) or ""

        props: dict[str, Any] = {
            "home_region": t.get("HomeRegion", region),
            "owner_account": _account_of(arn) or ctx.account,
            "is_multi_region": bool(t.get("IsMultiRegionTrail", False)),
            "is_organization_trail": bool(t.get("IsOrganizationTrail", False)),
            "include_global_service_events": bool(t.get("IncludeGlobalServiceEvents", False)),
            "log_file_validation_enabled": bool(t.get("LogFileValidationEnabled", False)),
            "kms_key_id": kms,
            "encrypted_with_kms": bool(kms),
            "s3_bucket_name": t.get("S3BucketName") or "",
            "s3_key_prefix": t.get("S3KeyPrefix") or "",
            "sns_topic_arn": t.get("SnsTopicARN") or "",
            "cloudwatch_logs_log_group_arn": log_group,
            "cloudwatch_logs_role_arn": t.get("CloudWatchLogsRoleArn") or "",
            "cloudwatch_logs_enabled": bool(log_group),
            "has_insight_selectors": bool(t.get("HasInsightSelectors", False)),
            "is_logging": MISSING if status is MISSING else bool(st.get("IsLogging", False)),
            "latest_delivery_time": stat("LatestDeliveryTime"),
            "latest_delivery_error": stat("LatestDeliveryError"),
            "latest_cloudwatch_logs_delivery_time": stat("LatestCloudWatchLogsDeliveryTime"),
            "start_logging_time": stat("StartLoggingTime"),
            "stop_logging_time": stat("StopLoggingTime"),
            "event_selectors": basic,
            "advanced_event_selectors": advanced,
            "management_events_read": read,
            "management_events_write": write,
            "s3_data_events": data,
        }
        return ctx.resource(CloudTrailTrail.of(props), region, arn, arn=arn, name=str(t.get("Name", arn)), tags=tags)
