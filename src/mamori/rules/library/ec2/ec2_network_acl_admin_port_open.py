"""Network ACL ingress that admits the whole internet to an administration port, first match wins."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def admin_port_admitted(resource: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]] | None:
    """Fail when traffic from 0.0.0.0/0 or ::/0 to one of ``admin_ports`` is allowed.

    For each address family, protocol and port, the lowest-numbered entry whose source is the
    whole internet and whose protocol and port range match decides: allow fails the rule.
    Entries for narrower sources neither open the port to the world nor close it.
    """
    ingress = resource.properties.get("ingress")
    if ingress is None:
        return None
    entries = sorted(ingress, key=lambda e: int(e.get("rule_number", 0)))
    admitted: list[dict[str, Any]] = []
    for ipv6 in (False, True):
        world = [e for e in entries if e.get("open_to_world") and bool(e.get("ipv6")) == ipv6]
        for proto in ctx.params["protocols"]:
            for port in (int(p) for p in ctx.params["admin_ports"]):
                first = next(
                    (e for e in world if e.get("protocol") in (proto, "all") and e["from_port"] <= port <= e["to_port"]),
                    None,
                )
                if first is not None and first.get("action") == "allow":
                    admitted.append({"port": port, "protocol": proto, "cidr": first["cidr"], "rule_number": first["rule_number"]})
    return (True, {"admitted": admitted}) if admitted else (False, {})
