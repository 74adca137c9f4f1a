"""A user's console password or active access keys unused for too long."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def _age_days(value: Any, now: datetime) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    ts = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    return (now - ts).total_seconds() / 86400.0


def unused_credentials(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    """Fail when the password or an active key has not been used for more than ``max_unused_days``.

    ``password_unused_since`` / ``access_keys[].unused_since`` are the last use, or the
    creation date of a credential never used. Unknown data gives unknown unless another
    credential already fails.
    """
    limit = float(ctx.params["max_unused_days"])
    p = resource.properties
    stale: list[dict[str, Any]] = []
    unknown = False
    console = p.get("console_access")
    if console is None:
        unknown = True
    elif console:
        age = _age_days(p.get("password_unused_since"), ctx.now)
        if age is None:
            unknown = True
        elif age > limit:
            stale.append({"credential": "console password", "unused_since": p["password_unused_since"], "days": int(age)})
    keys = p.get("access_keys")
    if keys is None:
        unknown = True
    else:
        for key in keys:
            if key.get("status") != "Active":
                continue
            age = _age_days(key.get("unused_since"), ctx.now)
            if age is None:
                unknown = True
            elif age > limit:
                stale.append({"credential": key.get("id"), "unused_since": key["unused_since"], "days": int(age)})
    if stale:
        return True, {"unused_credentials": stale}
    if unknown:
        return None
    return False, {}
