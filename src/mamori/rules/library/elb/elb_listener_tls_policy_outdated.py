"""TLS listeners (HTTPS, TLS) whose security policy still accepts a deprecated protocol version."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def accepts_weak_tls(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    """Fail when a TLS listener's policy enables one of ``weak_protocols``; unknown when its protocols were not read."""
    listeners = resource.properties.get("listeners")
    if listeners is None:
        return None
    weak = {str(p) for p in ctx.params["weak_protocols"]}
    bad: list[dict[str, Any]] = []
    unknown: list[Any] = []
    for lst in listeners:
        if not lst.get("tls"):
            continue
        protocols = lst.get("ssl_protocols")
        if protocols is None:
            unknown.append(lst.get("port"))
            continue
        found = sorted(weak & set(protocols))
        if found:
            bad.append({"port": lst.get("port"), "ssl_policy": lst.get("ssl_policy"), "weak_protocols": found})
    if bad:
        return True, {"weak_listeners": bad}
    if unknown:
        return None, {"listeners_with_unknown_policy": unknown}
    return False, {}
