"""Does a PutBucketPolicy allow a principal of a foreign account (not only '*', which s3_bucket_policy_public covers)?"""

from __future__ import annotations

from typing import Any

from mamori.events.detections._common import foreign_in_policy, policy


def grants_foreign(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    doc = policy(req.get("bucketPolicy") if isinstance(req, dict) else None, "requestParameters.bucketPolicy")
    if doc is None:
        return None
    accounts, stmts = foreign_in_policy(doc, view, ctx)
    accounts = [a for a in accounts if a != "*"]
    return bool(accounts), {"foreign_accounts": accounts, "statements": stmts}
