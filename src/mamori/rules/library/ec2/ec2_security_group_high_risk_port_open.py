"""Security group ingress that lets the whole internet (IPv4 or IPv6) reach a high-risk port."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def high_risk_port_open_to_world(resource: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]] | None:
    """Fail when an ingress entry from 0.0.0.0/0 or ::/0 covers one of ``high_risk_ports``."""
    ingress = resource.properties.get("ingress")
    if ingress is None:
        return None
    ports = [int(p) for p in ctx.params["high_risk_ports"]]
    protocols = {str(p) for p in ctx.params["protocols"]} | {"all"}
    exposed = []
    for e in ingress:
        if not e.get("open_to_world") or e.get("protocol") not in protocols:
            continue
        hit = [p for p in ports if e["from_port"] <= p <= e["to_port"]]
        if hit:
            exposed.append({**e, "ports": hit})
    return (True, {"open_to_world": exposed}) if exposed else (False, {})
