"""Is the instance type of a RunInstances a GPU / accelerator / very large one not in allowed_prefixes?"""

from __future__ import annotations

import re
from typing import Any


def unusual_type(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    itype = req.get("instanceType") if isinstance(req, dict) else None
    if not isinstance(itype, str):
        return None
    params = ctx.params or {}
    if any(itype.startswith(p) for p in params.get("allowed_prefixes") or []):
        return False
    pattern = params.get("unusual") or r"^(p\d|g\d)"
    return re.search(str(pattern), itype) is not None, {"instanceType": itype}
