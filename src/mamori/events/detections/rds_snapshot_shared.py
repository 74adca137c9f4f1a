"""Does a Modify*SnapshotAttribute add a foreign account (or all) to the restore attribute?"""

from __future__ import annotations

from typing import Any

from mamori.events.detections._common import as_list, foreign


def shared_outside(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    if not isinstance(req, dict) or req.get("attributeName") != "restore":
        return False
    vals = ["*" if v == "all" else str(v) for v in as_list(req.get("valuesToAdd"))]
    bad = foreign(list(vals), view, ctx)
    return bool(bad), {"shared_with": bad}
