"""Does an Attach*/Put*Policy call grant administrator permissions?"""

from __future__ import annotations

import urllib.parse
from typing import Any

from mamori.errors import InputError
from mamori.safeload import load_json

MAX_POLICY_BYTES = 128 * 1024
MAX_POLICY_DEPTH = 32


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def grants_admin(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    if not isinstance(req, dict):
        return None
    arn = req.get("policyArn")
    if isinstance(arn, str):
        return arn.endswith(":policy/AdministratorAccess"), {"policyArn": arn}
    doc = req.get("policyDocument")
    if isinstance(doc, str):
        try:  # policy text from the event: bounded (IAM allows 10 KB policies)
            text = doc if doc.lstrip().startswith("{") else urllib.parse.unquote(doc)
            doc = load_json(
                text,
                source="requestParameters.policyDocument",
                max_bytes=MAX_POLICY_BYTES,
                max_depth=MAX_POLICY_DEPTH,
            )
        except InputError:
            return None
    if not isinstance(doc, dict):
        return None
    stmts = doc.get("Statement")
    admin = [
        s for s in (_as_list(stmts) if stmts is not None else [])
        if isinstance(s, dict) and s.get("Effect") == "Allow" and "*" in _as_list(s.get("Action")) and "*" in _as_list(s.get("Resource"))
    ]  # fmt: skip
    return bool(admin), {"admin_statements": admin}
