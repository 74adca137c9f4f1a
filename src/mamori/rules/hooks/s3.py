"""Shared hooks of the S3 object-level logging rules (``s3.object_reads_not_logged``,
``s3.object_writes_not_logged``): does a logging trail record this bucket's object events?

A bucket is covered by the trails that log its Region (``aws.cloudtrail.region`` lists
them, multi-Region and organisation trails homed elsewhere included). Each trail's
``s3_data_events`` (from its event selectors) says which buckets' read and write object
events it records; the trail must also be logging. A trail that was not collected (its
home Region not scanned, another account's organisation trail) or whose selectors or
status could not be read leaves the answer unknown, unless another trail already covers
the bucket.
"""

from __future__ import annotations

from typing import Any

from mamori.collect.aws.services.cloudtrail_data import records
from mamori.model.resource import Resource
from mamori.model.resources.cloudtrail import REGION, TRAIL
from mamori.model.resources.s3 import BUCKET
from mamori.rules.conditions import EvalContext
from mamori.rules.hooks.registry import shared_hook


def object_events_not_logged(resource: Resource, ctx: EvalContext, kind: str) -> tuple[bool | None, dict[str, Any]] | None:
    inv = ctx.inventory
    if inv is None:
        return None
    region = inv.get(REGION, resource.account, resource.region, resource.region)
    covering = None if region is None else region.properties.get("covering_trails")
    if covering is None:
        return None, {"trails_covering_region": None}
    unknown: list[str] = []
    stopped: list[str] = []
    for c in covering:
        arn = str(c.get("arn", ""))
        parts = arn.split(":")
        owner = parts[4] if len(parts) > 5 and parts[4] else resource.account
        trail = inv.get(TRAIL, owner, str(c.get("home_region") or resource.region), arn)
        selectors = None if trail is None else trail.properties.get("s3_data_events")
        if selectors is None:
            unknown.append(arn)
            continue
        if not records(selectors, resource.id, kind):
            continue
        logging = trail.properties.get("is_logging") if trail is not None else None
        if logging is True:
            return False, {}
        (unknown if logging is None else stopped).append(arn)
    if unknown:
        return None, {"trails_not_collected": unknown}
    return True, {"event_kind": kind, "trails_covering_region": [str(c.get("arn")) for c in covering],
                  "recording_but_stopped": stopped}  # fmt: skip


@shared_hook("s3.object_reads_not_logged", resource_types=(BUCKET,))
def object_reads_not_logged(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    """CIS 3.9: object-level read events of the bucket are recorded by a logging trail."""
    return object_events_not_logged(resource, ctx, "read")


@shared_hook("s3.object_writes_not_logged", resource_types=(BUCKET,))
def object_writes_not_logged(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    """CIS 3.8: object-level write events of the bucket are recorded by a logging trail."""
    return object_events_not_logged(resource, ctx, "write")
