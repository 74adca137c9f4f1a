"""Has this instance session's temporary key been seen from another public address?

State (the detection's ``ctx.inventory``): the first public address of each access key,
bounded to the most recent 100,000 keys. Calls made through a VPC endpoint, from private
addresses, or by AWS services on the session's behalf are the instance's own.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

MAX_KEYS = 100_000


def _public(ip: Any) -> str | None:
    return _public_str(ip) if isinstance(ip, str) else None


@lru_cache(maxsize=65536)
def _public_str(ip: str) -> str | None:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None  # "AWS Internal", a service name
    return None if (addr.is_private or addr.is_loopback or addr.is_link_local) else ip


def second_address(view: Any, ctx: Any) -> Any:
    rec = view.properties
    if rec.get("vpcEndpointId") or (rec.get("userIdentity") or {}).get("invokedBy"):
        return False
    ip = _public(rec.get("sourceIPAddress"))
    key = view.principal.access_key_id
    if ip is None or not key:
        return False
    seen: dict[str, str] = ctx.inventory if isinstance(ctx.inventory, dict) else {}
    first = seen.get(key)
    if first is None:
        if len(seen) >= MAX_KEYS:
            seen.pop(next(iter(seen)))
        seen[key] = ip
        return False
    return ip != first, {"first_address": first, "this_address": ip, "session": view.principal.session_name}
