"""A function's runtime is past its deprecation date (from the rule's ``deprecated_runtimes`` param)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mamori.model.resource import Resource
from mamori.rules.conditions import EvalContext


def _date(value: Any) -> datetime | None:
    try:
        ts = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def deprecated_runtime(resource: Resource, ctx: EvalContext) -> tuple[bool | None, dict[str, Any]] | None:
    """Fail when the runtime's deprecation date has passed; say when an upcoming one falls due."""
    runtime = resource.properties.get("runtime")
    if not isinstance(runtime, str):
        return None
    table: dict[str, Any] = ctx.params.get("deprecated_runtimes") or {}
    if runtime not in table:
        return False, {}
    when = _date(table[runtime])
    if when is None:
        return None
    if when <= ctx.now:
        return True, {"deprecated_since": when.date().isoformat()}
    return False, {"deprecates_on": when.date().isoformat()}
