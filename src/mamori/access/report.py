"""What a grant did: the CloudTrail calls made under it (from ``mamori logs``) next to the runbook steps.

Calls under a grant are the log store's events in the grant's accounts and window whose
session (``userIdentity.arn``) is the grant's: Identity Center names the role ``AWSReservedSSO_<permission
set>_<suffix>`` and the session after the user name; ``access.mode: sts`` sessions are named
``mamori-<request id>``.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from mamori.access import runbooks, service
from mamori.access.model import AccessRequest
from mamori.audit.log import entries

MAX_CALLS = 5000


def _like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def calls(req: AccessRequest, logs_db: str | Path | None) -> tuple[bool, list[dict[str, Any]]]:
    from mamori.logs.store import DEFAULT_PATH, LogStore

    path = Path(logs_db or os.environ.get("MAMORI_LOGS_DB") or DEFAULT_PATH)
    if not path.exists() or req.starts_at is None:
        return False, []
    ends = [g.ended_at or g.ends_at for g in req.grants] or [req.ends_at or req.starts_at]
    until: datetime = max(e for e in ends if e is not None)
    if req.mode == "sts":
        who = f"arn:aws:sts::%:assumed-role/%/mamori-{_like(req.id)}"
    else:
        who = f"arn:aws:sts::%:assumed-role/AWSReservedSSO\\_{_like(req.permission_set)}\\_%/{_like(req.requester)}"
    with LogStore(path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT event_time, account, event_source, event_name, aws_region, error_code, json_extract_string(user_identity, '$.arn'), event_id "
            "FROM events WHERE account IN (SELECT unnest(?)) AND event_time >= ? AND event_time <= ? "
            "AND json_extract_string(user_identity, '$.arn') LIKE ? ESCAPE '\\' ORDER BY event_time, event_id LIMIT ?",
            [list(req.accounts), req.starts_at.replace(tzinfo=None), until.replace(tzinfo=None), who, MAX_CALLS],
        ).fetchall()
    return True, [{"time": str(r[0]), "account": r[1], "event_source": r[2], "event_name": r[3], "region": r[4],
                   "error_code": r[5], "principal": r[6], "event_id": r[7]} for r in rows]  # fmt: skip


def build(engine: Engine, request_id: str, *, logs_db: str | Path | None = None) -> dict[str, Any]:
    req = service.get(engine, request_id)
    have_logs, found = calls(req, logs_db)
    audit = [e.to_dict() for e in entries(engine, subject=request_id)]
    return {"request": req.to_dict(), "runs": runbooks.runs_for(engine, request_id), "logs": have_logs,
            "calls": found, "audit": audit}  # fmt: skip
