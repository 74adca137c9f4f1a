"""Tables of the findings hub: suppressions, per-finding metadata and the notification delivery log.

``hub_suppressions``   exceptions: an exact selector (rule, account, region, resource id, finding
                       id, tags), a reason, an approver, an expiry; where it came from (``cli`` or
                       ``file:<path>``) and when/by whom it was removed.
``hub_finding_meta``   one row per finding that has metadata: the resource's tags (for tag
                       selectors and owner mapping), its root cause (for digests) and the
                       suppression that currently suppresses it.
``hub_deliveries``     the delivery log: every notification queued for a channel, its payload,
                       the findings it is about, status (PENDING, SENT, FAILED, DEAD), attempts
                       and the last error. Failed deliveries are retried on the next run.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from mamori.store.tables import JSONType, UTCDateTime, metadata

suppressions = Table(
    "hub_suppressions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("rule_id", String(200), nullable=True),
    Column("account", String(40), nullable=True),
    Column("region", String(40), nullable=True),
    Column("resource_id", Text, nullable=True),
    Column("finding_id", String(64), nullable=True),
    Column("tags", JSONType, nullable=False),
    Column("reason", Text, nullable=False),
    Column("approver", String(200), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("origin", String(400), nullable=False),
    Column("removed_at", UTCDateTime(), nullable=True),
    Column("removed_by", String(200), nullable=True),
    Index("ix_hub_suppressions_expires_at", "expires_at"),
)

finding_meta = Table(
    "hub_finding_meta",
    metadata,
    Column("finding_id", String(64), ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    Column("tags", JSONType, nullable=False),
    Column("root_cause", Text, nullable=True),
    Column("suppression_id", String(64), nullable=True),
    Index("ix_hub_finding_meta_suppression_id", "suppression_id"),
)

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
