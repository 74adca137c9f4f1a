"""CIS 3.4: the trail's S3 bucket has server access logging on (the bucket is found in the inventory)."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.model.resources.s3 import BUCKET
from mamori.rules.conditions import EvalContext


def trail_bucket_not_logged(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    name = resource.properties.get("s3_bucket_name")
    if not name or ctx.inventory is None:
        return None, {"s3_bucket_name": name or None}
    # Bucket names are global: the bucket may be in another scanned account or Region.
    found = ctx.inventory.find(BUCKET, name)
    if not found:
        return None, {"s3_bucket_name": name, "bucket_in_inventory": None}
    bucket = found[0]
    logging = bucket.properties.get("access_logging_enabled")
    evidence = {"s3_bucket_name": name, "bucket_account": bucket.account, "bucket_region": bucket.region}
    if logging is None:
        return None, {**evidence, "access_logging_enabled": None}
    return (not logging), {**evidence, "access_logging_enabled": logging}
