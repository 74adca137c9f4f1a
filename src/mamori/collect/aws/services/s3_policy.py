"""Reading S3 bucket policies and ACLs: who they open the bucket to, whether they demand TLS.

Pure functions over the documents AWS returns; the S3 collector stores their answers as
facts on the bucket. AWS's own verdict (GetBucketPolicyStatus) is preferred when it is
available; :func:`public_statements` (shared with the other resource policies, in
:mod:`mamori.collect.aws.policy`) is the fallback and the evidence.
"""

from __future__ import annotations

import re
from typing import Any

from mamori.collect.aws.policy import as_list as _as_list
from mamori.collect.aws.policy import public_statements, wildcard_principal
from mamori.collect.aws.policy import statements as _statements

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
_PUBLIC_GROUPS = {ALL_USERS: "AllUsers", AUTHENTICATED_USERS: "AuthenticatedUsers"}
__all__ = [
    "ALL_USERS", "AUTHENTICATED_USERS", "denies_insecure_transport", "grants_read", "grants_write",
    "public_grants", "public_statements",
]  # fmt: skip

_READS = {"READ", "READ_ACP", "FULL_CONTROL"}
_WRITES = {"WRITE", "WRITE_ACP", "FULL_CONTROL"}


def _pattern(glob: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(glob).replace(r"\*", ".*").replace(r"\?", ".") + "$")


def _false(value: Any) -> bool:
    vals = _as_list(value)
    return bool(vals) and all(str(v).lower() == "false" for v in vals)


def denies_insecure_transport(policy: dict[str, Any], bucket: str, partition: str = "aws") -> bool:
    """True when a Deny for everyone on ``s3:*`` applies to the bucket's objects when aws:SecureTransport is false."""
    objects = f"arn:{partition}:s3:::{bucket}/any-object"
    for stmt in _statements(policy):
        if stmt.get("Effect") != "Deny" or not wildcard_principal(stmt):
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
