"""Events: detections (offences), responses and watch checkpoints.

Revision ID: 0003_events
Revises: 0001_initial
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mamori.store.base import JSONType, UTCDateTime

revision = "0003_events"
down_revision = "0001_initial"
branch_labels = ("events",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_detections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("detection_id", sa.String(120), nullable=False),
        sa.Column("event_time", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("principal_arn", sa.Text, nullable=False),
        sa.Column("principal_type", sa.String(40), nullable=False),
        sa.Column("access_key_id", sa.String(128), nullable=False),
        sa.Column("account", sa.String(40), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("event_source", sa.String(120), nullable=False),
        sa.Column("event_name", sa.String(120), nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("failed", sa.Boolean, nullable=False),
        sa.Column("offence", sa.Integer, nullable=False),
        sa.Column("finding_id", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("related_events", JSONType, nullable=False),
        sa.Column("evidence", JSONType, nullable=False),
        sa.UniqueConstraint("event_id", "detection_id", name="uq_event_detections_event_id_detection_id"),
    )
    op.create_index("ix_event_detections_principal_arn_event_time", "event_detections", ["principal_arn", "event_time"])
    op.create_index("ix_event_detections_detection_id", "event_detections", ["detection_id"])
    op.create_table(
        "event_responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("detection_id", sa.String(120), nullable=False),
        sa.Column("responder", sa.String(60), nullable=False),
        sa.Column("principal_arn", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("plan", JSONType, nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("output", JSONType, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "event_id", "detection_id", "responder", name="uq_event_responses_event_id_detection_id_responder"
        ),
    )
    op.create_index("ix_event_responses_principal_arn", "event_responses", ["principal_arn"])
    op.create_table(
        "event_checkpoints",
        sa.Column("source", sa.String(512), primary_key=True),
        sa.Column("key", sa.String(1024), primary_key=True),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("malformed", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("event_checkpoints")
    op.drop_table("event_responses")
    op.drop_table("event_detections")
