"""Reading S3 bucket policies and ACLs: who they open the bucket to, whether they demand TLS.

Pure functions over the documents AWS returns; the S3 collector stores their answers as
facts on the bucket. AWS's own verdict (GetBucketPolicyStatus) is preferred when it is
available; :func:`public_statements` is the fallback and the evidence.
"""

from __future__ import annotations

import re
from typing import Any

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
_PUBLIC_GROUPS = {ALL_USERS: "AllUsers", AUTHENTICATED_USERS: "AuthenticatedUsers"}
_READS = {"READ", "READ_ACP", "FULL_CONTROL"}
_WRITES = {"WRITE", "WRITE_ACP", "FULL_CONTROL"}

# Condition keys that pin a wildcard principal down to known callers (AWS's list of keys that
# make a policy "not public", lower-cased). aws:SourceIp restricts unless it is the whole internet.
_RESTRICTING_KEYS = frozenset(
    {
        "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceaccount", "aws:sourceowner",
        "aws:sourceorgid", "aws:sourceorgpaths", "aws:principalorgid", "aws:principalorgpaths",
        "aws:principalaccount", "aws:principalarn", "aws:principalservicename", "aws:userid",
        "aws:username", "aws:sourceip", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
    }
)  # fmt: skip
_WORLD_CIDRS = {"0.0.0.0/0", "::/0"}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _as_list(policy.get("Statement")) if isinstance(s, dict)]


def _wildcard_principal(stmt: dict[str, Any]) -> bool:
    principal = stmt.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in _as_list(principal.get(k)) for k in ("AWS", "CanonicalUser"))
    return False


def _restricting(condition: Any) -> bool:
    """True when a Condition block limits who may call (not merely how)."""
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        op = str(operator).split(":")[-1]
        if "Not" in op or op.endswith("IfExists") or op == "Null" or not isinstance(block, dict):
            continue
        for key, values in block.items():
            k = str(key).lower()
            vals = [str(v) for v in _as_list(values)]
            if k not in _RESTRICTING_KEYS or not vals or "*" in vals:
                continue
            if k == "aws:sourceip" and _WORLD_CIDRS & set(vals):
                continue
            return True
    return False


def public_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """Allow statements open to anyone: a wildcard principal (or NotPrincipal) and no restricting condition."""
    out: list[dict[str, Any]] = []
    for i, stmt in enumerate(_statements(policy)):
        if stmt.get("Effect") != "Allow":
            continue
        if not (_wildcard_principal(stmt) or "NotPrincipal" in stmt):
            continue
        if _restricting(stmt.get("Condition")):
            continue
        out.append({"sid": str(stmt.get("Sid", "")), "index": i, "action": _as_list(stmt.get("Action"))})
    return out


def _pattern(glob: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(glob).replace(r"\*", ".*").replace(r"\?", ".") + "$")


def _false(value: Any) -> bool:
    vals = _as_list(value)
    return bool(vals) and all(str(v).lower() == "false" for v in vals)


def denies_insecure_transport(policy: dict[str, Any], bucket: str, partition: str = "aws") -> bool:
    """True when a Deny for everyone on ``s3:*`` applies to the bucket's objects when aws:SecureTransport is false."""
    objects = f"arn:{partition}:s3:::{bucket}/any-object"
    for stmt in _statements(policy):
        if stmt.get("Effect") != "Deny" or not _wildcard_principal(stmt):
            continue
        if not {"s3:*", "*"} & {str(a).lower() for a in _as_list(stmt.get("Action"))}:
            continue
        if not any(_pattern(str(r)).match(objects) for r in _as_list(stmt.get("Resource"))):
            continue
        cond = stmt.get("Condition")
        if not isinstance(cond, dict):
            continue
        for operator in ("Bool", "BoolIfExists"):
            block = cond.get(operator)
            if isinstance(block, dict) and any(
                str(k).lower() == "aws:securetransport" and _false(v) for k, v in block.items()
            ):
                return True
    return False


def public_grants(grants: list[dict[str, Any]]) -> list[dict[str, str]]:
    """ACL grants to the AllUsers / AuthenticatedUsers groups, as {grantee, permission}."""
    out: list[dict[str, str]] = []
    for g in grants:
        uri = str((g.get("Grantee") or {}).get("URI") or "")
        if uri in _PUBLIC_GROUPS:
            out.append({"grantee": _PUBLIC_GROUPS[uri], "permission": str(g.get("Permission", ""))})
    return out


def grants_read(grants: list[dict[str, str]]) -> bool:
    return any(g["permission"] in _READS for g in grants)


def grants_write(grants: list[dict[str, str]]) -> bool:
    return any(g["permission"] in _WRITES for g in grants)
