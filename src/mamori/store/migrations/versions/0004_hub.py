"""Findings hub: suppressions, finding metadata (tags, root cause, suppression), delivery log.

Revision ID: 0004_hub
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0004_hub"
down_revision = "0001_initial"
branch_labels = ("hub",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_suppressions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("rule_id", sa.String(200), nullable=True),
        sa.Column("account", sa.String(40), nullable=True),
        sa.Column("region", sa.String(40), nullable=True),
        sa.Column("resource_id", sa.Text, nullable=True),
        sa.Column("finding_id", sa.String(64), nullable=True),
        sa.Column("tags", JSONType, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("approver", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("origin", sa.String(400), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.Column("removed_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_hub_suppressions_expires_at", "hub_suppressions", ["expires_at"])
    op.create_table(
        "hub_finding_meta",
        sa.Column(
            "finding_id",
            sa.String(64),
            sa.ForeignKey("findings.id", ondelete="CASCADE", name="fk_hub_finding_meta_finding_id_findings"),
            primary_key=True,
        ),
        sa.Column("tags", JSONType, nullable=False),
        sa.Column("root_cause", sa.Text, nullable=True),
        sa.Column("suppression_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_hub_finding_meta_suppression_id", "hub_finding_meta", ["suppression_id"])
    op.create_table(
        "hub_deliveries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("dedup_key", sa.String(400), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("finding_ids", JSONType, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_hub_deliveries_status", "hub_deliveries", ["status"])
    op.create_index("ix_hub_deliveries_channel_sent_at", "hub_deliveries", ["channel", "sent_at"])


def downgrade() -> None:
    op.drop_table("hub_deliveries")
    op.drop_table("hub_finding_meta")
    op.drop_table("hub_suppressions")
