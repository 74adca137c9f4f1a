"""Classic Load Balancer HTTPS/SSL listeners whose negotiation policy is not a strong predefined one."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def weak_ssl_policy(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    """Fail when an encrypted listener's policy references none of ``strong_policies``."""
    listeners = resource.properties.get("listeners")
    if listeners is None:
        return None
    strong = {str(p) for p in ctx.params["strong_policies"]}
    bad: list[dict[str, Any]] = []
    unknown: list[Any] = []
    for lst in listeners:
        if not lst.get("encrypted"):
            continue
        reference = lst.get("ssl_policy_reference")
        if reference is None:
            unknown.append(lst.get("port"))
        elif reference not in strong:
            bad.append({"port": lst.get("port"), "ssl_policy_reference": reference or "(custom or none)",
                        "ssl_protocols": lst.get("ssl_protocols")})  # fmt: skip
    if bad:
        return True, {"weak_listeners": bad}
    if unknown:
        return None, {"listeners_with_unknown_policy": unknown}
    return False, {}
