"""Is the vault's KMS key a customer managed key? Answered from the KMS keys of the same inventory.

The KMS collector keeps customer managed keys only (AWS managed ones are skipped), so a
key of the vault's account and Region that is not in the inventory, while that KMS
scope was collected cleanly, is AWS managed. A key of another account is customer managed
by necessity (AWS managed keys cannot be used across accounts).
"""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.model.resources.kms import KEY
from mamori.rules.conditions import EvalContext


def not_customer_managed_key(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    arn = resource.properties.get("encryption_key_arn")
    if arn is None:
        return None
    if not arn:
        return True, {"encryption_key_arn": "", "key_manager": "none reported"}
    parts = str(arn).split(":")
    if len(parts) < 6 or not parts[5].startswith("key/"):
        return None, {"encryption_key_arn": arn}
    region, account, key_id = parts[3], parts[4], parts[5].removeprefix("key/")
    if account != resource.account:
        return False, {}
    inv = ctx.inventory
    if inv is None:
        return None, {"encryption_key_arn": arn}
    key = inv.get(KEY, account, region, key_id)
    if key is not None:
        manager = key.properties.get("key_manager")
        if manager is None:
            return None, {"encryption_key_arn": arn}
        return manager != "CUSTOMER", {"encryption_key_arn": arn, "key_manager": manager}
    if inv.is_clean(account, region, KEY):
        return True, {"encryption_key_arn": arn, "key_manager": "AWS"}
    return None, {"encryption_key_arn": arn, "kms_inventory": None}
