"""Does a PutBucketReplication send objects to a bucket of a foreign account?"""

from __future__ import annotations

from typing import Any

from mamori.events.detections._common import as_list, foreign


def replicates_outside(view: Any, ctx: Any) -> Any:
    req = view.properties.get("requestParameters") or {}
    cfg = req.get("ReplicationConfiguration") if isinstance(req, dict) else None
    if not isinstance(cfg, dict):
        return None
    accounts: list[str | None] = []
    for rule in as_list(cfg.get("Rule")):
        dest = rule.get("Destination") if isinstance(rule, dict) else None
        if isinstance(dest, dict) and dest.get("Account"):
            accounts.append(str(dest["Account"]))
    bad = foreign(accounts, view, ctx)
    return bool(bad), {"destination_accounts": bad}
