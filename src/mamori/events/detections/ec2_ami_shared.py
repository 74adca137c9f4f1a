"""Does a ModifyImageAttribute add a launchPermission for a foreign account or for everyone?"""

from __future__ import annotations

from typing import Any

from mamori.events.detections._common import foreign
from mamori.events.detections.ec2_snapshot_shared import added


def shared_outside(view: Any, ctx: Any) -> Any:
    bad = foreign(added(view.properties.get("requestParameters"), "launchPermission"), view, ctx)
    return bool(bad), {"shared_with": bad}
