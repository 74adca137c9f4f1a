"""``access.mode: sts``: short credentials of the per-grant role, for the requester only, while the grant lasts.

The credentials are written to a file (0600, the JSON ``credential_process`` prints) and never
printed or stored; the audit log keeps the role session and the first characters of the key id.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from mamori.access import service
from mamori.access.granters import StsGranter
from mamori.access.model import AccessRefused, GrantError
from mamori.audit.log import record


def issue(engine: Engine, request_id: str, account: str, *, actor: str, now: datetime, granter: Any, out: Path) -> dict[str, Any]:
    if not isinstance(granter, StsGranter):
        raise AccessRefused("credentials are issued in access.mode: sts only (Identity Center users sign in through the portal)")
    req = service.get(engine, request_id)
    if actor != req.requester:
        raise AccessRefused(f"{request_id} was granted to {req.requester}, not {actor}")
    grant = next((g for g in req.grants if g.account == account and g.active_at(now)), None)
    if grant is None:
        raise AccessRefused(f"{request_id} grants no active access in {account}")
    seconds = int((grant.ends_at - now).total_seconds())
    try:
        creds = granter.credentials(account, req.permission_set, req.requester, request_id, seconds)
    except GrantError as exc:
        record(engine, actor=actor, action="access.credentials", subject=request_id, at=now,
               details={**req.context, "account": account, "result": "failed", "error": str(exc)[:300]})  # fmt: skip
        raise
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"Version": 1, **{k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")}}, fh)
    record(engine, actor=actor, action="access.credentials", subject=request_id, at=now, details={
        **req.context, "account": account, "result": "issued", "role_session": creds["AssumedRoleArn"],
        "access_key_id": creds["AccessKeyId"][:4] + "...", "source_identity": req.requester,
        "expires": creds["Expiration"]})  # fmt: skip
    return creds
