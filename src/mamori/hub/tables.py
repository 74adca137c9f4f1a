"""Tables of the findings hub: the notification delivery log.

(Suppressions and per-finding metadata are part of the findings lifecycle:
:mod:`mamori.findings.tables`.)

``hub_deliveries``     the delivery log: every notification queued for a channel, its payload,
                       the findings it is about, status (PENDING, SENT, FAILED, DEAD), attempts
                       and the last error. Failed deliveries are retried on the next run.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from mamori.store.base import JSONType, UTCDateTime, metadata

deliveries = Table(
    "hub_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("channel", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("dedup_key", String(400), nullable=False),
    Column("subject", Text, nullable=False),
    Column("payload", JSONType, nullable=False),
    Column("finding_ids", JSONType, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_attempt_at", UTCDateTime(), nullable=True),
    Column("sent_at", UTCDateTime(), nullable=True),
    Index("ix_hub_deliveries_status", "status"),
    Index("ix_hub_deliveries_channel_sent_at", "channel", "sent_at"),
)
