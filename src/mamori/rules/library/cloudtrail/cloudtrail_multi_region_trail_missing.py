"""Is this Region covered by a multi-Region trail that is logging read and write management events?

The Region resource lists every multi-Region trail that DescribeTrails shows in it (shadow
trails included), so a FAIL never depends on other Regions having been scanned. The
trails' status and selectors come from their ``aws.cloudtrail.trail`` resource, collected
in the trail's home Region: if that Region was not scanned or failed, the trail's state
is unknown and so is the verdict (unless another covering trail already passes).
"""

from __future__ import annotations

from typing import Any

from mamori.model.resources.cloudtrail import TRAIL

NEEDED = ("is_logging", "management_events_read", "management_events_write")


def no_logging_multi_region_trail(resource: Any, ctx: Any) -> tuple[bool | None, dict[str, Any]] | None:
    arns = resource.properties.get("multi_region_trails")
    if arns is None:
        return None
    if not arns:
        return True, {"multi_region_trails": []}
    homes = {c.get("arn"): c.get("home_region") for c in resource.properties.get("covering_trails") or []}
    unknown: dict[str, None] = {}
    failing: dict[str, list[str]] = {}
    for arn in arns:
        home = homes.get(arn) or resource.region
        trail = ctx.inventory.get(TRAIL, resource.account, home, arn) if ctx.inventory is not None else None
        if trail is None:
            unknown[f"trail {arn} (home Region {home})"] = None
            continue
        values = {k: trail.properties.get(k) for k in NEEDED}
        if all(v is True for v in values.values()):
            return False, {"trail": arn}
        if any(v is None for v in values.values()):
            unknown[f"trail {arn}"] = None
        else:
            failing[arn] = [k for k, v in values.items() if v is not True]
    if unknown:
        return None, unknown
    return True, {"multi_region_trails": failing}
