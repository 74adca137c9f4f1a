"""Custom origins reached over TLS that still allow a deprecated protocol version."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def origin_accepts_weak_protocol(resource: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]] | None:
    origins = resource.properties.get("origins")
    if origins is None:
        return None
    weak = {str(p) for p in ctx.params["weak_protocols"]}
    bad = [
        {"origin": o.get("id"), "domain_name": o.get("domain_name"), "weak_protocols": sorted(weak & set(o.get("origin_ssl_protocols") or []))}
        for o in origins
        if o.get("kind") == "custom" and o.get("origin_protocol_policy") != "http-only"
        and weak & set(o.get("origin_ssl_protocols") or [])
    ]  # fmt: skip
    return (True, {"weak_origins": bad}) if bad else (False, {})
