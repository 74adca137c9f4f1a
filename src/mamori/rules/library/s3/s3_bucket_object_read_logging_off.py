"""CIS 3.9: object-level read events of the bucket are recorded by a logging trail."""

from __future__ import annotations

from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext
from mamori.rules.library.s3._object_logging import object_events_not_logged


def object_reads_not_logged(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    return object_events_not_logged(resource, ctx, "read")
