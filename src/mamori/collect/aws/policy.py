"""Reading resource policies: who a policy opens a resource to.

Pure functions over the policy documents AWS returns (S3 bucket policies, SNS topic and
SQS queue access policies, Lambda function policies, ...). Collectors store their
answers as facts on the resource (``policy_public`` and ``public_statements`` as
evidence), so rules stay declarative.

A statement is public when it allows a wildcard principal (``"*"``, ``{"AWS": "*"}``,
``{"CanonicalUser": "*"}``) or uses ``NotPrincipal``, and no condition pins the caller
down to known accounts, organisations, networks or source resources (AWS's own list of
keys that make a policy "not public"; ``aws:SourceIp`` counts unless it is the whole
internet).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

Document = dict[str, Any]

# Condition keys that pin a wildcard principal down to known callers (lower-cased).
RESTRICTING_KEYS = frozenset(
    {
        "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceaccount", "aws:sourceowner",
        "aws:sourceorgid", "aws:sourceorgpaths", "aws:principalorgid", "aws:principalorgpaths",
        "aws:principalaccount", "aws:principalarn", "aws:principalservicename", "aws:userid",
        "aws:username", "aws:sourceip", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
    }
)  # fmt: skip
_WORLD_CIDRS = {"0.0.0.0/0", "::/0"}


def as_list(value: Any) -> list[Any]:
    """A policy element that may be a single value or a list, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def decode_document(doc: Any) -> Document | None:
    """A policy document as a dict: from a dict, JSON text or URL-encoded JSON; ``None`` otherwise."""
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


def statements(doc: Document | None) -> list[Document]:
    """The statements of a document (a single statement object counts as a list of one)."""
    if not doc:
        return []
    return [s for s in as_list(doc.get("Statement")) if isinstance(s, dict)]


def wildcard_principal(stmt: Document) -> bool:
    """True when the statement's principal is anyone: ``*``, ``{"AWS": "*"}`` or ``{"CanonicalUser": "*"}``."""
    principal = stmt.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in (str(p) for p in as_list(principal.get(k))) for k in ("AWS", "CanonicalUser"))
    return False


def restricting(condition: Any) -> bool:
    """True when a Condition block limits who may call (not merely how)."""
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        op = str(operator).split(":")[-1]
        if "Not" in op or op.endswith("IfExists") or op == "Null" or not isinstance(block, dict):
            continue
        for key, values in block.items():
            k = str(key).lower()
            vals = [str(v) for v in as_list(values)]
            if k not in RESTRICTING_KEYS or not vals or "*" in vals:
                continue
            if k == "aws:sourceip" and _WORLD_CIDRS & set(vals):
                continue
            return True
    return False


def public_statements(policy: Document | None) -> list[dict[str, Any]]:
    """Allow statements open to anyone, as ``{sid, index, action}``: a wildcard principal (or
    NotPrincipal) and no restricting condition."""
    out: list[dict[str, Any]] = []
    for i, stmt in enumerate(statements(policy)):
        if stmt.get("Effect") != "Allow":
            continue
        if not (wildcard_principal(stmt) or "NotPrincipal" in stmt):
            continue
        if restricting(stmt.get("Condition")):
            continue
        out.append({"sid": str(stmt.get("Sid", "")), "index": i, "action": as_list(stmt.get("Action"))})
    return out
