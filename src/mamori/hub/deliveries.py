"""The delivery log (``hub_deliveries``): queued, sent, failed and given-up notifications per channel.

Statuses: PENDING (queued, not tried yet, or deferred by a rate limit), SENT, FAILED (tried
and failed; retried on the next run), DEAD (failed ``max_total_attempts`` times; kept and
reported, never retried automatically).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from mamori.hub.tables import deliveries
from mamori.notify.base import Notification
from mamori.store.db import write_transaction


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    DEAD = "DEAD"


@dataclass(frozen=True)
class Delivery:
    id: str
    channel: str
    notification: Notification
    finding_ids: tuple[str, ...]
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "channel": self.channel, "subject": self.notification.subject, "status": self.status.value,
            "attempts": self.attempts, "last_error": self.last_error, "findings": len(self.finding_ids),
            "created_at": self.created_at.isoformat(), "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }  # fmt: skip


def _row(r: Any) -> Delivery:
    return Delivery(
        id=r.id, channel=r.channel, notification=Notification.from_dict(r.payload), finding_ids=tuple(r.finding_ids),
        status=DeliveryStatus(r.status), attempts=r.attempts, last_error=r.last_error, created_at=r.created_at,
        sent_at=r.sent_at,
    )  # fmt: skip


def queue(conn: Connection, channel: str, items: Iterable[Notification], now: datetime) -> list[str]:
    rows = []
    for n in items:
        rows.append(
            {
                "id": str(uuid.uuid4()), "channel": channel, "kind": n.kind, "dedup_key": n.dedup_key[:400],
                "subject": n.subject, "payload": {**n.to_dict(), "about": []}, "finding_ids": list(n.about),
                "status": DeliveryStatus.PENDING.value, "attempts": 0, "last_error": None, "created_at": now,
                "last_attempt_at": None, "sent_at": None,
            }
        )  # fmt: skip
    if rows:
        conn.execute(insert(deliveries), rows)
    return [str(r["id"]) for r in rows]


def due(engine: Engine, channel: str) -> list[Delivery]:
    """PENDING and FAILED deliveries of a channel, oldest first."""
    q = (
        select(deliveries)
        .where(deliveries.c.channel == channel, deliveries.c.status.in_((DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value)))
        .order_by(deliveries.c.created_at, deliveries.c.id)
    )
    with engine.connect() as conn:
        out = []
        for r in conn.execute(q):
            d = _row(r)
            # the ids are stored once, beside the payload; put them back for the channel
            out.append(replace(d, notification=replace(d.notification, about=d.finding_ids)))
        return out


def sent_since(engine: Engine, channel: str, since: datetime) -> int:
    q = select(func.count()).where(
        deliveries.c.channel == channel, deliveries.c.status == DeliveryStatus.SENT.value, deliveries.c.sent_at >= since
    )
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def record(engine: Engine, d: Delivery, *, ok: bool, tries: int, error: str | None, now: datetime, max_total: int) -> DeliveryStatus:
    attempts = d.attempts + tries
    if ok:
        status = DeliveryStatus.SENT
    else:
        status = DeliveryStatus.DEAD if attempts >= max_total else DeliveryStatus.FAILED
    with write_transaction(engine) as conn:
        conn.execute(
            update(deliveries)
            .where(deliveries.c.id == d.id)
            .values(status=status.value, attempts=attempts, last_error=error, last_attempt_at=now, sent_at=now if ok else None)
        )
    return status


def listing(engine: Engine, statuses: tuple[DeliveryStatus, ...] = (), limit: int = 100) -> list[Delivery]:
    q = select(deliveries).order_by(deliveries.c.created_at.desc()).limit(limit)
    if statuses:
        q = q.where(deliveries.c.status.in_([s.value for s in statuses]))
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(q)]


def hour_ago(now: datetime) -> datetime:
    return now - timedelta(hours=1)
