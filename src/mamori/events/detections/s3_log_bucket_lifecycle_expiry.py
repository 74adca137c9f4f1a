"""Does a lifecycle configuration expire objects of a log bucket within ``max_days``?"""

from __future__ import annotations

import re
from typing import Any

from mamori.events.detections._common import as_list


def _days(rule: dict[str, Any]) -> list[int]:
    out = []
    for key in ("Expiration", "NoncurrentVersionExpiration"):
        exp = rule.get(key)
        if isinstance(exp, dict):
            for k in ("Days", "NoncurrentDays"):
                try:
                    if exp.get(k) is not None:
                        out.append(int(exp[k]))
                except (TypeError, ValueError):
                    continue
    return out


def expires_logs(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    if not isinstance(req, dict):
        return None
    bucket = str(req.get("bucketName") or "")
    params = ctx.params or {}
    named = bucket in set(as_list(params.get("log_buckets")))
    pattern = params.get("name_pattern")
    if not named and not (isinstance(pattern, str) and re.search(pattern, bucket, re.IGNORECASE)):
        return False
    cfg = req.get("LifecycleConfiguration")
    rules = as_list(cfg.get("Rule")) if isinstance(cfg, dict) else []
    limit = int(params.get("max_days", 30))
    short = [r for r in rules if isinstance(r, dict) and r.get("Status", "Enabled") == "Enabled" and any(d <= limit for d in _days(r))]
    return bool(short), {"bucket": bucket, "rules": short}
