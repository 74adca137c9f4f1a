"""Custom origins reached over HTTP: ``http-only``, or ``match-viewer`` while viewers may use HTTP."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def origin_in_clear_text(resource: Resource, ctx: EvalContext) -> tuple[bool, dict[str, Any]] | None:
    origins = resource.properties.get("origins")
    behaviours = resource.properties.get("cache_behaviors")
    if origins is None or behaviours is None:
        return None
    http_viewers = {b.get("target_origin_id") for b in behaviours if b.get("viewer_protocol_policy") == "allow-all"}
    bad = [
        {"origin": o.get("id"), "domain_name": o.get("domain_name"), "origin_protocol_policy": o.get("origin_protocol_policy")}
        for o in origins
        if o.get("kind") == "custom"
        and (o.get("origin_protocol_policy") == "http-only"
             or (o.get("origin_protocol_policy") == "match-viewer" and o.get("id") in http_viewers))
    ]  # fmt: skip
    return (True, {"clear_text_origins": bad}) if bad else (False, {})
