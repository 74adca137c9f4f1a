"""Shared hooks of the security-group admin-port rules: ``ec2.admin_port_open_to_ipv4_world`` and ``..._ipv6_world``."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.model.resources.ec2 import SECURITY_GROUP
from mamori.rules.conditions import EvalContext
from mamori.rules.hooks.registry import shared_hook


def world_open_admin_entries(resource: Resource, ctx: EvalContext, *, ipv6: bool) -> tuple[bool, dict[str, Any]] | None:
    """Fail when an ingress entry open to the world (``::/0`` if ``ipv6``, else ``0.0.0.0/0``) covers an admin port.

    An entry covers a port when its protocol is "all" or one of ``protocols`` and the port
    lies in its range (an "all traffic" entry spans 0-65535). Unknown ingress is unknown.
    """
    ingress = resource.properties.get("ingress")
    if ingress is None:
        return None
    ports = [int(p) for p in ctx.params["admin_ports"]]
    protocols = {str(p) for p in ctx.params["protocols"]} | {"all"}
    exposed = [
        {**e, "ports": [p for p in ports if e["from_port"] <= p <= e["to_port"]]}
        for e in ingress
        if e.get("open_to_world") and bool(e.get("ipv6")) is ipv6 and e.get("protocol") in protocols
        and any(e["from_port"] <= p <= e["to_port"] for p in ports)
    ]  # fmt: skip
    return (True, {"open_to_world": exposed}) if exposed else (False, {})


@shared_hook("ec2.admin_port_open_to_ipv4_world", resource_types=(SECURITY_GROUP,), params=("admin_ports", "protocols"))
def admin_port_open_to_ipv4_world(resource: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]] | None:
    """Fail when an ingress entry from 0.0.0.0/0 covers one of ``admin_ports``."""
    return world_open_admin_entries(resource, ctx, ipv6=False)


@shared_hook("ec2.admin_port_open_to_ipv6_world", resource_types=(SECURITY_GROUP,), params=("admin_ports", "protocols"))
def admin_port_open_to_ipv6_world(resource: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]] | None:
    """Fail when an ingress entry from ::/0 covers one of ``admin_ports``."""
    return world_open_admin_entries(resource, ctx, ipv6=True)
