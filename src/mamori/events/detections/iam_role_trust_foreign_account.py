"""Does a trust policy (UpdateAssumeRolePolicy / CreateRole) allow a foreign account or '*'?"""

from __future__ import annotations

from typing import Any

from mamori.events.detections._common import foreign_in_policy, policy


def trusts_foreign(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    if not isinstance(req, dict):
        return None
    doc = policy(req.get("policyDocument") or req.get("assumeRolePolicyDocument"), "requestParameters.policyDocument")
    if doc is None:
        return None
    accounts, stmts = foreign_in_policy(doc, view, ctx)
    return bool(accounts), {"foreign_accounts": accounts, "statements": stmts}
