"""Does a PutEventSelectors call stop the trail from recording (write) management events?"""

from __future__ import annotations

from typing import Any


def drops_management_events(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters")
    if not isinstance(req, dict):
        return None
    basic = req.get("eventSelectors")
    advanced = req.get("advancedEventSelectors")
    if isinstance(advanced, list) and advanced:
        for sel in advanced:
            for fs in (sel or {}).get("fieldSelectors") or []:
                if fs.get("field") == "eventCategory" and "Management" in (fs.get("equals") or []):
                    return False, {"advancedEventSelectors": advanced}
        return True, {"advancedEventSelectors": advanced}
    if not isinstance(basic, list):
        return None
    mgmt = [s for s in basic if isinstance(s, dict) and s.get("includeManagementEvents", True) is not False]
    writes = [s for s in mgmt if s.get("readWriteType", "All") in ("All", "WriteOnly")]
    return not writes, {"eventSelectors": basic}
