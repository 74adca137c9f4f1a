"""Does an AddPermission grant '*' or a foreign account (principal or the layer's principal)?"""

from __future__ import annotations

from typing import Any

from mamori.events.detections._common import account_of, foreign


def opened(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    if not isinstance(req, dict):
        return None
    principal = req.get("principal")
    if isinstance(principal, str) and principal.endswith(".amazonaws.com"):
        return False, {"principal": principal}  # a service (S3, SNS, API Gateway...): its source conditions decide
    acct = account_of(principal)
    if principal == "*" and req.get("organizationId"):
        acct = None  # a layer shared with the organisation
    bad = foreign([acct], view, ctx)
    return bool(bad), {"principal": principal, "foreign": bad}
