"""Helpers shared by the detections' hooks: policy documents from events, and foreign accounts.

"Foreign" means an account other than the event's own (``recipientAccountId``) and not
listed in the detection's ``trusted_accounts`` parameter (``events: {params: {<id>:
{trusted_accounts: [...]}}}``). A policy text comes from an attacker-controlled record:
it is parsed through :func:`mamori.safeload.load_json`, bounded.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from mamori.errors import InputError
from mamori.safeload import load_json

MAX_POLICY_BYTES = 128 * 1024
MAX_POLICY_DEPTH = 32
_ACCOUNT = re.compile(r"^(?:arn:aws[a-z-]*:[a-z0-9-]*::(\d{12}):|(\d{12})$)")


def as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def policy(doc: Any, source: str) -> dict[str, Any] | None:
    """A policy document from a record: a dict, JSON text or URL-encoded JSON text; None when it is none of them."""
    if isinstance(doc, dict):
        return doc
    if not isinstance(doc, str):
        return None
    text = doc if doc.lstrip().startswith("{") else urllib.parse.unquote(doc)
    try:
        out = load_json(text, source=source, max_bytes=MAX_POLICY_BYTES, max_depth=MAX_POLICY_DEPTH)
    except InputError:
        return None
    return out if isinstance(out, dict) else None


def statements(doc: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    for s in as_list((doc or {}).get("Statement")):
        if isinstance(s, dict):
            yield s


def account_of(principal: Any) -> str | None:
    """The account of an ARN or a bare account id, '*' for everyone, None for a service or anything else."""
    if not isinstance(principal, str):
        return None
    if principal == "*":
        return "*"
    m = _ACCOUNT.match(principal.strip())
    return (m.group(1) or m.group(2)) if m else None


def aws_principals(stmt: dict[str, Any]) -> list[str]:
    p = stmt.get("Principal")
    if p == "*":
        return ["*"]
    if isinstance(p, dict):
        return [x for x in as_list(p.get("AWS")) if isinstance(x, str)]
    return []


def own_account(view: Any) -> str:
    rec = view.properties
    return str(rec.get("recipientAccountId") or (rec.get("userIdentity") or {}).get("accountId") or "")


def trusted(ctx: Any) -> set[str]:
    return {str(a) for a in as_list((ctx.params or {}).get("trusted_accounts"))}


def foreign(accounts: list[str | None], view: Any, ctx: Any) -> list[str]:
    """The accounts (or '*') among ``accounts`` that are neither the event's own nor trusted."""
    own, ok = own_account(view), trusted(ctx)
    return sorted({a for a in accounts if a and a != own and a not in ok})


def foreign_in_policy(doc: dict[str, Any] | None, view: Any, ctx: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """(foreign accounts, the Allow statements granting them) of a resource or trust policy.

    A statement whose only grant to '*' is narrowed by a Condition (aws:PrincipalOrgID,
    aws:SourceAccount...) is not counted: that is how such grants are kept private.
    """
    found: set[str] = set()
    stmts = []
    for s in statements(doc):
        if s.get("Effect") != "Allow":
            continue
        accts = [account_of(p) for p in aws_principals(s)]
        if "*" in accts and s.get("Condition"):
            accts = [a for a in accts if a != "*"]
        bad = foreign(accts, view, ctx)
        if bad:
            found.update(bad)
            stmts.append(s)
    return sorted(found), stmts
