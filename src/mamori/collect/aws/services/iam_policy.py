"""Facts about IAM policy documents: full administrator grants, whole-service wildcards, trust open to anyone.

Pure functions over a policy document (a dict, or the URL-encoded JSON string IAM
returns when botocore has not decoded it). The collector stores both the document and
these facts, so rules stay declarative and a reader sees why a policy was flagged.
"""

from __future__ import annotations

import re
from typing import Any

from mamori.collect.aws.policy import Document, decode_document, statements
from mamori.collect.aws.policy import as_list as _as_list

__all__ = [
    "admin_statements", "decode_document", "public_trust_statements", "service_wildcard_statements", "statements",
]  # fmt: skip

_ADMIN_ACTIONS = frozenset({"*", "*:*"})
_SERVICE_WILDCARD = re.compile(r"^[A-Za-z0-9-]+:\*$")


def _unconditional_allow(stmt: Document) -> bool:
    return str(stmt.get("Effect", "")).lower() == "allow" and not stmt.get("Condition")


def admin_statements(doc: Document | None) -> list[Document]:
    """Statements granting every action on every resource: Allow, Action ``*``, Resource ``*``, no Condition."""
    return [
        s
        for s in statements(doc)
        if _unconditional_allow(s)
        and any(str(a) in _ADMIN_ACTIONS for a in _as_list(s.get("Action")))
        and "*" in (str(r) for r in _as_list(s.get("Resource")))
    ]


def _principal_is_anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in (str(p) for p in _as_list(principal.get("AWS")))
    return False


def public_trust_statements(doc: Document | None) -> list[Document]:
    """Trust statements letting any AWS principal assume the role: Principal ``*`` or ``{"AWS": "*"}``, no Condition."""
    return [s for s in statements(doc) if _unconditional_allow(s) and _principal_is_anyone(s.get("Principal"))]


def service_wildcard_statements(doc: Document | None) -> list[dict[str, Any]]:
    """Allow statements granting every action of a service (``"s3:*"``), as ``{sid, index, actions}``.

    FSBP IAM.21: such grants hand out future actions of the service too. Full ``*`` grants
    are :func:`admin_statements`' business and not repeated here.
    """
    out: list[dict[str, Any]] = []
    for i, s in enumerate(statements(doc)):
        if str(s.get("Effect", "")).lower() != "allow":
            continue
        wild = [str(a) for a in _as_list(s.get("Action")) if _SERVICE_WILDCARD.match(str(a))]
        if wild:
            out.append({"sid": str(s.get("Sid", "")), "index": i, "actions": wild})
    return out
