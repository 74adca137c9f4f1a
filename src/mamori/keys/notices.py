"""Which lifecycle stages were notified per key (``key_notices``), so no stage is notified twice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select

from mamori.keys.policy import Stage
from mamori.keys.tables import key_notices

Notices = dict[tuple[str, str], dict[Stage, datetime]]


def load(engine: Engine, keys: Iterable[tuple[str, str]] | None = None) -> Notices:
    """{(account, access_key_id): {stage: when notified}}."""
    wanted = set(keys) if keys is not None else None
    out: Notices = {}
    with engine.connect() as conn:
        for r in conn.execute(select(key_notices)):
            k = (r.account, r.access_key_id)
            if wanted is None or k in wanted:
                out.setdefault(k, {})[Stage(r.stage)] = r.at
    return out


def add(conn: Connection, *, account: str, access_key_id: str, user: str, stage: Stage, at: datetime, recipients: Sequence[str], outcome: str) -> bool:
    """Record a notified stage (inside the caller's write transaction). False if it was recorded already."""
    exists = conn.execute(
        select(key_notices.c.id).where(
            key_notices.c.account == account, key_notices.c.access_key_id == access_key_id, key_notices.c.stage == stage.value
        )
    ).first()
    if exists is not None:
        return False
    conn.execute(insert(key_notices), {
        "account": account, "access_key_id": access_key_id, "user_name": user, "stage": stage.value, "at": at,
        "recipients": list(recipients), "outcome": outcome,
    })  # fmt: skip
    return True
