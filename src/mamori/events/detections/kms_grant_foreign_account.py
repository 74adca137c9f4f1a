"""Does a CreateGrant name a foreign grantee, or a key policy allow a foreign principal?"""

from __future__ import annotations

from typing import Any

from mamori.events.detections._common import account_of, foreign, foreign_in_policy, policy


def opened_outside(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    if not isinstance(req, dict):
        return None
    if view.properties.get("eventName") == "CreateGrant":
        bad = foreign([account_of(req.get("granteePrincipal")), account_of(req.get("retiringPrincipal"))], view, ctx)
        return bool(bad), {"foreign_accounts": bad, "operations": req.get("operations")}
    doc = policy(req.get("policy"), "requestParameters.policy")
    if doc is None:
        return False
    accounts, stmts = foreign_in_policy(doc, view, ctx)
    return bool(accounts), {"foreign_accounts": accounts, "statements": stmts}
