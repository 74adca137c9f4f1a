"""KMS: customer-managed keys (``aws.kms.key``) with their state and rotation status.

``ListKeys`` and ``ListAliases`` are the bulk calls; ``DescribeKey`` per key is needed to
tell customer-managed from AWS-managed keys (the latter are skipped: nobody can change
them), and ``GetKeyRotationStatus`` only where automatic rotation exists at all
(symmetric keys with AWS-generated key material). Keys known to be AWS-managed from their
``alias/aws/...`` alias are skipped without a DescribeKey call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mamori.collect.aws.base import COLLECTORS, MISSING, AwsCollector, CollectContext, iso
from mamori.model.resource import Resource
from mamori.model.resources.kms import KEY, KmsKey

_ROTATION_STATES = ("Enabled", "Disabled")
_PENDING_DELETION = ("PendingDeletion", "PendingReplicaDeletion")


def rotation_supported(meta: dict[str, Any]) -> bool:
    """Automatic rotation exists for symmetric encryption keys whose material AWS KMS made."""
    return (
        meta.get("KeySpec", meta.get("CustomerMasterKeySpec")) == "SYMMETRIC_DEFAULT"
        and meta.get("Origin", "AWS_KMS") == "AWS_KMS"
        and meta.get("KeyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
    )


@COLLECTORS.register("kms")
class KmsCollector(AwsCollector):
    service = "kms"
    scope = "regional"
    resource_types = (KEY,)

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        client = ctx.client("kms", region)
        keys = ctx.paginate(client, "list_keys", "Keys")
        aliases: dict[str, list[str]] = {}
        for a in ctx.paginate(client, "list_aliases", "Aliases"):
            if a.get("TargetKeyId"):
                aliases.setdefault(str(a["TargetKeyId"]), []).append(str(a.get("AliasName", "")))
        for k in keys:
            key_id = str(k["KeyId"])
            names = sorted(aliases.get(key_id, []))
            if any(n.startswith("alias/aws/") for n in names):
                continue  # AWS-managed
            res = self._key(ctx, client, region, key_id, str(k.get("KeyArn", "")), names)
            if res is not None:
                yield res

    @staticmethod
    def _key(ctx: CollectContext, client: Any, region: str, key_id: str, arn: str, aliases: list[str]) -> Resource | None:
        def call(op: str, **kw: Any) -> Any:
            return ctx.call(client, op, region=region, resource_type=KEY, resource_id=key_id, KeyId=key_id, **kw)

        desc = ctx.call(
            client, "describe_key", region=region, resource_type=KEY, resource_id=key_id,
            absent=("NotFoundException",), absent_value=None, KeyId=key_id,
        )  # fmt: skip
        if desc is None:
            return None  # deleted between ListKeys and DescribeKey
        meta: dict[str, Any] = {} if desc is MISSING else desc.get("KeyMetadata", {})
        if meta.get("KeyManager") == "AWS":
            return None
        known = desc is not MISSING

        def m(key: str, default: Any = "") -> Any:
            return iso(meta.get(key, default)) if known else MISSING

        state = meta.get("KeyState", "")
        supported = rotation_supported(meta) if known else MISSING
        rotation: Any = MISSING
        period: Any = MISSING
        if known and supported and state in _ROTATION_STATES:
            rot = call("get_key_rotation_status")
            if rot is not MISSING:
                rotation = bool(rot.get("KeyRotationEnabled", False))
                # Older API answers omit the period; unknown then, unless rotation is off.
                period = rot.get("RotationPeriodInDays", None if rotation else 0)
        elif known and (not supported or state in _PENDING_DELETION):
            rotation, period = False, 0  # no automatic rotation exists (or the key is being deleted)
        tags_resp = call("list_resource_tags") if known and meta.get("KeyManager") == "CUSTOMER" else {}
        tags = {} if tags_resp is MISSING else {
            str(t.get("TagKey")): str(t.get("TagValue", "")) for t in tags_resp.get("Tags", [])
        }  # fmt: skip
        props: dict[str, Any] = {
            "key_id": key_id,
            "aliases": aliases,
            "description": m("Description"),
            "key_manager": m("KeyManager"),
            "key_state": m("KeyState"),
            "enabled": m("Enabled", False),
            "key_spec": m("KeySpec"),
            "key_usage": m("KeyUsage"),
            "origin": m("Origin"),
            "multi_region": m("MultiRegion", False),
            "created_at": m("CreationDate"),
            "deletion_date": m("DeletionDate"),
            "rotation_supported": supported,
            "rotation_enabled": rotation,
            "rotation_period_days": period,
        }
        name = aliases[0].removeprefix("alias/") if aliases else key_id
        return ctx.resource(KmsKey.of(props), region, key_id, arn=arn or str(meta.get("Arn", "")), name=name, tags=tags)

