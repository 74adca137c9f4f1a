"""Facts about IAM policy documents: full administrator grants and trust open to anyone.

Pure functions over a policy document (a dict, or the URL-encoded JSON string IAM
returns when botocore has not decoded it). The collector stores both the document and
these facts, so rules stay declarative and a reader sees why a policy was flagged.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

Document = dict[str, Any]

_ADMIN_ACTIONS = frozenset({"*", "*:*"})


def decode_document(doc: Any) -> Document | None:
    """A policy document as a dict; ``None`` when it is absent or not valid JSON."""
    if isinstance(doc, dict):
        return doc
    if not isinstance(doc, str) or not doc:
        return None
    for text in (doc, unquote(doc)):
        try:
            parsed = json.loads(text)
        except ValueError:
            continue
        return parsed if isinstance(parsed, dict) else None
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(doc: Document | None) -> list[Document]:
    """The statements of a document (a single statement object counts as a list of one)."""
    if not doc:
        return []
    return [s for s in _as_list(doc.get("Statement")) if isinstance(s, dict)]


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
