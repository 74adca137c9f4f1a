"""Security group ingress that lets the whole IPv4 internet reach an administration port."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def admin_port_open_to_ipv4_world(resource: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]] | None:
    """Fail when an ingress entry from 0.0.0.0/0 covers one of ``admin_ports``.

    An entry covers a port when its protocol is "all" or one of ``protocols`` and the port
    lies in its range (an "all traffic" entry spans 0-65535).
    """
    ingress = resource.properties.get("ingress")
    if ingress is None:
        return None
    ports = [int(p) for p in ctx.params["admin_ports"]]
    protocols = {str(p) for p in ctx.params["protocols"]} | {"all"}
    exposed = [
        {**e, "ports": [p for p in ports if e["from_port"] <= p <= e["to_port"]]}
        for e in ingress
        if e.get("open_to_world") and not e.get("ipv6") and e.get("protocol") in protocols
        and any(e["from_port"] <= p <= e["to_port"] for p in ports)
    ]  # fmt: skip
    return (True, {"open_to_world": exposed}) if exposed else (False, {})
