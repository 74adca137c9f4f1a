"""Does a PutBucketPolicy grant anything to everyone (Principal "*", no condition)?"""

from __future__ import annotations

from typing import Any

from mamori.errors import InputError
from mamori.safeload import load_json

MAX_POLICY_BYTES = 128 * 1024
MAX_POLICY_DEPTH = 32


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
        try:  # policy text from the event: bounded (S3 allows 20 KB policies)
            policy = load_json(
                policy,
                source="requestParameters.bucketPolicy",
                max_bytes=MAX_POLICY_BYTES,
                max_depth=MAX_POLICY_DEPTH,
            )
        except InputError:
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
