"""Secrets Manager: secrets (``aws.secretsmanager.secret``) with their rotation and last use.

Regional. ``ListSecrets`` alone carries everything the rules read (rotation settings,
last rotation, last access, creation, KMS key, tags): no per-secret call. Secrets
scheduled for deletion are not listed (AWS's default), so they are not judged.

Absent dates are facts: a secret never rotated has ``last_rotated = "never"``, one never
read has ``last_accessed = "never"`` (AWS omits ``LastAccessedDate`` then; it records
access at day granularity). ``rotated_since`` and ``unused_since`` fall back to the
creation date for those, so age rules measure from when the secret came to be.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, AwsCollector, CollectContext, iso, tags_of
from mamori.model.resource import Resource
from mamori.model.resources.secretsmanager import SECRET, SecretsManagerSecret

NEVER = "never"


@COLLECTORS.register("secretsmanager")
class SecretsManagerCollector(AwsCollector):
    service = "secretsmanager"
    scope = "regional"
    resource_types = (SECRET,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("secretsmanager", region)
        for s in ctx.paginate(client, "list_secrets", "SecretList"):
            name = str(s["Name"])
            yield ctx.resource(
                SecretsManagerSecret.of(secret_properties(s)), region, name, arn=str(s.get("ARN", "")), name=name, tags=tags_of(s.get("Tags"))
            )


def secret_properties(s: dict[str, Any]) -> dict[str, Any]:
    created = iso(s.get("CreatedDate")) or ""
    rotated = iso(s.get("LastRotatedDate")) or NEVER
    accessed = iso(s.get("LastAccessedDate")) or NEVER
    rules = s.get("RotationRules") or {}
    return {
        "description": s.get("Description", ""),
        "created": created,
        "last_changed": iso(s.get("LastChangedDate")) or "",
        "rotation_enabled": bool(s.get("RotationEnabled", False)),
        "rotation_lambda_arn": s.get("RotationLambdaARN") or "",
        "rotation_interval_days": int(rules.get("AutomaticallyAfterDays", 0) or 0),
        "rotation_schedule": rules.get("ScheduleExpression", ""),
        "next_rotation": iso(s.get("NextRotationDate")) or "",
        "last_rotated": rotated,
        "rotated_since": created if rotated == NEVER else rotated,
        "last_accessed": accessed,
        "unused_since": created if accessed == NEVER else accessed,
        "kms_key_id": s.get("KmsKeyId") or "",
        "owning_service": s.get("OwningService") or "",
        "primary_region": s.get("PrimaryRegion") or "",
    }
