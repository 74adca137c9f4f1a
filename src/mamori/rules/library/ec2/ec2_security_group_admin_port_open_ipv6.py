"""Security group ingress that lets the whole IPv6 internet reach an administration port."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext
from mamori.rules.library.ec2._ingress import world_open_admin_entries


def admin_port_open_to_ipv6_world(resource: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]] | None:
    """Fail when an ingress entry from ::/0 covers one of ``admin_ports``."""
    return world_open_admin_entries(resource, ctx, ipv6=True)
