"""Does a PutBucketPolicy grant anything to everyone (Principal "*", no condition)?"""

from __future__ import annotations

import json
from typing import Any


def _principal_is_public(p: Any) -> bool:
    if p == "*":
        return True
    if isinstance(p, dict):
        aws = p.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


def grants_public(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    policy = req.get("bucketPolicy") if isinstance(req, dict) else None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return None
    if not isinstance(policy, dict):
        return None
    stmts = policy.get("Statement")
    stmts = [stmts] if isinstance(stmts, dict) else (stmts or [])
    public = [
        s for s in stmts
        if isinstance(s, dict) and s.get("Effect") == "Allow" and _principal_is_public(s.get("Principal")) and not s.get("Condition")
    ]  # fmt: skip
    return bool(public), {"public_statements": public}
