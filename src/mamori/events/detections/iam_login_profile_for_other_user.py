"""Is the login profile created or changed for a user other than the caller?"""

from __future__ import annotations

from typing import Any


def for_another_user(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    target = req.get("userName") if isinstance(req, dict) else None
    if not target:
        return False  # ChangePassword-like call on oneself
    caller = view.principal
    same = caller.type.value == "IAMUser" and caller.name == target
    return (not same), {"target_user": target, "caller": caller.arn}
