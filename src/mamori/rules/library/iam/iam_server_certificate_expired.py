"""Server certificates stored in IAM whose expiration date has passed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def _expiry(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def expired_certificates(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    """Fail when a stored certificate expired before the inventory was evaluated; unknown when unlisted."""
    certs = resource.properties.get("server_certificates")
    if certs is None:
        return None
    expired: list[dict[str, Any]] = []
    unknown = False
    for cert in certs:
        when = _expiry(cert.get("expiration"))
        if when is None:
            unknown = True
        elif when < ctx.now:
            expired.append({"name": cert.get("name"), "expiration": cert.get("expiration")})
    if expired:
        return True, {"expired_certificates": expired}
    if unknown:
        return None
    return False, {"server_certificates": len(certs)}
