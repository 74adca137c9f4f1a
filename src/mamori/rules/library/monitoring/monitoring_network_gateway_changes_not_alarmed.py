"""CIS 4.12: network gateway changes are watched by an alarmed metric filter (body in _monitoring)."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext
from mamori.rules.library.monitoring._monitoring import metric_filter_not_alarmed


def not_alarmed(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    """Fail when no alarmed metric filter on a covering trail's log group matches ``params``."""
    return metric_filter_not_alarmed(resource, ctx)
