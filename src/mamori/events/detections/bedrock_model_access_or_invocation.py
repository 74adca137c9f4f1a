"""Model access enabled (always), or a model invoked with a long-term key (an IAM user or root) not in allowed_principals.

Applications invoke models through roles; LLM hijacking uses stolen access keys.
"""

from __future__ import annotations

from typing import Any

ACCESS = {"PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"}


def unusual(view: Any, ctx: Any) -> Any:
    name = view.properties.get("eventName")
    if name in ACCESS:
        return True, {"access_change": name}
    p = view.principal
    allowed = set((ctx.params or {}).get("allowed_principals") or [])
    return p.type.value in ("IAMUser", "Root") and p.arn not in allowed, {"principal": p.arn, "type": p.type.value}
