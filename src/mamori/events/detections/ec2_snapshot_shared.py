"""Does a ModifySnapshotAttribute add a createVolumePermission for a foreign account or for everyone?"""

from __future__ import annotations

from typing import Any

from mamori.events.detections._common import as_list, foreign


def added(req: Any, attr: str) -> list[str | None]:
    perm = (req or {}).get(attr) if isinstance(req, dict) else None
    add = (perm or {}).get("add") if isinstance(perm, dict) else None
    items = (add or {}).get("items") if isinstance(add, dict) else None
    out: list[str | None] = []
    for it in as_list(items):
        if isinstance(it, dict):
            if it.get("group") == "all":
                out.append("*")
            elif it.get("userId"):
                out.append(str(it["userId"]))
    return out


def shared_outside(view: Any, ctx: Any) -> Any:
    bad = foreign(added(view.properties.get("requestParameters"), "createVolumePermission"), view, ctx)
    return bool(bad), {"shared_with": bad}
